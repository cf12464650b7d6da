package dev.nnc.runtime;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class GradientCheckTest {
  /** f(x, y) = x * y^2 with a correct or a deliberately wrong gradient. */
  static CompiledFunction product(boolean wrong) {
    return new CompiledFunction() {
      @Override
      public String name() {
        return "f";
      }

      @Override
      public List<String> parameterNames() {
        return List.of("x", "y");
      }

      @Override
      public int[] parameterShape(int i) {
        return new int[] {};
      }

      @Override
      public int[] valueShape() {
        return new int[] {};
      }

      @Override
      public double[] evaluate(double[][] args) {
        return new double[] {args[0][0] * args[1][0] * args[1][0]};
      }

      @Override
      public double[] evaluateWithGradient(double[][] args, double[] upstream, double[][] g) {
        g[0][0] = args[1][0] * args[1][0];
        g[1][0] = (wrong ? 1 : 2) * args[0][0] * args[1][0];
        return evaluate(args);
      }
    };
  }

  @Test
  void acceptsACorrectGradient() {
    GradientCheck.check(product(false), 7);
  }

  @Test
  void rejectsAWrongGradientNamingTheParameter() {
    AssertionError e = assertThrows(AssertionError.class, () -> GradientCheck.check(product(true), 7));
    assertTrue(e.getMessage().contains("d/dy[0]"), e.getMessage());
  }
}
