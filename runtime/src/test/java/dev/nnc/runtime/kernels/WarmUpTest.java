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
  }

  /**
   * Products on this thread, one of them split between two threads, give bit for bit the same
   * results while a warm-up runs on another thread as before it started.
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
