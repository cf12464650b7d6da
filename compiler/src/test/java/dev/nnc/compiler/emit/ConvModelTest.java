package dev.nnc.compiler.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.GeneratedModels;
import dev.nnc.compiler.TestPrograms;
import dev.nnc.compiler.autodiff.DerivedModel;
import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.compiler.interp.Interpreter;
import dev.nnc.compiler.ir.ElementType;
import dev.nnc.compiler.ir.ModelIr;
import dev.nnc.compiler.ir.Node;
import dev.nnc.runtime.Batch;
import dev.nnc.runtime.Model;
import dev.nnc.runtime.Parameter;
import dev.nnc.runtime.Tensor;
import dev.nnc.runtime.optim.Optimizer;
import dev.nnc.runtime.optim.OptimizerSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A model mixing convolutions (stride 2, padding, with and without bias, one and several
 * channels), max and average pooling (overlapping windows), flatten, reshape and dense layers,
 * built from nested layers with shape variables: its objective's gradients through the
 * interpreter against central finite differences, generated f64 code against the interpreter,
 * generated f32 code (the runtime's conv and pool kernels) against f64, the plain SGD step
 * inside the weight-gradient kernel, the parameters' path names; and dropout: identity in
 * forward, predict and forwardBackward, its training-step masks reproducible by seed and the same
 * in both passes.
 */
class ConvModelTest {
  static final String SOURCE = """
      layer Conv(c_in, c_out, k, pad)(x: [c_in, h, w]) {
        param W: [c_out, c_in, k, k] init he;
        param b: [c_out] init zeros;
        return tanh(conv2d(x, W, b, padding: pad));
      }
      layer Block(c_in, c_out)(x: [c_in, h, w]) {
        let conv = Conv(c_in, c_out, 3, 1);
        return max_pool2d(conv(x), size: 2);
      }
      layer Dense(n_in, n_out)(x: [n_in]) {
        param W: [n_in, n_out] init he;
        param b: [n_out] init zeros;
        return x @ W + b;
      }
      model Cnn {
        input x: [2, 9, 8];
        label y: class(4);
        let block = Block(2, 3);
        param V: [4, 3, 2, 2] init he;
        let fc = Dense(16, 4);
        let fc2 = Dense(27, 4);
        let a = block(x);
        let c = tanh(conv2d(a, V, stride: 2));
        let d = avg_pool2d(a, size: 2, stride: 1);
        let logits = fc(flatten(c)) + fc2(reshape(d, [27]));
        output probs = softmax(logits);
        loss cross_entropy(logits, y);
      }
      """;

  /** The same network with a dropout before the second dense layer. */
  static final String DROPOUT = SOURCE.replace("fc2(reshape(d, [27]))",
      "fc2(dropout(reshape(d, [27]), rate: 0.4))");

  @Test
  void parametersAreNamedByPath() {
    Model model = GeneratedModels.compile(SOURCE, ElementType.F32, true);
    List<String> names = new ArrayList<>();
    for (Parameter p : model.parameters()) {
      names.add(p.name());
    }
    assertEquals(List.of("block.conv.W", "block.conv.b", "V", "fc.W", "fc.b", "fc2.W", "fc2.b"),
        names);
    assertEquals(List.of(3, 2, 3, 3), shape(model.parameters().get(0)));
  }

  private static List<Integer> shape(Parameter p) {
    List<Integer> out = new ArrayList<>();
    for (int d : p.shape()) {
      out.add(d);
    }
    return out;
  }

  @Test
  void interpreterGradientsMatchFiniteDifferences() {
    for (boolean simplify : new boolean[] {false, true}) {
      ModelIr model = TestPrograms.check(SOURCE).models().get(0);
      DerivedModel d = DerivedModel.derive(model, simplify);
      int batch = 3;
      Map<Node.Var, double[]> inputs = randomInputs(model, d, batch, 7);
      Interpreter interpreter = new Interpreter(inputs, batch);
      for (int k = 0; k < model.params().size(); k++) {
        Node.Var p = model.params().get(k).var();
        double[] grad = interpreter.value(d.gradients().get(k));
        double[] w = inputs.get(p);
        for (int i = 0; i < w.length; i++) {
          double saved = w[i];
          double h = 1e-6;
          w[i] = saved + h;
          double plus = new Interpreter(inputs, batch).value(d.objective())[0];
          w[i] = saved - h;
          double minus = new Interpreter(inputs, batch).value(d.objective())[0];
          w[i] = saved;
          double fd = (plus - minus) / (2 * h);
          assertEquals(fd, grad[i], 1e-6 * Math.max(1, Math.abs(fd)),
              p.name() + "[" + i + "]" + (simplify ? " (simplified)" : ""));
        }
      }
    }
  }

  @Test
  void generatedF64MatchesTheInterpreter() {
    ModelIr model = TestPrograms.check(SOURCE).models().get(0);
    DerivedModel d = DerivedModel.derive(model, false);
    Model generated = GeneratedModels.compile(SOURCE, ElementType.F64, true);
    int batch = 5;
    Map<Node.Var, double[]> inputs = randomInputs(model, d, batch, 3);
    copyInto(generated, model, inputs);
    Batch b = batchOf(generated, model, inputs, batch);
    double loss = generated.forwardBackward(b);
    Interpreter interpreter = new Interpreter(inputs, batch);
    assertEquals(interpreter.value(d.objective())[0], loss, 1e-12);
    for (int k = 0; k < model.params().size(); k++) {
      double[] expected = interpreter.value(d.gradients().get(k));
      Parameter p = generated.parameters().get(k);
      for (int i = 0; i < expected.length; i++) {
        assertEquals(expected[i], p.grad(i), 1e-11 * Math.max(1, Math.abs(expected[i])),
            p.name() + "[" + i + "]");
      }
    }
    generated.forward(b);
    double[] probs = interpreter.value(d.outputs().get("probs"));
    float[] got = generated.output("probs");
    for (int i = 0; i < probs.length; i++) {
      assertEquals(probs[i], got[i], 1e-6);
    }
  }

  @Test
  void generatedF32WithKernelsMatchesF64AtSeveralBatchSizes() {
    String f32 = source(SOURCE, ElementType.F32);
    assertTrue(f32.contains("CONV1.forward(n, x, 0"), "conv2d runs on the kernel");
    assertTrue(f32.contains(".backwardInput(n, "), "its input gradient too");
    assertTrue(f32.contains(".backwardWeights(n, ") || f32.contains(".updateWeights(n, "),
        "and its weight gradient");
    assertTrue(f32.contains("POOL1.maxForward(n, ") && f32.contains(".maxBackward(n, "),
        "max pooling runs on the kernel");
    assertTrue(f32.contains(".avgForward(n, ") && f32.contains(".avgBackward(n, "),
        "average pooling runs on the kernel");
    Model m32 = GeneratedModels.compile(SOURCE, ElementType.F32, true);
    Model m64 = GeneratedModels.compile(SOURCE, ElementType.F64, true);
    m32.initialize(5);
    m64.initialize(5);
    for (int k = 0; k < m32.parameters().size(); k++) {
      Parameter a = m32.parameters().get(k);
      Parameter b = m64.parameters().get(k);
      for (int i = 0; i < a.size(); i++) {
        b.set(i, a.get(i) + 0.01 * Math.sin(i + k));
        a.set(i, b.get(i));
      }
    }
    // one example (the im2col path), a few (lanes), and several blocks of lanes
    for (int size : new int[] {1, 2, 7, 40}) {
      Batch batch = GeneratedModels.randomBatch(m32, size, size);
      Batch batch64 = Batch.forModel(m64, size);
      batch64.setSize(size);
      float[] x = batch.floats(0);
      for (int i = 0; i < x.length; i++) {
        batch64.doubles(0)[i] = x[i];
      }
      System.arraycopy(batch.labels(1), 0, batch64.labels(1), 0, size);
      assertEquals(m64.forwardBackward(batch64), m32.forwardBackward(batch), 1e-5);
      for (int k = 0; k < m32.parameters().size(); k++) {
        Parameter a = m32.parameters().get(k);
        Parameter b = m64.parameters().get(k);
        for (int i = 0; i < a.size(); i++) {
          assertEquals(b.grad(i), a.grad(i), 2e-5 * Math.max(1, Math.abs(b.grad(i))),
              a.name() + "[" + i + "] at batch " + size);
        }
      }
    }
  }

  @Test
  void plainSgdInsideTheWeightGradientKernelMatchesTheOptimizer() {
    assertTrue(source(SOURCE, ElementType.F32).contains(".updateWeights(n, "),
        "V's SGD step is fused into its weight-gradient kernel");
    Model fused = GeneratedModels.compile(SOURCE, ElementType.F32, true);
    Model plain = GeneratedModels.compile(SOURCE, ElementType.F32, true);
    fused.initialize(8);
    plain.initialize(8);
    Batch batch = GeneratedModels.randomBatch(fused, 12, 4);
    Optimizer sgd = OptimizerSpec.parse("sgd", Map.of("lr", 0.05)).create();
    for (int step = 0; step < 3; step++) {
      fused.trainStep(batch, sgd);
      plain.forwardBackward(batch);
      for (Parameter p : plain.parameters()) {
        for (int i = 0; i < p.size(); i++) {
          p.set(i, p.get(i) - 0.05 * p.grad(i));
        }
      }
    }
    for (int k = 0; k < fused.parameters().size(); k++) {
      Parameter a = fused.parameters().get(k);
      Parameter b = plain.parameters().get(k);
      for (int i = 0; i < a.size(); i++) {
        assertEquals(b.get(i), a.get(i), 1e-5, a.name() + "[" + i + "]");
      }
    }
  }

  @Test
  void dropoutIsTheIdentityOutsideTrainingSteps() {
    Model with = GeneratedModels.compile(DROPOUT, ElementType.F64, true);
    Model without = GeneratedModels.compile(SOURCE, ElementType.F64, true);
    with.initialize(2);
    without.initialize(2);
    Batch batch = GeneratedModels.randomBatch(with, 6, 1);
    assertEquals(without.forward(batch), with.forward(batch));
    assertEquals(without.forwardBackward(batch), with.forwardBackward(batch));
    for (int k = 0; k < with.parameters().size(); k++) {
      for (int i = 0; i < with.parameters().get(k).size(); i++) {
        assertEquals(without.parameters().get(k).grad(i), with.parameters().get(k).grad(i));
      }
    }
    with.predict(batch);
    without.predict(batch);
    assertEquals(List.of(toList(without.output("probs"))), List.of(toList(with.output("probs"))));
  }

  @Test
  void dropoutMasksAreTheSameInBothPassesAndReproducibleBySeed() {
    ModelIr model = TestPrograms.check(DROPOUT).models().get(0);
    DerivedModel d = DerivedModel.derive(model, true);
    Model generated = GeneratedModels.compile(DROPOUT, ElementType.F64, true);
    int batch = 4;
    Map<Node.Var, double[]> inputs = randomInputs(model, d, batch, 11);
    generated.initialize(1234);
    copyInto(generated, model, inputs);
    Batch b = batchOf(generated, model, inputs, batch);
    Recorder recorder = new Recorder();
    List<double[][]> steps = new ArrayList<>();
    for (int step = 0; step < 3; step++) {
      double loss = generated.trainStep(b, recorder);
      // the interpreter draws the masks of step `step` of a model initialized with seed 1234
      Interpreter interpreter = new Interpreter(inputs, batch).training(1234, step);
      assertEquals(interpreter.value(d.objective())[0], loss, 1e-12, "loss of step " + step);
      for (int k = 0; k < model.params().size(); k++) {
        double[] expected = interpreter.value(d.gradients().get(k));
        double[] got = recorder.gradients.get(k);
        for (int i = 0; i < expected.length; i++) {
          assertEquals(expected[i], got[i], 1e-11 * Math.max(1, Math.abs(expected[i])),
              model.params().get(k).var().name() + "[" + i + "] in step " + step);
        }
      }
      steps.add(recorder.gradients.toArray(new double[0][]));
    }
    int fc2 = names(generated).indexOf("fc2.W");
    assertNotEquals(List.of(toList(steps.get(0)[fc2])), List.of(toList(steps.get(1)[fc2])),
        "each step draws a new mask");
    // the same seed gives the same masks again
    generated.initialize(1234);
    copyInto(generated, model, inputs);
    generated.trainStep(b, recorder);
    assertEquals(List.of(toList(steps.get(0)[fc2])), List.of(toList(recorder.gradients.get(fc2))));
    // and about the rate of the elements are dropped
    double[] masked = new Interpreter(inputs, batch).training(99, 0).value(dropoutNode(d));
    int zeros = 0;
    for (double v : masked) {
      zeros += v == 0 ? 1 : 0;
    }
    assertTrue(zeros > 0.2 * masked.length && zeros < 0.6 * masked.length, zeros + " of "
        + masked.length + " dropped at rate 0.4");
  }

  @Test
  void f32DropoutDropsTheSameElementsAsF64() {
    Model m32 = GeneratedModels.compile(DROPOUT, ElementType.F32, true);
    Model m64 = GeneratedModels.compile(DROPOUT, ElementType.F64, true);
    m32.initialize(77);
    m64.initialize(77);
    for (int k = 0; k < m32.parameters().size(); k++) {
      for (int i = 0; i < m32.parameters().get(k).size(); i++) {
        m64.parameters().get(k).set(i, m32.parameters().get(k).get(i));
      }
    }
    Batch batch = GeneratedModels.randomBatch(m32, 9, 5);
    Batch batch64 = Batch.forModel(m64, 9);
    batch64.setSize(9);
    for (int i = 0; i < batch.floats(0).length; i++) {
      batch64.doubles(0)[i] = batch.floats(0)[i];
    }
    System.arraycopy(batch.labels(1), 0, batch64.labels(1), 0, 9);
    Recorder r32 = new Recorder();
    Recorder r64 = new Recorder();
    assertEquals(m64.trainStep(batch64, r64), m32.trainStep(batch, r32), 1e-5);
    for (int k = 0; k < r32.gradients.size(); k++) {
      for (int i = 0; i < r32.gradients.get(k).length; i++) {
        assertEquals(r64.gradients.get(k)[i], r32.gradients.get(k)[i], 2e-5);
      }
    }
  }

  // ---- helpers ----

  private static Node dropoutNode(DerivedModel d) {
    for (Node n : dev.nnc.compiler.ir.GraphOrder.reachable(d.objective())) {
      if (n instanceof Node.Apply a && a.op() == dev.nnc.compiler.ir.Op.DROPOUT) {
        return n;
      }
    }
    throw new AssertionError("no dropout");
  }

  private static List<String> names(Model m) {
    List<String> out = new ArrayList<>();
    for (Parameter p : m.parameters()) {
      out.add(p.name());
    }
    return out;
  }

  private static List<Double> toList(double[] v) {
    List<Double> out = new ArrayList<>();
    for (double x : v) {
      out.add(x);
    }
    return out;
  }

  private static List<Double> toList(float[] v) {
    List<Double> out = new ArrayList<>();
    for (float x : v) {
      out.add((double) x);
    }
    return out;
  }

  static String source(String text, ElementType type) {
    Compiler.CheckResult checked = Compiler.check(new SourceFile("test.nn", text));
    StringBuilder out = new StringBuilder();
    for (Compiler.GeneratedSource s : Compiler.generate(checked, "gen", true, type)) {
      out.append(s.code());
    }
    return out.toString();
  }

  /** Random data, labels and weights for {@code model}, and the batch size. */
  static Map<Node.Var, double[]> randomInputs(ModelIr model, DerivedModel d, int batch,
      long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Map<Node.Var, double[]> inputs = new HashMap<>();
    for (ModelIr.DataVar v : model.data()) {
      double[] values = new double[batch * v.var().shape().size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = v.kind() == ModelIr.DataKind.LABEL ? random.nextInt(v.classes())
            : random.nextDouble(-1, 1);
      }
      inputs.put(v.var(), values);
    }
    for (ModelIr.ParamVar p : model.params()) {
      double[] values = new double[p.var().shape().size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = random.nextDouble(-0.7, 0.7);
      }
      inputs.put(p.var(), values);
    }
    inputs.put(d.batchSize(), new double[] {batch});
    return inputs;
  }

  /** Copies the interpreter's weights into the generated model's parameters. */
  static void copyInto(Model generated, ModelIr model, Map<Node.Var, double[]> inputs) {
    for (int k = 0; k < model.params().size(); k++) {
      double[] w = inputs.get(model.params().get(k).var());
      Parameter p = generated.parameters().get(k);
      for (int i = 0; i < w.length; i++) {
        p.set(i, w[i]);
      }
    }
  }

  /** An f64 batch holding the interpreter's data. */
  static Batch batchOf(Model generated, ModelIr model, Map<Node.Var, double[]> inputs,
      int size) {
    Batch b = Batch.forModel(generated, size);
    b.setSize(size);
    for (int s = 0; s < model.data().size(); s++) {
      ModelIr.DataVar v = model.data().get(s);
      double[] values = inputs.get(v.var());
      if (v.kind() == ModelIr.DataKind.LABEL) {
        for (int i = 0; i < size; i++) {
          b.labels(s)[i] = (int) values[i];
        }
      } else {
        System.arraycopy(values, 0, b.doubles(s), 0, values.length);
      }
    }
    return b;
  }

  /** An optimizer that records the gradients of each step instead of stepping. */
  static final class Recorder implements Optimizer {
    final List<double[]> gradients = new ArrayList<>();

    @Override
    public void step(List<Parameter> params) {
      gradients.clear();
      for (Parameter p : params) {
        double[] g = new double[p.size()];
        for (int i = 0; i < g.length; i++) {
          g[i] = p.grad(i);
        }
        gradients.add(g);
      }
    }

    @Override
    public double learningRate() {
      return 0;
    }

    @Override
    public void setLearningRate(double lr) {}

    @Override
    public long steps() {
      return 0;
    }

    @Override
    public Map<String, Tensor> exportState() {
      return Map.of();
    }

    @Override
    public void importState(List<Parameter> params, Map<String, Tensor> state) {}
  }
}
