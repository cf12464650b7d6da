package dev.nnc.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.NncException;
import dev.nnc.runtime.Parameter;
import dev.nnc.runtime.Tensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptimizerTest {
  private static final double[] G1 = {0.5, -1.0};
  private static final double[] G2 = {0.1, 0.2};

  /** Runs two steps from w = [1, -2] with gradients G1 then G2; returns w after each step. */
  private static double[][] twoSteps(Optimizer opt, boolean f64) {
    Parameter p = f64 ? Parameter.f64("w", new int[] {2}, null) : Parameter.f32("w", new int[] {2}, null);
    p.set(0, 1.0);
    p.set(1, -2.0);
    double[][] out = new double[2][];
    double[][] grads = {G1, G2};
    for (int s = 0; s < 2; s++) {
      p.setGrad(0, grads[s][0]);
      p.setGrad(1, grads[s][1]);
      opt.step(List.of(p));
      out[s] = new double[] {p.get(0), p.get(1)};
    }
    return out;
  }

  private static void check(String spec, Map<String, Double> args, double[] after1, double[] after2) {
    for (boolean f64 : new boolean[] {true, false}) {
      double[][] w = twoSteps(OptimizerSpec.parse(spec, args).create(), f64);
      double tol = f64 ? 1e-12 : 1e-6;
      assertArrayEquals(after1, w[0], tol, spec + " step 1, f64=" + f64);
      assertArrayEquals(after2, w[1], tol, spec + " step 2, f64=" + f64);
    }
  }

  @Test
  void plainSgd() {
    check("sgd", Map.of("lr", 0.1), new double[] {0.95, -1.9}, new double[] {0.94, -1.92});
  }

  @Test
  void onlyPlainSgdOffersItsRateForFusedSteps() {
    assertEquals(0.1, OptimizerSpec.parse("sgd", Map.of("lr", 0.1)).create().sgdRate());
    Optimizer sgd = OptimizerSpec.parse("sgd", Map.of()).create();
    sgd.setLearningRate(0.25);
    assertEquals(0.25, sgd.sgdRate(), "follows the schedule's rate");
    for (String spec : new String[] {"momentum", "nesterov", "adam", "adamw"}) {
      assertTrue(Double.isNaN(OptimizerSpec.parse(spec, Map.of()).create().sgdRate()), spec);
    }
    assertTrue(Double.isNaN(OptimizerSpec.parse("sgd", Map.of("momentum", 0.5)).create().sgdRate()));
    assertTrue(Double.isNaN(
        OptimizerSpec.parse("sgd", Map.of("weight_decay", 1e-4)).create().sgdRate()));
  }

  @Test
  void sgdWithL2WeightDecay() {
    // g' = g + 0.1 w: [0.6, -1.2] then [0.194, 0.012]
    check("sgd", Map.of("lr", 0.1, "weight_decay", 0.1), new double[] {0.94, -1.88}, new double[] {0.9206, -1.8812});
  }

  @Test
  void classicalMomentum() {
    // v = 0.9 v - 0.1 g: [-0.05, 0.1] then [-0.055, 0.07]; w += v
    double[] a1 = {0.95, -1.9};
    double[] a2 = {0.895, -1.83};
    check("momentum", Map.of("lr", 0.1, "momentum", 0.9), a1, a2);
    check("sgd", Map.of("lr", 0.1, "momentum", 0.9), a1, a2);
  }

  @Test
  void nesterovMomentum() {
    // w += 0.9 v - 0.1 g: [-0.095, 0.19] then [-0.0595, 0.043]
    double[] a1 = {0.905, -1.81};
    double[] a2 = {0.8455, -1.767};
    check("nesterov", Map.of("lr", 0.1), a1, a2);
    check("sgd", Map.of("lr", 0.1, "momentum", 0.9, "nesterov", 1.0), a1, a2);
  }

  @Test
  void adamMatchesTheBiasCorrectedTextbookFormula() {
    double[] w = {1.0, -2.0};
    double[] m = new double[2];
    double[] v = new double[2];
    double[][] expected = new double[2][];
    double[][] grads = {G1, G2};
    for (int t = 1; t <= 2; t++) {
      for (int i = 0; i < 2; i++) {
        double g = grads[t - 1][i];
        m[i] = 0.9 * m[i] + 0.1 * g;
        v[i] = 0.999 * v[i] + 0.001 * g * g;
        double mHat = m[i] / (1 - Math.pow(0.9, t));
        double vHat = v[i] / (1 - Math.pow(0.999, t));
        w[i] -= 0.1 * mHat / (Math.sqrt(vHat) + 1e-8);
      }
      expected[t - 1] = w.clone();
    }
    // Hand-computed: the first step moves each weight by lr * sign(g).
    assertArrayEquals(new double[] {0.9, -1.9}, expected[0], 1e-8);
    assertArrayEquals(new double[] {0.8196959063846518, -1.8488973939904947}, expected[1], 1e-12);
    check("adam", Map.of("lr", 0.1), expected[0], expected[1]);
  }

  @Test
  void adamwDecaysDecoupled() {
    // step 1: w * (1 - 0.1 * 0.01) - 0.1 * sign(g)
    double[][] w = twoSteps(OptimizerSpec.parse("adamw", Map.of("lr", 0.1, "weight_decay", 0.01)).create(), true);
    assertArrayEquals(new double[] {0.899, -1.898}, w[0], 1e-7);
    double[][] plain = twoSteps(OptimizerSpec.parse("adam", Map.of("lr", 0.1)).create(), true);
    // decay shrinks |w| relative to plain Adam at step 2 as well
    assertTrue(Math.abs(w[1][0]) < Math.abs(plain[1][0]));
  }

  @Test
  void stateExportImportContinuesIdentically() {
    for (String name : new String[] {"adam", "momentum", "sgd"}) {
      Optimizer a = OptimizerSpec.parse(name, Map.of()).create();
      Parameter p = Parameter.f32("fc1.W", new int[] {2}, null);
      p.setGrad(0, 0.3);
      p.setGrad(1, -0.7);
      a.step(List.of(p));
      a.step(List.of(p));
      Map<String, Tensor> state = a.exportState();
      assertEquals(2L, state.get("step").longs()[0]);
      if (name.equals("adam")) {
        assertEquals(List.of("fc1.W.m", "fc1.W.v", "step"), List.copyOf(state.keySet()));
      }
      Optimizer b = OptimizerSpec.parse(name, Map.of()).create();
      b.importState(List.of(p), state);
      assertEquals(2, b.steps());
      Parameter q = Parameter.f32("fc1.W", new int[] {2}, null);
      System.arraycopy(p.f32(), 0, q.f32(), 0, 2);
      System.arraycopy(p.gradF32(), 0, q.gradF32(), 0, 2);
      a.step(List.of(p));
      b.step(List.of(q));
      assertArrayEquals(p.f32(), q.f32(), name);
    }
  }

  @Test
  void importRejectsMismatchedState() {
    Parameter p = Parameter.f64("w", new int[] {3}, null);
    Optimizer adam = OptimizerSpec.parse("adam", Map.of()).create();
    Map<String, Tensor> state = new HashMap<>();
    state.put("step", Tensor.i64(new long[] {1}));
    state.put("w.m", Tensor.f64(new double[3], 3));
    NncException e = assertThrows(NncException.class, () -> adam.importState(List.of(p), state));
    assertEquals("optimizer state for w is incomplete (needs m, v)", e.getMessage());
    state.put("w.v", Tensor.f32(new float[3], 3));
    e = assertThrows(NncException.class, () -> adam.importState(List.of(p), state));
    assertTrue(e.getMessage().startsWith("optimizer state w.v is F32[3]"), e.getMessage());
    state.put("w.v", Tensor.f64(new double[3], 3));
    state.put("other.m", Tensor.f64(new double[3], 3));
    e = assertThrows(NncException.class, () -> adam.importState(List.of(p), state));
    assertTrue(e.getMessage().contains("unexpected entries [other.m]"), e.getMessage());
    state.remove("other.m");
    adam.importState(List.of(p), state);
    assertEquals(1, adam.steps());
  }
}
