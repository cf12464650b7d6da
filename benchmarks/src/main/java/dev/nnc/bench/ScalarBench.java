package dev.nnc.bench;

import dev.nnc.compiler.autodiff.DerivedFunction;
import dev.nnc.compiler.interp.Interpreter;
import dev.nnc.compiler.ir.Node;
import dev.nnc.samples.F;
import dev.nnc.samples.Neuron;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Value and gradient of two scalar functions: the generated class (checked in under
 * generated-samples), the reference interpreter walking the simplified derivative graph, and
 * hand-written Java.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 8, time = 1)
@Fork(1)
public class ScalarBench {
  // Non-final fields, so the JIT cannot fold the arguments into constants.
  double x = -2;
  double y = 5;
  double z = -4;
  double w0 = 2;
  double w1 = -3;
  double w2 = -3;
  double x0 = -1;
  double x1 = -2;

  final F f = new F();
  final Neuron neuron = new Neuron();
  DerivedFunction fGraph;
  DerivedFunction neuronGraph;

  @Setup
  public void setup() {
    fGraph = Programs.derive("f.nn", Programs.F);
    neuronGraph = Programs.derive("neuron.nn", Programs.NEURON);
  }

  @Benchmark
  public void fGenerated(Blackhole bh) {
    bh.consume(f.valueAndGradient(x, y, z));
    bh.consume(f.dx);
    bh.consume(f.dy);
    bh.consume(f.dz);
  }

  @Benchmark
  public void fHandWritten(Blackhole bh) {
    double s = x + y;
    bh.consume(s * z);
    bh.consume(z);
    bh.consume(z);
    bh.consume(s);
  }

  @Benchmark
  public void fInterpreter(Blackhole bh) {
    interpret(fGraph, bh, x, y, z);
  }

  @Benchmark
  public void neuronGenerated(Blackhole bh) {
    bh.consume(neuron.valueAndGradient(w0, w1, w2, x0, x1));
    bh.consume(neuron.dw0);
    bh.consume(neuron.dw1);
    bh.consume(neuron.dw2);
    bh.consume(neuron.dx0);
    bh.consume(neuron.dx1);
  }

  @Benchmark
  public void neuronHandWritten(Blackhole bh) {
    double s = w0 * x0 + w1 * x1 + w2;
    double out = 1 / (1 + Math.exp(-s));
    double ds = out * (1 - out);
    bh.consume(out);
    bh.consume(ds * x0);
    bh.consume(ds * x1);
    bh.consume(ds);
    bh.consume(ds * w0);
    bh.consume(ds * w1);
  }

  @Benchmark
  public void neuronInterpreter(Blackhole bh) {
    interpret(neuronGraph, bh, w0, w1, w2, x0, x1);
  }

  /** One evaluation as a graph-walking tool would do it: bind the arguments, walk, read. */
  static void interpret(DerivedFunction d, Blackhole bh, double... args) {
    List<Node.Var> params = d.function().params();
    Map<Node.Var, double[]> inputs = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      inputs.put(params.get(i), new double[] {args[i]});
    }
    Interpreter interpreter = new Interpreter(inputs);
    bh.consume(interpreter.value(d.value())[0]);
    for (Node g : d.gradients()) {
      bh.consume(interpreter.value(g)[0]);
    }
  }
}
