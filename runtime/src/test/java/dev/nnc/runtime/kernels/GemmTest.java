package dev.nnc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The three product forms against a plain triple loop, on every kernel path and thread count. */
class GemmTest {
  @AfterEach
  void restore() {
    Kernels.useVector(true);
    Parallel.setThreads(2);
  }

  private static float[] random(int size, Random r) {
    return random(size, r, 0.2);
  }

  /** N(0, 1) entries, each zero with probability {@code zeros}. */
  private static float[] random(int size, Random r, double zeros) {
    float[] v = new float[size];
    for (int i = 0; i < size; i++) {
      // some exact zeros exercise the skipping of zero coefficients
      v[i] = r.nextDouble() < zeros ? 0f : (float) r.nextGaussian();
    }
    return v;
  }

  /** A[i][p] with A given through strides, B[p][j] likewise. */
  private static double reference(float[] a, int ai, int ap, float[] b, int bp, int bj, int i,
      int j, int k) {
    double s = 0;
    for (int p = 0; p < k; p++) {
      s += (double) a[i * ai + p * ap] * b[p * bp + j * bj];
    }
    return s;
  }

  private static void check(int m, int n, int k, boolean vector, int threads, long seed) {
    check(m, n, k, vector, threads, seed, 0.2);
  }

  private static void check(int m, int n, int k, boolean vector, int threads, long seed,
      double zerosInA) {
    assertEquals(vector, Kernels.useVector(vector) && vector);
    Parallel.setThreads(threads);
    Random r = new Random(seed);
    float[] a = random(m * k, r, zerosInA);
    float[] b = random(k * n, r);
    float[] bt = random(n * k, r);
    float[] at = random(k * m, r, zerosInA);
    float[] base = random(m * n, r);
    for (boolean accumulate : new boolean[] {false, true}) {
      float[] nn = base.clone();
      float[] nt = base.clone();
      float[] tn = base.clone();
      Gemm.nn(m, n, k, a, 0, b, 0, nn, 0, accumulate);
      Gemm.nt(m, n, k, a, 0, bt, 0, nt, 0, accumulate);
      Gemm.tn(m, n, k, at, 0, b, 0, tn, 0, accumulate);
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          double add = accumulate ? base[i * n + j] : 0;
          String where = "[" + i + "," + j + "] m=" + m + " n=" + n + " k=" + k + " vector="
              + vector + " threads=" + threads + " accumulate=" + accumulate;
          double tol = 1e-4 * (1 + k);
          assertEquals(add + reference(a, k, 1, b, n, 1, i, j, k), nn[i * n + j], tol, "nn" + where);
          assertEquals(add + reference(a, k, 1, bt, 1, k, i, j, k), nt[i * n + j], tol, "nt" + where);
          assertEquals(add + reference(at, 1, m, b, n, 1, i, j, k), tn[i * n + j], tol, "tn" + where);
        }
      }
    }
    // tnUpdate: C += alpha·Aᵀ·B, the fused SGD step (alpha = −rate), on the same kernel path
    float alpha = -0.375f;
    float[] updated = base.clone();
    Gemm.tnUpdate(m, n, k, at, 0, b, 0, updated, 0, alpha);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        assertEquals(base[i * n + j] + alpha * reference(at, 1, m, b, n, 1, i, j, k),
            updated[i * n + j], 1e-4 * (1 + k), "tnUpdate[" + i + "," + j + "] m=" + m + " n=" + n
            + " k=" + k + " vector=" + vector + " threads=" + threads);
      }
    }
  }

  @Test
  void portableKernel() {
    for (int[] s : new int[][] {{1, 1, 1}, {3, 5, 7}, {17, 33, 9}, {64, 256, 100}, {130, 70, 40}}) {
      check(s[0], s[1], s[2], false, 1, 1);
    }
  }

  /**
   * Fewer than 16 columns and at least 16 rows: computed as Cᵀ = Bᵀ·Aᵀ and transposed back, or on
   * the vector kernel (nn, nt with k ≥ 16) as dot products: 4×2 tiles, single elements for the
   * remaining rows and odd columns, a scalar end when k is not a whole number of vectors.
   */
  @Test
  void narrowProducts() {
    for (boolean vector : new boolean[] {false, true}) {
      for (int[] s : new int[][] {{16, 1, 3}, {64, 10, 256}, {300, 15, 33}, {17, 10, 1},
          {32, 10, 256}, {35, 11, 16}, {18, 3, 47}, {21, 1, 300},
          {70, 2, 129}}) {
        check(s[0], s[1], s[2], vector, 1, 4);
      }
      check(1100, 10, 40, vector, 2, 5);
      check(2100, 10, 100, vector, 2, 6); // 2.1M multiply-adds: split between the two threads
    }
  }

  @Test
  void vectorKernelAgreesWhenAvailable() {
    boolean available = Kernels.useVector(true);
    // The surefire configuration starts the JVM with the module, so the path is tested here.
    assertTrue(available, "the Vector API kernel should load with --add-modules jdk.incubator.vector");
    String bits = System.getProperty("nnc.vector.bits");
    if (bits != null) {
      // the pom's vector-256 and vector-512 runs: both tile shapes, whatever this CPU has
      assertEquals(Integer.parseInt(bits) / 32, Kernels.vectorLength());
    }
    // Row counts around the 6- and 4-row tiles: 6k, 6k+1 ... 6k+5, and 8/9 rows split 4 + 4 (+1).
    for (int[] s : new int[][] {{1, 16, 3}, {5, 64, 9}, {7, 80, 33}, {64, 256, 100}, {130, 200, 40},
        {9, 17, 5}, {6, 64, 7}, {8, 64, 7}, {11, 128, 5}, {12, 64, 3}, {14, 64, 4}, {15, 64, 2},
        {32, 70, 20}, {40, 24, 30}, {13, 40, 9}, {128, 120, 64}}) {
      // the last three: a vector of columns past the panels (6-row tiles, then single rows)
      check(s[0], s[1], s[2], true, 1, 2);
    }
  }

  /**
   * A left operand of at least 60% zeros (MNIST pixels) goes to the zero-skipping portable loops
   * even when the vector kernel is on; below that it stays on the vector kernel.
   */
  @Test
  void mostlyZeroLeftOperandsSkipZeros() {
    Kernels.useVector(true);
    for (int[] s : new int[][] {{64, 256, 100}, {7, 33, 50}, {300, 128, 120}}) {
      check(s[0], s[1], s[2], true, 1, 8, 0.8);
      check(s[0], s[1], s[2], true, 2, 9, 0.8);
    }
    Parallel.setThreads(1);
    Random r = new Random(10);
    float[] b = random(50 * 64, r);
    float[] c = new float[40 * 64];
    Gemm.nn(40, 64, 50, random(40 * 50, r, 0.8), 0, b, 0, c, 0, false);
    assertTrue(GemmJob.current().sparse, "80% zeros should take the zero-skipping loops");
    Gemm.nn(40, 64, 50, random(40 * 50, r, 0.3), 0, b, 0, c, 0, false);
    assertEquals(false, GemmJob.current().sparse, "30% zeros should stay on the vector kernel");
    float[] exactlyAtLimit = new float[10 * 10];
    for (int i = 0; i < 40; i++) {
      exactlyAtLimit[i * 2] = 1f; // 40 nonzeros of 100: 60% zeros, the limit
    }
    assertTrue(GemmJob.mostlyZero(exactlyAtLimit, 0, 10, 1, 10, 10));
    exactlyAtLimit[1] = 1f;
    assertEquals(false, GemmJob.mostlyZero(exactlyAtLimit, 0, 10, 1, 10, 10));
  }

  /** The sparse check stops once the answer is known: the same answer as counting the sample. */
  @Test
  void mostlyZeroStopsEarlyWithTheAnswerOfTheWholeSample() {
    Random r = new Random(12);
    for (int t = 0; t < 300; t++) {
      int m = 1 + r.nextInt(300);
      int k = 1 + r.nextInt(40);
      float[] a = random(m * k, r, 0.45 + 0.3 * r.nextDouble());
      int step = (int) Math.max(1, (long) m * k / 1024);
      long seen = 0;
      long nonzero = 0;
      for (int i = 0; i < m; i += step) {
        for (int p = 0; p < k; p++) {
          nonzero += a[i * k + p] != 0 ? 1 : 0;
        }
        seen += k;
      }
      assertEquals(nonzero * 5 <= seen * 2, GemmJob.mostlyZero(a, 0, k, 1, m, k),
          "m=" + m + " k=" + k + " nonzero " + nonzero + " of " + seen);
    }
  }

  /**
   * Products the AVX2 path blocks and packs (at least 16 rows): more rows than one packed block
   * of A (48), with 4-row and single-row leftovers; a shared dimension longer than one block
   * (1024), so later blocks add to C; columns beyond the 2-vector panels. With A stored
   * transposed (tn), 49 and 101 rows put the last 6- and 4-row micro-panels at the array's end,
   * where the vector copies of A stop and the last steps are copied one float at a time.
   */
  @Test
  void blockedProducts() {
    for (int[] s : new int[][] {{101, 45, 1030}, {53, 32, 7}, {16, 16, 1}, {49, 70, 300}}) {
      check(s[0], s[1], s[2], true, 1, 11);
    }
    check(202, 48, 1100, true, 2, 12);
  }

  /**
   * nt with at most {@link Gemm#DIRECT_ROWS} rows ({@link Gemm#DIRECT_ROWS_PORTABLE} on the
   * portable kernel) takes dot products of A's and B's rows in place: row counts around that
   * threshold, on both kernels; column counts with and without groups of four left over; shared
   * dimensions shorter than a vector, and with a scalar end. One large product (above the
   * two-thread threshold) stays on the calling thread.
   */
  @Test
  void fewRowsOfNtAreDotProducts() {
    for (boolean vector : new boolean[] {false, true}) {
      int t = vector ? Gemm.DIRECT_ROWS : Gemm.DIRECT_ROWS_PORTABLE;
      for (int[] s : new int[][] {{1, 120, 400}, {1, 1, 1}, {1, 7, 3}, {2, 84, 120}, {3, 16, 17},
          {t - 1, 33, 70}, {t, 20, 65}, {t + 1, 20, 65}, {t + 2, 64, 130}, {1, 10, 1000}}) {
        check(s[0], s[1], s[2], vector, 1, 13);
      }
      check(1, 2100, 1000, vector, 2, 14);
      // offsets into every array
      Random r = new Random(15);
      int m = Math.min(2, t);
      int n = 9;
      int k = 37;
      float[] a = random(5 + m * k, r);
      float[] b = random(3 + n * k, r);
      float[] c = random(7 + m * n, r);
      float[] base = c.clone();
      Gemm.nt(m, n, k, a, 5, b, 3, c, 7, true);
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          double expected = base[7 + i * n + j];
          for (int p = 0; p < k; p++) {
            expected += (double) a[5 + i * k + p] * b[3 + j * k + p];
          }
          assertEquals(expected, c[7 + i * n + j], 1e-4 * (1 + k), "offsets [" + i + "," + j
              + "] vector=" + vector);
        }
      }
      for (int i = 0; i < 7; i++) {
        assertEquals(base[i], c[i], "nothing before C");
      }
    }
  }

  @Test
  void twoThreadsAgree() {
    for (boolean vector : new boolean[] {false, true}) {
      check(300, 128, 120, vector, 2, 3);
    }
  }
}
