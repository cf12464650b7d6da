package dev.nnc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The branch-free relu and step agree with their definitions at every edge; the normal
 * distribution function behind GELU matches 40-digit reference values; class indices are checked.
 */
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

  /** Phi(x) to 40 digits (computed with mpmath's ncdf), for x from -30 to 10. */
  private static final double[][] NORMAL_CDF = {
      {-30, 4.9067139271481870595e-198}, {-10, 7.619853024160526066e-24},
      {-5, 2.8665157187919391167e-7}, {-3, 0.0013498980316300945267},
      {-1.5, 0.066807201268858066004}, {-0.5, 0.30853753872598689636},
      {-1e-3, 0.49960105778608893742}, {0, 0.5}, {1e-3, 0.50039894221391106258},
      {0.5, 0.69146246127401310364}, {1, 0.84134474606854294859},
      {2.5, 0.99379033467422386483}, {5, 0.99999971334842812081},
      {8, 0.9999999999999993779}, {10, 1.0}};

  @Test
  void normalCdfMatchesReferenceValues() {
    for (double[] c : NORMAL_CDF) {
      double got = NnMath.normalCdf(c[0]);
      assertEquals(c[1], got, Math.abs(c[1]) * 1e-13, "Phi(" + c[0] + ")");
      assertEquals(c[0] * c[1], NnMath.gelu(c[0]), Math.abs(c[0] * c[1]) * 1e-13,
          "gelu(" + c[0] + ")");
    }
    assertEquals((float) NORMAL_CDF[4][1], NnMath.normalCdf(-1.5f), 1e-7f);
  }

  @Test
  void geluAndSiluHaveTheirLimitsAtLargeMagnitude() {
    for (double x : new double[] {1e4, 1e30, 1e300, Double.MAX_VALUE}) {
      assertEquals(x, NnMath.gelu(x), "gelu(" + x + ")");
      assertEquals(x, NnMath.silu(x), "silu(" + x + ")");
      // the limit 0, approached from below: -0.0 counts
      assertTrue(NnMath.gelu(-x) == 0, "gelu(" + -x + ")");
      assertTrue(NnMath.silu(-x) == 0, "silu(" + -x + ")");
      assertEquals(1.0, NnMath.normalCdf(x));
      assertEquals(0.0, NnMath.normalCdf(-x));
    }
    assertEquals(1e4f, NnMath.gelu(1e4f));
    assertTrue(NnMath.silu(-1e4f) == 0);
    assertEquals(0.0, NnMath.gelu(0.0));
    assertEquals(0.0, NnMath.silu(0.0));
    assertTrue(Double.isNaN(NnMath.gelu(Double.NaN)));
    assertTrue(Double.isNaN(NnMath.silu(Double.NaN)));
  }

  @Test
  void erfcIsSymmetricAboutOne() {
    for (double z = -6; z <= 6; z += 0.37) {
      assertEquals(2.0, NnMath.erfc(z) + NnMath.erfc(-z), 1e-15, "erfc(" + z + ") + erfc(-z)");
    }
  }

  @Test
  void aClassIndexIsAnIntegerInRangeOrAnErrorNamingTheArgument() {
    assertEquals(2, NnMath.classIndex(2.0, 3, "k"));
    assertEquals(0, NnMath.classIndex(-0.0, 3, "k"));
    assertEquals(2, NnMath.classIndex(2, 3, "y"));
    String[][] bad = {{"1.5", "k = 1.5"}, {"3", "k = 3"}, {"-1", "k = -1"}, {"NaN", "k = NaN"},
        {"Infinity", "k = Infinity"}, {"1e300", "k = 1.0E300"}};
    for (String[] b : bad) {
      NncException e = assertThrows(NncException.class,
          () -> NnMath.classIndex(Double.parseDouble(b[0]), 3, "k"), b[0]);
      assertEquals("class index " + b[1] + " is not an integer in [0, 3)", e.getMessage());
    }
    NncException e = assertThrows(NncException.class,
        () -> NnMath.classIndex(-1, 10, "y"));
    assertEquals("class index y = -1 is not an integer in [0, 10)", e.getMessage());
  }
}
