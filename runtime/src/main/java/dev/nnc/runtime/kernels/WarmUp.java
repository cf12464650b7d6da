package dev.nnc.runtime.kernels;

import java.util.Random;

/**
 * Runs small matrix products, convolutions and pooling layers through the vector kernels' paths,
 * so that HotSpot compiles them before a training loop needs them. Until C2 compiles them the Vector API's operations run as
 * Java objects, and a first epoch is much slower than the next ones. Started on a second thread
 * while the program loads data and compiles its model, the warm-up costs no wall time on a
 * machine with a spare core and shortens the first epoch (figures in docs/performance.md,
 * "Warm-up").
 *
 * <p>Every call here is below {@link Parallel}'s threshold, so the warm-up never takes the
 * worker thread from a caller; each thread has its own {@link GemmJob} and convolution and
 * pooling jobs, and the warm-up its own arrays, so results computed meanwhile on other threads
 * are unaffected (tested).
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

  /**
   * LeNet's convolutions and pooling layers ({@code [1, 28, 28]} input, 5 × 5 kernels, 2 × 2
   * max pooling), run on {@link #BATCH} examples (the vector kernel's lane tiles) and on one
   * (im2col with the products) every {@link #CONV_EVERY}-th round: each call steps through many
   * tiles, so fewer rounds than of the products give C2 enough calls.
   */
  static final Conv2d[] CONVS = {new Conv2d(1, 28, 28, 6, 5, 5, 1, 2),
      new Conv2d(6, 14, 14, 16, 5, 5, 1, 0)};
  static final Pool2d[] POOLS = {new Pool2d(6, 28, 28, 2, 2), new Pool2d(16, 10, 10, 2, 2)};
  /** Examples per convolution call: below the two-thread threshold for both layers. */
  static final int BATCH = 8;
  static final int CONV_EVERY = 4;

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
   * Computes {@link #PRODUCTS} {@code rounds} times on this thread, and the convolution layers
   * every {@link #CONV_EVERY}-th round, and returns a checksum of the results (so that nothing is
   * optimized away).
   */
  public static double run(int rounds) {
    Random random = new Random(1);
    float[] a = gaussian(random, SIZE);
    float[] b = gaussian(random, SIZE);
    float[] c = new float[SIZE];
    Layer[] layers = new Layer[CONVS.length];
    for (int l = 0; l < layers.length; l++) {
      layers[l] = new Layer(CONVS[l], POOLS[l], random);
    }
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
      if (r % CONV_EVERY == 0) {
        for (Layer layer : layers) {
          sum += layer.run(r);
        }
      }
    }
    return sum;
  }

  /** One convolution and the pooling after it, with arrays of their own. */
  private static final class Layer {
    final Conv2d conv;
    final Pool2d pool;
    final float[] x;
    final float[] w;
    final float[] b;
    final float[] y;
    final float[] dx;
    final float[] dw;
    final float[] db;
    final float[] scratch;
    final float[] pooled;
    final int[] argmax;
    final float[] dy;

    Layer(Conv2d conv, Pool2d pool, Random random) {
      this.conv = conv;
      this.pool = pool;
      x = gaussian(random, BATCH * conv.inputSize());
      w = gaussian(random, conv.weightSize());
      b = gaussian(random, conv.outChannels);
      y = new float[BATCH * conv.outputSize()];
      dx = new float[BATCH * conv.inputSize()];
      dw = new float[conv.weightSize()];
      db = new float[b.length];
      scratch = new float[conv.scratchSize(BATCH)];
      pooled = new float[BATCH * pool.outputSize()];
      argmax = new int[pooled.length];
      dy = new float[y.length];
    }

    /**
     * Forward and backward through both layers, on the batch and on its first example; the
     * weights take a small step in odd rounds (the fused update) and none otherwise.
     */
    double run(int round) {
      double sum = 0;
      for (int n : new int[] {BATCH, 1}) {
        conv.forward(n, x, 0, w, 0, b, 0, y, 0, scratch);
        pool.maxForward(n, y, 0, pooled, 0, argmax, 0);
        pool.maxBackward(n, pooled, 0, argmax, 0, dy, 0);
        pool.avgForward(n, y, 0, pooled, 0);
        pool.avgBackward(n, pooled, 0, dy, 0);
        conv.backwardInput(n, dy, 0, w, 0, dx, 0, scratch);
        if (round % 2 == 1) {
          conv.updateWeights(n, x, 0, dy, 0, w, 0, b, 0, -1e-4f, scratch);
        } else {
          conv.backwardWeights(n, x, 0, dy, 0, dw, 0, db, 0, scratch);
        }
        sum += y[round % y.length] + dx[round % dx.length] + dw[round % dw.length] + w[0];
      }
      return sum;
    }
  }

  private static float[] gaussian(Random random, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) random.nextGaussian();
    }
    return x;
  }
}
