package dev.nnc.bench;

import dev.nnc.runtime.kernels.Conv2d;
import dev.nnc.runtime.kernels.Kernels;
import dev.nnc.runtime.kernels.Parallel;
import java.util.SplittableRandom;
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
 * LeNet-5's two convolution layers alone, one pass each, 1 thread, Vector API kernels, dense
 * N(0, 1) operands: {@code conv1} = 1×28×28 → 6×28×28 (5×5, padding 2), {@code conv2} =
 * 6×14×14 → 16×10×10 (5×5). Passes: {@code forward} (y with bias), {@code input} (dx), {@code
 * weights} (dw and db). Each pass makes {@link Conv2d#multiplyAdds} multiply-adds (the report
 * turns them into GFLOP/s against the 1024³ product's rate).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 8, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class ConvBench {
  @Param({"conv1", "conv2"})
  public String layer;

  @Param({"forward", "input", "weights"})
  public String pass;

  @Param({"32", "128"})
  public int batch;

  Conv2d conv;
  float[] x;
  float[] w;
  float[] b;
  float[] y;
  float[] dy;
  float[] dx;
  float[] dw;
  float[] db;
  float[] scratch;

  @Setup
  public void setup() {
    Parallel.setThreads(1);
    if (!Kernels.useVector(true)) {
      throw new IllegalStateException("the Vector API kernel is not available");
    }
    conv = layer.equals("conv1") ? new Conv2d(1, 28, 28, 6, 5, 5, 1, 2)
        : new Conv2d(6, 14, 14, 16, 5, 5, 1, 0);
    SplittableRandom random = new SplittableRandom(3);
    x = new float[batch * conv.inputSize()];
    w = new float[conv.weightSize()];
    b = new float[16];
    dy = new float[batch * conv.outputSize()];
    Programs.fill(x, random);
    Programs.fill(w, random);
    Programs.fill(b, random);
    Programs.fill(dy, random);
    y = new float[dy.length];
    dx = new float[x.length];
    dw = new float[w.length];
    db = new float[b.length];
    scratch = new float[conv.scratchSize(batch)];
  }

  @Benchmark
  public float run() {
    switch (pass) {
      case "forward":
        conv.forward(batch, x, 0, w, 0, b, 0, y, 0, scratch);
        return y[0];
      case "input":
        conv.backwardInput(batch, dy, 0, w, 0, dx, 0, scratch);
        return dx[0];
      default:
        conv.backwardWeights(batch, x, 0, dy, 0, dw, 0, db, 0, scratch);
        return dw[0];
    }
  }
}
