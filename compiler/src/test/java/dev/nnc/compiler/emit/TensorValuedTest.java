package dev.nnc.compiler.emit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.nnc.compiler.GeneratedCode;
import dev.nnc.runtime.CompiledFunction;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tensor-valued functions whose value is a parameter or a view of one (no op of its own). */
class TensorValuedTest {
  private static final double[] M = {1, 2, 3, 4, 5, 6};

  private static double[][] run(String body, boolean simplify, double[] upstream) {
    Map<String, CompiledFunction> fns = GeneratedCode.compile(
        "fn f(a, M: [2, 3]) = " + body + ";", simplify);
    double[][] grads = {new double[1], new double[6]};
    double[] value = fns.get("f").evaluateWithGradient(new double[][] {{7}, M.clone()}, upstream,
        grads);
    return new double[][] {value, grads[0], grads[1]};
  }

  @Test
  void valueComputedByAnOp() {
    double[][] r = run("2 * M", true, new double[] {1, 0, 0, 0, 0, 1});
    assertArrayEquals(new double[] {2, 4, 6, 8, 10, 12}, r[0], 0);
    assertArrayEquals(new double[] {2, 0, 0, 0, 0, 2}, r[2], 0);
  }

  @Test
  void valueIsAParameterOrAView() {
    for (boolean simplify : new boolean[] {true, false}) {
      double[] up = {1, 2, 3, 4, 5, 6};
      double[][] r = run("M", simplify, up);
      assertArrayEquals(M, r[0], 0);
      assertArrayEquals(up, r[2], 0);
      r = run("M.T", simplify, up);
      assertArrayEquals(new double[] {1, 4, 2, 5, 3, 6}, r[0], 0);
      assertArrayEquals(new double[] {1, 3, 5, 2, 4, 6}, r[2], 0);
      r = run("M[1]", simplify, new double[] {1, 2, 3});
      assertArrayEquals(new double[] {4, 5, 6}, r[0], 0);
      assertArrayEquals(new double[] {0, 0, 0, 1, 2, 3}, r[2], 0);
      r = run("transpose(M.T)", simplify, up);
      assertArrayEquals(M, r[0], 0);
      r = run("where(M > 3, a, a)", simplify, up);
      assertArrayEquals(new double[] {7, 7, 7, 7, 7, 7}, r[0], 0);
      assertArrayEquals(new double[] {21}, r[1], 0);
      r = run("M + 0", simplify, up);
      assertArrayEquals(M, r[0], 0);
    }
  }
}
