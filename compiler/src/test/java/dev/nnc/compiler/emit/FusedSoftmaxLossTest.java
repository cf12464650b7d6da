package dev.nnc.compiler.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.GeneratedCode;
import dev.nnc.runtime.CompiledFunction;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fused softmax-with-loss ({@code cross_entropy}) against the unfused
 * {@code -sum(y * log(softmax(z)))}, and its simplified gradient against {@code softmax(z) - y}
 * computed by hand, as generated and javac-compiled code.
 */
class FusedSoftmaxLossTest {
  private static final String SOURCE = """
      fn a(z: [5], y: [5]) = cross_entropy(z, y);
      fn b(z: [5], y: [5]) = -sum(y * log(softmax(z)));
      fn c(z: [5]) = cross_entropy(z, 2);
      """;
  private static final int N = 5;

  private static Map<String, CompiledFunction> simplified;
  private static Map<String, CompiledFunction> unsimplified;

  @BeforeAll
  static void compile() {
    simplified = GeneratedCode.compile(SOURCE, true);
    unsimplified = GeneratedCode.compile(SOURCE, false);
  }

  /** A random probability vector (positive, sums to 1). */
  private static double[] probabilities(Random rnd) {
    double[] y = new double[N];
    double sum = 0;
    for (int i = 0; i < N; i++) {
      y[i] = -Math.log(1 - rnd.nextDouble()); // exponential: a flat Dirichlet once normalized
      sum += y[i];
    }
    for (int i = 0; i < N; i++) {
      y[i] /= sum;
    }
    return y;
  }

  private static double[] gaussian(Random rnd, double std) {
    double[] z = new double[N];
    for (int i = 0; i < N; i++) {
      z[i] = std * rnd.nextGaussian();
    }
    return z;
  }

  private static double logsumexp(double[] z) {
    double max = Arrays.stream(z).max().getAsDouble();
    double s = 0;
    for (double v : z) {
      s += Math.exp(v - max);
    }
    return max + Math.log(s);
  }

  private static double[] softmax(double[] z) {
    double lse = logsumexp(z);
    return Arrays.stream(z).map(v -> Math.exp(v - lse)).toArray();
  }

  private static void assertClose(double[] expected, double[] actual, double tol, String what) {
    assertEquals(expected.length, actual.length, what);
    for (int i = 0; i < expected.length; i++) {
      assertTrue(Double.isFinite(actual[i]), what + ": " + Arrays.toString(actual));
      assertEquals(expected[i], actual[i], tol * Math.max(1, Math.abs(expected[i])),
          what + "[" + i + "]: " + Arrays.toString(expected) + " vs " + Arrays.toString(actual));
    }
  }

  @Test
  void fusedEqualsUnfusedAtRandomPoints() {
    Random rnd = new Random(2024);
    for (int trial = 0; trial < 200; trial++) {
      double[] z = gaussian(rnd, trial < 100 ? 1 : 8);
      double[] y = probabilities(rnd);
      double[][] reference = GeneratedCode.valueAndGradient(unsimplified.get("b"), z, y);
      for (Map.Entry<String, double[][]> e : Map.of(
          "simplified a", GeneratedCode.valueAndGradient(simplified.get("a"), z, y),
          "unsimplified a", GeneratedCode.valueAndGradient(unsimplified.get("a"), z, y),
          "simplified b", GeneratedCode.valueAndGradient(simplified.get("b"), z, y)).entrySet()) {
        String at = " at z=" + Arrays.toString(z) + ", y=" + Arrays.toString(y);
        assertClose(reference[0], e.getValue()[0], 1e-10, e.getKey() + " value" + at);
        assertClose(reference[1], e.getValue()[1], 1e-10, e.getKey() + " d/dz" + at);
        assertClose(reference[2], e.getValue()[2], 1e-10, e.getKey() + " d/dy" + at);
      }
    }
  }

  @Test
  void simplifiedGradientIsSoftmaxMinusY() {
    Random rnd = new Random(7);
    for (int trial = 0; trial < 200; trial++) {
      double[] z = gaussian(rnd, 3);
      double[] y = probabilities(rnd);
      double[] p = softmax(z);
      double lse = logsumexp(z);
      double[] pMinusY = new double[N];
      double[] dy = new double[N];
      double value = 0;
      for (int i = 0; i < N; i++) {
        pMinusY[i] = p[i] - y[i];
        dy[i] = lse - z[i]; // -log softmax(z)
        value += y[i] * dy[i];
      }
      double[][] a = GeneratedCode.valueAndGradient(simplified.get("a"), z, y);
      assertEquals(value, a[0][0], 1e-12 * Math.max(1, Math.abs(value)));
      assertClose(pMinusY, a[1], 1e-12, "d/dz = softmax(z) - y");
      assertClose(dy, a[2], 1e-12, "d/dy = -log_softmax(z)");
    }
  }

  @Test
  void classIndexLabelGradientIsSoftmaxMinusOneHot() {
    Random rnd = new Random(11);
    for (int trial = 0; trial < 50; trial++) {
      double[] z = gaussian(rnd, 3);
      double[] expected = softmax(z);
      expected[2] -= 1;
      for (Map<String, CompiledFunction> fns : java.util.List.of(simplified, unsimplified)) {
        double[][] c = GeneratedCode.valueAndGradient(fns.get("c"), z);
        assertEquals(logsumexp(z) - z[2], c[0][0], 1e-12);
        assertClose(expected, c[1], 1e-12, "d/dz = softmax(z) - onehot(2)");
      }
    }
  }

  @Test
  void stableAtMagnitude1e4() {
    double[] z = {1e4, -1e4, 0, 5000, 1e4 - 3};
    double[] y = {0.1, 0.2, 0.3, 0.25, 0.15};
    double[] p = softmax(z);
    double lse = logsumexp(z);
    double value = 0;
    double[] pMinusY = new double[N];
    double[] dy = new double[N];
    for (int i = 0; i < N; i++) {
      value += y[i] * (lse - z[i]);
      pMinusY[i] = p[i] - y[i];
      dy[i] = lse - z[i];
    }
    // the fused form, and the unfused one once simplified (log(softmax(z)) = z - logsumexp(z))
    for (String fn : new String[] {"a", "b"}) {
      double[][] r = GeneratedCode.valueAndGradient(simplified.get(fn), z, y);
      assertClose(new double[] {value}, r[0], 1e-12, fn + " value");
      assertClose(pMinusY, r[1], 1e-12, fn + " d/dz");
      assertClose(dy, r[2], 1e-12, fn + " d/dy");
    }
    double[][] r = GeneratedCode.valueAndGradient(unsimplified.get("a"), z, y);
    assertClose(pMinusY, r[1], 1e-12, "unsimplified a d/dz");
  }
}
