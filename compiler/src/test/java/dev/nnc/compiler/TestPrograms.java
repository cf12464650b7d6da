package dev.nnc.compiler;

import dev.nnc.compiler.autodiff.DerivedFunction;
import dev.nnc.compiler.check.CheckedProgram;
import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.compiler.interp.Interpreter;
import dev.nnc.compiler.ir.FunctionIr;
import dev.nnc.compiler.ir.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Compiles {@code .nn} text in tests and evaluates functions with the interpreter. */
public final class TestPrograms {
  private TestPrograms() {}

  /** Checks {@code text}, failing with the rendered diagnostics if it has errors. */
  public static CheckedProgram check(String text) {
    Compiler.CheckResult result = Compiler.check(new SourceFile("test.nn", text));
    if (!result.ok()) {
      throw new AssertionError("expected a clean program:\n" + result.render());
    }
    return result.program();
  }

  /** The function {@code name} of {@code text}. */
  public static FunctionIr function(String text, String name) {
    for (FunctionIr fn : check(text).functions()) {
      if (fn.name().equals(name)) {
        return fn;
      }
    }
    throw new AssertionError("no function " + name);
  }

  /** The interpreter's inputs: the arguments, and all ones for a tensor value's upstream seed. */
  private static Map<Node.Var, double[]> inputs(DerivedFunction d, double[][] args) {
    Map<Node.Var, double[]> inputs = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      inputs.put(d.function().params().get(i), args[i]);
    }
    if (d.upstream() != null) {
      double[] ones = new double[d.upstream().shape().size()];
      java.util.Arrays.fill(ones, 1);
      inputs.put(d.upstream(), ones);
    }
    return inputs;
  }

  /** The Hessian-vector products (one per parameter, flat) by the interpreter. */
  public static List<double[]> hvp(DerivedFunction d, double[][] args, double[][] v) {
    Map<Node.Var, double[]> inputs = inputs(d, args);
    for (int i = 0; i < v.length; i++) {
      inputs.put(d.directions().get(i), v[i]);
    }
    Interpreter interpreter = new Interpreter(inputs);
    List<double[]> out = new ArrayList<>();
    for (Node h : d.hvp()) {
      out.add(interpreter.value(h));
    }
    return out;
  }

  /** J v by the interpreter. */
  public static double[] jvp(DerivedFunction d, double[][] args, double[][] v) {
    Map<Node.Var, double[]> inputs = inputs(d, args);
    for (int i = 0; i < v.length; i++) {
      inputs.put(d.directions().get(i), v[i]);
    }
    return new Interpreter(inputs).value(d.jvp());
  }

  /** The Hessian (row-major [P, P], parameters flattened in order) by the interpreter. */
  public static double[][] hessian(DerivedFunction d, double[][] args) {
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
      double[] row = new double[size];
      int at = 0;
      for (double[] h : hvp(d, args, v)) {
        System.arraycopy(h, 0, row, at, h.length);
        at += h.length;
      }
      rows[j] = row;
    }
    return rows;
  }

  /** Value then gradients (flat), evaluated by the interpreter on the derived graph. */
  public static List<double[]> valueAndGradient(DerivedFunction d, double[]... args) {
    Map<Node.Var, double[]> inputs = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      inputs.put(d.function().params().get(i), args[i]);
    }
    if (d.upstream() != null) {
      double[] ones = new double[d.upstream().shape().size()];
      java.util.Arrays.fill(ones, 1);
      inputs.put(d.upstream(), ones);
    }
    Interpreter interpreter = new Interpreter(inputs);
    List<double[]> out = new ArrayList<>();
    out.add(interpreter.value(d.value()));
    for (Node g : d.gradients()) {
      out.add(interpreter.value(g));
    }
    return out;
  }
}
