package dev.nnc.bench;

import dev.nnc.runtime.Batch;
import dev.nnc.runtime.Model;
import dev.nnc.runtime.kernels.Kernels;
import dev.nnc.runtime.kernels.Parallel;
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
 * Forward only against forward + backward of the generated MLP, single-threaded (no update), on
 * the Vector API kernel that {@code nnc train} uses by default.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 8, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class MlpPassesBench {
  @Param({"128"})
  public int batch;

  Model model;
  Batch data;

  @Setup
  public void setup() {
    Parallel.setThreads(1);
    if (!Kernels.useVector(true)) {
      throw new IllegalStateException("the Vector API kernel is not available");
    }
    model = Programs.compileModel("bench_mlp.nn", Programs.MLP);
    model.initialize(42);
    data = Programs.randomBatch(model, batch, 7);
  }

  @Benchmark
  public double forward() {
    return model.forward(data);
  }

  @Benchmark
  public double forwardBackward() {
    return model.forwardBackward(data);
  }
}
