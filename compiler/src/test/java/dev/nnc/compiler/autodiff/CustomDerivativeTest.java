package dev.nnc.compiler.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.GeneratedCode;
import dev.nnc.compiler.GeneratedModels;
import dev.nnc.compiler.TestPrograms;
import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.compiler.ir.ElementType;
import dev.nnc.runtime.Batch;
import dev.nnc.runtime.CompiledFunction;
import dev.nnc.runtime.Model;
import dev.nnc.runtime.Parameter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A derivative stated with {@code grad(g) = ...} is the one used, wherever the function is
 * called: in its own class, inlined into other functions and into models, in generated code and
 * the interpreter alike; second derivatives differentiate the stated expression. The rules below
 * are deliberately not the true derivatives where that makes the stated rule visible.
 */
class CustomDerivativeTest {
  private static final String PROGRAM = """
      fn softplus2(x) = log(1 + exp(x)) grad(g) = g * sigmoid(x);
      fn ste(x) = floor(x) grad(g) = g;
      fn skew(x, y) = x * y grad(g) = (dx: 2 * g * y, dy: 3 * g * x);
      fn outer_use(x, y) = softplus2(2 * x) + ste(x) * y + skew(x, y);
      fn halved(v: [3]) = v grad(g) = 0.5 * g;
      fn tensor_use(v: [3]) = sum(halved(v)^2);
      """;

  private static List<double[]> interpret(String name, double[]... args) {
    return TestPrograms.valueAndGradient(
        DerivedFunction.derive(TestPrograms.function(PROGRAM, name), true), args);
  }

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  @Test
  void theStatedRuleIsTheGradientInGeneratedCodeAndTheInterpreter() {
    Map<String, CompiledFunction> compiled = GeneratedCode.compile(PROGRAM, true);
    double x = 0.7;
    double y = -1.3;
    // softplus2: value log(1 + e^x), gradient sigmoid(x)
    double[][] sp = GeneratedCode.valueAndGradient(compiled.get("softplus2"), new double[] {x});
    assertEquals(Math.log1p(Math.exp(x)), sp[0][0], 1e-15);
    assertEquals(sigmoid(x), sp[1][0], 1e-15);
    assertEquals(sigmoid(x), interpret("softplus2", new double[] {x}).get(1)[0], 1e-15);
    // ste: value floor(x), gradient 1 (straight through)
    double[][] ste = GeneratedCode.valueAndGradient(compiled.get("ste"), new double[] {2.6});
    assertEquals(2, ste[0][0]);
    assertEquals(1, ste[1][0]);
    // skew: the stated (2 g y, 3 g x), not the true (y, x)
    double[][] skew = GeneratedCode.valueAndGradient(compiled.get("skew"), new double[] {x},
        new double[] {y});
    assertEquals(2 * y, skew[1][0], 1e-15);
    assertEquals(3 * x, skew[2][0], 1e-15);
  }

  @Test
  void callsInOtherFunctionsUseTheRuleWithTheChainRule() {
    Map<String, CompiledFunction> compiled = GeneratedCode.compile(PROGRAM, true);
    double x = 0.35;
    double y = 2.25;
    // d/dx = 2 sigmoid(2x) + 1 * y + 2 y;  d/dy = floor(x) + 3 x
    double dx = 2 * sigmoid(2 * x) + y + 2 * y;
    double dy = Math.floor(x) + 3 * x;
    double[][] got = GeneratedCode.valueAndGradient(compiled.get("outer_use"), new double[] {x},
        new double[] {y});
    assertEquals(dx, got[1][0], 1e-14);
    assertEquals(dy, got[2][0], 1e-14);
    List<double[]> interpreted = interpret("outer_use", new double[] {x}, new double[] {y});
    assertEquals(dx, interpreted.get(1)[0], 1e-14);
    assertEquals(dy, interpreted.get(2)[0], 1e-14);
    // a tensor rule: d/dv sum(h^2) with h = v and dh/dv stated as 0.5: 2 v * 0.5 = v
    double[] v = {1, -2, 0.5};
    double[][] t = GeneratedCode.valueAndGradient(compiled.get("tensor_use"), v.clone());
    assertArrayEquals(v, t[1], 1e-15);
  }

  @Test
  void secondDerivativesDifferentiateTheStatedExpression() {
    double x = 0.7;
    double y = -1.3;
    Map<String, CompiledFunction> compiled = GeneratedCode.compile(PROGRAM, true);
    // softplus2'' = d/dx sigmoid(x)
    double s = sigmoid(x);
    assertEquals(s * (1 - s),
        compiled.get("softplus2").evaluateHessian(new double[][] {{x}}, null)[0], 1e-15);
    // ste'' = d/dx 1 = 0
    assertEquals(0, compiled.get("ste").evaluateHessian(new double[][] {{2.6}}, null)[0]);
    // skew: row i is the gradient of the stated d/d(param i): rows (0, 2) and (3, 0)
    double[] h = compiled.get("skew").evaluateHessian(new double[][] {{x}, {y}}, null);
    assertArrayEquals(new double[] {0, 2, 3, 0}, h, 0);
    double[][] interpreted = TestPrograms.hessian(
        DerivedFunction.derive(TestPrograms.function(PROGRAM, "skew"), true),
        new double[][] {{x}, {y}});
    assertArrayEquals(new double[] {0, 2}, interpreted[0], 0);
    assertArrayEquals(new double[] {3, 0}, interpreted[1], 0);
  }

  @Test
  void insideAModelTheGradientFollowsTheStatedRule() {
    String text = PROGRAM + """
        model SteModel {
          input x: [2];
          target y: [1];
          param W: [2, 1] init zeros;
          let z = x @ W;
          output q = ste(z[0]);
          loss (q - y[0])^2 + (softplus2(z[0]) - y[0])^2;
        }
        """;
    Model model = GeneratedModels.compile(text, ElementType.F64, true);
    model.initialize(1);
    Parameter w = model.parameters().get(0);
    w.set(0, 0.8);
    w.set(1, -0.3);
    Batch batch = Batch.forModel(model, 2);
    batch.setSize(2);
    double[] xs = batch.doubles("x");
    double[] ys = batch.doubles("y");
    double[][] examples = {{1.5, 0.5}, {-2, 1}};
    double[] targets = {0.25, -0.5};
    for (int b = 0; b < 2; b++) {
      xs[2 * b] = examples[b][0];
      xs[2 * b + 1] = examples[b][1];
      ys[b] = targets[b];
    }
    model.forwardBackward(batch);
    // per example: dL/dz = 2 (floor(z) - y) * 1 + 2 (softplus(z) - y) * sigmoid(z); dW = x dz
    double[] expected = new double[2];
    for (int b = 0; b < 2; b++) {
      double z = examples[b][0] * 0.8 + examples[b][1] * -0.3;
      double dz = 2 * (Math.floor(z) - targets[b])
          + 2 * (Math.log1p(Math.exp(z)) - targets[b]) * sigmoid(z);
      for (int i = 0; i < 2; i++) {
        expected[i] += examples[b][i] * dz / 2;
      }
    }
    assertEquals(expected[0], w.grad(0), 1e-12);
    assertEquals(expected[1], w.grad(1), 1e-12);
  }

  @Test
  void generatedCommentsNameTheRule() {
    Compiler.CheckResult checked = Compiler.check(new SourceFile("test.nn", PROGRAM));
    String skew = null;
    for (Compiler.GeneratedSource s : Compiler.generate(checked, "gen", true)) {
      if (s.qualifiedName().equals("gen.Skew")) {
        skew = s.code();
      }
    }
    assertTrue(skew != null && skew.contains("-- custom rule, line 3"), skew);
  }
}
