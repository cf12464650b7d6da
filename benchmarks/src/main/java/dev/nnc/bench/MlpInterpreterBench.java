package dev.nnc.bench;

import dev.nnc.compiler.autodiff.DerivedModel;
import dev.nnc.compiler.interp.Interpreter;
import dev.nnc.compiler.ir.ModelIr;
import dev.nnc.compiler.ir.Node;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * One SGD step of the same MLP through the reference interpreter (the graph-walking baseline):
 * evaluate the simplified objective and gradient graph for the batch (in f64, the interpreter's
 * only type), then update the weights. Slow, so only at batch 1 and 32.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MlpInterpreterBench {
  @Param({"1", "32"})
  public int batch;

  DerivedModel derived;
  Map<Node.Var, double[]> inputs;
  List<double[]> weights;

  @Setup
  public void setup() {
    ModelIr model = Programs.model("bench_mlp.nn", Programs.MLP);
    derived = DerivedModel.derive(model, true);
    SplittableRandom random = new SplittableRandom(42);
    inputs = new HashMap<>();
    for (ModelIr.DataVar v : model.data()) {
      double[] values = new double[batch * v.var().shape().size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = v.kind() == ModelIr.DataKind.LABEL ? random.nextInt(v.classes())
            : Programs.gaussian(random);
      }
      inputs.put(v.var(), values);
    }
    weights = new java.util.ArrayList<>();
    for (ModelIr.ParamVar p : model.params()) {
      double[] values = new double[p.var().shape().size()];
      if (p.var().shape().rank() == 2) {
        double std = Math.sqrt(2.0 / p.var().shape().dim(0));
        for (int i = 0; i < values.length; i++) {
          values[i] = std * Programs.gaussian(random);
        }
      }
      inputs.put(p.var(), values);
      weights.add(values);
    }
    inputs.put(derived.batchSize(), new double[] {batch});
  }

  @Benchmark
  public double interpreterStep() {
    Interpreter interpreter = new Interpreter(inputs, batch);
    double loss = interpreter.value(derived.objective())[0];
    List<Node> gradients = derived.gradients();
    double[][] g = new double[gradients.size()][];
    for (int k = 0; k < g.length; k++) {
      g[k] = interpreter.value(gradients.get(k));
    }
    for (int k = 0; k < g.length; k++) {
      double[] w = weights.get(k);
      for (int i = 0; i < w.length; i++) {
        w[i] -= 0.01 * g[k][i];
      }
    }
    return loss;
  }
}
