package dev.nnc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Max and average pooling against plain loops: ties, NaN, overlapping windows, threads. */
class Pool2dTest {
  private static final int OFF = 5;

  @AfterEach
  void restore() {
    Parallel.setThreads(2);
    Kernels.useVector(true);
  }

  /** {channels, h, w, size, stride}. */
  private static final int[][] SHAPES = {
      {1, 4, 4, 2, 2}, {6, 28, 28, 2, 2}, {3, 7, 9, 2, 2}, // odd sizes: last row/column dropped
      {2, 9, 8, 3, 3}, {2, 8, 7, 3, 2}, // overlapping windows (stride < size)
      {4, 5, 5, 1, 1}, {1, 6, 6, 4, 1}, {3, 10, 11, 2, 3}, // stride > size: gaps
      {2, 11, 41, 2, 2}, {1, 4, 34, 2, 2}, // rows of 20 and 17 outputs: the vector code at 8 and
      // 16 lanes, with an overlapping last vector
  };

  /** Small integers, so ties are common and sums exact. */
  private static float[] ints(int size, Random r) {
    float[] v = new float[size + 2 * OFF];
    Arrays.fill(v, Float.NaN);
    for (int i = 0; i < size; i++) {
      v[OFF + i] = r.nextInt(5) - 2;
    }
    return v;
  }

  private static void check(int[] s, int n, int threads, long seed) {
    Parallel.setThreads(threads);
    Pool2d pool = new Pool2d(s[0], s[1], s[2], s[3], s[4]);
    int ho = (s[1] - s[3]) / s[4] + 1;
    int wo = (s[2] - s[3]) / s[4] + 1;
    assertEquals(ho, pool.outHeight());
    assertEquals(wo, pool.outWidth());
    Random r = new Random(seed);
    float[] x = ints(n * pool.inputSize(), r);
    float[] dy = ints(n * pool.outputSize(), r);
    float[] y = new float[n * pool.outputSize() + 2 * OFF];
    int[] argmax = new int[n * pool.outputSize() + 2 * OFF];
    Arrays.fill(y, Float.NaN);
    Arrays.fill(argmax, -1);
    pool.maxForward(n, x, OFF, y, OFF, argmax, OFF);
    float[] avg = new float[y.length];
    pool.avgForward(n, x, OFF, avg, OFF);
    double[] dxMax = new double[n * pool.inputSize()];
    double[] dxAvg = new double[n * pool.inputSize()];
    String where = pool + " n=" + n + " threads=" + threads;
    int j = 0;
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < s[0]; c++) {
        for (int oh = 0; oh < ho; oh++) {
          for (int ow = 0; ow < wo; ow++, j++) {
            int first = -1;
            double max = Double.NEGATIVE_INFINITY;
            double sum = 0;
            for (int u = 0; u < s[3]; u++) {
              for (int v = 0; v < s[3]; v++) {
                int at = ((i * s[0] + c) * s[1] + oh * s[4] + u) * s[2] + ow * s[4] + v;
                double e = x[OFF + at];
                sum += e;
                if (first < 0 || e > max) { // strictly greater: the first maximum stays
                  max = e;
                  first = at;
                }
              }
            }
            assertEquals(max, y[OFF + j], 0, "max " + j + " " + where);
            assertEquals(first, argmax[OFF + j], "argmax " + j + " " + where);
            assertEquals(sum / (s[3] * s[3]), avg[OFF + j], 1e-6, "avg " + j + " " + where);
            dxMax[first] += dy[OFF + j];
            for (int u = 0; u < s[3]; u++) {
              for (int v = 0; v < s[3]; v++) {
                int at = ((i * s[0] + c) * s[1] + oh * s[4] + u) * s[2] + ow * s[4] + v;
                dxAvg[at] += dy[OFF + j] / (double) (s[3] * s[3]);
              }
            }
          }
        }
      }
    }
    assertEquals(Float.NaN, y[OFF - 1], "nothing written before y");
    assertEquals(-1, argmax[OFF + j], "nothing written after argmax");
    float[] dx = new float[n * pool.inputSize() + 2 * OFF];
    Arrays.fill(dx, Float.NaN);
    pool.maxBackward(n, dy, OFF, argmax, OFF, dx, OFF);
    for (int i = 0; i < dxMax.length; i++) {
      assertEquals(dxMax[i], dx[OFF + i], 1e-6, "max dx " + i + " " + where);
    }
    Arrays.fill(dx, Float.NaN);
    pool.avgBackward(n, dy, OFF, dx, OFF);
    for (int i = 0; i < dxAvg.length; i++) {
      assertEquals(dxAvg[i], dx[OFF + i], 1e-5, "avg dx " + i + " " + where);
    }
    assertEquals(Float.NaN, dx[OFF - 1]);
    assertEquals(Float.NaN, dx[OFF + dxAvg.length]);
  }

  @Test
  void agreesWithLoops() {
    for (boolean vector : new boolean[] {true, false}) {
      Kernels.useVector(vector);
      for (int[] s : SHAPES) {
        for (int n : new int[] {1, 2, 7}) {
          check(s, n, 1, 31 + n);
        }
      }
    }
  }

  @Test
  void twoThreadsAgree() {
    // 6·28·28·128 input elements: enough work for the second thread
    check(new int[] {6, 28, 28, 2, 2}, 128, 2, 3);
    check(new int[] {16, 10, 10, 2, 2}, 400, 2, 4);
    check(new int[] {3, 17, 17, 3, 2}, 999, 2, 5);
  }

  @Test
  void tiesGoToTheFirstMaximum() {
    Pool2d pool = new Pool2d(1, 3, 3, 3, 1);
    float[] x = {1, 7, 7, 7, 0, 7, 7, 7, 7};
    float[] y = new float[1];
    int[] argmax = new int[1];
    pool.maxForward(1, x, 0, y, 0, argmax, 0);
    assertEquals(7f, y[0]);
    assertEquals(1, argmax[0]);
    float[] allInfinite = new float[9];
    Arrays.fill(allInfinite, Float.NEGATIVE_INFINITY);
    pool.maxForward(1, allInfinite, 0, y, 0, argmax, 0);
    assertEquals(Float.NEGATIVE_INFINITY, y[0]);
    assertEquals(0, argmax[0]);
    // -0 and +0 compare equal: the first one stays
    pool.maxForward(1, new float[] {-0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f}, 0, y, 0, argmax, 0);
    assertEquals(0, argmax[0]);
  }

  /** A NaN wins its window (PyTorch's rule: its last NaN), in both the 2×2 and general code. */
  @Test
  void nanPropagates() {
    for (int size : new int[] {2, 3}) {
      Pool2d pool = new Pool2d(1, size, size, size, size);
      int cells = size * size;
      for (int first = 0; first < cells; first++) {
        for (int second = first; second < cells; second++) {
          float[] x = new float[cells];
          for (int i = 0; i < cells; i++) {
            x[i] = i == 1 ? 100f : i;
          }
          x[first] = Float.NaN;
          x[second] = Float.NaN;
          float[] y = new float[1];
          int[] argmax = new int[1];
          pool.maxForward(1, x, 0, y, 0, argmax, 0);
          assertTrue(Float.isNaN(y[0]), "NaN at " + first + "," + second + " size " + size);
          assertEquals(second, argmax[0], "the last NaN, size " + size);
          float[] dx = new float[cells];
          pool.maxBackward(1, new float[] {2.5f}, 0, argmax, 0, dx, 0);
          assertEquals(2.5f, dx[second]);
          float[] avg = new float[1];
          pool.avgForward(1, x, 0, avg, 0);
          assertTrue(Float.isNaN(avg[0]));
        }
      }
    }
  }

  /**
   * NaN in rows wide enough for the vector code, which finds the maximum lanewise and then redoes
   * NaN windows by the scalar rule; with the vector kernel on and off.
   */
  @Test
  void nanPropagatesInWideRows() {
    Pool2d pool = new Pool2d(2, 6, 42, 2, 2);
    Random r = new Random(3);
    float[] x = new float[3 * pool.inputSize()];
    for (int i = 0; i < x.length; i++) {
      double u = r.nextDouble();
      x[i] = u < 0.05 ? Float.NaN : u < 0.1 ? Float.NEGATIVE_INFINITY : r.nextInt(3);
    }
    for (boolean vector : new boolean[] {true, false}) {
      Kernels.useVector(vector);
      float[] y = new float[3 * pool.outputSize()];
      int[] argmax = new int[y.length];
      pool.maxForward(3, x, 0, y, 0, argmax, 0);
      int j = 0;
      for (int plane = 0; plane < 6; plane++) {
        for (int oh = 0; oh < 3; oh++) {
          for (int ow = 0; ow < 21; ow++, j++) {
            int t = plane * 6 * 42 + 2 * oh * 42 + 2 * ow;
            int[] cells = {t, t + 1, t + 42, t + 43};
            int expected = t;
            for (int cell : cells) {
              if (x[cell] > x[expected] || Float.isNaN(x[cell])) {
                expected = cell;
              }
            }
            assertEquals(expected, argmax[j], "window " + j + " vector=" + vector);
            assertEquals(x[expected], y[j], 0, "window " + j + " vector=" + vector);
          }
        }
      }
    }
    Kernels.useVector(true);
  }

  @Test
  void doubleVersionsAgreeWithFloat() {
    Pool2d pool = new Pool2d(3, 7, 8, 3, 2);
    Random r = new Random(8);
    int n = 3;
    float[] x = new float[n * pool.inputSize()];
    double[] xd = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextInt(7) - 3;
      xd[i] = x[i];
    }
    float[] y = new float[n * pool.outputSize()];
    int[] argmax = new int[y.length];
    double[] yd = new double[y.length];
    int[] argmaxd = new int[y.length];
    pool.maxForward(n, x, 0, y, 0, argmax, 0);
    pool.maxForward(n, xd, 0, yd, 0, argmaxd, 0);
    assertArrayEquals(argmax, argmaxd);
    for (int i = 0; i < y.length; i++) {
      assertEquals(y[i], yd[i], 0);
    }
    double[] dy = new double[y.length];
    float[] dyf = new float[y.length];
    for (int i = 0; i < dy.length; i++) {
      dyf[i] = r.nextInt(9) - 4;
      dy[i] = dyf[i];
    }
    double[] dxd = new double[x.length];
    float[] dx = new float[x.length];
    pool.maxBackward(n, dy, 0, argmaxd, 0, dxd, 0);
    pool.maxBackward(n, dyf, 0, argmax, 0, dx, 0);
    for (int i = 0; i < dx.length; i++) {
      assertEquals(dx[i], dxd[i], 0, "max dx " + i);
    }
    pool.avgForward(n, x, 0, y, 0);
    pool.avgForward(n, xd, 0, yd, 0);
    for (int i = 0; i < y.length; i++) {
      assertEquals(y[i], yd[i], 1e-6);
    }
    pool.avgBackward(n, dyf, 0, dx, 0);
    pool.avgBackward(n, dy, 0, dxd, 0);
    for (int i = 0; i < dx.length; i++) {
      assertEquals(dx[i], dxd[i], 1e-6, "avg dx " + i);
    }
  }

  @Test
  void errorsAreClear() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Pool2d(1, 3, 3, 4, 4));
    assertTrue(e.getMessage().contains("window is larger"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Pool2d(1, 3, 3, 2, 0));
    Pool2d pool = new Pool2d(2, 4, 4, 2, 2);
    e = assertThrows(IllegalArgumentException.class,
        () -> pool.maxForward(2, new float[64], 0, new float[16], 0, new int[15], 0));
    assertTrue(e.getMessage().contains("argmax needs 16"), e.getMessage());
  }
}
