package dev.nnc.bench;

import dev.nnc.runtime.Batch;
import dev.nnc.runtime.Model;
import dev.nnc.runtime.kernels.Kernels;
import dev.nnc.runtime.kernels.Parallel;
import dev.nnc.runtime.optim.Optimizer;
import dev.nnc.runtime.optim.OptimizerSpec;
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
 * One SGD training step (forward, backward, update) of the MLP 784-256-10, single-threaded: the
 * model generated from {@link Programs#MLP} with the Vector API matrix kernel (used whenever the
 * JVM has {@code --add-modules jdk.incubator.vector}, as {@code nnc train} does by default).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 8, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class MlpVectorBench {
  @Param({"1", "32", "128", "1024"})
  public int batch;

  Model model;
  Optimizer optimizer;
  Batch data;

  @Setup
  public void setup() {
    Parallel.setThreads(1);
    if (!Kernels.useVector(true)) {
      throw new IllegalStateException("the Vector API kernel is not available");
    }
    model = Programs.compileModel("bench_mlp.nn", Programs.MLP);
    model.initialize(42);
    optimizer = OptimizerSpec.parse("sgd", Map.of("lr", 0.01)).create();
    data = Programs.randomBatch(model, batch, 7);
  }

  @Benchmark
  public double generatedStep() {
    return model.trainStep(data, optimizer);
  }
}
