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
 * One LeNet-5 SGD training step on 1 thread, Vector API kernels: {@code generatedStep} is the
 * model nnc generates from {@code generated-samples/src/main/nn/lenet.nn} (plain SGD, lr 0.01,
 * as {@code benchmarks/pytorch_lenet.py}, which times the same network in PyTorch);
 * {@code handWrittenStep} is a reference only, the same step written by hand on the runtime
 * kernels ({@link LeNetHandStep}). Inputs N(0, 1), labels uniform. {@link LeNetThreadsBench}
 * times the generated step on 1 and 2 threads.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
// 6 warm-up seconds, not 4: the step has more hot methods than the MLP's for C2 to compile
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 8, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class LeNetBench {
  @Param({"1", "32", "128"})
  public int batch;

  LeNet model;
  Optimizer optimizer;
  Batch data;
  LeNetHandStep step;

  @Setup
  public void setup() {
    Parallel.setThreads(1);
    if (!Kernels.useVector(true)) {
      throw new IllegalStateException("the Vector API kernel is not available");
    }
    model = new LeNet();
    model.initialize(42);
    optimizer = OptimizerSpec.parse("sgd", Map.of("lr", 0.01)).create();
    data = Programs.randomBatch(model, batch, 7);
    step = new LeNetHandStep(42, 0.01f);
  }

  @Benchmark
  public double generatedStep() {
    return model.trainStep(data, optimizer);
  }

  /** The hand-written reference step on the same examples. */
  @Benchmark
  public double handWrittenStep() {
    return step.step(data.floats("x"), data.labels("y"), batch);
  }
}
