package dev.nnc.runtime.optim;

import dev.nnc.runtime.NncException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An optimizer choice with its arguments, e.g. {@code sgd(lr: 0.1, momentum: 0.9)}; validated on
 * construction. Names and arguments (defaults in parentheses): sgd and momentum/nesterov
 * {@code lr (0.01), momentum (0 for sgd, 0.9 otherwise), nesterov (0 or 1, sgd only), weight_decay (0)};
 * adam and adamw {@code lr (0.001), beta1 (0.9), beta2 (0.999), eps (1e-8), weight_decay (0, adamw 0.01)}.
 */
public final class OptimizerSpec {
  private static final Map<String, Map<String, Double>> DEFAULTS = new LinkedHashMap<>();

  static {
    DEFAULTS.put("sgd", defaults("lr", 0.01, "momentum", 0.0, "nesterov", 0.0, "weight_decay", 0.0));
    DEFAULTS.put("momentum", defaults("lr", 0.01, "momentum", 0.9, "weight_decay", 0.0));
    DEFAULTS.put("nesterov", defaults("lr", 0.01, "momentum", 0.9, "weight_decay", 0.0));
    DEFAULTS.put("adam", defaults("lr", 0.001, "beta1", 0.9, "beta2", 0.999, "eps", 1e-8, "weight_decay", 0.0));
    DEFAULTS.put("adamw", defaults("lr", 0.001, "beta1", 0.9, "beta2", 0.999, "eps", 1e-8, "weight_decay", 0.01));
  }

  private final String name;
  private final Map<String, Double> args;

  private OptimizerSpec(String name, Map<String, Double> args) {
    this.name = name;
    this.args = Collections.unmodifiableMap(args);
  }

  /** Every optimizer's name with the names of its arguments, in documentation order. */
  public static Map<String, List<String>> arguments() {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (Map.Entry<String, Map<String, Double>> e : DEFAULTS.entrySet()) {
      out.put(e.getKey(), List.copyOf(e.getValue().keySet()));
    }
    return Collections.unmodifiableMap(out);
  }

  /** A rejected argument value: names the argument, so that a compiler can point at it. */
  public static final class InvalidArgument extends NncException {
    private static final long serialVersionUID = 1L;
    private final String argument;

    InvalidArgument(String argument, String message) {
      super(message);
      this.argument = argument;
    }

    /** The name of the rejected argument, e.g. {@code lr}. */
    public String argument() {
      return argument;
    }
  }

  /**
   * Validates {@code name} and {@code args}; the message lists the valid names or arguments. A
   * value out of range throws {@link InvalidArgument}.
   */
  public static OptimizerSpec parse(String name, Map<String, Double> args) {
    Map<String, Double> defaults = DEFAULTS.get(name);
    if (defaults == null) {
      throw new NncException("unknown optimizer '" + name + "' (valid: " + String.join(", ", DEFAULTS.keySet()) + ")");
    }
    Map<String, Double> given = new LinkedHashMap<>();
    for (Map.Entry<String, Double> e : args.entrySet()) {
      if (!defaults.containsKey(e.getKey())) {
        throw new NncException("optimizer " + name + " has no argument '" + e.getKey() + "' (valid: "
            + String.join(", ", defaults.keySet()) + ")");
      }
      if (e.getValue() == null || !Double.isFinite(e.getValue())) {
        throw new InvalidArgument(e.getKey(), "optimizer " + name + ": " + e.getKey() + " must be a finite number, got " + e.getValue());
      }
      given.put(e.getKey(), e.getValue());
    }
    OptimizerSpec spec = new OptimizerSpec(name, given);
    spec.check("lr", spec.arg("lr") > 0, "> 0");
    spec.check("momentum", !defaults.containsKey("momentum") || spec.arg("momentum") >= 0 && spec.arg("momentum") < 1, "in [0, 1)");
    spec.check("beta1", !defaults.containsKey("beta1") || spec.arg("beta1") >= 0 && spec.arg("beta1") < 1, "in [0, 1)");
    spec.check("beta2", !defaults.containsKey("beta2") || spec.arg("beta2") >= 0 && spec.arg("beta2") < 1, "in [0, 1)");
    spec.check("eps", !defaults.containsKey("eps") || spec.arg("eps") > 0, "> 0");
    spec.check("weight_decay", spec.arg("weight_decay") >= 0, ">= 0");
    if (defaults.containsKey("nesterov")) {
      double n = spec.arg("nesterov");
      spec.check("nesterov", n == 0 || n == 1, "0 or 1");
      spec.check("nesterov", n == 0 || spec.arg("momentum") > 0, "used together with momentum > 0");
    }
    return spec;
  }

  /**
   * Reads the source form {@link #toString} writes, e.g. {@code sgd(lr: 0.1, momentum: 0.9)} or
   * {@code adam()}, and validates it like {@link #parse(String, Map)}.
   */
  public static OptimizerSpec parseSource(String text) {
    String t = text.strip();
    int open = t.indexOf('(');
    if (open < 1 || !t.endsWith(")")) {
      throw new NncException("optimizer '" + text + "' is not of the form name(arg: value, ...)");
    }
    Map<String, Double> args = new LinkedHashMap<>();
    String inside = t.substring(open + 1, t.length() - 1).strip();
    if (!inside.isEmpty()) {
      for (String part : inside.split(",", -1)) {
        int colon = part.indexOf(':');
        String key = colon < 0 ? "" : part.substring(0, colon).strip();
        double value;
        try {
          value = colon < 0 ? Double.NaN : Double.parseDouble(part.substring(colon + 1).strip());
        } catch (NumberFormatException e) {
          value = Double.NaN;
        }
        if (key.isEmpty() || Double.isNaN(value) || args.put(key, value) != null) {
          throw new NncException("optimizer '" + text + "' is not of the form name(arg: value, ...)");
        }
      }
    }
    return parse(t.substring(0, open).strip(), args);
  }

  /**
   * As {@link #parse(String, Map)}, with the arguments {@code keys[i]: values[i]} kept in the
   * order given (generated code declares them so: the description, and so a checkpoint, is the
   * same in every run).
   */
  public static OptimizerSpec parse(String name, String[] keys, double[] values) {
    if (keys.length != values.length) {
      throw new IllegalArgumentException(keys.length + " argument names for " + values.length
          + " values");
    }
    Map<String, Double> args = new LinkedHashMap<>();
    for (int i = 0; i < keys.length; i++) {
      if (args.put(keys[i], values[i]) != null) {
        throw new NncException("optimizer " + name + ": argument '" + keys[i] + "' given twice");
      }
    }
    return parse(name, args);
  }

  /** The same optimizer with {@code key} set to {@code value} (e.g. a run-time learning-rate override). */
  public OptimizerSpec with(String key, double value) {
    Map<String, Double> merged = new LinkedHashMap<>(args);
    merged.put(key, value);
    return parse(name, merged);
  }

  public String name() {
    return name;
  }

  /** The arguments given explicitly (defaults not included). */
  public Map<String, Double> args() {
    return args;
  }

  /** The value of {@code key}, or its default. */
  public double arg(String key) {
    Double v = args.get(key);
    if (v == null) {
      v = DEFAULTS.get(name).get(key);
    }
    if (v == null) {
      throw new NncException("optimizer " + name + " has no argument '" + key + "'");
    }
    return v;
  }

  /** A fresh optimizer with zero state. */
  public Optimizer create() {
    switch (name) {
      case "adam":
      case "adamw":
        return new Adam(arg("lr"), arg("beta1"), arg("beta2"), arg("eps"), arg("weight_decay"), name.equals("adamw"));
      case "sgd":
        return new Sgd(arg("lr"), arg("momentum"), arg("nesterov") == 1, arg("weight_decay"));
      default:
        return new Sgd(arg("lr"), arg("momentum"), name.equals("nesterov"), arg("weight_decay"));
    }
  }

  private void check(String key, boolean ok, String requirement) {
    if (!ok) {
      throw new InvalidArgument(key, "optimizer " + name + ": " + key + " must be " + requirement + ", got " + arg(key));
    }
  }

  private static Map<String, Double> defaults(Object... kv) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], (Double) kv[i + 1]);
    }
    return Collections.unmodifiableMap(m);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OptimizerSpec && ((OptimizerSpec) o).name.equals(name) && ((OptimizerSpec) o).args.equals(args);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + args.hashCode();
  }

  /** The source form, e.g. {@code sgd(lr: 0.1, momentum: 0.9)}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(name).append('(');
    String sep = "";
    for (Map.Entry<String, Double> e : args.entrySet()) {
      sb.append(sep).append(e.getKey()).append(": ").append(e.getValue());
      sep = ", ";
    }
    return sb.append(')').toString();
  }
}
