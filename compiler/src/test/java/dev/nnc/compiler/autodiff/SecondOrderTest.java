package dev.nnc.compiler.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nnc.compiler.TestPrograms;
import dev.nnc.compiler.ir.FunctionIr;
import org.junit.jupiter.api.Test;

/** Exact second derivatives and directional derivatives of the textbook functions. */
class SecondOrderTest {
  private static DerivedFunction derive(String text, String name, boolean simplify) {
    FunctionIr fn = TestPrograms.function(text, name);
    return DerivedFunction.derive(fn, simplify);
  }

  @Test
  void chainRuleExampleHasAConstantHessian() {
    // f = (x + y) z: f_xz = f_yz = 1, every other second derivative 0
    for (boolean simplify : new boolean[] {true, false}) {
      DerivedFunction d = derive("fn f(x, y, z) = (x + y) * z;", "f", simplify);
      double[][] h = TestPrograms.hessian(d, new double[][] {{-2}, {5}, {-4}});
      assertArrayEquals(new double[] {0, 0, 1}, h[0]);
      assertArrayEquals(new double[] {0, 0, 1}, h[1]);
      assertArrayEquals(new double[] {1, 1, 0}, h[2]);
    }
  }

  @Test
  void sigmoidNeuron() {
    // f = sigmoid(s), s = w0 x0 + w1 x1 + w2: d2f/dwi dwj = s''(s) * xi * xj with x2 = 1,
    // sigmoid'' = y (1 - y) (1 - 2y)
    String text = """
        fn neuron(w0, w1, w2, x0, x1) {
          let s = w0*x0 + w1*x1 + w2;
          return 1 / (1 + exp(-s));
        }
        """;
    double[][] args = {{2}, {-3}, {-3}, {-1}, {-2}};
    double s = 2 * -1 + -3 * -2 - 3;
    double y = 1 / (1 + Math.exp(-s));
    double d1 = y * (1 - y);
    double d2 = y * (1 - y) * (1 - 2 * y);
    double[] x = {-1, -2, 1};
    for (boolean simplify : new boolean[] {true, false}) {
      double[][] h = TestPrograms.hessian(derive(text, "neuron", simplify), args);
      for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++) {
          assertEquals(d2 * x[i] * x[j], h[i][j], 1e-15, "w" + i + " w" + j);
        }
      }
      // d2f/dw0 dx0 = s'' w0 x0 + s' ; d2f/dx0 dx1 = s'' w0 w1
      assertEquals(d2 * 2 * -1 + d1, h[0][3], 1e-15);
      assertEquals(d2 * 2 * -3, h[3][4], 1e-15);
      assertEquals(h[3][0], h[0][3], 1e-15);
    }
  }

  @Test
  void squaredNormOfMatrixVectorProductHasHessian2WtW() {
    String text = "fn f(W: [2, 3], x: [3]) = sum((W @ x)^2);";
    double[] w = {0.5, -1, 2, 1.5, 0.25, -0.75};
    double[][] args = {w, {1, -2, 0.5}};
    for (boolean simplify : new boolean[] {true, false}) {
      double[][] h = TestPrograms.hessian(derive(text, "f", simplify), args);
      // the x block: rows and columns 6..8
      for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++) {
          double wtw = 0;
          for (int r = 0; r < 2; r++) {
            wtw += w[r * 3 + i] * w[r * 3 + j];
          }
          assertEquals(2 * wtw, h[6 + i][6 + j], 1e-12, "x" + i + " x" + j);
        }
      }
    }
  }

  @Test
  void jvpOfAScalarFunctionIsTheGradientAlongTheDirection() {
    DerivedFunction d = derive("fn f(x, y, z) = (x + y) * z;", "f", true);
    double[] jv = TestPrograms.jvp(d, new double[][] {{-2}, {5}, {-4}},
        new double[][] {{1}, {2}, {3}});
    // grad = (-4, -4, 3)
    assertEquals(-4 - 8 + 9, jv[0], 0);
  }

  @Test
  void jvpOfATensorFunctionIsTheJacobianTimesTheDirection() {
    DerivedFunction d = derive("fn f(W: [2, 3], x: [3]) = tanh(W @ x);", "f", true);
    double[] w = {0.5, -1, 2, 1.5, 0.25, -0.75};
    double[] x = {1, -2, 0.5};
    double[] vw = {1, 0, -1, 0.5, 2, 0};
    double[] vx = {0.25, 1, -1};
    double[] jv = TestPrograms.jvp(d, new double[][] {w, x}, new double[][] {vw, vx});
    for (int r = 0; r < 2; r++) {
      double z = 0;
      double dz = 0;
      for (int c = 0; c < 3; c++) {
        z += w[r * 3 + c] * x[c];
        dz += vw[r * 3 + c] * x[c] + w[r * 3 + c] * vx[c];
      }
      double t = Math.tanh(z);
      assertEquals((1 - t * t) * dz, jv[r], 1e-14);
    }
  }
}
