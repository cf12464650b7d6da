package dev.nnc.compiler.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.GeneratedCode;
import dev.nnc.compiler.Numerics;
import dev.nnc.compiler.TestPrograms;
import dev.nnc.compiler.ir.FunctionIr;
import dev.nnc.runtime.CompiledFunction;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * NaN safety of {@code where} does not depend on the simplifier (issue 15 item 14): the branch
 * that is not taken may be infinite or NaN there ({@code sqrt(x)} at x = -1), and its local
 * derivatives with it; the gradient stays out of it in the reverse sweep itself, so the
 * interpreter and generated code give the same finite gradient with and without the simplifier.
 */
class WhereGuardTest {
  /** A function, a point where the untaken branch is not finite, and the gradient there. */
  private record Case(String text, double[][] at, double[][] gradient) {}

  private static double[] d(double... v) {
    return v;
  }

  private static final List<Case> CASES = List.of(
      new Case("fn f(x) = where(x > 0, sqrt(x), 0);",
          new double[][] {d(-1)}, new double[][] {d(0)}),
      new Case("fn f(x) = where(x <= 0, 0, sqrt(x));",
          new double[][] {d(-1)}, new double[][] {d(0)}),
      // the branch's rules compose: log(sqrt(x)) at x = -1 is NaN, and 1/sqrt(x) too
      new Case("fn f(x) = where(x > 0, log(sqrt(x)), 0);", new double[][] {d(-1)},
          new double[][] {d(0)}),
      // an infinite local derivative: sqrt at 0
      new Case("fn f(x) = where(x > 0, sqrt(x), x);",
          new double[][] {d(0)}, new double[][] {d(1)}),
      // the same value used twice under the same guard (fan-out)
      new Case("fn f(x) { let r = sqrt(x); return where(x > 0, r * r + log(r), 2 * x); }",
          new double[][] {d(-4)}, new double[][] {d(2)}),
      // a second parameter inside the branch
      new Case("fn f(x, y) = where(x > 0, y * log(x), y);", new double[][] {d(-1), d(3)},
          new double[][] {d(0), d(1)}),
      // elementwise over a vector: only the negative entry's branch is not taken
      new Case("fn f(v: [3]) = sum(where(v > 0, sqrt(v), 0));",
          new double[][] {d(-1, 4, 0.25)}, new double[][] {d(0, 0.25, 1)}),
      // a scalar condition over a reduction inside the branch
      new Case("fn f(x, v: [2]) = where(x > 0, sum(sqrt(v * x)), 0);",
          new double[][] {d(-1), d(4, 9)}, new double[][] {d(0), d(0, 0)}));

  @Test
  void theUntakenBranchStaysOutWithAndWithoutTheSimplifier() {
    for (Case c : CASES) {
      FunctionIr fn = TestPrograms.function(c.text(), "f");
      for (boolean simplify : new boolean[] {true, false}) {
        String how = c.text() + (simplify ? "" : " --no-simplify");
        List<double[]> interpreted =
            TestPrograms.valueAndGradient(DerivedFunction.derive(fn, simplify), c.at());
        CompiledFunction generated = GeneratedCode.compile(c.text(), simplify).get("f");
        double[][] compiled = GeneratedCode.valueAndGradient(generated, c.at());
        for (int i = 0; i < c.gradient().length; i++) {
          assertArrayEquals(c.gradient()[i], interpreted.get(i + 1), 1e-12, how + " interpreted");
          assertArrayEquals(c.gradient()[i], compiled[i + 1], 1e-12, how + " generated");
        }
      }
    }
  }

  @Test
  void whereTheBranchIsTakenTheGradientMatchesFiniteDifferences() {
    for (Case c : CASES) {
      FunctionIr fn = TestPrograms.function(c.text(), "f");
      double[][] at = Numerics.copy(c.at());
      for (double[] a : at) {
        for (int k = 0; k < a.length; k++) {
          a[k] = Math.abs(a[k]) + 0.7; // every branch of the cases taken: all positive
        }
      }
      double[][] fd = Numerics.finiteDifferences(fn, at, 1e-6);
      for (boolean simplify : new boolean[] {true, false}) {
        List<double[]> got =
            TestPrograms.valueAndGradient(DerivedFunction.derive(fn, simplify), at);
        for (int i = 0; i < fd.length; i++) {
          Numerics.assertClose(c.text(), fd[i], got.get(i + 1), 1e-5, 1e-7);
          assertTrue(Numerics.allFinite(got.get(i + 1)), c.text());
        }
      }
    }
  }
}
