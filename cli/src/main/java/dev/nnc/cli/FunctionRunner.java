package dev.nnc.cli;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.autodiff.DerivedFunction;
import dev.nnc.compiler.emit.InMemoryJavaCompiler;
import dev.nnc.compiler.interp.Interpreter;
import dev.nnc.compiler.ir.FunctionIr;
import dev.nnc.compiler.ir.Node;
import dev.nnc.compiler.ir.Shape;
import dev.nnc.runtime.CompiledFunction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates functions of a checked file at given points, either through generated Java compiled
 * in memory (the default, exactly what {@code nnc compile} emits) or through the interpreter.
 */
final class FunctionRunner {
  /**
   * A function's value and the gradient with respect to each parameter (flat, row-major); when
   * asked, the Hessian (rows over the parameters flattened in declaration order), and for a
   * direction the Jacobian-vector product (the value's shape) and the Hessian-vector product
   * (one per parameter). Those not asked for are null.
   */
  record Result(FunctionIr fn, double[] value, Map<String, double[]> gradient, double[][] hessian,
      double[] jvp, Map<String, double[]> hvp) {}

  /** What to compute beyond value and gradient: the Hessian, and products with a direction. */
  record SecondOrder(boolean hessian, Map<String, AtValues.Value> direction) {
    static final SecondOrder NONE = new SecondOrder(false, null);
  }

  private FunctionRunner() {}

  /** The functions to evaluate: the named one, or every one whose parameters are all given. */
  static List<FunctionIr> select(Compiler.CheckResult checked, String fnName,
      Map<String, AtValues.Value> at) {
    List<FunctionIr> fns = checked.program().functions();
    if (fnName != null) {
      for (FunctionIr fn : fns) {
        if (fn.name().equals(fnName)) {
          for (String given : at.keySet()) {
            if (fn.params().stream().noneMatch(p -> p.name().equals(given))) {
              throw new UserError("--at: " + fn.name() + " has no parameter '" + given + "'", 2);
            }
          }
          return List.of(fn);
        }
      }
      List<String> names = new ArrayList<>();
      fns.forEach(f -> names.add(f.name()));
      throw new UserError(checked.source().name() + " has no fn '" + fnName + "'"
          + (names.isEmpty() ? "" : "; it has: " + String.join(", ", names)), 2);
    }
    for (String given : at.keySet()) {
      if (fns.stream().noneMatch(f -> f.params().stream().anyMatch(p -> p.name().equals(given)))) {
        throw new UserError("--at: no fn in " + checked.source().name() + " has a parameter '"
            + given + "'", 2);
      }
    }
    List<FunctionIr> selected = new ArrayList<>();
    for (FunctionIr fn : fns) {
      if (fn.params().stream().allMatch(p -> at.containsKey(p.name()))) {
        selected.add(fn);
      }
    }
    if (selected.isEmpty()) {
      throw new UserError("--at: no fn in " + checked.source().name()
          + " has all of its parameters given; name one with --fn", 2);
    }
    return selected;
  }

  /** The arguments of {@code fn} from {@code at}, checked against the parameter shapes. */
  static double[][] arguments(FunctionIr fn, Map<String, AtValues.Value> at) {
    double[][] args = new double[fn.params().size()][];
    for (int i = 0; i < args.length; i++) {
      Node.Var p = fn.params().get(i);
      AtValues.Value v = at.get(p.name());
      if (v == null) {
        throw new UserError("--at: no value for parameter " + p.name() + " of " + fn.name(), 2);
      }
      if (!v.shape().equals(p.shape())) {
        throw new UserError("--at: parameter " + p.name() + " of " + fn.name() + " has shape "
            + p.shape() + " but the value given has shape " + v.shape(), 2);
      }
      args[i] = v.data();
    }
    return args;
  }

  static List<Result> run(Compiler.CheckResult checked, List<FunctionIr> fns,
      Map<String, AtValues.Value> at, boolean interpret, boolean simplify,
      java.io.PrintWriter err) {
    return run(checked, fns, at, SecondOrder.NONE, interpret, simplify, err);
  }

  static List<Result> run(Compiler.CheckResult checked, List<FunctionIr> fns,
      Map<String, AtValues.Value> at, SecondOrder second, boolean interpret, boolean simplify,
      java.io.PrintWriter err) {
    List<Result> results = new ArrayList<>();
    Map<String, CompiledFunction> compiled = interpret ? Map.of()
        : compile(checked, simplify, err);
    for (FunctionIr fn : fns) {
      double[][] args = arguments(fn, at);
      double[][] direction = second.direction() == null ? null
          : direction(fn, second.direction());
      double[][] grads = new double[args.length][];
      double[][] hv = direction == null ? null : new double[args.length][];
      for (int i = 0; i < args.length; i++) {
        grads[i] = new double[args[i].length];
        if (hv != null) {
          hv[i] = new double[args[i].length];
        }
      }
      double[] value;
      double[][] hessian = null;
      double[] jvp = null;
      if (interpret) {
        DerivedFunction d = DerivedFunction.derive(fn, simplify);
        if (second.hessian()) {
          hessian = interpretedHessian(d, args);
        }
        if (direction != null) {
          Interpreter withDirection = interpreter(d, args, direction);
          jvp = withDirection.value(d.jvp());
          for (int i = 0; i < args.length; i++) {
            hv[i] = withDirection.value(d.hvp().get(i));
          }
        }
        Map<Node.Var, double[]> inputs = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
          inputs.put(fn.params().get(i), args[i]);
        }
        if (d.upstream() != null) {
          double[] ones = new double[d.upstream().shape().size()];
          Arrays.fill(ones, 1);
          inputs.put(d.upstream(), ones);
        }
        Interpreter interpreter = new Interpreter(inputs);
        value = interpreter.value(d.value());
        for (int i = 0; i < args.length; i++) {
          grads[i] = interpreter.value(d.gradients().get(i));
        }
      } else {
        CompiledFunction f = compiled.get(fn.name());
        value = f.evaluateWithGradient(args, null, grads);
        try {
          if (second.hessian()) {
            double[] flat = f.evaluateHessian(args, null);
            int size = (int) Math.round(Math.sqrt(flat.length));
            hessian = new double[size][];
            for (int r = 0; r < size; r++) {
              hessian[r] = Arrays.copyOfRange(flat, r * size, (r + 1) * size);
            }
          }
          if (direction != null) {
            jvp = f.evaluateJvp(args, direction);
            f.evaluateHvp(args, null, direction, hv);
          }
        } catch (UnsupportedOperationException e) {
          throw new UserError(fn.name() + " is too large for generated second derivatives;"
              + " use --interpret", 1);
        }
      }
      Map<String, double[]> gradient = new LinkedHashMap<>();
      Map<String, double[]> hvp = hv == null ? null : new LinkedHashMap<>();
      for (int i = 0; i < args.length; i++) {
        gradient.put(fn.params().get(i).name(), grads[i]);
        if (hvp != null) {
          hvp.put(fn.params().get(i).name(), hv[i]);
        }
      }
      results.add(new Result(fn, value, gradient, hessian, jvp, hvp));
    }
    return results;
  }

  /** The direction of {@code fn} from {@code --direction}, one value per parameter. */
  static double[][] direction(FunctionIr fn, Map<String, AtValues.Value> given) {
    for (String name : given.keySet()) {
      if (fn.params().stream().noneMatch(p -> p.name().equals(name))) {
        throw new UserError("--direction: " + fn.name() + " has no parameter '" + name + "'", 2);
      }
    }
    double[][] v = new double[fn.params().size()][];
    for (int i = 0; i < v.length; i++) {
      Node.Var p = fn.params().get(i);
      AtValues.Value d = given.get(p.name());
      if (d == null) {
        throw new UserError("--direction: no value for parameter " + p.name() + " of "
            + fn.name() + " (give one per parameter, e.g. " + p.name() + "=1)", 2);
      }
      if (!d.shape().equals(p.shape())) {
        throw new UserError("--direction: parameter " + p.name() + " of " + fn.name()
            + " has shape " + p.shape() + " but the direction given has shape " + d.shape(), 2);
      }
      v[i] = d.data();
    }
    return v;
  }

  /** An interpreter at {@code args}, all-ones upstream seed, and the given direction. */
  private static Interpreter interpreter(DerivedFunction d, double[][] args, double[][] v) {
    Map<Node.Var, double[]> inputs = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      inputs.put(d.function().params().get(i), args[i]);
      inputs.put(d.directions().get(i), v[i]);
    }
    if (d.upstream() != null) {
      double[] ones = new double[d.upstream().shape().size()];
      Arrays.fill(ones, 1);
      inputs.put(d.upstream(), ones);
    }
    return new Interpreter(inputs);
  }

  /** The Hessian by the interpreter: one Hessian-vector product per basis direction. */
  private static double[][] interpretedHessian(DerivedFunction d, double[][] args) {
    int size = d.hessianSize();
    double[][] rows = new double[size][];
    for (int j = 0; j < size; j++) {
      double[][] v = new double[args.length][];
      int k = j;
      for (int i = 0; i < args.length; i++) {
        v[i] = new double[args[i].length];
        if (k >= 0 && k < v[i].length) {
          v[i][k] = 1;
        }
        k -= args[i].length;
      }
      Interpreter interpreter = interpreter(d, args, v);
      double[] row = new double[size];
      int at = 0;
      for (Node h : d.hvp()) {
        double[] part = interpreter.value(h);
        System.arraycopy(part, 0, row, at, part.length);
        at += part.length;
      }
      rows[j] = row;
    }
    return rows;
  }

  private static Map<String, CompiledFunction> compile(Compiler.CheckResult checked,
      boolean simplify, java.io.PrintWriter err) {
    // the file's functions only: a model declared beside them is neither compiled nor a function
    java.util.Set<dev.nnc.compiler.diag.SourceSpan> functions = new java.util.HashSet<>();
    for (FunctionIr fn : checked.program().functions()) {
      functions.add(fn.nameSpan());
    }
    Map<String, String> sources = new LinkedHashMap<>();
    for (Compiler.GeneratedSource s : SourceLoader.generate(checked, "nnc.eval", simplify,
        dev.nnc.compiler.ir.ElementType.F32, err)) {
      if (functions.contains(s.origin())) {
        sources.put(s.qualifiedName(), s.code());
      }
    }
    Map<String, CompiledFunction> out = new HashMap<>();
    try {
      for (Class<?> c : InMemoryJavaCompiler.compile(sources).values()) {
        if (CompiledFunction.class.isAssignableFrom(c)) {
          CompiledFunction f = (CompiledFunction) c.getConstructor().newInstance();
          out.put(f.name(), f);
        }
      }
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  /** A flat row-major array as nested lists of the given shape (a number for a scalar; null for a non-finite number, which JSON cannot hold). */
  static Object nested(double[] data, Shape shape) {
    return nested(data, shape.dims(), 0, 0, true);
  }

  private static Object nested(double[] data, List<Integer> dims, int axis, int offset,
      boolean finiteOnly) {
    if (axis == dims.size()) {
      double v = data[offset];
      return Double.isFinite(v) || !finiteOnly ? (Object) v : null;
    }
    int stride = 1;
    for (int i = axis + 1; i < dims.size(); i++) {
      stride *= dims.get(i);
    }
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < dims.get(axis); i++) {
      out.add(nested(data, dims, axis + 1, offset + i * stride, finiteOnly));
    }
    return out;
  }

  /** Human-readable form of a value: a number or nested brackets. */
  static String text(double[] data, Shape shape) {
    return textList(nested(data, shape.dims(), 0, 0, false));
  }

  private static String textList(Object v) {
    if (v instanceof List<?> list) {
      StringBuilder b = new StringBuilder("[");
      for (int i = 0; i < list.size(); i++) {
        b.append(i == 0 ? "" : ", ").append(textList(list.get(i)));
      }
      return b.append(']').toString();
    }
    return format((Double) v);
  }

  static String format(double v) {
    if (!Double.isFinite(v)) {
      return Double.toString(v);
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    String s = String.format(java.util.Locale.ROOT, "%.10g", v);
    if (s.contains("e") || s.contains("E")) {
      return s;
    }
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }
}
