package dev.nnc.compiler.emit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.GeneratedModels;
import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.compiler.ir.ElementType;
import dev.nnc.runtime.Batch;
import dev.nnc.runtime.Model;
import dev.nnc.runtime.Parameter;
import dev.nnc.runtime.Tensor;
import dev.nnc.runtime.optim.Optimizer;
import dev.nnc.runtime.optim.OptimizerSpec;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * trainStep with plain SGD applies the step to a weight inside the product that would compute
 * its gradient; everything else must come out as gradient-then-step would have it.
 */
class SgdStepTest {
  private static final String DENSE = String.join("\n",
      "layer Dense(n_in, n_out)(x: [n_in]) {",
      "  param W: [n_in, n_out] init he;",
      "  param b: [n_out] init zeros;",
      "  return x @ W + b;",
      "}",
      "");

  /** The benchmark's MLP, small: both weights are read before their gradients' products. */
  static final String MLP = DENSE + String.join("\n",
      "model Mlp {",
      "  input x: [20];",
      "  label y: class(5);",
      "  let fc1 = Dense(20, 24);",
      "  let fc2 = Dense(24, 5);",
      "  let logits = fc2(relu(fc1(x)));",
      "  loss cross_entropy(logits, y);",
      "}",
      "");

  /** Three layers: the middle weights are read (for the first layer's error) in the backward pass. */
  static final String DEEP = DENSE + String.join("\n",
      "model Deep {",
      "  input x: [12];",
      "  label y: class(4);",
      "  let fc1 = Dense(12, 16);",
      "  let fc2 = Dense(16, 16);",
      "  let fc3 = Dense(16, 4);",
      "  let logits = fc3(tanh(fc2(relu(fc1(x)))));",
      "  loss cross_entropy(logits, y);",
      "}",
      "");

  /** An L2 term adds a second contribution to fc1.W's gradient: no single product computes it. */
  static final String L2 = DENSE + String.join("\n",
      "model Decayed {",
      "  input x: [20];",
      "  label y: class(5);",
      "  let fc1 = Dense(20, 24);",
      "  let fc2 = Dense(24, 5);",
      "  let logits = fc2(relu(fc1(x)));",
      "  loss cross_entropy(logits, y) + 1e-2 * sum(fc1.W^2);",
      "}",
      "");

  /** The plain SGD of {@code spec} without its {@link Optimizer#sgdRate}: never fused. */
  private record Unfused(Optimizer d) implements Optimizer {
    @Override
    public void step(List<Parameter> params) {
      d.step(params);
    }

    @Override
    public double learningRate() {
      return d.learningRate();
    }

    @Override
    public void setLearningRate(double lr) {
      d.setLearningRate(lr);
    }

    @Override
    public long steps() {
      return d.steps();
    }

    @Override
    public Map<String, Tensor> exportState() {
      return d.exportState();
    }

    @Override
    public void importState(List<Parameter> params, Map<String, Tensor> state) {
      d.importState(params, state);
    }
  }

  private static String javaSource(String text) {
    Compiler.CheckResult checked = Compiler.check(new SourceFile("test.nn", text));
    assertTrue(checked.ok(), checked::render);
    return Compiler.generate(checked, "gen", true, ElementType.F32).stream()
        .filter(s -> s.code().contains("implements Model")).findFirst().orElseThrow().code();
  }

  /** The parameter fields whose step the generated backward pass applies (fc1_W, ...). */
  private static List<String> fusedWeights(String java) {
    Matcher m = Pattern.compile("Gemm\\.tnUpdate\\([^;]*this\\.(\\w+)\\.f32\\(\\), 0, -sgdRate\\)")
        .matcher(java);
    return m.results().map(r -> r.group(1)).toList();
  }

  @Test
  void theWeightsNotReadAfterTheirGradientAreFused() {
    assertEquals(List.of("fc1_W", "fc2_W"), fusedWeights(javaSource(MLP)));
    assertEquals(List.of("fc2_W"), fusedWeights(javaSource(L2)));
    List<String> deep = fusedWeights(javaSource(DEEP));
    assertTrue(deep.contains("fc1_W"), deep.toString());
    // No fusion in f64: trainStep computes the gradients, then the optimizer steps.
    String f64 = Compiler.generate(Compiler.check(new SourceFile("test.nn", MLP)), "gen", true,
        ElementType.F64).get(0).code();
    assertTrue(!f64.contains("tnUpdate") && !f64.contains("sgdRate"), f64);
  }

  @Test
  void fusedStepsMatchGradientThenStep() {
    for (String text : new String[] {MLP, DEEP, L2}) {
      Model fused = GeneratedModels.compile(text, ElementType.F32, true);
      Model plain = GeneratedModels.compile(text, ElementType.F32, true);
      fused.initialize(4);
      plain.initialize(4);
      // A large rate, so that a weight changed before a later read would show.
      Optimizer sgd = OptimizerSpec.parse("sgd", Map.of("lr", 0.5)).create();
      Optimizer unfused = new Unfused(OptimizerSpec.parse("sgd", Map.of("lr", 0.5)).create());
      for (int step = 0; step < 4; step++) {
        Batch batch = GeneratedModels.randomBatch(fused, 7 + 9 * step, step);
        double a = fused.trainStep(batch, sgd);
        double b = plain.trainStep(batch, unfused);
        assertEquals(b, a, step == 0 ? 0 : 1e-5 * (1 + Math.abs(b)), "loss, step " + step);
        for (int k = 0; k < fused.parameters().size(); k++) {
          float[] w = fused.parameters().get(k).f32();
          float[] v = plain.parameters().get(k).f32();
          for (int i = 0; i < w.length; i++) {
            assertEquals(v[i], w[i], 1e-5 * (1 + Math.abs(v[i])),
                fused.parameters().get(k).name() + "[" + i + "] after step " + step);
          }
        }
      }
      assertEquals(4, sgd.steps(), "the optimizer counts each step once");
    }
  }

  @Test
  void fusedWeightsKeepNoGradientAndForwardBackwardStillStoresIt() {
    Model fused = GeneratedModels.compile(MLP, ElementType.F32, true);
    Model copy = GeneratedModels.compile(MLP, ElementType.F32, true);
    fused.initialize(8);
    Batch batch = GeneratedModels.randomBatch(fused, 20, 1);
    fused.trainStep(batch, OptimizerSpec.parse("sgd", Map.of("lr", 0.1)).create());
    Parameter w1 = fused.parameters().get(0);
    assertEquals("fc1.W", w1.name());
    assertArrayEquals(new float[w1.size()], w1.gradF32(), "the fused step stores no gradient");
    assertTrue(fused.parameters().get(1).gradF32()[0] != 0 || fused.parameters().get(1)
        .gradF32()[1] != 0, "fc1.b's gradient is stored for the optimizer");
    // Outside trainStep the same model computes every gradient again.
    for (int k = 0; k < fused.parameters().size(); k++) {
      System.arraycopy(fused.parameters().get(k).f32(), 0, copy.parameters().get(k).f32(), 0,
          fused.parameters().get(k).size());
    }
    assertEquals(copy.forwardBackward(batch), fused.forwardBackward(batch));
    for (int k = 0; k < fused.parameters().size(); k++) {
      assertArrayEquals(copy.parameters().get(k).gradF32(), fused.parameters().get(k).gradF32(),
          fused.parameters().get(k).name());
    }
  }

  @Test
  void otherOptimizersTakeTheGradientPath() {
    Model a = GeneratedModels.compile(MLP, ElementType.F32, true);
    Model b = GeneratedModels.compile(MLP, ElementType.F32, true);
    a.initialize(2);
    b.initialize(2);
    Batch batch = GeneratedModels.randomBatch(a, 20, 3);
    for (String spec : new String[] {"momentum", "adam"}) {
      Optimizer oa = OptimizerSpec.parse(spec, Map.of()).create();
      Optimizer ob = new Unfused(OptimizerSpec.parse(spec, Map.of()).create());
      for (int step = 0; step < 2; step++) {
        assertEquals(b.trainStep(batch, ob), a.trainStep(batch, oa));
      }
      for (int k = 0; k < a.parameters().size(); k++) {
        assertArrayEquals(b.parameters().get(k).f32(), a.parameters().get(k).f32(), spec);
        assertArrayEquals(b.parameters().get(k).gradF32(), a.parameters().get(k).gradF32(), spec);
      }
    }
  }
}
