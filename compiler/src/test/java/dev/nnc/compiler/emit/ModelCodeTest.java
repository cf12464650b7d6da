package dev.nnc.compiler.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.GeneratedModels;
import dev.nnc.compiler.autodiff.ModelInterpreterGradientTest;
import dev.nnc.compiler.ir.ElementType;
import dev.nnc.runtime.Batch;
import dev.nnc.runtime.Model;
import dev.nnc.runtime.Parameter;
import org.junit.jupiter.api.Test;

/** Generated model classes: gradients against finite differences, f32 against f64. */
class ModelCodeTest {
  @Test
  void f64GradientsMatchFiniteDifferences() {
    Model model = GeneratedModels.compile(ModelInterpreterGradientTest.SOURCE, ElementType.F64, true);
    model.initialize(3);
    Batch batch = GeneratedModels.randomBatch(model, 5, 11);
    model.forwardBackward(batch);
    for (Parameter p : model.parameters()) {
      double[] grad = p.gradF64().clone();
      for (int i = 0; i < p.size(); i++) {
        double saved = p.get(i);
        double h = 1e-6;
        p.set(i, saved + h);
        double plus = model.forward(batch);
        p.set(i, saved - h);
        double minus = model.forward(batch);
        p.set(i, saved);
        double fd = (plus - minus) / (2 * h);
        double error = Math.abs(fd - grad[i]) / Math.max(1e-8, Math.abs(fd) + Math.abs(grad[i]));
        assertTrue(error < 1e-6 || Math.abs(fd - grad[i]) < 1e-9,
            p.name() + "[" + i + "]: finite difference " + fd + " vs gradient " + grad[i]);
      }
    }
  }

  @Test
  void f32AgreesWithF64() {
    Model m32 = GeneratedModels.compile(ModelInterpreterGradientTest.SOURCE, ElementType.F32, true);
    Model m64 = GeneratedModels.compile(ModelInterpreterGradientTest.SOURCE, ElementType.F64, true);
    m32.initialize(5);
    m64.initialize(5);
    for (int k = 0; k < m32.parameters().size(); k++) {
      Parameter a = m32.parameters().get(k);
      Parameter b = m64.parameters().get(k);
      for (int i = 0; i < a.size(); i++) {
        b.set(i, a.get(i));
      }
    }
    Batch batch = GeneratedModels.randomBatch(m32, 7, 2);
    assertEquals(m64.forwardBackward(batch), m32.forwardBackward(batch), 1e-5);
    for (int k = 0; k < m32.parameters().size(); k++) {
      Parameter a = m32.parameters().get(k);
      Parameter b = m64.parameters().get(k);
      for (int i = 0; i < a.size(); i++) {
        assertEquals(b.grad(i), a.grad(i), 1e-5, a.name() + "[" + i + "]");
      }
    }
    m32.forward(batch);
    float[] probs = m32.output("probs");
    for (int e = 0; e < 7; e++) {
      double total = 0;
      for (int c = 0; c < 3; c++) {
        total += probs[e * 3 + c];
      }
      assertEquals(1, total, 1e-5);
    }
  }

  @Test
  void predictNeedsNoLabelsAndMatchesForward() {
    Model model = GeneratedModels.compile(ModelInterpreterGradientTest.SOURCE, ElementType.F32, true);
    model.initialize(9);
    Batch batch = GeneratedModels.randomBatch(model, 6, 4);
    model.forward(batch);
    float[] expected = model.output("probs").clone();
    java.util.Arrays.fill(batch.labels(1), 0);
    java.util.Arrays.fill(model.output("probs"), -1f);
    model.predict(batch);
    float[] got = model.output("probs");
    for (int i = 0; i < 6 * 3; i++) {
      assertEquals(expected[i], got[i], 0, "probs[" + i + "]");
    }
  }

  @Test
  void userNamesThatClashWithGeneratedMethodsCompile() {
    String source = ModelInterpreterGradientTest.SOURCE
        .replace("let logits", "let computeLoss")
        .replace("(logits", "(computeLoss")
        .replace("logits,", "computeLoss,");
    Model model = GeneratedModels.compile(source, ElementType.F32, true);
    model.initialize(1);
    assertTrue(Double.isFinite(model.forwardBackward(GeneratedModels.randomBatch(model, 3, 1))));
  }
}
