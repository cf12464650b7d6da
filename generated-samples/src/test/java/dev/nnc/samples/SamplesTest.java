package dev.nnc.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The checked-in generated classes, called directly as a Java user would. */
class SamplesTest {
  @Test
  void chainRule() {
    F f = new F();
    assertEquals(-12, f.valueAndGradient(-2, 5, -4), 0);
    assertEquals(-4, f.dx, 0);
    assertEquals(-4, f.dy, 0);
    assertEquals(3, f.dz, 0);
    assertEquals(-12, f.value(-2, 5, -4), 0);
  }

  @Test
  void sigmoidNeuron() {
    Neuron n = new Neuron();
    assertEquals(0.731059, n.valueAndGradient(2, -3, -3, -1, -2), 1e-6);
    assertArrayEquals(new double[] {-0.196612, -0.393224, 0.196612, 0.393224, -0.589836},
        new double[] {n.dw0, n.dw1, n.dw2, n.dx0, n.dx1}, 1e-6);
  }

  @Test
  void squaredNorm() {
    Sqnorm s = new Sqnorm();
    assertEquals(0.116, s.valueAndGradient(new double[] {0.1, 0.5, -0.3, 0.8},
        new double[] {0.2, 0.4}), 1e-12);
    assertArrayEquals(new double[] {0.088, 0.176, 0.104, 0.208}, s.dW, 1e-12);
    assertArrayEquals(new double[] {-0.112, 0.636}, s.dx, 1e-12);
  }

  @Test
  void svmLossMatchesHandComputation() {
    SvmLoss svm = new SvmLoss();
    double[] w = {0.2, -0.5, 0.1, 2.0, 1.5, 1.3, 2.1, 0.0, 0, 0.25, 0.2, -0.3};
    double[] b = {1.1, 3.2, -1.2};
    double[] x = {56, 231, 24, 2};
    double[] y = {0, 0, 1};
    // CS231n weights with a bias: scores W x + b = (-96.8, 437.9, 60.75); class 2 is correct
    double loss = svm.valueAndGradient(w, b, x, y);
    double[] s = {-96.8, 437.9, 60.75};
    double expected = Math.max(0, s[0] - s[2] + 1) + Math.max(0, s[1] - s[2] + 1);
    assertEquals(expected, loss, 1e-9);
    // only class 1 violates the margin: dW row 1 = x, row 2 = -x, db = (0, 1, -1)
    assertArrayEquals(new double[] {0, 1, -1}, svm.db, 0);
    assertArrayEquals(new double[] {0, 0, 0, 0, 56, 231, 24, 2, -56, -231, -24, -2}, svm.dW, 0);
  }

  @Test
  void softmaxLossGradientIsPMinusY() {
    SoftmaxLoss loss = new SoftmaxLoss();
    double[] w = new double[12];
    double[] b = {1, 2, 3};
    double[] x = {1, 1, 1, 1};
    double[] y = {0, 1, 0};
    double value = loss.valueAndGradient(w, b, x, y);
    double z = Math.exp(1) + Math.exp(2) + Math.exp(3);
    double[] p = {Math.exp(1) / z, Math.exp(2) / z, Math.exp(3) / z};
    assertEquals(-Math.log(p[1]), value, 1e-12);
    assertArrayEquals(new double[] {p[0], p[1] - 1, p[2]}, loss.db, 1e-12);
  }
}
