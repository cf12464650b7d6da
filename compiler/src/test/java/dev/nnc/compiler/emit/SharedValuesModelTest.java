package dev.nnc.compiler.emit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nnc.compiler.GeneratedModels;
import dev.nnc.compiler.ir.ElementType;
import dev.nnc.runtime.Batch;
import dev.nnc.runtime.GradientCheck;
import dev.nnc.runtime.Model;
import dev.nnc.runtime.Parameter;
import org.junit.jupiter.api.Test;

/**
 * Models built of values shared by the whole batch compile and train (issue 15 items 5 and 6,
 * and the docs engineer's finding on outputs): scalar parameters, written {@code param b: []} or
 * without a type; a loss that reads no example (its batch mean is itself); outputs computed from
 * parameters alone (the same value for every example). Every case in f32 with the simplifier
 * and in f64 without it (each javac run costs), against finite differences.
 */
class SharedValuesModelTest {
  private static final String SCALARS = """
      model M {
        input x: [3];
        target t: [2];
        param w: [3, 2] init normal(0.5);
        param b: [] init ones;
        param c init zeros;
        output y = x @ w + b + c;
        loss mse(x @ w + b * c + c, t);
      }
      """;

  /** The two builds of every case: f32 simplified, f64 unsimplified. */
  private static final ElementType[] TYPES = {ElementType.F32, ElementType.F64};

  private static Model compile(String text, ElementType type) {
    return GeneratedModels.compile(text, type, type == ElementType.F32);
  }

  @Test
  void scalarParametersWithAndWithoutATypeTrain() {
    for (ElementType type : TYPES) {
      Model model = compile(SCALARS, type);
      assertEquals(3, model.parameters().size());
      Parameter b = model.parameters().get(1);
      Parameter c = model.parameters().get(2);
      assertEquals(0, b.shape().length);
      assertEquals(1, b.size());
      assertEquals(0, c.shape().length);
      GradientCheck.check(model, 3);
      // the scalars reach the output: y = x @ w + b + c for each example
      model.initialize(1);
      b.set(0, 0.25);
      c.set(0, -2);
      Batch batch = GeneratedModels.randomBatch(model, 3, 5);
      model.forward(batch);
      float[] y = model.output("y");
      double[] x = batch.doubles(0);
      for (int e = 0; e < 3; e++) {
        for (int j = 0; j < 2; j++) {
          double expected = 0.25 - 2;
          for (int i = 0; i < 3; i++) {
            expected += x[e * 3 + i] * model.parameters().get(0).get(i * 2 + j);
          }
          assertEquals(expected, y[e * 2 + j], 1e-5);
        }
      }
    }
  }

  @Test
  void aLossThatReadsNoExampleIsItsOwnBatchMean() {
    String penalty = """
        model M {
          input x: [3];
          target t: [1];
          param w: [3, 1] init normal(0.5);
          output y = x @ w;
          loss sum(w^2);
        }
        """;
    for (ElementType type : TYPES) {
      Model model = compile(penalty, type);
      GradientCheck.check(model, 7);
      model.initialize(2);
      Parameter w = model.parameters().get(0);
      double expected = 0;
      for (int i = 0; i < 3; i++) {
        expected += w.get(i) * w.get(i);
      }
      Batch batch = GeneratedModels.randomBatch(model, 5, 1);
      assertEquals(expected, model.forwardBackward(batch), 1e-6);
      for (int i = 0; i < 3; i++) {
        assertEquals(2 * w.get(i), w.grad(i), 1e-6);
      }
    }
  }

  @Test
  void aLossWithoutAStatementIsReturnedAsIs() {
    String[][] cases = {
        {"loss 1.5;", "1.5"},
        {"loss b;", "b"},
        {"loss w[1, 0];", "w1"},
    };
    for (String[] c : cases) {
      String text = """
          model M {
            input x: [3];
            target t: [1];
            param w: [3, 1] init normal(0.5);
            param b init ones;
            output y = x @ w + b;
            %s
          }
          """.formatted(c[0]);
      for (ElementType type : TYPES) {
        Model model = compile(text, type);
        model.initialize(4);
        Parameter w = model.parameters().get(0);
        Parameter b = model.parameters().get(1);
        b.set(0, 0.75);
        double expected = c[1].equals("b") ? 0.75 : c[1].equals("w1") ? w.get(1) : 1.5;
        Batch batch = GeneratedModels.randomBatch(model, 2, 3);
        assertEquals(expected, model.forward(batch), 1e-6, c[0]);
        assertEquals(expected, model.forwardBackward(batch), 1e-6, c[0]);
        assertEquals(c[1].equals("b") ? 1 : 0, b.grad(0), 0, c[0]);
        assertEquals(c[1].equals("w1") ? 1 : 0, w.grad(1), 0, c[0]);
        GradientCheck.check(model, 5);
      }
    }
  }

  @Test
  void anOutputOfParametersAloneIsTheSameForEveryExample() {
    String text = """
        model M {
          input x: [2];
          label y: class(3);
          param W: [2, 3] init normal(0.5);
          param s init ones;
          output norm = sum(W^2);
          output scaled = W[0] * s;
          output first = W[1];
          output bias = s;
          loss cross_entropy(x @ W, y);
        }
        """;
    for (ElementType type : TYPES) {
      Model model = compile(text, type);
      model.initialize(8);
      Parameter w = model.parameters().get(0);
      model.parameters().get(1).set(0, 2);
      double norm = 0;
      for (int i = 0; i < 6; i++) {
        norm += w.get(i) * w.get(i);
      }
      Batch batch = GeneratedModels.randomBatch(model, 4, 6);
      for (int pass = 0; pass < 2; pass++) {
        if (pass == 0) {
          model.forward(batch);
        } else {
          model.predict(batch);
        }
        float[] n = model.output("norm");
        float[] scaled = model.output("scaled");
        float[] first = model.output("first");
        float[] bias = model.output("bias");
        for (int e = 0; e < 4; e++) {
          assertEquals(norm, n[e], 1e-5);
          assertEquals(2, bias[e], 0);
          for (int j = 0; j < 3; j++) {
            assertEquals(2 * w.get(j), scaled[e * 3 + j], 1e-5);
            assertEquals(w.get(3 + j), first[e * 3 + j], 1e-6);
          }
        }
      }
      assertArrayEquals(new int[] {3}, model.outputs().get(1).shape());
    }
  }
}
