package dev.nnc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The branch-free relu and step agree with their definitions at every edge. */
class NnMathTest {
  private static final float[] FLOATS = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE,
      Float.MIN_NORMAL, 1e-38f, 0.5f, 1f, 3e38f, Float.MAX_VALUE, -1f, -Float.MAX_VALUE,
      Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
  private static final double[] DOUBLES = {0, -0.0, Double.MIN_VALUE, -Double.MIN_VALUE,
      Double.MIN_NORMAL, 1e-300, 0.5, 1, 1e308, Double.MAX_VALUE, -1, -Double.MAX_VALUE,
      Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};

  @Test
  void stepIsOneExactlyForPositiveInputs() {
    for (float x : FLOATS) {
      assertEquals(x > 0 ? 1f : 0f, NnMath.step(x), "step(" + x + ")");
      assertEquals(x > 0 ? x : 0f, NnMath.relu(x), "relu(" + x + ")");
    }
    for (double x : DOUBLES) {
      assertEquals(x > 0 ? 1.0 : 0.0, NnMath.step(x), "step(" + x + ")");
      assertEquals(x > 0 ? x : 0.0, NnMath.relu(x), "relu(" + x + ")");
    }
  }

  @Test
  void reluAndStepOfNegativeZeroArePositiveZero() {
    assertEquals(0, Float.floatToRawIntBits(NnMath.relu(-0f)));
    assertEquals(0, Float.floatToRawIntBits(NnMath.step(-0f)));
    assertEquals(0L, Double.doubleToRawLongBits(NnMath.relu(-0.0)));
    assertEquals(0L, Double.doubleToRawLongBits(NnMath.step(-0.0)));
  }

  @Test
  void nanPropagates() {
    assertTrue(Float.isNaN(NnMath.relu(Float.NaN)));
    assertTrue(Float.isNaN(NnMath.step(Float.NaN)));
    assertTrue(Double.isNaN(NnMath.relu(Double.NaN)));
    assertTrue(Double.isNaN(NnMath.step(Double.NaN)));
  }
}
