package dev.nnc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Warm calls of every convolution and pooling kernel allocate nothing, on the calling thread and
 * on {@link Parallel}'s worker, on both paths and thread counts; likewise LeNet's first dense
 * layer at batch 1 and 8 ({@link Gemm#nt}'s dot products of rows).
 */
class ConvAllocationTest {
  @AfterEach
  void restore() {
    Kernels.useVector(true);
    Parallel.setThreads(2);
  }

  @Test
  void warmCallsAllocateNothing() {
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    Conv2d conv1 = new Conv2d(1, 28, 28, 6, 5, 5, 1, 2);
    Conv2d conv2 = new Conv2d(6, 14, 14, 16, 5, 5, 1, 0);
    Pool2d pool = new Pool2d(6, 28, 28, 2, 2);
    Pool2d pool3 = new Pool2d(16, 10, 10, 3, 2);
    int n = 40; // 2.6M multiply-adds in conv1: split between the threads
    Random r = new Random(1);
    float[] x = random(n * conv1.inputSize(), r);
    float[] w1 = random(conv1.weightSize(), r);
    float[] b1 = random(6, r);
    float[] y1 = new float[n * conv1.outputSize()];
    float[] p1 = new float[n * pool.outputSize()];
    int[] arg1 = new int[p1.length];
    float[] w2 = random(conv2.weightSize(), r);
    float[] b2 = random(16, r);
    float[] y2 = new float[n * conv2.outputSize()];
    float[] p2 = new float[n * pool3.outputSize()];
    int[] arg2 = new int[p2.length];
    float[] d1 = new float[n * conv1.outputSize()];
    float[] dp1 = new float[n * pool.outputSize()];
    float[] scratch = new float[Math.max(conv1.scratchSize(n), conv2.scratchSize(n))];
    float[] flat = random(8 * 400, r);
    float[] wf = random(120 * 400, r);
    float[] hf = new float[8 * 120];
    int[] batches = {n, 1}; // the lane path, and im2col with Gemm
    Runnable calls = () -> {
      Gemm.nt(1, 120, 400, flat, 0, wf, 0, hf, 0, false);
      Gemm.nt(8, 120, 400, flat, 0, wf, 0, hf, 0, true);
      for (int batch : batches) {
        conv1.forward(batch, x, 0, w1, 0, b1, 0, y1, 0, scratch);
        pool.maxForward(batch, y1, 0, p1, 0, arg1, 0);
        pool.avgForward(batch, y1, 0, p1, 0);
        conv2.forward(batch, p1, 0, w2, 0, b2, 0, y2, 0, scratch);
        pool3.maxForward(batch, y2, 0, p2, 0, arg2, 0);
        pool3.maxBackward(batch, p2, 0, arg2, 0, y2, 0);
        pool3.avgBackward(batch, p2, 0, y2, 0);
        conv2.backwardInput(batch, y2, 0, w2, 0, dp1, 0, scratch);
        conv2.updateWeights(batch, p1, 0, y2, 0, w2, 0, b2, 0, -1e-6f, scratch);
        pool.maxBackward(batch, dp1, 0, arg1, 0, d1, 0);
        pool.avgBackward(batch, dp1, 0, d1, 0);
        conv1.backwardWeights(batch, x, 0, d1, 0, y1, 0, b1, 0, scratch);
        conv1.backwardInput(batch, d1, 0, w1, 0, x, 0, scratch);
      }
    };
    for (boolean vector : new boolean[] {true, false}) {
      for (int t : new int[] {1, 2}) {
        Kernels.useVector(vector);
        Parallel.setThreads(t);
        calls.run(); // thread-local jobs, Gemm's packed buffers, the worker thread
        long me = Thread.currentThread().getId();
        long worker = workerId();
        // Until C2 compiles the vector loops, the Vector API's operations are objects; a
        // one-off allocation of the JIT compiler on this thread shows up in one window only.
        // So: windows until one allocates nothing, bounded by a count, not by time. The pom runs
        // this test in its own JVM with -Xbatch (compilation as soon as a threshold is crossed):
        // the first empty window came after 36 windows there.
        List<Long> windows = new ArrayList<>();
        for (int window = 0; window < 400 && !windows.contains(0L); window++) {
          long before = threads.getThreadAllocatedBytes(me);
          long workerBefore = worker < 0 ? 0 : threads.getThreadAllocatedBytes(worker);
          for (int i = 0; i < 2; i++) {
            calls.run();
          }
          long workerAfter = worker < 0 ? 0 : threads.getThreadAllocatedBytes(worker);
          windows.add(threads.getThreadAllocatedBytes(me) - before + workerAfter - workerBefore);
        }
        assertTrue(windows.contains(0L), "bytes allocated by windows of 2 rounds of calls, vector="
            + vector + " threads=" + t + ": " + windows);
      }
    }
  }

  /** The id of Parallel's worker thread, or -1 if it has not started. */
  private static long workerId() {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals("nnc-gemm")) {
        return t.getId();
      }
    }
    return -1;
  }

  private static float[] random(int size, Random r) {
    float[] v = new float[size];
    for (int i = 0; i < size; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }
}
