package dev.nnc.compiler.emit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.GeneratedCode;
import dev.nnc.compiler.GeneratedModels;
import dev.nnc.compiler.ir.ElementType;
import dev.nnc.runtime.Batch;
import dev.nnc.runtime.CompiledFunction;
import dev.nnc.runtime.GradientCheck;
import dev.nnc.runtime.Model;
import dev.nnc.runtime.Parameter;
import dev.nnc.runtime.Tensor;
import dev.nnc.runtime.optim.Optimizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * One generated model instance used from two threads at once fails with a clear message
 * (never a wrong result); one instance per thread gives exactly the single-threaded results,
 * for models and functions. Overlap is forced with latches (a call is held inside the model by
 * an optimizer that waits), never by timing.
 */
class ThreadUseTest {
  /** Generous bound so that a broken guard fails the test instead of hanging the build. */
  private static final long WAIT_SECONDS = 120;

  /** An optimizer whose step signals that a trainStep is inside the model, then waits. */
  private static final class HoldingOptimizer implements Optimizer {
    final CountDownLatch inside = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    private final double sgdRate;

    HoldingOptimizer(double sgdRate) {
      this.sgdRate = sgdRate;
    }

    @Override
    public void step(List<Parameter> params) {
      inside.countDown();
      try {
        assertTrue(release.await(WAIT_SECONDS, TimeUnit.SECONDS), "never released");
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }

    @Override
    public double sgdRate() {
      return sgdRate;
    }

    @Override
    public double learningRate() {
      return 0.1;
    }

    @Override
    public void setLearningRate(double lr) {}

    @Override
    public long steps() {
      return 0;
    }

    @Override
    public Map<String, Tensor> exportState() {
      return Map.of();
    }

    @Override
    public void importState(List<Parameter> params, Map<String, Tensor> state) {}
  }

  @Test
  void aModelSharedByTwoThreadsFailsWithAClearMessage() throws Exception {
    // NaN: the plain path (gradients, then the step); 0.1: plain SGD fused into the products
    for (double sgdRate : new double[] {Double.NaN, 0.1}) {
      Model model = GeneratedModels.compile(FusionTest.MLP, ElementType.F32, true);
      model.initialize(1);
      Batch batch = GeneratedModels.randomBatch(model, 8, 2);
      HoldingOptimizer holding = new HoldingOptimizer(sgdRate);
      ExecutorService other = Executors.newSingleThreadExecutor();
      try {
        Future<Double> step = other.submit(() -> model.trainStep(batch, holding));
        assertTrue(holding.inside.await(WAIT_SECONDS, TimeUnit.SECONDS), "trainStep never ran");
        List<Runnable> calls = List.of(() -> model.forward(batch),
            () -> model.forwardBackward(batch), () -> model.predict(batch),
            () -> model.output("probs"),
            () -> model.trainStep(batch, new HoldingOptimizer(Double.NaN)));
        for (Runnable call : calls) {
          IllegalStateException e = assertThrows(IllegalStateException.class, call::run);
          assertEquals("model Mlp is already computing, in another thread or around this call:"
              + " an instance reuses its buffers, so give each thread its own instance (new"
              + " Mlp(), with the parameters' values copied)", e.getMessage());
        }
        holding.release.countDown();
        assertTrue(Double.isFinite(step.get(WAIT_SECONDS, TimeUnit.SECONDS)));
      } finally {
        holding.release.countDown();
        other.shutdownNow();
      }
      // free again once the other call returned, and after a call that failed inside
      assertTrue(Double.isFinite(model.forward(batch)));
      assertThrows(IllegalArgumentException.class, () -> model.output("no such output"));
      assertTrue(Double.isFinite(model.forwardBackward(batch)));
    }
  }

  @Test
  void oneModelPerThreadGivesTheSingleThreadedResults() throws Exception {
    Model reference = GeneratedModels.compile(FusionTest.MLP, ElementType.F32, true);
    reference.initialize(4);
    int rounds = 50;
    List<Batch> batches = new ArrayList<>();
    List<Double> expected = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      batches.add(GradientCheck.randomBatch(reference, 16, new SplittableRandom(r)));
      expected.add(reference.forwardBackward(batches.get(r)));
    }
    float[] lastGradient = reference.parameters().get(0).gradF32().clone();
    int threads = 2;
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<float[]>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Model own = GeneratedModels.compile(FusionTest.MLP, ElementType.F32, true);
        for (int p = 0; p < own.parameters().size(); p++) {
          float[] values = reference.parameters().get(p).f32();
          System.arraycopy(values, 0, own.parameters().get(p).f32(), 0, values.length);
        }
        results.add(pool.submit(() -> {
          start.await(WAIT_SECONDS, TimeUnit.SECONDS);
          for (int r = 0; r < rounds; r++) {
            assertEquals(expected.get(r), own.forwardBackward(batches.get(r)), "round " + r);
          }
          return own.parameters().get(0).gradF32().clone();
        }));
      }
      for (Future<float[]> f : results) {
        assertArrayEquals(lastGradient, f.get(WAIT_SECONDS, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void oneFunctionPerThreadGivesTheSingleThreadedResults() throws Exception {
    String text = "fn f(W: [3, 4], x: [4]) = sum(softmax(W @ x) * (W @ x)) + logsumexp(x);";
    CompiledFunction reference = GeneratedCode.compile(text, true).get("f");
    int rounds = 500;
    SplittableRandom random = new SplittableRandom(9);
    List<double[][]> args = new ArrayList<>();
    List<double[][]> expected = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      double[][] a = {random.doubles(12, -2, 2).toArray(), random.doubles(4, -2, 2).toArray()};
      args.add(a);
      expected.add(GeneratedCode.valueAndGradient(reference, a));
    }
    int threads = 2;
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        // the class Javadoc's advice: one instance per thread, made with new
        CompiledFunction own = reference.getClass().getConstructor().newInstance();
        done.add(pool.submit(() -> {
          start.await(WAIT_SECONDS, TimeUnit.SECONDS);
          for (int r = 0; r < rounds; r++) {
            double[][] got = GeneratedCode.valueAndGradient(own, args.get(r));
            for (int k = 0; k < got.length; k++) {
              assertArrayEquals(expected.get(r)[k], got[k], "round " + r + " part " + k);
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(WAIT_SECONDS, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
