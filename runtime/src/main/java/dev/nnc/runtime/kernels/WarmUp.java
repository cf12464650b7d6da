package dev.nnc.runtime.kernels;

import java.util.Random;

/**
 * Runs small matrix products through the vector kernel's paths, so that HotSpot compiles them
 * before a training loop needs them. Until C2 compiles them the Vector API's operations run as
 * Java objects, and a first epoch is much slower than the next ones. Started on a second thread
 * while the program loads data and compiles its model, the warm-up costs no wall time on a
 * machine with a spare core and shortens the first epoch (figures in docs/performance.md,
 * "Warm-up").
 *
 * <p>Every product here is below {@link Parallel}'s threshold, so the warm-up never shares the
 * worker thread with a caller; each thread has its own {@link GemmJob}, so products computed
 * meanwhile on other threads are unaffected (tested).
 */
public final class WarmUp {
  /** Rounds of the product set: enough calls of each tile for C2 to compile it. */
  static final int ROUNDS = 400;

  static final int NN = 0;
  static final int NT = 1;
  static final int TN = 2;

  /**
   * The product set, {form, m, n, k}, on dense operands: packed blocks of 6-, 4- and 1-row tiles
   * (nn, nt and tn: every form packs both operands), fewer rows than a packed block,
   * columns left over after the tiles, and narrow products of 10 and 6 columns (nn, nt, tn). All
   * below {@link Parallel#MIN_PARALLEL_WORK}. No mostly-zero operand: warming the portable
   * kernel's zero-skipping loops on these small shapes left C2 code that ran MNIST's sparse
   * products slower for the rest of the run (see docs/performance.md, "Warm-up").
   */
  static final int[][] PRODUCTS = {
      {NN, 53, 32, 64}, {TN, 53, 32, 32}, {NT, 53, 32, 24}, {NN, 10, 36, 64}, {NN, 24, 10, 64},
      {NN, 24, 6, 64}, {NT, 24, 10, 64}, {TN, 64, 10, 32}};
  /** Floats in each operand array: enough for every product above. */
  private static final int SIZE = 64 * 64;

  private static Thread thread;

  private WarmUp() {}

  /**
   * Starts the warm-up on a daemon thread, once per JVM, when the vector kernel is in use and the
   * system property {@code nnc.warmup} is not {@code false}; returns at once. (The portable
   * kernel's loops run acceptably before C2 and are best compiled from the real shapes.)
   */
  public static synchronized void start() {
    if (thread == null && Kernels.vectorEnabled()
        && !"false".equals(System.getProperty("nnc.warmup"))) {
      thread = new Thread(() -> run(ROUNDS), "nnc-warm-up");
      thread.setDaemon(true);
      thread.setPriority(Thread.MIN_PRIORITY);
      thread.start();
    }
  }

  /**
   * Computes {@link #PRODUCTS} {@code rounds} times on this thread and returns a checksum of the
   * results (so that nothing is optimized away).
   */
  public static double run(int rounds) {
    Random random = new Random(1);
    float[] a = gaussian(random, SIZE);
    float[] b = gaussian(random, SIZE);
    float[] c = new float[SIZE];
    double sum = 0;
    for (int r = 0; r < rounds; r++) {
      for (int[] p : PRODUCTS) {
        int m = p[1];
        int n = p[2];
        int k = p[3];
        if (p[0] == NN) {
          Gemm.nn(m, n, k, a, 0, b, 0, c, 0, false);
        } else if (p[0] == NT) {
          Gemm.nt(m, n, k, a, 0, b, 0, c, 0, r % 2 == 1);
        } else {
          Gemm.tn(m, n, k, a, 0, b, 0, c, 0, false);
        }
        sum += c[r % (m * n)];
      }
    }
    return sum;
  }

  private static float[] gaussian(Random random, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) random.nextGaussian();
    }
    return x;
  }
}
