package dev.nnc.compiler;

import dev.nnc.compiler.interp.Interpreter;
import dev.nnc.compiler.ir.FunctionIr;
import dev.nnc.compiler.ir.Node;
import java.util.HashMap;
import java.util.Map;

/** Finite differences and tolerant comparisons for the numerical tests. */
public final class Numerics {
  private Numerics() {}

  /** The (unsimplified, forward-only) value of {@code fn} at {@code args}, by the interpreter. */
  public static double[] value(FunctionIr fn, double[][] args) {
    Map<Node.Var, double[]> inputs = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      inputs.put(fn.params().get(i), args[i]);
    }
    return new Interpreter(inputs).value(fn.value());
  }

  /**
   * Central finite differences of the scalar {@code fn} with respect to every element of every
   * parameter, with step {@code relStep * max(1, |x|)}.
   */
  public static double[][] finiteDifferences(FunctionIr fn, double[][] args, double relStep) {
    double[][] grads = new double[args.length][];
    for (int p = 0; p < args.length; p++) {
      grads[p] = new double[args[p].length];
      for (int e = 0; e < args[p].length; e++) {
        double x = args[p][e];
        double h = relStep * Math.max(1, Math.abs(x));
        double[][] plus = copy(args);
        double[][] minus = copy(args);
        plus[p][e] = x + h;
        minus[p][e] = x - h;
        // the step actually taken, after rounding
        double step = plus[p][e] - minus[p][e];
        grads[p][e] = (value(fn, plus)[0] - value(fn, minus)[0]) / step;
      }
    }
    return grads;
  }

  public static double[][] copy(double[][] args) {
    double[][] out = new double[args.length][];
    for (int i = 0; i < args.length; i++) {
      out[i] = args[i].clone();
    }
    return out;
  }

  /** True if |a - b| <= atol + rtol * max(|a|, |b|) (NaN and infinities must match exactly). */
  public static boolean close(double a, double b, double rtol, double atol) {
    if (Double.isNaN(a) || Double.isNaN(b) || Double.isInfinite(a) || Double.isInfinite(b)) {
      return Double.compare(a, b) == 0;
    }
    return Math.abs(a - b) <= atol + rtol * Math.max(Math.abs(a), Math.abs(b));
  }

  /** Fails with {@code what} and the first differing element unless the arrays are close. */
  public static void assertClose(String what, double[] expected, double[] actual, double rtol,
      double atol) {
    if (expected.length != actual.length) {
      throw new AssertionError(what + ": length " + expected.length + " vs " + actual.length);
    }
    for (int i = 0; i < expected.length; i++) {
      if (!close(expected[i], actual[i], rtol, atol)) {
        throw new AssertionError(what + ": element " + i + " expected " + expected[i] + " but was "
            + actual[i] + "\n  expected " + java.util.Arrays.toString(expected)
            + "\n  actual   " + java.util.Arrays.toString(actual));
      }
    }
  }

  /** Every value finite. */
  public static boolean allFinite(double[] values) {
    for (double v : values) {
      if (!Double.isFinite(v)) {
        return false;
      }
    }
    return true;
  }
}
