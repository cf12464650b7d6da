package dev.nnc.bench;

import dev.nnc.runtime.Batch;
import dev.nnc.runtime.kernels.Kernels;
import dev.nnc.runtime.kernels.Parallel;
import dev.nnc.runtime.optim.Optimizer;
import dev.nnc.runtime.optim.OptimizerSpec;
import dev.nnc.samples.LeNet;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link LeNetBench}'s generated step (the model nnc generates from {@code lenet.nn}, plain SGD,
 * lr 0.01) on 1 and 2 threads ({@code Parallel.setThreads}): the two forks of a batch size run
 * back to back.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
// 6 warm-up seconds, not 4: the step has more hot methods than the MLP's for C2 to compile
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 8, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class LeNetThreadsBench {
  @Param({"32", "128"})
  public int batch;

  @Param({"1", "2"})
  public int threads;

  LeNet model;
  Optimizer optimizer;
  Batch data;

  @Setup
  public void setup() {
    Parallel.setThreads(threads);
    if (!Kernels.useVector(true)) {
      throw new IllegalStateException("the Vector API kernel is not available");
    }
    model = new LeNet();
    model.initialize(42);
    optimizer = OptimizerSpec.parse("sgd", Map.of("lr", 0.01)).create();
    data = Programs.randomBatch(model, batch, 7);
  }

  @Benchmark
  public double generatedStep() {
    return model.trainStep(data, optimizer);
  }
}
