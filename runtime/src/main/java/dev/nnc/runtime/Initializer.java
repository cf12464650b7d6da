package dev.nnc.runtime;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A declared parameter initializer (name and arguments), e.g. {@code he} or {@code normal(0.01)}. */
public final class Initializer {
  /** Every initializer's name with the names of its arguments, in documentation order. */
  private static final Map<String, List<String>> ARGUMENTS = new LinkedHashMap<>();

  static {
    ARGUMENTS.put("zeros", List.of());
    ARGUMENTS.put("ones", List.of());
    ARGUMENTS.put("normal", List.of("std"));
    ARGUMENTS.put("uniform", List.of("a", "b"));
    ARGUMENTS.put("xavier", List.of());
    ARGUMENTS.put("he", List.of());
  }

  private final String name;
  private final double[] args;

  private Initializer(String name, double[] args) {
    this.name = name;
    this.args = args;
  }

  public static Initializer zeros() {
    return new Initializer("zeros", new double[0]);
  }

  public static Initializer ones() {
    return new Initializer("ones", new double[0]);
  }

  /** Normal with mean 0 and standard deviation {@code std}. */
  public static Initializer normal(double std) {
    return parse("normal", std);
  }

  /** Uniform on [a, b). */
  public static Initializer uniform(double a, double b) {
    return parse("uniform", a, b);
  }

  /** Uniform on ±sqrt(6 / (fan_in + fan_out)) (Glorot). */
  public static Initializer xavier() {
    return new Initializer("xavier", new double[0]);
  }

  /** Normal with standard deviation sqrt(2 / fan_in) (He/Kaiming). */
  public static Initializer he() {
    return new Initializer("he", new double[0]);
  }

  /** Every initializer's name with the names of its arguments ({@code normal: [std]}), in order. */
  public static Map<String, List<String>> arguments() {
    return Collections.unmodifiableMap(ARGUMENTS);
  }

  /** The initializer called {@code name} with {@code args}; rejects unknown names and wrong arities. */
  public static Initializer parse(String name, double... args) {
    List<String> expected = ARGUMENTS.get(name);
    if (expected == null) {
      throw new NncException("unknown initializer '" + name + "' (valid: "
          + String.join(", ", ARGUMENTS.keySet()) + ")");
    }
    if (args.length != expected.size()) {
      throw new NncException("initializer " + name + " takes " + expected.size()
          + " argument(s), got " + args.length);
    }
    if (name.equals("normal") && !(args[0] >= 0 && Double.isFinite(args[0]))) {
      throw new NncException("initializer normal(std) needs a finite std >= 0, got " + args[0]);
    }
    if (name.equals("uniform") && !(args[0] <= args[1] && Double.isFinite(args[1] - args[0]))) {
      throw new NncException("initializer uniform(a, b) needs finite a <= b, got " + args[0] + ", " + args[1]);
    }
    return new Initializer(name, args.clone());
  }

  public String name() {
    return name;
  }

  public double[] args() {
    return args.clone();
  }

  /** Fills {@code p} per this initializer; the same seed gives bitwise-identical values. */
  public void apply(Parameter p, long seed) {
    switch (name) {
      case "zeros": Initializers.zeros(p); break;
      case "ones": Initializers.ones(p); break;
      case "normal": Initializers.normal(p, args[0], seed); break;
      case "uniform": Initializers.uniform(p, args[0], args[1], seed); break;
      case "xavier": Initializers.xavier(p, seed); break;
      default: Initializers.he(p, seed); break;
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Initializer && ((Initializer) o).name.equals(name)
        && Arrays.equals(((Initializer) o).args, args);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(args);
  }

  @Override
  public String toString() {
    if (args.length == 0) {
      return name;
    }
    StringBuilder sb = new StringBuilder(name).append('(');
    for (int i = 0; i < args.length; i++) {
      sb.append(i > 0 ? ", " : "").append(args[i]);
    }
    return sb.append(')').toString();
  }
}
