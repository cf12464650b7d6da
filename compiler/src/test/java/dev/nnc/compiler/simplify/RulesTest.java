package dev.nnc.compiler.simplify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.Numerics;
import dev.nnc.compiler.diag.SourceSpan;
import dev.nnc.compiler.interp.Interpreter;
import dev.nnc.compiler.ir.Graph;
import dev.nnc.compiler.ir.Node;
import dev.nnc.compiler.ir.Op;
import dev.nnc.compiler.ir.Shape;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One test per rule of {@link Rules#ALL}, named {@code rule_} + the rule's name with '-' as '_':
 * the rule alone rewrites a matching node to the expected structure (checked by identity, since
 * the graph interns nodes), the rewrite computes the same values as the original, and the whole
 * simplifier reaches that form too. Plus the NaN policy and the shape invariant.
 */
class RulesTest {
  private static final SourceSpan S = SourceSpan.NONE;

  private Graph g;
  private Node x;
  private Node y;
  private Node v;
  private Node u;
  private Node m;

  @BeforeEach
  void graph() {
    g = new Graph();
    x = g.var("x", Shape.SCALAR, true, S);
    y = g.var("y", Shape.SCALAR, true, S);
    v = g.var("v", Shape.of(3), true, S);
    u = g.var("u", Shape.of(3), true, S);
    m = g.var("m", Shape.of(2, 3), true, S);
  }

  private static Rewrite rule(String name) {
    for (Rewrite r : Rules.ALL) {
      if (r.name().equals(name)) {
        return r;
      }
    }
    throw new AssertionError("no rule named " + name);
  }

  private Node c(double value) {
    return g.scalar(value);
  }

  private Node apply(Op op, Node... in) {
    return g.apply(op, S, in);
  }

  /** Values for every variable of the graph: seeded, positive. */
  private Map<Node.Var, double[]> point(long seed) {
    Random random = new Random(seed);
    Map<Node.Var, double[]> inputs = new HashMap<>();
    for (Node.Var var : g.vars()) {
      double[] values = new double[var.shape().size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = (0.3 + 1.4 * random.nextDouble()) * (random.nextBoolean() ? 1 : -1);
      }
      inputs.put(var, values);
    }
    return inputs;
  }

  private void assertSameValues(String what, Node original, Node rewritten) {
    for (long seed = 1; seed <= 8; seed++) {
      double[] a = new Interpreter(point(seed)).value(original);
      double[] b = new Interpreter(point(seed)).value(rewritten);
      if (what.startsWith("where-zero")) {
        // the documented exception to the NaN policy: a NaN of the untaken branch stays out
        for (int i = 0; i < a.length; i++) {
          if (Double.isNaN(a[i])) {
            a[i] = b[i];
          }
        }
      }
      Numerics.assertClose(what + " (seed " + seed + ")", a, b, 1e-12, 1e-14);
    }
  }

  /**
   * Asserts that rule {@code name} alone rewrites {@code node} to {@code expected} (identity),
   * that both compute the same values, and that the full simplifier also arrives at
   * {@code expected}.
   */
  private void rewrites(String name, Node node, Node expected) {
    Node got = rule(name).matcher().rewrite(g, (Node.Apply) node);
    assertNotNull(got, name + " did not match " + node);
    assertSame(expected, got, name + ": got " + got);
    assertEquals(node.shape(), got.shape(), name + " changed the shape");
    assertSameValues(name, node, got);
    assertSame(expected, Simplifier.simplify(g, List.of(node)).get(0),
        name + ": the simplifier did not reach the rule's form");
  }

  /** Asserts that rule {@code name} does not apply to {@code node}. */
  private void doesNotMatch(String name, Node node) {
    assertNull(rule(name).matcher().rewrite(g, (Node.Apply) node), name + " matched " + node);
  }

  // ---- one test per rule ----

  @Test
  void rule_fold() {
    rewrites("fold", g.add(c(2), c(3)), c(5));
    rewrites("fold", apply(Op.EXP, c(0)), c(1));
    Node ones = g.constant(1, Shape.of(3));
    rewrites("fold", g.mul(ones, c(4)), g.constant(4, Shape.of(3)));
    rewrites("fold", g.apply(Op.SUM, -1, null, S, ones), c(3));
    doesNotMatch("fold", g.add(x, c(1)));
    // the fold keeps NaN as a constant rather than dropping it
    rewrites("fold", apply(Op.LOG, c(-1)), c(Double.NaN));
  }

  @Test
  void rule_add_zero() {
    rewrites("add-zero", g.add(x, c(0)), x);
    rewrites("add-zero", g.add(c(0), v), v);
    rewrites("add-zero", g.add(v, g.constant(0, Shape.of(3))), v);
    // a scalar plus zeros of a larger shape keeps the shape by broadcasting
    rewrites("add-zero", g.add(x, g.constant(0, Shape.of(3))), g.broadcast(x, Shape.of(3)));
    doesNotMatch("add-zero", g.add(x, c(1)));
  }

  @Test
  void rule_sub_zero() {
    rewrites("sub-zero", g.sub(x, c(0)), x);
    rewrites("sub-zero", g.sub(c(0), x), g.neg(x));
    rewrites("sub-zero", g.sub(c(0), v), g.neg(v));
    doesNotMatch("sub-zero", g.sub(x, y));
  }

  @Test
  void rule_mul_one() {
    rewrites("mul-one", g.mul(x, c(1)), x);
    rewrites("mul-one", g.mul(c(1), m), m);
    doesNotMatch("mul-one", g.mul(x, c(2)));
  }

  @Test
  void rule_mul_minus_one() {
    rewrites("mul-minus-one", g.mul(x, c(-1)), g.neg(x));
    rewrites("mul-minus-one", g.mul(c(-1), v), g.neg(v));
  }

  @Test
  void rule_div_one() {
    rewrites("div-one", g.div(x, c(1)), x);
    rewrites("div-one", g.div(v, c(1)), v);
    doesNotMatch("div-one", g.div(c(1), x));
  }

  @Test
  void rule_add_same() {
    Node sum = g.add(x, x);
    Node rewritten = new Simplifier(g, List.of(rule("add-same"))).run(List.of(sum)).get(0);
    Node.Apply mul = (Node.Apply) rewritten;
    org.junit.jupiter.api.Assertions.assertEquals(Op.MUL, mul.op());
    org.junit.jupiter.api.Assertions.assertSame(x, mul.input(1));
    doesNotMatch("add-same", g.add(x, v));
  }

  @Test
  void rule_neg_neg() {
    rewrites("neg-neg", g.neg(g.neg(x)), x);
    rewrites("neg-neg", g.neg(g.neg(m)), m);
  }

  @Test
  void rule_sub_neg() {
    rewrites("sub-neg", g.sub(x, g.neg(y)), g.add(x, y));
  }

  @Test
  void rule_add_neg() {
    rewrites("add-neg", g.add(x, g.neg(y)), g.sub(x, y));
    rewrites("add-neg", g.add(g.neg(x), y), g.sub(y, x));
  }

  @Test
  void rule_neg_mul() {
    rewrites("neg-mul", g.mul(g.neg(x), y), g.neg(g.mul(x, y)));
    rewrites("neg-mul", g.mul(x, g.neg(v)), g.neg(g.mul(x, v)));
  }

  @Test
  void rule_neg_div() {
    rewrites("neg-div", g.div(g.neg(x), y), g.neg(g.div(x, y)));
  }

  @Test
  void rule_pow_one() {
    rewrites("pow-one", apply(Op.POW, x, c(1)), x);
  }

  @Test
  void rule_pow_zero() {
    rewrites("pow-zero", apply(Op.POW, x, c(0)), c(1));
    rewrites("pow-zero", apply(Op.POW, v, c(0)), g.constant(1, Shape.of(3)));
  }

  @Test
  void rule_pow_two() {
    Node squared = rule("pow-two").matcher().rewrite(g, (Node.Apply) apply(Op.POW, x, c(2)));
    Node.Apply mul = assertInstanceOf(Node.Apply.class, squared);
    assertEquals(Op.MUL, mul.op());
    assertSame(mul.input(0), mul.input(1), "x^2 must be x * x with one shared x");
    assertSame(x, mul.input(0));
    rewrites("pow-two", apply(Op.POW, x, c(2)), g.mul(x, x));
    rewrites("pow-two", apply(Op.POW, v, c(2)), g.mul(v, v));
  }

  @Test
  void rule_pow_minus_one() {
    rewrites("pow-minus-one", apply(Op.POW, x, c(-1)), g.div(c(1), x));
  }

  @Test
  void rule_sigmoid_form() {
    Node s = g.unary(Op.SIGMOID, x);
    rewrites("sigmoid-form", g.div(c(1), g.add(c(1), apply(Op.EXP, g.neg(x)))), s);
    rewrites("sigmoid-form", g.div(c(1), g.add(apply(Op.EXP, g.neg(x)), c(1))), s);
    doesNotMatch("sigmoid-form", g.div(c(1), g.add(c(1), apply(Op.EXP, x))));
  }

  @Test
  void rule_softplus_form() {
    Node sp = g.unary(Op.SOFTPLUS, x);
    rewrites("softplus-form", apply(Op.LOG, g.add(c(1), apply(Op.EXP, x))), sp);
    rewrites("softplus-form", apply(Op.LOG, g.add(apply(Op.EXP, v), c(1))),
        g.unary(Op.SOFTPLUS, v));
  }

  @Test
  void rule_log_sigmoid() {
    rewrites("log-sigmoid", apply(Op.LOG, g.unary(Op.SIGMOID, x)),
        g.neg(g.unary(Op.SOFTPLUS, g.neg(x))));
  }

  @Test
  void rule_log_softmax() {
    Node lse = g.apply(Op.LOGSUMEXP, -1, null, S, v);
    rewrites("log-softmax", apply(Op.LOG, apply(Op.SOFTMAX, v)),
        g.sub(v, g.broadcast(lse, Shape.of(3))));
    // a matrix: over the last axis
    Node lseRows = g.apply(Op.LOGSUMEXP, 1, null, S, m);
    rewrites("log-softmax", apply(Op.LOG, apply(Op.SOFTMAX, m)),
        g.sub(m, g.broadcastAxis(lseRows, 1, Shape.of(2, 3))));
  }

  @Test
  void rule_log_exp() {
    rewrites("log-exp", apply(Op.LOG, apply(Op.EXP, x)), x);
    rewrites("log-exp", apply(Op.LOG, apply(Op.EXP, m)), m);
  }

  @Test
  void rule_softmax_form() {
    Node lse = g.apply(Op.LOGSUMEXP, -1, null, S, v);
    rewrites("softmax-form", apply(Op.EXP, g.sub(v, g.broadcast(lse, Shape.of(3)))),
        apply(Op.SOFTMAX, v));
    Node rows = g.apply(Op.LOGSUMEXP, 1, null, S, m);
    rewrites("softmax-form", apply(Op.EXP, g.sub(m, g.broadcastAxis(rows, 1, Shape.of(2, 3)))),
        apply(Op.SOFTMAX, m));
    // softmax is over the last axis only: a logsumexp over axis 0 is not a softmax
    Node cols = g.apply(Op.LOGSUMEXP, 0, null, S, m);
    doesNotMatch("softmax-form",
        apply(Op.EXP, g.sub(m, g.broadcastAxis(cols, 0, Shape.of(2, 3)))));
    // nor is the logsumexp of another vector
    Node other = g.apply(Op.LOGSUMEXP, -1, null, S, u);
    doesNotMatch("softmax-form", apply(Op.EXP, g.sub(v, g.broadcast(other, Shape.of(3)))));
  }

  @Test
  void rule_where_zero_mul() {
    Node cond = apply(Op.GT, x, c(0));
    rewrites("where-zero-mul", g.mul(apply(Op.WHERE, cond, y, c(0)), apply(Op.SQRT, x)),
        apply(Op.WHERE, cond, g.mul(y, apply(Op.SQRT, x)), c(0)));
    rewrites("where-zero-mul", g.mul(apply(Op.SQRT, x), apply(Op.WHERE, cond, c(0), y)),
        apply(Op.WHERE, cond, c(0), g.mul(y, apply(Op.SQRT, x))));
  }

  @Test
  void rule_where_zero_div() {
    Node cond = apply(Op.GT, x, c(0));
    rewrites("where-zero-div", g.div(apply(Op.WHERE, cond, y, c(0)), apply(Op.SQRT, x)),
        apply(Op.WHERE, cond, g.div(y, apply(Op.SQRT, x)), c(0)));
    rewrites("where-zero-div", g.div(apply(Op.WHERE, cond, c(0), y), apply(Op.SQRT, x)),
        apply(Op.WHERE, cond, c(0), g.div(y, apply(Op.SQRT, x))));
  }

  @Test
  void rule_where_add() {
    Node cond = apply(Op.GT, v, c(0));
    rewrites("where-add", g.add(apply(Op.WHERE, cond, x, c(0)), apply(Op.WHERE, cond, u, c(0))),
        apply(Op.WHERE, cond, g.add(x, u), c(0)));
    rewrites("where-add", g.sub(apply(Op.WHERE, cond, c(0), u), apply(Op.WHERE, cond, c(0), v)),
        apply(Op.WHERE, cond, c(0), g.sub(u, v)));
    // different conditions do not merge
    Node other = apply(Op.LT, v, c(1));
    doesNotMatch("where-add",
        g.add(apply(Op.WHERE, cond, x, c(0)), apply(Op.WHERE, other, u, c(0))));
  }

  @Test
  void rule_where_same() {
    rewrites("where-same", apply(Op.WHERE, apply(Op.GT, x, y), v, v), v);
    rewrites("where-same", apply(Op.WHERE, apply(Op.GT, v, y), x, x), g.broadcast(x, Shape.of(3)));
  }

  @Test
  void rule_transpose_transpose() {
    rewrites("transpose-transpose", g.unary(Op.TRANSPOSE, g.unary(Op.TRANSPOSE, m)), m);
  }

  @Test
  void rule_reshape_reshape() {
    Node flat = g.reshape(m, Shape.of(6));
    rewrites("reshape-reshape", g.reshape(flat, Shape.of(3, 2)), g.reshape(m, Shape.of(3, 2)));
    rewrites("reshape-reshape", g.reshape(flat, Shape.of(2, 3)), m);
  }

  @Test
  void rule_sum_broadcast_scalar() {
    Node sum = g.apply(Op.SUM, -1, null, S, g.broadcast(x, Shape.of(2, 3)));
    rewrites("sum-broadcast-scalar", sum, g.mul(x, c(6)));
  }

  @Test
  void rule_mul_broadcast_scalar() {
    rewrites("mul-broadcast-scalar", g.mul(g.broadcast(x, Shape.of(2, 3)), m), g.mul(x, m));
    rewrites("mul-broadcast-scalar", g.mul(v, g.broadcast(y, Shape.of(3))), g.mul(y, v));
    // a product wider than x keeps the broadcast, or the shape would change
    doesNotMatch("mul-broadcast-scalar", g.mul(g.broadcast(x, Shape.of(2, 3)), v));
    // with the scalars reassociated, 2 * (broadcast(c) * W) is one pass over W
    Node twice = g.mul(c(2), g.mul(g.broadcast(x, Shape.of(2, 3)), m));
    assertSame(g.mul(g.mul(c(2), x), m), Simplifier.simplify(g, List.of(twice)).get(0));
  }

  @Test
  void rule_mul_scalars() {
    // the case: 2 * (c * W) becomes (2 * c) * W, one pass over W instead of two
    rewrites("mul-scalars", g.mul(c(2), g.mul(x, m)), g.mul(g.mul(c(2), x), m));
    rewrites("mul-scalars", g.mul(x, g.mul(v, y)), g.mul(g.mul(x, y), v));
    rewrites("mul-scalars", g.mul(g.mul(y, v), x), g.mul(g.mul(x, y), v));
    rewrites("mul-scalars", g.mul(g.mul(v, y), x), g.mul(g.mul(x, y), v));
    doesNotMatch("mul-scalars", g.mul(x, g.mul(y, x)));
    doesNotMatch("mul-scalars", g.mul(v, g.mul(y, u)));
    doesNotMatch("mul-scalars", g.mul(x, g.add(y, v)));
    // per example, the two products are fused into one loop already
    Node perExample = g.var("e", Shape.of(3), false, true, S);
    doesNotMatch("mul-scalars", g.mul(x, g.mul(y, perExample)));
  }

  @Test
  void rule_batch_sum_broadcast() {
    Node s = g.var("s", Shape.of(3), true, S);
    Node sum = apply(Op.BATCH_SUM, apply(Op.BATCH_BROADCAST, s));
    doesNotMatch("batch-sum-broadcast", sum);
    Node.Var n = g.batchSize(S);
    Node expected = g.mul(n, s);
    Node got = rule("batch-sum-broadcast").matcher().rewrite(g, (Node.Apply) sum);
    assertSame(expected, got);
    assertSame(expected, Simplifier.simplify(g, List.of(sum)).get(0));
    // the same values for a batch of 4, where the batch-size variable holds 4
    Map<Node.Var, double[]> inputs = new HashMap<>(point(3));
    inputs.put(n, new double[] {4});
    Numerics.assertClose("batch-sum-broadcast", new Interpreter(inputs, 4).value(sum),
        new Interpreter(inputs, 4).value(got), 1e-15, 0);
    assertSame(n, g.batchSize(S), "one batch-size variable per graph");
  }

  // ---- the rule set as a whole ----

  @Test
  void everyRuleHasATest() {
    Set<String> tested = new TreeSet<>();
    for (Method method : RulesTest.class.getDeclaredMethods()) {
      if (method.getName().startsWith("rule_") && method.isAnnotationPresent(Test.class)) {
        tested.add(method.getName().substring(5).replace('_', '-'));
      }
    }
    Set<String> names = new TreeSet<>();
    for (Rewrite r : Rules.ALL) {
      assertTrue(names.add(r.name()), "two rules named " + r.name());
      assertTrue(r.algebra() != null && !r.algebra().isBlank(), r.name() + " has no algebra");
    }
    Set<String> untested = new TreeSet<>(names);
    untested.removeAll(tested);
    assertTrue(untested.isEmpty(), "rules without a test in RulesTest: " + untested);
    Set<String> stale = new TreeSet<>(tested);
    stale.removeAll(names);
    assertTrue(stale.isEmpty(), "tests for rules that no longer exist: " + stale);
  }

  @Test
  void timesZeroIsNotFoldedForAVariable() {
    Node times = g.mul(x, c(0));
    Node timesLeft = g.mul(c(0), v);
    Node minus = g.sub(x, x);
    Node divided = g.div(x, x);
    List<Node> out = Simplifier.simplify(g, List.of(times, timesLeft, minus, divided));
    // x may be Inf or NaN at run time: Inf * 0 is NaN, so these must stay
    assertSame(times, out.get(0));
    assertSame(timesLeft, out.get(1));
    assertSame(minus, out.get(2));
    assertSame(divided, out.get(3));
    Map<Node.Var, double[]> inf = new HashMap<>(point(1));
    inf.put((Node.Var) x, new double[] {Double.POSITIVE_INFINITY});
    assertTrue(Double.isNaN(new Interpreter(inf).value(out.get(0))[0]));
    // constants fold
    assertSame(c(0), Simplifier.simplify(g, List.of(g.mul(c(2), c(0)))).get(0));
    assertSame(c(0), Simplifier.simplify(g, List.of(g.sub(c(7), c(7)))).get(0));
    // and a NaN constant times zero stays NaN
    assertTrue(Double.isNaN(((Node.Const) Simplifier.simplify(g,
        List.of(g.mul(c(Double.NaN), c(0)))).get(0)).value()));
  }

  @Test
  void aRewriteThatChangesTheShapeIsRejectedByName() {
    Rewrite bad = new Rewrite("deliberately-bad", "exp(v) -> 1 (a scalar for a vector)",
        (graph, n) -> n.op() == Op.EXP ? graph.scalar(1) : null);
    Node root = g.apply(Op.SUM, -1, null, S, apply(Op.EXP, v));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> new Simplifier(g, List.of(bad)).run(List.of(root)));
    assertTrue(e.getMessage().contains("deliberately-bad"), e.getMessage());
    assertTrue(e.getMessage().contains("[3]"), e.getMessage());
  }

  @Test
  void aCyclingRuleSetIsReportedNotLooped() {
    Rewrite flip = new Rewrite("flip", "a + b -> b + a",
        (graph, n) -> n.op() == Op.ADD ? graph.add(n.input(1), n.input(0)) : null);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> new Simplifier(g, List.of(flip)).run(List.of(g.add(x, y))));
    assertTrue(e.getMessage().contains("flip"), e.getMessage());
  }

  @Test
  void simplifyingIsIdempotentAndSharesCommonSubexpressions() {
    Node a = g.add(g.mul(x, c(1)), g.neg(g.neg(y)));
    Node b = g.add(x, y);
    List<Node> once = Simplifier.simplify(g, List.of(a, b));
    assertSame(once.get(0), once.get(1), "x*1 + --y and x + y must become one node");
    assertEquals(once, Simplifier.simplify(g, once));
  }
}
