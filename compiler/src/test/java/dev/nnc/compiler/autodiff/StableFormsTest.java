package dev.nnc.compiler.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.GeneratedCode;
import dev.nnc.compiler.Numerics;
import dev.nnc.compiler.TestPrograms;
import dev.nnc.runtime.CompiledFunction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The numerically stable forms LANGUAGE.md requires: finite values and gradients at magnitude
 * 1e4 with the mathematically expected limits, where-gates that keep a NaN of the untaken branch
 * out of the gradient, and the max gate's routing.
 */
class StableFormsTest {
  private static final double BIG = 1e4;
  private static final double LOG2 = Math.log(2);

  private static final String SOURCE = """
      fn lse(x: [4]) = logsumexp(x);
      fn lse_axis(x: [2, 4], w: [2]) = sum(logsumexp(x, axis: 1) * w);
      fn sm(x: [4], w: [4]) = sum(softmax(x) * w);
      fn lsm(x: [4], w: [4]) = sum(log_softmax(x) * w);
      fn ce(z: [4]) = cross_entropy(z, 1);
      fn ce_wrong(z: [4]) = cross_entropy(z, 2);
      fn ce_prob(z: [4], y: [4]) = cross_entropy(z, y);
      fn sig(x) = sigmoid(x);
      fn gelu1(x) = gelu(x);
      fn silu1(x) = silu(x);
      fn gelu_vec(x: [4]) = sum(gelu(x));
      fn silu_vec(x: [4]) = sum(silu(x));
      fn sp(x) = softplus(x);
      fn bce(x, t) = bce_with_logits(x, t);
      fn bce_vec(x: [4], t: [4]) = sum(bce_with_logits(x, t));
      fn log_sig(x) = log(sigmoid(x));
      fn log_sm(x: [4], w: [4]) = sum(log(softmax(x)) * w);
      fn log1p_exp(x) = log(1 + exp(x));
      fn log1p_exp_vec(x: [4]) = sum(log(1 + exp(x)));
      fn logistic(x) = 1 / (1 + exp(-x));
      fn logistic_vec(x: [4]) = sum(1 / (1 + exp(-x)));
      fn exp_minus_lse(x: [4], w: [4]) = sum(exp(x - logsumexp(x)) * w);
      fn guarded_sqrt(x) = where(x > 0, sqrt(x), 0);
      fn guarded_sqrt_other(x) = where(x <= 0, 0, sqrt(x));
      fn guarded_sqrt_scaled(x) = 3 * where(x > 0, sqrt(x), 0) + 1;
      fn guarded_pow(x) = where(x > 0, x ^ 0.5, 0);
      fn guarded_log(x) = where(x > 0, log(x), 0);
      fn guarded_sqrt_vec(x: [3]) = sum(where(x > 0, sqrt(x), 0));
      fn guarded_sqrt_twice(x) = where(x > 0, sqrt(x) * sqrt(x), 0);
      fn guarded_sqrt_fanout(x) = where(x > 0, sqrt(x) + exp(sqrt(x)), 0);
      fn max2(a, b) = max(a, b);
      fn min2(a, b) = min(a, b);
      fn max2_vec(a: [3], b: [3]) = sum(max(a, b));
      fn maxr(x: [5]) = max(x);
      fn minr(x: [5]) = min(x);
      fn maxr_axis(x: [2, 3]) = sum(max(x, axis: 1));
      """;

  /** One way of computing value and gradients. */
  interface Mode {
    double[][] run(String fn, double[]... args);
  }

  private static final Map<String, Mode> ALL = new LinkedHashMap<>();
  private static final Map<String, Mode> SIMPLIFIED = new LinkedHashMap<>();

  @BeforeAll
  static void compile() {
    Map<String, CompiledFunction> simplified = GeneratedCode.compile(SOURCE, true);
    Map<String, CompiledFunction> plain = GeneratedCode.compile(SOURCE, false);
    SIMPLIFIED.put("generated, simplified",
        (fn, args) -> GeneratedCode.valueAndGradient(simplified.get(fn), Numerics.copy(args)));
    SIMPLIFIED.put("interpreter, simplified", (fn, args) -> interpret(fn, true, args));
    ALL.putAll(SIMPLIFIED);
    ALL.put("generated, unsimplified",
        (fn, args) -> GeneratedCode.valueAndGradient(plain.get(fn), Numerics.copy(args)));
    ALL.put("interpreter, unsimplified", (fn, args) -> interpret(fn, false, args));
  }

  private static double[][] interpret(String name, boolean simplify, double[]... args) {
    List<double[]> r = TestPrograms.valueAndGradient(
        DerivedFunction.derive(TestPrograms.function(SOURCE, name), simplify), args);
    return r.toArray(new double[0][]);
  }

  private static double[] v(double... values) {
    return values;
  }

  /**
   * Runs {@code fn} in every given mode; asserts every value and gradient element is finite and
   * close to {@code expected} (value first, then gradients), where given (null: only finite).
   */
  private static void check(Map<String, Mode> modes, String fn, double[][] args,
      double[]... expected) {
    for (Map.Entry<String, Mode> mode : modes.entrySet()) {
      double[][] got = mode.getValue().run(fn, args);
      String where = fn + " [" + mode.getKey() + "] at " + Arrays.deepToString(args);
      for (int i = 0; i < got.length; i++) {
        assertTrue(Numerics.allFinite(got[i]), where + ": part " + i + " not finite: "
            + Arrays.toString(got[i]));
      }
      for (int i = 0; i < expected.length; i++) {
        if (expected[i] != null) {
          Numerics.assertClose(where + (i == 0 ? ": value" : ": gradient " + i), expected[i],
              got[i], 1e-12, 1e-12);
        }
      }
    }
  }

  private static double[][] args(double[]... a) {
    return a;
  }

  /**
   * Second derivatives of the stable forms stay finite at magnitude 1e4 (generated code, the
   * Hessian of the simplified graph), with the expected limits where they are known.
   */
  @Test
  void secondDerivativesAtLargeMagnitude() {
    Map<String, CompiledFunction> fns = GeneratedCode.compile(SOURCE, true);
    String[] smooth = {"lse", "lse_axis", "sm", "lsm", "ce", "ce_wrong", "ce_prob", "sig", "gelu1",
        "silu1", "gelu_vec", "silu_vec", "sp", "bce", "bce_vec", "log_sig", "log_sm", "log1p_exp",
        "log1p_exp_vec", "logistic", "logistic_vec", "exp_minus_lse"};
    for (String name : smooth) {
      CompiledFunction f = fns.get(name);
      for (double sign : new double[] {1, -1}) {
        double[][] args = new double[f.parameterNames().size()][];
        for (int p = 0; p < args.length; p++) {
          int size = 1;
          for (int d : f.parameterShape(p)) {
            size *= d;
          }
          args[p] = new double[size];
          for (int e = 0; e < size; e++) {
            // large logits of both signs; weights and targets in [0, 1]
            args[p][e] = p == 0 ? sign * BIG * (e % 3 == 1 ? -1 : 1) : 0.25 * (e % 4);
          }
        }
        double[] h = f.evaluateHessian(args, null);
        assertTrue(Numerics.allFinite(h), name + " at " + Arrays.deepToString(args)
            + ": Hessian not finite: " + Arrays.toString(h));
      }
    }
    // sigmoid'' and softplus'' vanish far out; logsumexp's Hessian is diag(p) - p p^T
    for (String name : new String[] {"sig", "sp", "logistic", "log1p_exp"}) {
      for (double x : new double[] {BIG, -BIG}) {
        assertEquals(0, fns.get(name).evaluateHessian(new double[][] {{x}}, null)[0], 1e-300,
            name + "'' at " + x);
      }
    }
    double[] h = fns.get("lse").evaluateHessian(new double[][] {{BIG, -BIG, 0, BIG}}, null);
    double[] p = {0.5, 0, 0, 0.5};
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 4; j++) {
        assertEquals((i == j ? p[i] : 0) - p[i] * p[j], h[i * 4 + j], 1e-12, "lse H" + i + j);
      }
    }
  }

  @Test
  void logsumexpAtLargeMagnitude() {
    check(ALL, "lse", args(v(BIG, -BIG, 0, BIG)), v(BIG + LOG2), v(0.5, 0, 0, 0.5));
    check(ALL, "lse", args(v(-BIG, -BIG, -BIG, -BIG)), v(-BIG + Math.log(4)),
        v(0.25, 0.25, 0.25, 0.25));
    check(ALL, "lse", args(v(BIG, -BIG, -BIG, -BIG)), v(BIG), v(1, 0, 0, 0));
    check(ALL, "lse_axis", args(v(BIG, BIG, -BIG, 0, -BIG, -BIG, -BIG, -BIG), v(1, 2)),
        v(BIG + LOG2 + 2 * (-BIG + Math.log(4))),
        v(0.5, 0.5, 0, 0, 0.5, 0.5, 0.5, 0.5),
        v(BIG + LOG2, -BIG + Math.log(4)));
  }

  @Test
  void softmaxAndLogSoftmaxAtLargeMagnitude() {
    double[] x = v(BIG, -BIG, 0, BIG);
    double[] w = v(1, 2, 3, 4);
    // softmax(x) = [.5, 0, 0, .5]; d/dx sum(p w) = p * (w - p.w) = [.5(1-2.5), 0, 0, .5(4-2.5)]
    check(ALL, "sm", args(x, w), v(2.5), v(-0.75, 0, 0, 0.75), v(0.5, 0, 0, 0.5));
    // log_softmax(x) = x - lse = [-log2, -2e4 - log2, -1e4 - log2, -log2]
    double[] lsm = v(-LOG2, -2 * BIG - LOG2, -BIG - LOG2, -LOG2);
    double dot = 0;
    for (int i = 0; i < 4; i++) {
      dot += lsm[i] * w[i];
    }
    // d/dx sum(w * log_softmax(x)) = w - sum(w) * softmax(x)
    check(ALL, "lsm", args(x, w), v(dot), v(1 - 5, 2, 3, 4 - 5), lsm);
    check(SIMPLIFIED, "log_sm", args(x, w), v(dot), v(1 - 5, 2, 3, 4 - 5), lsm);
    check(SIMPLIFIED, "exp_minus_lse", args(x, w), v(2.5), v(-0.75, 0, 0, 0.75),
        v(0.5, 0, 0, 0.5));
  }

  @Test
  void crossEntropyAtLargeMagnitude() {
    // a huge correct logit: loss ~ 0 and gradient softmax - onehot ~ 0
    check(ALL, "ce", args(v(-BIG, BIG, -BIG, 0)), v(0), v(0, 0, 0, 0));
    // a huge wrong logit: loss 2e4, gradient +1 at the argmax and -1 at the class
    check(ALL, "ce_wrong", args(v(BIG, -BIG, -BIG, 0)), v(2 * BIG), v(1, 0, -1, 0));
    check(ALL, "ce_prob", args(v(-BIG, BIG, -BIG, 0), v(0, 1, 0, 0)), v(0), v(0, 0, 0, 0),
        v(2 * BIG, 0, 2 * BIG, BIG));
    check(ALL, "ce_prob", args(v(BIG, -BIG, 0, BIG), v(0.25, 0.25, 0.25, 0.25)),
        v(BIG + LOG2 - 0.25 * BIG), v(0.25, -0.25, -0.25, 0.25), null);
  }

  @Test
  void sigmoidSoftplusAndBceAtLargeMagnitude() {
    check(ALL, "sig", args(v(BIG)), v(1), v(0));
    check(ALL, "sig", args(v(-BIG)), v(0), v(0));
    check(ALL, "sp", args(v(BIG)), v(BIG), v(1));
    check(ALL, "sp", args(v(-BIG)), v(0), v(0));
    check(ALL, "bce", args(v(BIG), v(1)), v(0), v(0), v(-BIG));
    check(ALL, "bce", args(v(BIG), v(0)), v(BIG), v(1), v(-BIG));
    check(ALL, "bce", args(v(-BIG), v(1)), v(BIG), v(-1), v(BIG));
    check(ALL, "bce", args(v(-BIG), v(0)), v(0), v(0), v(BIG));
    check(ALL, "bce_vec", args(v(BIG, -BIG, BIG, -BIG), v(1, 0, 0, 1)), v(2 * BIG),
        v(0, 0, 1, -1), v(-BIG, BIG, -BIG, BIG));
  }

  @Test
  void geluAndSiluAtLargeMagnitude() {
    for (String fn : List.of("gelu1", "silu1")) {
      check(ALL, fn, args(v(BIG)), v(BIG), v(1));
      check(ALL, fn, args(v(-BIG)), v(0), v(0));
    }
    for (String fn : List.of("gelu_vec", "silu_vec")) {
      check(ALL, fn, args(v(BIG, -BIG, 1e300, -1e300)), v(BIG + 1e300), v(1, 0, 1, 0));
    }
  }

  @Test
  void unstableSpellingsBecomeStableAfterSimplification() {
    check(SIMPLIFIED, "log_sig", args(v(BIG)), v(0), v(0));
    check(SIMPLIFIED, "log_sig", args(v(-BIG)), v(-BIG), v(1));
    check(SIMPLIFIED, "log1p_exp", args(v(BIG)), v(BIG), v(1));
    check(SIMPLIFIED, "log1p_exp", args(v(-BIG)), v(0), v(0));
    check(SIMPLIFIED, "log1p_exp_vec", args(v(BIG, -BIG, 0, BIG)), v(2 * BIG + LOG2),
        v(1, 0, 0.5, 1));
    check(SIMPLIFIED, "logistic", args(v(BIG)), v(1), v(0));
    check(SIMPLIFIED, "logistic", args(v(-BIG)), v(0), v(0));
    check(SIMPLIFIED, "logistic_vec", args(v(BIG, -BIG, 0, BIG)), v(2.5), v(0, 0, 0.25, 0));
  }

  @Test
  void guardedSqrtHasZeroGradientOnTheUntakenSide() {
    for (String fn : List.of("guarded_sqrt", "guarded_sqrt_other", "guarded_sqrt_scaled",
        "guarded_pow", "guarded_log", "guarded_sqrt_twice", "guarded_sqrt_fanout")) {
      for (Map.Entry<String, Mode> mode : SIMPLIFIED.entrySet()) {
        double[][] r = mode.getValue().run(fn, v(-1));
        String where = fn + " [" + mode.getKey() + "]";
        assertEquals(fn.equals("guarded_sqrt_scaled") ? 1.0 : 0.0, r[0][0], 0, where);
        // exactly +0 or -0, never NaN
        assertEquals(0.0, r[1][0], 0.0, where + ": gradient " + r[1][0]);
        // and on the taken side the usual derivative
        double[][] t = mode.getValue().run(fn, v(4));
        assertTrue(Double.isFinite(t[1][0]) && t[1][0] != 0, where + " at 4: " + t[1][0]);
      }
    }
    for (Map.Entry<String, Mode> mode : SIMPLIFIED.entrySet()) {
      double[][] r = mode.getValue().run("guarded_sqrt", v(4));
      assertEquals(2, r[0][0], 0, mode.getKey());
      assertEquals(0.25, r[1][0], 1e-15, mode.getKey());
      double[][] vec = mode.getValue().run("guarded_sqrt_vec", v(-1, 4, -9));
      assertEquals(2, vec[0][0], 0, mode.getKey());
      Numerics.assertClose("guarded_sqrt_vec [" + mode.getKey() + "]", v(0, 0.25, 0), vec[1],
          1e-15, 0);
    }
  }

  @Test
  void maxGateRoutesToTheLargerInput() {
    for (Map.Entry<String, Mode> mode : ALL.entrySet()) {
      String m = " [" + mode.getKey() + "]";
      double[][] r = mode.getValue().run("max2", v(3), v(-2));
      assertEquals(3, r[0][0], 0, m);
      assertEquals(List.of(1.0, 0.0), List.of(r[1][0], r[2][0]), "max(3, -2)" + m);
      r = mode.getValue().run("max2", v(-2), v(3));
      assertEquals(List.of(0.0, 1.0), List.of(r[1][0], r[2][0]), "max(-2, 3)" + m);
      r = mode.getValue().run("min2", v(3), v(-2));
      assertEquals(List.of(0.0, 1.0), List.of(r[1][0], r[2][0]), "min(3, -2)" + m);
      r = mode.getValue().run("min2", v(-2), v(3));
      assertEquals(List.of(1.0, 0.0), List.of(r[1][0], r[2][0]), "min(-2, 3)" + m);
      r = mode.getValue().run("max2_vec", v(1, 5, -1), v(2, 4, -3));
      assertEquals(6, r[0][0], 0, m);
      assertEquals(List.of(0.0, 1.0, 1.0), boxed(r[1]), "max2_vec da" + m);
      assertEquals(List.of(1.0, 0.0, 0.0), boxed(r[2]), "max2_vec db" + m);
      // ties go to exactly one input (the first), so the total gradient stays 1
      r = mode.getValue().run("max2", v(1), v(1));
      assertEquals(1.0, r[1][0] + r[2][0], 0, "max tie" + m);
    }
  }

  @Test
  void maxReductionIsOneHotAtTheArgmax() {
    for (Map.Entry<String, Mode> mode : ALL.entrySet()) {
      String m = " [" + mode.getKey() + "]";
      double[][] r = mode.getValue().run("maxr", v(0.5, -1, 7, 3, 6.9));
      assertEquals(7, r[0][0], 0, m);
      assertEquals(List.of(0.0, 0.0, 1.0, 0.0, 0.0), boxed(r[1]), "max(x)" + m);
      r = mode.getValue().run("minr", v(0.5, -1, 7, 3, -0.9));
      assertEquals(-1, r[0][0], 0, m);
      assertEquals(List.of(0.0, 1.0, 0.0, 0.0, 0.0), boxed(r[1]), "min(x)" + m);
      r = mode.getValue().run("maxr", v(BIG, -BIG, 0, 1, 2));
      assertEquals(List.of(1.0, 0.0, 0.0, 0.0, 0.0), boxed(r[1]), "max(x) large" + m);
      // a tie: exactly one element (the first maximum) receives the gradient
      r = mode.getValue().run("maxr", v(2, 1, 2, 0, 2));
      assertEquals(List.of(1.0, 0.0, 0.0, 0.0, 0.0), boxed(r[1]), "max(x) tie" + m);
      r = mode.getValue().run("maxr_axis", v(1, 9, 3, 8, -2, 0));
      assertEquals(17, r[0][0], 0, m);
      assertEquals(List.of(0.0, 1.0, 0.0, 1.0, 0.0, 0.0), boxed(r[1]), "max(x, axis: 1)" + m);
    }
  }

  private static List<Double> boxed(double[] values) {
    List<Double> out = new ArrayList<>();
    for (double d : values) {
      out.add(d);
    }
    return out;
  }
}
