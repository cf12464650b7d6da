package dev.nnc.compiler.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nnc.compiler.TestPrograms;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The textbook examples with their known values and gradients, simplified and not. */
class TextbookGradientTest {
  private static final String SOURCE = """
      fn f(x, y, z) = (x + y) * z;
      fn neuron(w0, w1, w2, x0, x1) {
        let s = w0*x0 + w1*x1 + w2;
        return 1 / (1 + exp(-s));
      }
      fn sqnorm(W: [2, 2], x: [2]) = sum((W @ x)^2);
      """;

  private static List<double[]> run(String name, boolean simplify, double[]... args) {
    return TestPrograms.valueAndGradient(
        DerivedFunction.derive(TestPrograms.function(SOURCE, name), simplify), args);
  }

  @Test
  void chainRuleExample() {
    for (boolean simplify : new boolean[] {false, true}) {
      List<double[]> r = run("f", simplify, new double[] {-2}, new double[] {5}, new double[] {-4});
      assertEquals(-12, r.get(0)[0], 0);
      assertEquals(-4, r.get(1)[0], 0);
      assertEquals(-4, r.get(2)[0], 0);
      assertEquals(3, r.get(3)[0], 0);
    }
  }

  @Test
  void sigmoidNeuron() {
    for (boolean simplify : new boolean[] {false, true}) {
      List<double[]> r = run("neuron", simplify, new double[] {2}, new double[] {-3},
          new double[] {-3}, new double[] {-1}, new double[] {-2});
      assertEquals(0.731059, r.get(0)[0], 1e-6);
      assertEquals(-0.196612, r.get(1)[0], 1e-6);
      assertEquals(-0.393224, r.get(2)[0], 1e-6);
      assertEquals(0.196612, r.get(3)[0], 1e-6);
      assertEquals(0.393224, r.get(4)[0], 1e-6);
      assertEquals(-0.589836, r.get(5)[0], 1e-6);
    }
  }

  @Test
  void squaredNormOfMatrixVectorProduct() {
    for (boolean simplify : new boolean[] {false, true}) {
      List<double[]> r = run("sqnorm", simplify, new double[] {0.1, 0.5, -0.3, 0.8},
          new double[] {0.2, 0.4});
      assertEquals(0.116, r.get(0)[0], 1e-12);
      assertArrayEquals(new double[] {0.088, 0.176, 0.104, 0.208}, r.get(1), 1e-12);
      assertArrayEquals(new double[] {-0.112, 0.636}, r.get(2), 1e-12);
    }
  }
}
