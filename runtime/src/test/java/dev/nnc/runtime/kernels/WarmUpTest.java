package dev.nnc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The kernel warm-up: it runs on both kernels and leaves other threads' products untouched. */
class WarmUpTest {
  @AfterEach
  void restore() {
    Kernels.useVector(true);
    Parallel.setThreads(2);
  }

  @Test
  void runsOnBothKernelsAndIsDeterministic() {
    for (boolean vector : new boolean[] {false, true}) {
      Kernels.useVector(vector);
      double first = WarmUp.run(3);
      assertTrue(Double.isFinite(first), "checksum " + first);
      assertEquals(first, WarmUp.run(3), "vector=" + vector);
    }
  }

  /** The warm-up never hands work to {@link Parallel}'s worker, which serves one caller at a time. */
  @Test
  void everyProductStaysOnItsThread() {
    for (int[] p : WarmUp.PRODUCTS) {
      long work = (long) p[1] * p[2] * p[3];
      assertTrue(work < Parallel.MIN_PARALLEL_WORK, "product " + java.util.Arrays.toString(p));
    }
    for (Conv2d conv : WarmUp.CONVS) {
      assertTrue(conv.multiplyAdds(WarmUp.BATCH) < Parallel.MIN_PARALLEL_WORK, conv.toString());
    }
    for (Pool2d pool : WarmUp.POOLS) {
      long work = (long) WarmUp.BATCH * pool.inputSize() * Pool2d.WORK_PER_ELEMENT;
      assertTrue(work < Parallel.MIN_PARALLEL_WORK, pool.toString());
    }
  }

  /**
   * Products, a convolution and a pooling layer on this thread, one of each split between two
   * threads, give bit for bit the same results while a warm-up runs on another thread as before
   * it started.
   */
  @Test
  void productsElsewhereAreUnaffected() throws InterruptedException {
    Parallel.setThreads(2);
    Random r = new Random(5);
    int[][] shapes = {{300, 128, 120}, {53, 32, 64}, {24, 10, 64}, {10, 36, 64}};
    float[][] as = new float[shapes.length][];
    float[][] bs = new float[shapes.length][];
    float[][] expected = new float[shapes.length][];
    for (int s = 0; s < shapes.length; s++) {
      int m = shapes[s][0];
      int n = shapes[s][1];
      int k = shapes[s][2];
      as[s] = gaussian(r, m * k);
      bs[s] = gaussian(r, k * n);
      expected[s] = new float[m * n];
      Gemm.nn(m, n, k, as[s], 0, bs[s], 0, expected[s], 0, false);
    }
    // LeNet's first layer at batch 40: 4.7M multiply-adds and 3M pooling units, both split
    Conv2d conv = new Conv2d(1, 28, 28, 6, 5, 5, 1, 2);
    Pool2d pool = new Pool2d(6, 28, 28, 2, 2);
    int batch = 40;
    float[] x = gaussian(r, batch * conv.inputSize());
    float[] w = gaussian(r, conv.weightSize());
    float[] bias = gaussian(r, 6);
    float[] scratch = new float[conv.scratchSize(batch)];
    float[] y = new float[batch * conv.outputSize()];
    float[] pooled = new float[batch * pool.outputSize()];
    int[] argmax = new int[pooled.length];
    conv.forward(batch, x, 0, w, 0, bias, 0, y, 0, scratch);
    pool.maxForward(batch, y, 0, pooled, 0, argmax, 0);
    float[] expectedY = y.clone();
    float[] expectedPooled = pooled.clone();
    float[] dx = new float[batch * conv.inputSize()];
    conv.backwardInput(batch, y, 0, w, 0, dx, 0, scratch);
    float[] expectedDx = dx.clone();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread warm = new Thread(() -> {
      try {
        WarmUp.run(200);
      } catch (Throwable t) {
        failure.set(t);
      }
    });
    warm.start();
    int checked = 0;
    while (warm.isAlive() || checked < 20) {
      int s = checked++ % shapes.length;
      float[] c = new float[expected[s].length];
      Gemm.nn(shapes[s][0], shapes[s][1], shapes[s][2], as[s], 0, bs[s], 0, c, 0, false);
      assertArrayEquals(expected[s], c, "shape " + s + " while warming up");
      if (checked % 4 == 0) {
        java.util.Arrays.fill(y, 0f);
        conv.forward(batch, x, 0, w, 0, bias, 0, y, 0, scratch);
        assertArrayEquals(expectedY, y, "conv2d forward while warming up");
        pool.maxForward(batch, y, 0, pooled, 0, argmax, 0);
        assertArrayEquals(expectedPooled, pooled, "max pooling while warming up");
        conv.backwardInput(batch, y, 0, w, 0, dx, 0, scratch);
        assertArrayEquals(expectedDx, dx, "conv2d input gradient while warming up");
      }
    }
    warm.join();
    assertEquals(null, failure.get());
    assertFalse(warm.isAlive());
  }

  private static float[] gaussian(Random r, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) r.nextGaussian();
    }
    return x;
  }
}
