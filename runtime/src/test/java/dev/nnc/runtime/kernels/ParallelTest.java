package dev.nnc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Parallel} with several calling threads at once (one model per thread, or Spark's
 * executor threads in one JVM): nobody waits on a worker another caller holds, and every caller
 * gets the bits a lone caller gets.
 */
class ParallelTest {
  /** Only a real hang trips this: the work below takes seconds even on a loaded machine. */
  private static final long HANG_MINUTES = 5;

  @AfterEach
  void restore() {
    Kernels.useVector(true);
    Parallel.setThreads(2);
  }

  /** One thread's inputs and its lone-caller results. */
  private static final class Products {
    final Conv2d conv1 = new Conv2d(1, 28, 28, 6, 5, 5, 1, 2);
    final Pool2d pool1 = new Pool2d(6, 28, 28, 2, 2);
    final int n = 40; // conv1: 2.6M multiply-adds, pool1: 3M work units, both split
    final float[] x;
    final float[] w1;
    final float[] b1;
    final float[] scratch;
    /**
     * {m, n, k}: split products. The vector kernel's sums for k past 1024 depend on the row
     * count (blocks of 1024 steps from 16 rows up; B in place below), so the halves of 10 and 8
     * rows are summed otherwise than 20 and 16 would be. The last one, just above the threshold,
     * is also run many times in a row: short splits one after another.
     */
    final int[][] shapes = {{300, 128, 120}, {20, 64, 2048}, {64, 256, 130}, {16, 128, 1025}};
    final float[][] as;
    final float[][] bs;
    final float[][] expected;

    Products(long seed) {
      Random r = new Random(seed);
      x = gaussian(r, n * conv1.inputSize());
      w1 = gaussian(r, conv1.weightSize());
      b1 = gaussian(r, 6);
      scratch = new float[conv1.scratchSize(n)];
      as = new float[shapes.length][];
      bs = new float[shapes.length][];
      for (int s = 0; s < shapes.length; s++) {
        as[s] = gaussian(r, shapes[s][0] * shapes[s][2]);
        bs[s] = gaussian(r, shapes[s][2] * shapes[s][1]);
      }
      expected = compute();
    }

    /** Every product once: nn, nt and tn of each shape, conv1's three passes, pool1 both ways. */
    float[][] compute() {
      List<float[]> out = new ArrayList<>();
      for (int s = 0; s < shapes.length; s++) {
        int m = shapes[s][0];
        int cols = shapes[s][1];
        int k = shapes[s][2];
        float[] nn = new float[m * cols];
        Gemm.nn(m, cols, k, as[s], 0, bs[s], 0, nn, 0, false);
        float[] nt = new float[m * cols];
        // bs[s] read as [cols × k] and as[s] as [k × m]: same sizes, other layouts
        Gemm.nt(m, cols, k, as[s], 0, bs[s], 0, nt, 0, false);
        float[] tn = new float[m * cols];
        Gemm.tn(m, cols, k, as[s], 0, bs[s], 0, tn, 0, false);
        out.add(nn);
        out.add(nt);
        out.add(tn);
      }
      float[] y = new float[n * conv1.outputSize()];
      conv1.forward(n, x, 0, w1, 0, b1, 0, y, 0, scratch);
      float[] dx = new float[n * conv1.inputSize()];
      conv1.backwardInput(n, y, 0, w1, 0, dx, 0, scratch);
      float[] dw = new float[conv1.weightSize()];
      float[] db = new float[6];
      conv1.backwardWeights(n, x, 0, y, 0, dw, 0, db, 0, scratch);
      float[] pooled = new float[n * pool1.outputSize()];
      int[] argmax = new int[pooled.length];
      pool1.maxForward(n, y, 0, pooled, 0, argmax, 0);
      float[] back = new float[n * pool1.inputSize()];
      pool1.maxBackward(n, pooled, 0, argmax, 0, back, 0);
      float[] avg = new float[pooled.length];
      pool1.avgForward(n, y, 0, avg, 0);
      out.add(y);
      out.add(dx);
      out.add(dw);
      out.add(db);
      out.add(pooled);
      out.add(back);
      out.add(avg);
      return out.toArray(new float[0][]);
    }
  }

  /**
   * Four threads run Gemm's three forms, Conv2d's passes and Pool2d's, all above the two-thread
   * threshold, many times at once; each result must equal bit for bit what the thread got alone.
   * Two concurrent callers used to take the one worker together and hang in its wait (or return
   * with a half never computed).
   */
  @Test
  void concurrentCallersGetTheLoneCallersBits() throws InterruptedException {
    for (boolean vector : new boolean[] {true, false}) {
      Kernels.useVector(vector);
      Parallel.setThreads(2);
      int callers = 4;
      int rounds = 10;
      Products[] products = new Products[callers];
      for (int t = 0; t < callers; t++) {
        products[t] = new Products(100 + t); // lone caller: this thread, one at a time
      }
      onCallers(callers, t -> {
        Products p = products[t];
        for (int round = 0; round < rounds; round++) {
          float[][] got = p.compute();
          for (int i = 0; i < got.length; i++) {
            assertArrayEquals(p.expected[i], got[i], "vector=" + vector + ", result " + i
                + ", round " + round);
          }
          int last = p.shapes.length - 1;
          int[] s = p.shapes[last];
          float[] c = new float[s[0] * s[1]];
          for (int again = 0; again < 20; again++) {
            Gemm.nn(s[0], s[1], s[2], p.as[last], 0, p.bs[last], 0, c, 0, false);
            assertArrayEquals(p.expected[3 * last], c, "vector=" + vector + ", a short split");
          }
        }
      });
    }
  }

  /**
   * Every row of a split is computed exactly once, in the same two halves whichever threads run
   * them, on slot 0 by the caller and slot 1 only by the worker; also with concurrent callers and
   * with a split started from inside a half.
   */
  @Test
  void halvesAreComputedOnceEachInTheSameCuts() throws InterruptedException {
    Parallel.setThreads(2);
    int rounds = 300;
    onCallers(3, t -> {
      int rows = 7 + 4 * t;
      Recorder outer = new Recorder(rows);
      outer.nested = new Recorder(5);
      for (int round = 0; round < rounds; round++) {
        outer.reset();
        Parallel.run(outer, rows, Parallel.MIN_PARALLEL_WORK);
        outer.check(Thread.currentThread());
      }
    });
  }

  /** A split that records which rows each call computed, on which thread and slot. */
  private static final class Recorder implements Parallel.Split {
    final int rows;
    final int[] count;
    final Thread[] thread;
    final int[] slot;
    final int[] cutFrom;
    /** Started from inside each half, as a kernel calling Gemm from its rows would. */
    Recorder nested;

    Recorder(int rows) {
      this.rows = rows;
      count = new int[rows];
      thread = new Thread[rows];
      slot = new int[rows];
      cutFrom = new int[rows];
    }

    void reset() {
      java.util.Arrays.fill(count, 0);
      if (nested != null) {
        nested.reset();
      }
    }

    @Override
    public void compute(int from, int to, int s) {
      for (int i = from; i < to; i++) {
        count[i]++;
        thread[i] = Thread.currentThread();
        slot[i] = s;
        cutFrom[i] = from;
      }
      if (nested != null) {
        // one nested split per half; Recorder's arrays are written by one thread at a time here,
        // since a split inside a split runs on the thread that started it
        synchronized (nested) {
          nested.reset();
          Parallel.run(nested, nested.rows, Parallel.MIN_PARALLEL_WORK);
          nested.check(Thread.currentThread());
        }
      }
    }

    void check(Thread caller) {
      int half = rows / 2;
      for (int i = 0; i < rows; i++) {
        assertEquals(1, count[i], "row " + i + " of " + rows + " computed once");
        assertEquals(i < half ? 0 : half, cutFrom[i], "row " + i + " of " + rows + "'s half");
        if (slot[i] == 0) {
          assertSame(caller, thread[i], "slot 0 is the caller's");
        } else {
          assertEquals(1, slot[i]);
          assertEquals("nnc-gemm", thread[i].getName(), "slot 1 is the worker's");
          assertTrue(i >= half, "the worker computes the second half");
        }
      }
    }
  }

  /** An exception in either half reaches the caller, and the worker keeps serving splits. */
  @Test
  void exceptionsInEitherHalfReachTheCaller() throws InterruptedException {
    Parallel.setThreads(2);
    onCallers(1, t -> {
      for (int failing = 0; failing < 2; failing++) {
        int bad = failing == 0 ? 1 : 8; // a row of the first half, then of the second
        IllegalStateException thrown = assertThrows(IllegalStateException.class,
            () -> Parallel.run((from, to, slot) -> {
              if (bad >= from && bad < to) {
                throw new IllegalStateException("row " + bad);
              }
            }, 10, Parallel.MIN_PARALLEL_WORK));
        assertEquals("row " + bad, thrown.getMessage());
        Recorder after = new Recorder(10);
        Parallel.run(after, 10, Parallel.MIN_PARALLEL_WORK);
        after.check(Thread.currentThread());
      }
    });
  }

  /** Work for caller thread {@code t}. */
  private interface Body {
    void run(int t) throws Exception;
  }

  /**
   * Runs {@code body} on {@code callers} daemon threads at once and rethrows the first failure.
   * A caller stuck for {@link #HANG_MINUTES} fails the test instead of hanging the build; the
   * threads are daemons so that a hung one does not keep the test JVM alive.
   */
  private static void onCallers(int callers, Body body) throws InterruptedException {
    CountDownLatch start = new CountDownLatch(1);
    CountDownLatch finished = new CountDownLatch(callers);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    for (int t = 0; t < callers; t++) {
      int index = t;
      Thread thread = new Thread(() -> {
        try {
          start.await();
          body.run(index);
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        } finally {
          finished.countDown();
        }
      }, "caller-" + t);
      thread.setDaemon(true);
      thread.start();
    }
    start.countDown();
    assertTrue(finished.await(HANG_MINUTES, TimeUnit.MINUTES),
        "callers still running after " + HANG_MINUTES + " minutes: a hang");
    if (failure.get() != null) {
      throw new AssertionError(failure.get());
    }
  }

  private static float[] gaussian(Random r, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) r.nextGaussian();
    }
    return x;
  }
}
