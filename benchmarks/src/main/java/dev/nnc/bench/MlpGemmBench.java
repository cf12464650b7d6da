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
 * The five matrix products of one MLP 784-256-10 training step, each alone, single-threaded:
 * where the step's time goes. {@code fc1} = x·W1 (nn, m=B k=784 n=256), {@code fc2} = h·W2 (nn,
 * n=10), {@code dh} = dlogits·W2ᵀ (nt, k=10), {@code dW1} = xᵀ·dh (tn, k=B), {@code dW2} = hᵀ·dlogits
 * (tn, n=10). Dense N(0,1) operands.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class MlpGemmBench {
  @Param({"portable", "vector"})
  public String kernel;

  @Param({"32", "128", "1024"})
  public int batch;

  @Param({"fc1", "fc2", "dh", "dW1", "dW2"})
  public String product;

  float[] x;
  float[] w1;
  float[] w2;
  float[] h;
  float[] dlogits;
  float[] out;

  @Setup
  public void setup() {
    Parallel.setThreads(1);
    if (Kernels.useVector(kernel.equals("vector")) != kernel.equals("vector")) {
      throw new IllegalStateException("the " + kernel + " kernel is not available");
    }
    SplittableRandom random = new SplittableRandom(1);
    x = new float[batch * 784];
    w1 = new float[784 * 256];
    w2 = new float[256 * 10];
    h = new float[batch * 256];
    dlogits = new float[batch * 10];
    out = new float[Math.max(batch * 256, 784 * 256)];
    Programs.fill(x, random);
    Programs.fill(w1, random);
    Programs.fill(w2, random);
    Programs.fill(h, random);
    Programs.fill(dlogits, random);
  }

  @Benchmark
  public float run() {
    switch (product) {
      case "fc1": Gemm.nn(batch, 256, 784, x, 0, w1, 0, out, 0, false); break;
      case "fc2": Gemm.nn(batch, 10, 256, h, 0, w2, 0, out, 0, false); break;
      case "dh": Gemm.nt(batch, 256, 10, dlogits, 0, w2, 0, out, 0, false); break;
      case "dW1": Gemm.tn(784, 256, batch, x, 0, h, 0, out, 0, false); break;
      case "dW2": Gemm.tn(256, 10, batch, h, 0, dlogits, 0, out, 0, false); break;
      default: throw new IllegalArgumentException(product);
    }
    return out[0];
  }
}
