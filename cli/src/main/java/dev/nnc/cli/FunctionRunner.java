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
  /** A function's value and the gradient with respect to each parameter (flat, row-major). */
  record Result(FunctionIr fn, double[] value, Map<String, double[]> gradient) {}

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
    List<Result> results = new ArrayList<>();
    Map<String, CompiledFunction> compiled = interpret ? Map.of()
        : compile(checked, simplify, err);
    for (FunctionIr fn : fns) {
      double[][] args = arguments(fn, at);
      double[][] grads = new double[args.length][];
      for (int i = 0; i < args.length; i++) {
        grads[i] = new double[args[i].length];
      }
      double[] value;
      if (interpret) {
        DerivedFunction d = DerivedFunction.derive(fn, simplify);
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
        value = compiled.get(fn.name()).evaluateWithGradient(args, null, grads);
      }
      Map<String, double[]> gradient = new LinkedHashMap<>();
      for (int i = 0; i < args.length; i++) {
        gradient.put(fn.params().get(i).name(), grads[i]);
      }
      results.add(new Result(fn, value, gradient));
    }
    return results;
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
