package dev.nnc.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The compiler's own speed: parse + check + derive + simplify + emit Java source (javac not
 * included) for a 1,000-operation function, a 20-layer model, and the long functions whose
 * sizes the compiler's LinearSizeTest counts (four shapes of 300 operations; a 5,100-operation
 * let chain; the 300-deep sin chain, whose class includes its Hessian-vector product, Hessian
 * and Jacobian-vector product, as every fn's does).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CompileBench {
  String thousandOps;
  String twentyLayers;
  String linear300;
  String letChain5100;
  String sinChain300;

  @Setup
  public void setup() {
    thousandOps = Programs.thousandOps();
    twentyLayers = Programs.twentyLayers();
    linear300 = Programs.linearShapes(300);
    letChain5100 = Programs.letChain(1700);
    sinChain300 = Programs.sinChain(300);
  }

  @Benchmark
  public Object function1000Ops() {
    return Programs.generate("chain1000.nn", thousandOps);
  }

  @Benchmark
  public Object model20Layers() {
    return Programs.generate("deep20.nn", twentyLayers);
  }

  @Benchmark
  public Object functions300OpsFourShapes() {
    return Programs.generate("linear300.nn", linear300);
  }

  /** Target: under a second (LinearSizeTest counts its second-order statements). */
  @Benchmark
  public Object secondOrder300DeepChain() {
    return Programs.generate("chain300.nn", sinChain300);
  }

  @Benchmark
  public Object function5100Ops() {
    return Programs.generate("letchain.nn", letChain5100);
  }
}
