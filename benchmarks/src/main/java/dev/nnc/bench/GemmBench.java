package dev.nnc.bench;

import dev.nnc.runtime.kernels.Gemm;
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
 * The f32 matrix-product kernel alone: C[m×n] = A[m×k]·B[k×n] with dense N(0,1) operands (the
 * kernel skips zero coefficients, so no zeros). 2·m·n·k flops per call; the reporter turns the
 * time into GFLOP/s. Shapes are "m×k×n": 1024³ and the MLP's first layer at batch 128.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 8, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class GemmBench {
  /** The portable kernel (C2 auto-vectorized) or the Vector API kernel. */
  @Param({"portable", "vector"})
  public String kernel;

  @Param({"1024x1024x1024", "128x784x256"})
  public String mkn;

  @Param({"1", "2"})
  public int threads;

  int m;
  int k;
  int n;
  float[] a;
  float[] b;
  float[] c;

  @Setup
  public void setup() {
    Parallel.setThreads(threads);
    if (Kernels.useVector(kernel.equals("vector")) != kernel.equals("vector")) {
      throw new IllegalStateException("the " + kernel + " kernel is not available");
    }
    String[] parts = mkn.split("x");
    m = Integer.parseInt(parts[0]);
    k = Integer.parseInt(parts[1]);
    n = Integer.parseInt(parts[2]);
    SplittableRandom random = new SplittableRandom(1);
    a = new float[m * k];
    b = new float[k * n];
    c = new float[m * n];
    Programs.fill(a, random);
    Programs.fill(b, random);
  }

  @Benchmark
  public float nn() {
    Gemm.nn(m, n, k, a, 0, b, 0, c, 0, false);
    return c[0];
  }
}
