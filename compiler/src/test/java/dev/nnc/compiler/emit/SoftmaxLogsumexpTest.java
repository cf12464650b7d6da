package dev.nnc.compiler.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.GeneratedCode;
import dev.nnc.compiler.GeneratedModels;
import dev.nnc.compiler.Numerics;
import dev.nnc.compiler.TestPrograms;
import dev.nnc.compiler.autodiff.DerivedFunction;
import dev.nnc.compiler.autodiff.DerivedModel;
import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.compiler.interp.Interpreter;
import dev.nnc.compiler.ir.ElementType;
import dev.nnc.compiler.ir.ModelIr;
import dev.nnc.compiler.ir.Node;
import dev.nnc.runtime.Batch;
import dev.nnc.runtime.CompiledFunction;
import dev.nnc.runtime.Model;
import dev.nnc.runtime.Parameter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A {@code logsumexp} next to a {@code softmax} of the same values (the cross-entropy next to
 * the probabilities, as in mnist.nn) is one pass that computes the max and the exponentials
 * once, and gives what the interpreter gives, in models and functions, also at magnitude 1e4.
 */
class SoftmaxLogsumexpTest {
  static final String MODEL = FusionTest.MLP.replace("loss cross_entropy",
      "output probs = softmax(logits);\n  loss cross_entropy");

  static final String FUNCTIONS = """
      fn rows(Z: [2, 3]) = sum(logsumexp(Z, axis: 1) * sum(softmax(Z) * Z, axis: 1));
      fn one(z: [4]) = logsumexp(z) * sum(softmax(z) * z);
      fn apart(Z: [2, 3]) = logsumexp(Z) + sum(softmax(Z) * Z);
      """;

  private static String source(String text, ElementType type) {
    Compiler.CheckResult checked = Compiler.check(new SourceFile("test.nn", text));
    assertTrue(checked.ok(), checked.render());
    StringBuilder all = new StringBuilder();
    for (Compiler.GeneratedSource s : Compiler.generate(checked, "gen", true, type)) {
      all.append(s.code());
    }
    return all.toString();
  }

  /** The text of method {@code name} in {@code code}, up to the next method. */
  private static String method(String code, String name) {
    int start = code.indexOf(" " + name + "(");
    assertTrue(start >= 0, name + " in\n" + code);
    int end = code.indexOf("\n  }\n", start);
    return code.substring(start, end);
  }

  private static int count(String text, String part) {
    return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
  }

  @Test
  void theLossPassFindsTheMaxOfTheLogitsOnce() {
    String code = source(MODEL, ElementType.F32);
    String loss = method(code, "computeLoss");
    assertEquals(1, count(loss, "max = nanMax(max, logits["), loss);
    assertEquals(1, count(loss, "= exp(logits["), loss);
    assertTrue(loss.contains("share the max and the exponentials"), loss);
    // prediction needs the probabilities alone
    String predictions = method(code, "computePredictions");
    assertEquals(1, count(predictions, "max = nanMax(max, logits["), predictions);
    assertFalse(predictions.contains("log(sum)"), predictions);
  }

  /** The code without the bodies of the hvp and jvp methods. */
  private static String withoutSecondOrder(String code) {
    StringBuilder out = new StringBuilder();
    boolean skipping = false;
    for (String line : code.split("\n")) {
      if (line.matches("  public (void hvp|double jvp|double\\[\\] jvp)\\(.*")) {
        skipping = true;
      }
      if (!skipping) {
        out.append(line).append('\n');
      }
      if (skipping && line.equals("  }")) {
        skipping = false;
      }
    }
    return out.toString();
  }

  @Test
  void functionsShareOnlyOverTheSameRows() {
    String code = source(FUNCTIONS, ElementType.F64);
    // rows and one share in their forward pass (printed in value and valueAndGradient, or once
    // in a forward chunk method when the class, with its second-order methods, is split)
    String firstOrder = withoutSecondOrder(code);
    for (String cls : List.of("class Rows", "class One")) {
      String body = firstOrder.substring(firstOrder.indexOf(cls));
      body = body.substring(0, body.indexOf("\n}\n"));
      assertTrue(count(body, "share the max and the exponentials") >= 1, body);
    }
    String apart = code.substring(code.indexOf("class Apart"));
    assertFalse(apart.contains("share the max"), apart);
  }

  @Test
  void sharedFunctionsMatchTheInterpreter() {
    for (boolean simplify : new boolean[] {true, false}) {
      Map<String, CompiledFunction> fns = GeneratedCode.compile(FUNCTIONS, simplify);
      SplittableRandom random = new SplittableRandom(5);
      for (double scale : new double[] {1, 1e4}) {
        for (String name : List.of("rows", "one", "apart")) {
          CompiledFunction f = fns.get(name);
          int size = f.parameterShape(0).length == 1 ? 4 : 6;
          double[][] args = {random.doubles(size, -scale, scale).toArray()};
          List<double[]> expected = TestPrograms.valueAndGradient(
              DerivedFunction.derive(TestPrograms.function(FUNCTIONS, name), simplify), args);
          double[][] got = GeneratedCode.valueAndGradient(f, Numerics.copy(args));
          for (int i = 0; i < got.length; i++) {
            for (double v : got[i]) {
              assertTrue(Double.isFinite(v), name + " at scale " + scale);
            }
            Numerics.assertClose(name + " part " + i + " at scale " + scale, expected.get(i),
                got[i], 1e-12, 1e-12);
          }
        }
      }
    }
  }

  @Test
  void sharedModelMatchesTheInterpreter() {
    ModelIr ir = TestPrograms.check(MODEL).models().get(0);
    DerivedModel derived = DerivedModel.derive(ir, true);
    Model model = GeneratedModels.compile(MODEL, ElementType.F64, true);
    model.initialize(6);
    for (double scale : new double[] {1, 1e4}) {
      for (Parameter p : model.parameters()) {
        for (int i = 0; i < p.size(); i++) {
          p.set(i, p.get(i) * scale);
        }
      }
      int batch = 5;
      Batch b = GeneratedModels.randomBatch(model, batch, 8);
      double loss = model.forwardBackward(b);
      model.forward(b);
      float[] probs = model.output("probs");
      Map<Node.Var, double[]> inputs = new HashMap<>();
      for (int i = 0; i < ir.data().size(); i++) {
        ModelIr.DataVar v = ir.data().get(i);
        double[] values = new double[batch * v.var().shape().size()];
        for (int e = 0; e < values.length; e++) {
          values[e] = v.kind() == ModelIr.DataKind.LABEL ? b.labels(i)[e] : b.doubles(i)[e];
        }
        inputs.put(v.var(), values);
      }
      for (int k = 0; k < ir.params().size(); k++) {
        inputs.put(ir.params().get(k).var(), model.parameters().get(k).f64().clone());
      }
      inputs.put(derived.batchSize(), new double[] {batch});
      Interpreter interpreter = new Interpreter(inputs, batch);
      double expectedLoss = interpreter.value(derived.objective())[0];
      assertTrue(Double.isFinite(loss), "loss at scale " + scale);
      assertEquals(expectedLoss, loss, 1e-12 * Math.max(1, Math.abs(expectedLoss)));
      double[] expectedProbs = interpreter.value(derived.outputs().get("probs"));
      for (int i = 0; i < expectedProbs.length; i++) {
        assertEquals((float) expectedProbs[i], probs[i], 1e-7, "probs[" + i + "]");
      }
      for (int k = 0; k < ir.params().size(); k++) {
        Numerics.assertClose(model.parameters().get(k).name() + " at scale " + scale,
            interpreter.value(derived.gradients().get(k)), model.parameters().get(k).gradF64(),
            1e-10, 1e-12);
      }
    }
  }
}
