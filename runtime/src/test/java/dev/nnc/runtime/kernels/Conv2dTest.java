package dev.nnc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Conv2d's three passes against plain nested loops in double precision, on both paths (the
 * vector kernel's batch lanes, and im2col with Gemm on either kernel), 1 and 2 threads.
 */
class Conv2dTest {
  /** Offsets of every array into its buffer: kernels must honour them. */
  private static final int OFF = 3;

  @AfterEach
  void restore() {
    Kernels.useVector(true);
    Parallel.setThreads(2);
  }

  /** {cin, h, w, cout, kh, kw, stride, padding}. */
  private static final int[][] SHAPES = {
      {1, 5, 5, 1, 1, 1, 1, 0}, // 1×1 kernel
      {1, 7, 9, 3, 3, 3, 1, 1}, // odd sizes, one input channel
      {2, 8, 8, 5, 3, 3, 2, 1}, // stride 2
      {3, 9, 7, 4, 5, 5, 1, 2}, // padding 2, 4 output channels (4-row tiles)
      {4, 6, 6, 7, 3, 3, 1, 0}, // 7 output channels: a padded 6-row tile
      {1, 12, 12, 6, 5, 5, 1, 2}, // LeNet's first layer, smaller
      {6, 9, 9, 16, 5, 5, 1, 0}, // LeNet's second layer, smaller
      {2, 11, 10, 3, 3, 2, 2, 0}, // a rectangular kernel, stride 2, no padding
      {3, 5, 6, 2, 3, 3, 3, 2}, // stride 3, padding 2: output from the padding
      {2, 4, 4, 3, 2, 2, 1, 3}, // padding beyond the kernel: the input gradient on im2col
      {5, 6, 5, 8, 1, 3, 1, 1}, // 1×3 kernel, 8 channels
      {1, 1, 1, 2, 5, 5, 2, 2}, // a 1×1 image, kernel columns wholly in the padding
      {2, 3, 2, 3, 4, 3, 2, 2}, // even kernel height, stride 2 into the padding
  };

  private static float[] random(int size, Random r) {
    float[] v = new float[size + 2 * OFF];
    Arrays.fill(v, Float.NaN); // outside the tensor: a kernel reading it would produce NaN
    for (int i = 0; i < size; i++) {
      v[OFF + i] = (float) r.nextGaussian();
    }
    return v;
  }

  private static float[] garbage(int size) {
    float[] v = new float[size + 2 * OFF];
    Arrays.fill(v, Float.NaN);
    return v;
  }

  /** Reference results: y, dx, dw, db and the sums of |terms| behind each (for tolerances). */
  private static final class Reference {
    double[] y;
    double[] yAbs;
    double[] dx;
    double[] dxAbs;
    double[] dw;
    double[] dwAbs;
    double[] db;
    double[] dbAbs;
  }

  private static Reference reference(int[] s, int n, float[] x, float[] w, float[] b, float[] dy) {
    int cin = s[0];
    int h = s[1];
    int wd = s[2];
    int cout = s[3];
    int kh = s[4];
    int kw = s[5];
    int st = s[6];
    int pad = s[7];
    int ho = (h + 2 * pad - kh) / st + 1;
    int wo = (wd + 2 * pad - kw) / st + 1;
    Reference ref = new Reference();
    ref.y = new double[n * cout * ho * wo];
    ref.yAbs = new double[ref.y.length];
    ref.dx = new double[n * cin * h * wd];
    ref.dxAbs = new double[ref.dx.length];
    ref.dw = new double[cout * cin * kh * kw];
    ref.dwAbs = new double[ref.dw.length];
    ref.db = new double[cout];
    ref.dbAbs = new double[cout];
    for (int i = 0; i < n; i++) {
      for (int o = 0; o < cout; o++) {
        for (int r = 0; r < ho; r++) {
          for (int c = 0; c < wo; c++) {
            int yi = ((i * cout + o) * ho + r) * wo + c;
            double g = dy[OFF + yi];
            double sum = b == null ? 0 : b[OFF + o];
            double abs = Math.abs(sum);
            ref.db[o] += g;
            ref.dbAbs[o] += Math.abs(g);
            for (int ci = 0; ci < cin; ci++) {
              for (int u = 0; u < kh; u++) {
                for (int v = 0; v < kw; v++) {
                  int ih = r * st + u - pad;
                  int iw = c * st + v - pad;
                  if (ih < 0 || ih >= h || iw < 0 || iw >= wd) {
                    continue;
                  }
                  int xi = ((i * cin + ci) * h + ih) * wd + iw;
                  int wi = ((o * cin + ci) * kh + u) * kw + v;
                  double xv = x[OFF + xi];
                  double wv = w[OFF + wi];
                  sum += wv * xv;
                  abs += Math.abs(wv * xv);
                  ref.dx[xi] += g * wv;
                  ref.dxAbs[xi] += Math.abs(g * wv);
                  ref.dw[wi] += g * xv;
                  ref.dwAbs[wi] += Math.abs(g * xv);
                }
              }
            }
            ref.y[yi] = sum;
            ref.yAbs[yi] = abs;
          }
        }
      }
    }
    return ref;
  }

  private static void near(double[] expected, double[] abs, float[] actual, String what) {
    for (int i = 0; i < expected.length; i++) {
      double tol = 1e-5 * abs[i] + 1e-6;
      assertEquals(expected[i], actual[OFF + i], tol, what + " [" + i + "]");
    }
  }

  /** Runs every pass on one path, checks them against the reference, returns the outputs. */
  private static float[][] check(int[] s, int n, boolean bias, boolean vector, int threads,
      long seed) {
    assertEquals(vector, Kernels.useVector(vector) && vector, "vector kernel availability");
    Parallel.setThreads(threads);
    Conv2d conv = new Conv2d(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]);
    Random r = new Random(seed);
    float[] x = random(n * conv.inputSize(), r);
    float[] w = random(conv.weightSize(), r);
    float[] b = bias ? random(s[3], r) : null;
    float[] dy = random(n * conv.outputSize(), r);
    Reference ref = reference(s, n, x, w, b, dy);
    String where = conv + " n=" + n + " bias=" + bias + " vector=" + vector + " threads="
        + threads;
    assertEquals(vector && 8 * n >= 3 * ConvLanes.tiles().vectorLength(), conv.lanePath(n),
        "path of " + where);

    float[] scratch = garbage(conv.scratchSize(n));
    float[] y = garbage(n * conv.outputSize());
    conv.forward(n, x, OFF, w, OFF, b, OFF, y, OFF, scratch);
    near(ref.y, ref.yAbs, y, "y " + where);

    Arrays.fill(scratch, Float.NaN);
    float[] dx = garbage(n * conv.inputSize());
    conv.backwardInput(n, dy, OFF, w, OFF, dx, OFF, scratch);
    near(ref.dx, ref.dxAbs, dx, "dx " + where);

    Arrays.fill(scratch, Float.NaN);
    float[] dw = garbage(conv.weightSize());
    float[] db = bias ? garbage(s[3]) : null;
    conv.backwardWeights(n, x, OFF, dy, OFF, dw, OFF, db, OFF, scratch);
    near(ref.dw, ref.dwAbs, dw, "dw " + where);
    if (bias) {
      near(ref.db, ref.dbAbs, db, "db " + where);
    }

    // the fused SGD step equals the gradient followed by the update, bit for bit
    float alpha = -0.375f;
    float[] w2 = w.clone();
    float[] b2 = bias ? b.clone() : null;
    Arrays.fill(scratch, Float.NaN);
    conv.updateWeights(n, x, OFF, dy, OFF, w2, OFF, b2, OFF, alpha, scratch);
    for (int i = 0; i < conv.weightSize(); i++) {
      assertEquals(w[OFF + i] + alpha * dw[OFF + i], w2[OFF + i], "updated w[" + i + "] " + where);
    }
    for (int i = 0; bias && i < s[3]; i++) {
      assertEquals(b[OFF + i] + alpha * db[OFF + i], b2[OFF + i], "updated b[" + i + "] " + where);
    }
    return new float[][] {y, dx, dw, bias ? db : new float[0], w2};
  }

  private static Conv2d conv(int[] s) {
    return new Conv2d(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]);
  }

  @Test
  void imcolPathOnBothKernelsAgreesWithLoops() {
    for (boolean vector : new boolean[] {false, true}) {
      Kernels.useVector(vector);
      for (int[] s : SHAPES) {
        for (int n : new int[] {1, 2, 7}) {
          if (vector && conv(s).lanePath(n)) {
            continue; // the lane path, below
          }
          check(s, n, true, vector, 1, 17);
          check(s, n, false, vector, 1, 18);
        }
      }
    }
  }

  /** The portable kernel runs every batch on im2col, lane-sized ones too. */
  @Test
  void portableKernelLargerBatches() {
    for (int[] s : SHAPES) {
      check(s, 7, true, false, 1, 19);
    }
  }

  /**
   * The vector kernel's batch lanes: 4 and 7 examples (one partly filled block of 8 lanes; 7 of
   * 16), and 19 and 33 (two halves, 2-block tiles and single-block tiles, a partly filled last
   * block) at 8 or 16 lanes.
   */
  @Test
  void lanePathAgreesWithLoops() {
    for (int[] s : SHAPES) {
      for (int n : new int[] {4, 7, 19, 33}) {
        if (!conv(s).lanePath(n)) {
          continue; // 4 examples of 16 lanes: im2col, above
        }
        check(s, n, true, true, 1, 20 + n);
        check(s, n, false, true, 1, 21 + n);
      }
    }
  }

  /**
   * Large enough batches are split between two threads; the lane path gives bit-identical
   * results on one and two threads, and so does im2col (Gemm's sums do not depend on the split).
   */
  @Test
  void twoThreadsGiveTheSameBits() {
    int[][] shapes = {{3, 16, 16, 8, 5, 5, 1, 2}, {6, 14, 14, 16, 5, 5, 1, 0},
        {1, 28, 28, 6, 5, 5, 1, 2}};
    for (int[] s : shapes) {
      // 40 examples: halves of 3 and 2 blocks of 8 lanes, groups of 2 and 1 in each; 16 (and
      // 32 at 16 lanes): one block per half
      for (int n : new int[] {40, 16, 32, 3}) {
        boolean vector = n != 3;
        Conv2d conv = new Conv2d(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]);
        if (vector && conv.multiplyAdds(n) < Parallel.MIN_PARALLEL_WORK) {
          continue; // not split
        }
        float[][] one = check(s, n, true, vector, 1, 5);
        float[][] two = check(s, n, true, vector, 2, 5);
        for (int i = 0; i < one.length; i++) {
          assertArrayEquals(one[i], two[i], "output " + i + " of " + conv + " n=" + n);
        }
      }
    }
  }

  @Test
  void emptyBatchZeroesTheWeightGradients() {
    Conv2d conv = new Conv2d(2, 5, 5, 3, 3, 3, 1, 1);
    float[] dw = new float[conv.weightSize()];
    float[] db = new float[3];
    Arrays.fill(dw, 1f);
    Arrays.fill(db, 1f);
    for (boolean vector : new boolean[] {false, true}) {
      Kernels.useVector(vector);
      conv.backwardWeights(0, new float[0], 0, new float[0], 0, dw, 0, db, 0,
          new float[conv.scratchSize(0)]);
      for (float v : dw) {
        assertEquals(0f, v);
      }
      for (float v : db) {
        assertEquals(0f, v);
      }
    }
  }

  @Test
  void geometryAndArgumentErrorsAreClear() {
    Conv2d conv = new Conv2d(1, 28, 28, 6, 5, 5, 1, 2);
    assertEquals(28, conv.outHeight());
    assertEquals(28, conv.outWidth());
    Conv2d second = new Conv2d(6, 14, 14, 16, 5, 5, 1, 0);
    assertEquals(10, second.outHeight());
    assertEquals(new Conv2d(3, 7, 8, 2, 3, 2, 2, 1).outWidth(), (8 + 2 - 2) / 2 + 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Conv2d(1, 4, 4, 2, 7, 7, 1, 1));
    assertTrue(e.getMessage().contains("larger than the padded input"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Conv2d(1, 4, 4, 2, 3, 3, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new Conv2d(1, 4, 4, 2, 3, 3, 1, -1));
    float[] x = new float[2 * conv.inputSize()];
    float[] w = new float[conv.weightSize()];
    float[] y = new float[2 * conv.outputSize()];
    e = assertThrows(IllegalArgumentException.class,
        () -> conv.forward(3, x, 0, w, 0, null, 0, y, 0, new float[conv.scratchSize(3)]));
    assertTrue(e.getMessage().contains("x needs"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> conv.forward(2, x, 0, w, 0, null, 0, y, 0, new float[10]));
    assertTrue(e.getMessage().contains("scratch for batch 2"), e.getMessage());
  }
}
