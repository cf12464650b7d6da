package dev.nnc.compiler.emit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nnc.compiler.GeneratedCode;
import dev.nnc.runtime.CompiledFunction;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The textbook examples run as generated, javac-compiled Java. */
class GeneratedTextbookTest {
  private static final String SOURCE = """
      fn f(x, y, z) = (x + y) * z;
      fn neuron(w0, w1, w2, x0, x1) {
        let s = w0*x0 + w1*x1 + w2;
        return 1 / (1 + exp(-s));
      }
      fn sqnorm(W: [2, 2], x: [2]) = sum((W @ x)^2);
      fn neuron32(w0, w1, w2, x0, x1) : f32 = 1 / (1 + exp(-(w0*x0 + w1*x1 + w2)));
      """;

  @Test
  void textbookValuesFromGeneratedCode() {
    for (boolean simplify : new boolean[] {true, false}) {
      Map<String, CompiledFunction> fns = GeneratedCode.compile(SOURCE, simplify);
      double[][] f = GeneratedCode.valueAndGradient(fns.get("f"), new double[] {-2},
          new double[] {5}, new double[] {-4});
      assertEquals(-12, f[0][0], 0);
      assertArrayEquals(new double[] {-4, -4, 3}, new double[] {f[1][0], f[2][0], f[3][0]}, 0);

      for (String name : new String[] {"neuron", "neuron32"}) {
        double tolerance = name.equals("neuron") ? 1e-6 : 1e-5;
        double[][] n = GeneratedCode.valueAndGradient(fns.get(name), new double[] {2},
            new double[] {-3}, new double[] {-3}, new double[] {-1}, new double[] {-2});
        assertEquals(0.731059, n[0][0], tolerance);
        assertArrayEquals(new double[] {-0.196612, -0.393224, 0.196612, 0.393224, -0.589836},
            new double[] {n[1][0], n[2][0], n[3][0], n[4][0], n[5][0]}, tolerance);
      }

      double[][] q = GeneratedCode.valueAndGradient(fns.get("sqnorm"),
          new double[] {0.1, 0.5, -0.3, 0.8}, new double[] {0.2, 0.4});
      assertEquals(0.116, q[0][0], 1e-12);
      assertArrayEquals(new double[] {0.088, 0.176, 0.104, 0.208}, q[1], 1e-12);
      assertArrayEquals(new double[] {-0.112, 0.636}, q[2], 1e-12);
    }
  }
}
