package dev.nnc.compiler.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nnc.compiler.TestPrograms;
import dev.nnc.compiler.interp.Interpreter;
import dev.nnc.compiler.ir.ModelIr;
import dev.nnc.compiler.ir.Node;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The batched model objective's gradients, through the interpreter, against finite differences. */
public class ModelInterpreterGradientTest {
  public static final String SOURCE = """
      layer Dense(n_in, n_out)(x: [n_in]) {
        param W: [n_in, n_out] init he;
        param b: [n_out] init zeros;
        return x @ W + b;
      }
      model Small {
        input x: [4];
        label y: class(3);
        let fc1 = Dense(4, 5);
        let fc2 = Dense(5, 3);
        let logits = fc2(tanh(fc1(x)));
        output probs = softmax(logits);
        loss cross_entropy(logits, y) + 0.01 * sum(fc1.W^2);
      }
      """;

  @Test
  void objectiveGradientMatchesFiniteDifferences() {
    for (boolean simplify : new boolean[] {false, true}) {
      ModelIr model = TestPrograms.check(SOURCE).models().get(0);
      DerivedModel d = DerivedModel.derive(model, simplify);
      int batch = 3;
      SplittableRandom random = new SplittableRandom(7);
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
          values[i] = random.nextDouble(-1, 1);
        }
        inputs.put(p.var(), values);
      }
      inputs.put(d.batchSize(), new double[] {batch});
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
          assertEquals(fd, grad[i], 1e-6 * Math.max(1, Math.abs(fd)), p.name() + "[" + i + "]");
        }
      }
    }
  }
}
