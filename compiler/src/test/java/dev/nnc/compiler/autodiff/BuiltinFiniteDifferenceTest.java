package dev.nnc.compiler.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.GeneratedCode;
import dev.nnc.compiler.Numerics;
import dev.nnc.compiler.TestPrograms;
import dev.nnc.compiler.check.Builtins;
import dev.nnc.compiler.ir.FunctionIr;
import dev.nnc.runtime.CompiledFunction;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every built-in of LANGUAGE.md against central finite differences, at several seeded random
 * points away from kinks, through the interpreter (simplified and not) and through generated,
 * javac-compiled code (simplified and not). Each built-in is wrapped in a small fn reducing to a
 * scalar with weights that are themselves parameters, so the whole gradient is checked.
 */
class BuiltinFiniteDifferenceTest {
  private static final int POINTS = 3;
  private static final double STEP = 1e-6;
  private static final double FD_RTOL = 1e-5;
  private static final double FD_ATOL = 1e-6;
  private static final double EXACT_RTOL = 1e-10;

  /** Draws one element of a parameter. */
  interface Sampler {
    double next(Random r);
  }

  static Sampler uniform(double lo, double hi) {
    return r -> lo + (hi - lo) * r.nextDouble();
  }

  /** Magnitude in [lo, hi] with a random sign: away from the kink at 0. */
  static Sampler signed(double lo, double hi) {
    return r -> (r.nextBoolean() ? 1 : -1) * (lo + (hi - lo) * r.nextDouble());
  }

  static final Sampler ANY = uniform(-2, 2);
  static final Sampler WEIGHT = uniform(-1, 1);
  static final Sampler POSITIVE = uniform(0.2, 3);
  static final Sampler NONZERO = signed(0.05, 2);

  /** One built-in wrapped as {@code fn name(params) = body;}. */
  record Case(String name, String params, String body, Sampler[] samplers,
      Predicate<double[][]> ok, Consumer<double[][]> fix) {
    String text() {
      return "fn " + name + "(" + params + ") = " + body + ";\n";
    }

    Case when(Predicate<double[][]> more) {
      return new Case(name, params, body, samplers, ok.and(more), fix);
    }

    Case fix(Consumer<double[][]> f) {
      return new Case(name, params, body, samplers, ok, f);
    }

    /** A point: each parameter drawn from its sampler (the last sampler repeats). */
    double[][] point(FunctionIr fn, Random random) {
      for (int attempt = 0; attempt < 10_000; attempt++) {
        double[][] args = new double[fn.params().size()][];
        for (int p = 0; p < args.length; p++) {
          Sampler s = samplers[Math.min(p, samplers.length - 1)];
          args[p] = new double[fn.params().get(p).shape().size()];
          for (int e = 0; e < args[p].length; e++) {
            args[p][e] = s.next(random);
          }
        }
        fix.accept(args);
        if (ok.test(args)) {
          return args;
        }
      }
      throw new AssertionError(name + ": no admissible point found");
    }
  }

  static Case c(String name, String params, String body, Sampler... samplers) {
    return new Case(name, params, body, samplers, a -> true, a -> {});
  }

  /** All elements of parameter p pairwise at least gap apart (no ties for max/min). */
  static Predicate<double[][]> distinct(int p, double gap) {
    return a -> {
      for (int i = 0; i < a[p].length; i++) {
        for (int j = i + 1; j < a[p].length; j++) {
          if (Math.abs(a[p][i] - a[p][j]) < gap) {
            return false;
          }
        }
      }
      return true;
    };
  }

  /** Elementwise |a[p] - a[q]| >= gap, broadcasting a size-1 or trailing-size operand. */
  static Predicate<double[][]> apart(int p, int q, double gap) {
    return a -> {
      int n = Math.max(a[p].length, a[q].length);
      for (int i = 0; i < n; i++) {
        if (Math.abs(a[p][i % a[p].length] - a[q][i % a[q].length]) < gap) {
          return false;
        }
      }
      return true;
    };
  }

  /**
   * Replaces parameter p's elements by evenly spaced values in [-2, 2] in the order of the
   * drawn ones, so that no two are within 4 / size of each other (no ties in a pooling window,
   * even after a finite-difference step).
   */
  static Consumer<double[][]> spread(int p) {
    return a -> {
      Integer[] order = new Integer[a[p].length];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      double[] drawn = a[p].clone();
      java.util.Arrays.sort(order, java.util.Comparator.comparingDouble(i -> drawn[i]));
      for (int r = 0; r < order.length; r++) {
        a[p][order[r]] = -2 + 4.0 * r / Math.max(1, order.length - 1);
      }
    };
  }

  /** Multiclass hinge margins s_j - s_y + 1 (j != y) away from the kink at 0. */
  static Predicate<double[][]> hingeMargins(int y) {
    return a -> {
      for (int j = 0; j < a[0].length; j++) {
        if (j != y && Math.abs(a[0][j] - a[0][y] + 1) < 0.05) {
          return false;
        }
      }
      return true;
    };
  }

  static final String HELPERS = """
      fn helper(x) = x * sin(x);
      fn helper2(a, b) {
        let s = a * b;
        let t = s + a;
        return t * t - b;
      }
      """;

  static final List<Case> CASES = List.of(
      // ---- elementwise ----
      c("t_exp", "x: [2, 3], w: [2, 3]", "sum(exp(x) * w)", ANY, WEIGHT),
      c("t_log", "x: [2, 3], w: [2, 3]", "sum(log(x) * w)", POSITIVE, WEIGHT),
      c("t_sqrt", "x: [2, 3], w: [2, 3]", "sum(sqrt(x) * w)", POSITIVE, WEIGHT),
      c("t_abs", "x: [2, 3], w: [2, 3]", "sum(abs(x) * w)", NONZERO, WEIGHT),
      c("t_sin", "x: [2, 3], w: [2, 3]", "sum(sin(x) * w)", uniform(-3, 3), WEIGHT),
      c("t_cos", "x: [2, 3], w: [2, 3]", "sum(cos(x) * w)", uniform(-3, 3), WEIGHT),
      c("t_tan", "x: [2, 3], w: [2, 3]", "sum(tan(x) * w)", uniform(-1.2, 1.2), WEIGHT),
      c("t_tanh", "x: [2, 3], w: [2, 3]", "sum(tanh(x) * w)", uniform(-3, 3), WEIGHT),
      c("t_sigmoid", "x: [2, 3], w: [2, 3]", "sum(sigmoid(x) * w)", uniform(-4, 4), WEIGHT),
      c("t_relu", "x: [2, 3], w: [2, 3]", "sum(relu(x) * w)", NONZERO, WEIGHT),
      c("t_softplus", "x: [2, 3], w: [2, 3]", "sum(softplus(x) * w)", uniform(-4, 4), WEIGHT),
      c("t_gelu", "x: [2, 3], w: [2, 3]", "sum(gelu(x) * w)", uniform(-4, 4), WEIGHT),
      c("t_silu", "x: [2, 3], w: [2, 3]", "sum(silu(x) * w)", uniform(-6, 6), WEIGHT),
      c("t_scalar_chain", "x", "exp(sin(x)) + log(1 + x * x) + sqrt(2 + cos(x)) + tanh(x)"
          + " * sigmoid(x) + softplus(-x) + tan(x / 3)", uniform(-2, 2)),
      c("t_leaky_default", "x: [2, 3], w: [2, 3]", "sum(leaky_relu(x) * w)", NONZERO, WEIGHT),
      c("t_leaky_const", "x: [2, 3], w: [2, 3]", "sum(leaky_relu(x, 0.2) * w)", NONZERO, WEIGHT),
      c("t_leaky_alpha", "x: [2, 3], alpha, w: [2, 3]", "sum(leaky_relu(x, alpha) * w)",
          NONZERO, uniform(0.05, 0.5), WEIGHT),
      c("t_max2", "a: [2, 3], b: [2, 3], w: [2, 3]", "sum(max(a, b) * w)", ANY, ANY, WEIGHT)
          .when(apart(0, 1, 0.05)),
      c("t_min2", "a: [2, 3], b: [2, 3], w: [2, 3]", "sum(min(a, b) * w)", ANY, ANY, WEIGHT)
          .when(apart(0, 1, 0.05)),
      c("t_max2_scalar", "s, x: [2, 3], w: [2, 3]", "sum(max(s, x) * w) + sum(min(x, s) * w)",
          ANY, ANY, WEIGHT).when(apart(0, 1, 0.05)),
      c("t_max2_const", "x: [2, 3], w: [2, 3]", "sum(max(x, 0.5) * w) + sum(min(-0.5, x) * w)",
          ANY, WEIGHT).when(a -> {
            for (double v : a[0]) {
              if (Math.abs(Math.abs(v) - 0.5) < 0.05) {
                return false;
              }
            }
            return true;
          }),
      c("t_max2_scalars", "a, b", "max(a, b) * min(a, b) + max(a * a, b)", ANY, ANY)
          .when(apart(0, 1, 0.05)).when(a -> Math.abs(a[0][0] * a[0][0] - a[1][0]) > 0.05),
      c("t_where", "x: [2, 3], y: [2, 3], w: [2, 3]",
          "sum(where(x > y, x * y, sin(y)) * w)", ANY, ANY, WEIGHT).when(apart(0, 1, 0.05)),
      c("t_where_cmp", "x: [2, 3], a: [2, 3], b: [2, 3]",
          "sum(where(x < 0, a, b) + where(x <= 0.5, a * b, 1) + where(x >= -0.5, exp(a), b)"
              + " + where(x != 0.25, a, b * b) + where(x == 0.25, a, 2 * b))",
          uniform(-1, 1), ANY, ANY),
      c("t_where_scalar_branch", "x: [4], s", "sum(where(x > 0, s * x, s))", NONZERO, ANY),
      // forward-only built-ins may decide a where condition; x itself gets a zero gradient
      c("t_forward_only", "x: [2, 3], m: [4, 3], a: [2, 3], b: [4]",
          "sum(where(sign(x) * floor(x + 2) > 0.5, a * a, 2 * a))"
              + " + sum(where(argmax(m) > 0.5, b * b, 3 * b))", ANY, ANY, ANY, ANY)
          .when(a -> java.util.Arrays.stream(a[0]).allMatch(
              v -> Math.abs(v) > 0.05 && Math.abs(v + 2 - Math.rint(v + 2)) > 0.05))
          .when(distinct(1, 0.02)),
      // ---- reductions on a [3, 4] matrix, with and without axis ----
      c("t_sum", "x: [3, 4]", "sum(x) * sum(x)", ANY),
      c("t_sum_ax0", "x: [3, 4], v: [4]", "sum(sum(x, axis: 0) * v)", ANY, WEIGHT),
      c("t_sum_ax1", "x: [3, 4], u: [3]", "sum(sum(x, axis: 1) * u)", ANY, WEIGHT),
      c("t_mean", "x: [3, 4]", "mean(x) * mean(x * x)", ANY),
      c("t_mean_ax0", "x: [3, 4], v: [4]", "sum(mean(x, axis: 0) * v)", ANY, WEIGHT),
      c("t_mean_ax1", "x: [3, 4], u: [3]", "sum(mean(x, axis: 1) * u)", ANY, WEIGHT),
      c("t_maxr", "x: [3, 4]", "max(x) * max(x)", ANY).when(distinct(0, 0.02)),
      c("t_maxr_ax0", "x: [3, 4], v: [4]", "sum(max(x, axis: 0) * v)", ANY, WEIGHT)
          .when(distinct(0, 0.02)),
      c("t_maxr_ax1", "x: [3, 4], u: [3]", "sum(max(x, axis: 1) * u)", ANY, WEIGHT)
          .when(distinct(0, 0.02)),
      c("t_minr", "x: [3, 4]", "min(x) * min(x)", ANY).when(distinct(0, 0.02)),
      c("t_minr_ax0", "x: [3, 4], v: [4]", "sum(min(x, axis: 0) * v)", ANY, WEIGHT)
          .when(distinct(0, 0.02)),
      c("t_minr_ax1", "x: [3, 4], u: [3]", "sum(min(x, axis: 1) * u)", ANY, WEIGHT)
          .when(distinct(0, 0.02)),
      c("t_lse", "x: [3, 4]", "logsumexp(x) * logsumexp(x)", ANY),
      c("t_lse_ax0", "x: [3, 4], v: [4]", "sum(logsumexp(x, axis: 0) * v)", ANY, WEIGHT),
      c("t_lse_ax1", "x: [3, 4], u: [3]", "sum(logsumexp(x, axis: 1) * u)", ANY, WEIGHT),
      c("t_lse_vec", "x: [5]", "logsumexp(x) + logsumexp(2 * x)", ANY),
      // ---- neural-network ----
      c("t_softmax", "x: [4], w: [4]", "sum(softmax(x) * w)", ANY, WEIGHT),
      c("t_softmax_mat", "x: [3, 4], w: [3, 4]", "sum(softmax(x) * w)", ANY, WEIGHT),
      c("t_log_softmax", "x: [4], w: [4]", "sum(log_softmax(x) * w)", ANY, WEIGHT),
      c("t_log_softmax_mat", "x: [3, 4], w: [3, 4]", "sum(log_softmax(x) * w)", ANY, WEIGHT),
      c("t_log_of_softmax", "x: [4], w: [4]", "sum(log(softmax(x)) * w)", ANY, WEIGHT),
      c("t_ce_index", "z: [5]", "cross_entropy(z, 2)", ANY),
      c("t_ce_index_scaled", "z: [5], s", "s * cross_entropy(s * z, 0)", ANY, uniform(0.5, 2)),
      c("t_ce_prob", "z: [5], y: [5]", "cross_entropy(z, y)", ANY, uniform(0, 1)),
      c("t_ce_onehot", "z: [5], y: [5]", "cross_entropy(z, y)", ANY, uniform(0, 1))
          .fix(a -> {
            java.util.Arrays.fill(a[1], 0);
            a[1][3] = 1;
          }),
      c("t_mse", "p: [4], t: [4]", "mse(p, t)", ANY),
      c("t_mse_mat", "p: [2, 3], t: [2, 3]", "mse(p, t) * 3", ANY),
      c("t_mse_broadcast", "p: [2, 3], t: [3]", "mse(p, t)", ANY),
      c("t_hinge_index", "s: [5]", "hinge(s, 1)", ANY).when(hingeMargins(1)),
      c("t_hinge_onehot", "s: [5], y: [5]", "hinge(s, y)", ANY, ANY)
          .fix(a -> {
            java.util.Arrays.fill(a[1], 0);
            a[1][2] = 1;
          }).when(hingeMargins(2)),
      c("t_bce", "x: [4], t: [4]", "sum(bce_with_logits(x, t))", uniform(-4, 4), uniform(0, 1)),
      c("t_bce_scalar", "x, t", "bce_with_logits(x, t) + bce_with_logits(-x, 1 - t)",
          uniform(-4, 4), uniform(0, 1)),
      // ---- matrix products, transpose, indexing ----
      c("t_mm_mat_mat", "A: [2, 3], B: [3, 4], W: [2, 4]", "sum((A @ B) * W)", ANY, ANY, WEIGHT),
      c("t_mm_mat_vec", "A: [2, 3], v: [3], w: [2]", "sum((A @ v) * w)", ANY, ANY, WEIGHT),
      c("t_mm_vec_mat", "u: [2], A: [2, 3], w: [3]", "sum((u @ A) * w)", ANY, ANY, WEIGHT),
      c("t_mm_dot", "u: [3], v: [3]", "(u @ v) * (u @ u)", ANY),
      c("t_mm_chain", "A: [2, 3], x: [3]", "sum((A @ x) ^ 2) + (A @ x) @ (A @ x)", ANY),
      c("t_transpose", "A: [2, 3], W: [3, 2]", "sum(A.T * W) + sum(transpose(A) * W * W)",
          ANY, WEIGHT),
      c("t_transpose_mm", "A: [2, 3], W: [3, 3], B: [2, 3]",
          "sum((A.T @ A) * W) + sum((B @ A.T) * (B @ B.T))", ANY, WEIGHT, ANY),
      c("t_transpose_vec", "A: [2, 3], v: [2], u: [3]", "sum((A.T @ v) * u) + u @ A.T @ v",
          ANY, ANY, WEIGHT),
      c("t_index_vec", "x: [4]", "x[1] * x[2] + sin(x[0]) * x[3]", ANY),
      c("t_index_elem", "W: [3, 4]", "W[1, 2] * W[0, 0] + W[2, 3] ^ 3", ANY),
      c("t_index_row", "W: [3, 4], v: [4]", "sum(W[1] * v) + W[2] @ v + W[0] @ W[0]", ANY, ANY),
      // ---- powers, arithmetic ----
      c("t_pow_const", "x: [2, 3], w: [2, 3]",
          "sum((x ^ 3 + x ^ 2 + x ^ 1 + x ^ 0) * w) + sum(x ^ 4)", ANY, WEIGHT),
      c("t_pow_frac", "x: [2, 3], w: [2, 3]",
          "sum((x ^ 0.5 + x ^ -1 + x ^ -2 + x ^ 1.5 + x ^ -0.5) * w)", POSITIVE, WEIGHT),
      c("t_pow_var", "a, b", "a ^ b + a ^ 2 ^ b + b ^ 2", uniform(0.5, 2), uniform(-1.5, 1.5)),
      c("t_pow_var_tensor", "x: [3], b, y: [3]", "sum(x ^ b) + sum(x ^ y) + sum(b ^ x)",
          POSITIVE, uniform(0.5, 2), uniform(-1.5, 1.5)),
      c("t_neg", "x: [2, 3], w: [2, 3]", "sum(-x * w) - sum(-x ^ 2) + -sum(-(-x))", ANY, WEIGHT),
      c("t_arith", "a: [2, 3], b: [2, 3]", "sum((a + b) * (a - b) / (1 + b * b) - a / (2 + a * a))",
          ANY, ANY),
      c("t_div", "a: [2, 3], b: [2, 3]", "sum(a / b) + sum(1 / b) + sum(b / 3)", ANY, NONZERO)
          .when(a -> java.util.Arrays.stream(a[1]).allMatch(v -> Math.abs(v) > 0.5)),
      c("t_broadcast", "s, x: [2, 3], v: [3]",
          "sum(s * x + v / (2 + s * s) - x * v - s) + sum((x + v) * (v - x) / (3 + s))",
          ANY, ANY, ANY),
      c("t_broadcast_ops", "s, x: [2, 3], v: [3]",
          "sum(x / s) + sum(s / (4 + x * x)) + sum(x - v) * sum(v - x) + sum(s - x) + sum(v * s)",
          uniform(0.5, 2), ANY, ANY),
      // ---- convolutional networks: stride, padding, odd sizes, channels, bias or not ----
      c("t_conv", "x: [1, 5, 5], W: [2, 1, 3, 3], b: [2], u: [2, 3, 3]",
          "sum(conv2d(x, W, b) * u)", ANY, ANY, ANY, WEIGHT),
      c("t_conv_stride_pad", "x: [2, 6, 5], W: [3, 2, 3, 2], u: [3, 3, 3]",
          "sum(conv2d(x, W, stride: 2, padding: 1) * u)", ANY, ANY, WEIGHT),
      c("t_conv_odd", "x: [3, 7, 7], W: [2, 3, 5, 5], b: [2], u: [2, 2, 2]",
          "sum(conv2d(x, W, b, stride: 2) * u)", ANY, ANY, ANY, WEIGHT),
      c("t_conv_wide_pad", "x: [1, 4, 3], W: [1, 1, 3, 3], u: [1, 6, 5]",
          "sum(conv2d(x, W, padding: 2) * u) + sum(conv2d(x * x, W, padding: 1))", ANY, ANY,
          WEIGHT),
      c("t_max_pool", "x: [2, 4, 5], u: [2, 2, 2]", "sum(max_pool2d(x, size: 2) * u)", ANY,
          WEIGHT).fix(spread(0)),
      c("t_max_pool_overlap", "x: [1, 4, 4], u: [1, 2, 2]",
          "sum(max_pool2d(x, size: 3, stride: 1) * u)", ANY, WEIGHT).fix(spread(0)),
      c("t_max_pool_gaps", "x: [2, 7, 7], u: [2, 2, 2]",
          "sum(max_pool2d(x, size: 2, stride: 3) * u)", ANY, WEIGHT).fix(spread(0)),
      c("t_avg_pool", "x: [2, 5, 4], u: [2, 2, 2], v: [2, 4, 3]",
          "sum(avg_pool2d(x, size: 2) * u) + sum(avg_pool2d(x * x, size: 2, stride: 1) * v)",
          ANY, WEIGHT, WEIGHT),
      c("t_flatten_reshape", "x: [2, 3, 2], v: [12], W: [3, 4]",
          "sum(flatten(x) * v) + sum(reshape(x * x, [3, 4]) * W) + sum(reshape(x, [12]))",
          ANY, WEIGHT, WEIGHT),
      // a function never trains: dropout is the identity
      c("t_dropout", "x: [2, 3], w: [2, 3]", "sum(dropout(x, rate: 0.5) * w)", ANY, WEIGHT),
      c("t_cnn", "x: [1, 6, 6], W: [2, 1, 3, 3], b: [2], V: [8, 3]",
          "sum(flatten(max_pool2d(tanh(conv2d(x, W, b)), size: 2)) @ V)", ANY, ANY, ANY, WEIGHT),
      c("t_call", "x, y", "helper(x) + helper(2 * y) + helper2(x, y)", ANY, ANY),
      c("t_block_like", "x: [3], y: [3]", "helper2(sum(x * y), x @ x)", ANY, ANY));

  /**
   * What the cases above must all mention: a call of every function of the built-in table (so a
   * new built-in fails this test until it has a case) and every operator form of LANGUAGE.md.
   */
  static List<String> builtins() {
    List<String> all = new ArrayList<>();
    for (String name : Builtins.names()) {
      all.add(name + "(");
    }
    all.addAll(List.of("axis:", "@", ".T", "[1]", "[1, 2]", "^", "/", "-x"));
    return all;
  }

  static String text() {
    StringBuilder out = new StringBuilder(HELPERS);
    for (Case c : CASES) {
      out.append(c.text());
    }
    return out.toString();
  }

  @Test
  void everyBuiltinIsCovered() {
    String all = text();
    Set<String> missing = new LinkedHashSet<>();
    for (String b : builtins()) {
      // a call must not be found inside a longer name: max( in argmax(
      String boundary = Character.isLetter(b.charAt(0)) ? "(?<![A-Za-z0-9_])" : "";
      if (!Pattern.compile(boundary + Pattern.quote(b)).matcher(all).find()) {
        missing.add(b);
      }
    }
    assertTrue(missing.isEmpty(), "built-ins without a finite-difference case: " + missing);
    Set<String> names = new LinkedHashSet<>();
    CASES.forEach(c -> assertTrue(names.add(c.name()), "duplicate case " + c.name()));
  }

  /** How one mode computes value and gradient. */
  interface Mode {
    List<double[]> run(Case c, double[][] args);
  }

  @TestFactory
  Stream<DynamicTest> interpreterUnsimplified() {
    return tests("interpreter, unsimplified", (c, args) -> interpret(c, args, false));
  }

  @TestFactory
  Stream<DynamicTest> interpreterSimplified() {
    return tests("interpreter, simplified", (c, args) -> interpret(c, args, true));
  }

  @TestFactory
  Stream<DynamicTest> generatedSimplified() {
    Map<String, CompiledFunction> fns = GeneratedCode.compile(text(), true);
    return tests("generated, simplified", (c, args) -> generated(fns, c, args));
  }

  @TestFactory
  Stream<DynamicTest> generatedUnsimplified() {
    Map<String, CompiledFunction> fns = GeneratedCode.compile(text(), false);
    return tests("generated, unsimplified", (c, args) -> generated(fns, c, args));
  }

  /**
   * Every built-in's second derivative: the generated Hessian (one Hessian-vector product per
   * basis direction, derived by differentiating the first derivative's graph) against central
   * finite differences of the generated gradient, which the tests above check against the value.
   */
  @TestFactory
  Stream<DynamicTest> secondDerivativesMatchFiniteDifferencesOfTheGradient() {
    Map<String, CompiledFunction> fns = GeneratedCode.compile(text(), true);
    List<DynamicTest> tests = new ArrayList<>();
    for (int k = 0; k < CASES.size(); k++) {
      Case c = CASES.get(k);
      long seed = 2000L + k;
      tests.add(DynamicTest.dynamicTest(c.name() + " (second derivatives)", () -> {
        FunctionIr fn = TestPrograms.function(HELPERS + c.text(), c.name());
        CompiledFunction f = fns.get(c.name());
        Random random = new Random(seed);
        for (int point = 0; point < POINTS; point++) {
          double[][] args = c.point(fn, random);
          double[] hessian = f.evaluateHessian(Numerics.copy(args), null);
          int size = (int) Math.round(Math.sqrt(hessian.length));
          int column = 0;
          for (int p = 0; p < args.length; p++) {
            for (int e = 0; e < args[p].length; e++, column++) {
              double x = args[p][e];
              double h = 1e-5 * Math.max(1, Math.abs(x));
              double[][] plus = Numerics.copy(args);
              double[][] minus = Numerics.copy(args);
              plus[p][e] = x + h;
              minus[p][e] = x - h;
              double[] a = gradient(f, plus);
              double[] b = gradient(f, minus);
              double[] fd = new double[size];
              double[] got = new double[size];
              for (int r = 0; r < size; r++) {
                fd[r] = (a[r] - b[r]) / (plus[p][e] - minus[p][e]);
                got[r] = hessian[r * size + column];
              }
              Numerics.assertClose(c.name() + " at " + deep(args) + ": Hessian column "
                  + column, fd, got, 1e-4, 1e-5);
            }
          }
        }
      }));
    }
    return tests.stream();
  }

  /** The generated gradient, all parameters flattened in order. */
  private static double[] gradient(CompiledFunction f, double[][] args) {
    double[][] parts = GeneratedCode.valueAndGradient(f, Numerics.copy(args));
    int size = 0;
    for (int i = 1; i < parts.length; i++) {
      size += parts[i].length;
    }
    double[] out = new double[size];
    int at = 0;
    for (int i = 1; i < parts.length; i++) {
      System.arraycopy(parts[i], 0, out, at, parts[i].length);
      at += parts[i].length;
    }
    return out;
  }

  private static List<double[]> interpret(Case c, double[][] args, boolean simplify) {
    FunctionIr fn = TestPrograms.function(HELPERS + c.text(), c.name());
    return TestPrograms.valueAndGradient(DerivedFunction.derive(fn, simplify), args);
  }

  private static List<double[]> generated(Map<String, CompiledFunction> fns, Case c,
      double[][] args) {
    CompiledFunction f = fns.get(c.name());
    assertEquals(c.name(), f.name());
    return List.of(GeneratedCode.valueAndGradient(f, Numerics.copy(args)));
  }

  private static Stream<DynamicTest> tests(String mode, Mode run) {
    List<DynamicTest> tests = new ArrayList<>();
    for (int k = 0; k < CASES.size(); k++) {
      Case c = CASES.get(k);
      long seed = 1000L + k;
      tests.add(DynamicTest.dynamicTest(c.name() + " (" + mode + ")", () -> {
        FunctionIr fn = TestPrograms.function(HELPERS + c.text(), c.name());
        Random random = new Random(seed);
        for (int point = 0; point < POINTS; point++) {
          double[][] args = c.point(fn, random);
          double[] value = Numerics.value(fn, args);
          double[][] fd = Numerics.finiteDifferences(fn, args, STEP);
          List<double[]> got = run.run(c, args);
          String where = c.name() + " [" + mode + "] at " + deep(args);
          Numerics.assertClose(where + ": value", value, got.get(0), EXACT_RTOL, 1e-13);
          assertEquals(args.length + 1, got.size(), where);
          for (int p = 0; p < args.length; p++) {
            Numerics.assertClose(where + ": gradient of " + fn.params().get(p).name(), fd[p],
                got.get(p + 1), FD_RTOL, FD_ATOL);
          }
        }
      }));
    }
    return tests.stream();
  }

  private static String deep(double[][] args) {
    StringBuilder out = new StringBuilder();
    for (double[] a : args) {
      out.append(java.util.Arrays.toString(a));
    }
    return out.toString();
  }
}
