package dev.nnc.compiler.simplify;

import static dev.nnc.compiler.ir.Op.ADD;
import static dev.nnc.compiler.ir.Op.BATCH_BROADCAST;
import static dev.nnc.compiler.ir.Op.BATCH_SUM;
import static dev.nnc.compiler.ir.Op.BROADCAST;
import static dev.nnc.compiler.ir.Op.DIV;
import static dev.nnc.compiler.ir.Op.EXP;
import static dev.nnc.compiler.ir.Op.LOG;
import static dev.nnc.compiler.ir.Op.LOGSUMEXP;
import static dev.nnc.compiler.ir.Op.MUL;
import static dev.nnc.compiler.ir.Op.NEG;
import static dev.nnc.compiler.ir.Op.POW;
import static dev.nnc.compiler.ir.Op.RESHAPE;
import static dev.nnc.compiler.ir.Op.SIGMOID;
import static dev.nnc.compiler.ir.Op.SOFTMAX;
import static dev.nnc.compiler.ir.Op.SOFTPLUS;
import static dev.nnc.compiler.ir.Op.SUB;
import static dev.nnc.compiler.ir.Op.SUM;
import static dev.nnc.compiler.ir.Op.TRANSPOSE;
import static dev.nnc.compiler.ir.Op.WHERE;
import static dev.nnc.compiler.simplify.Pattern.any;
import static dev.nnc.compiler.simplify.Pattern.constant;
import static dev.nnc.compiler.simplify.Pattern.either;
import static dev.nnc.compiler.simplify.Pattern.op;
import static dev.nnc.compiler.simplify.Pattern.scalar;

import dev.nnc.compiler.interp.Interpreter;
import dev.nnc.compiler.ir.Graph;
import dev.nnc.compiler.ir.Node;
import dev.nnc.compiler.ir.Op;
import dev.nnc.compiler.ir.Shape;
import java.util.List;
import java.util.Map;

/**
 * The simplifier's rules, as data, in the order they are tried: each a name, its algebra, and a
 * {@link Pattern} written like that algebra with the replacement it builds (a few rules whose
 * match is a search, such as constant folding, are methods). NaN/Inf policy: a rule may drop
 * a subexpression only if doing so cannot change a NaN or infinite result into a finite one.
 * So {@code x * 0 -> 0} and {@code x - x -> 0} are applied only when x is a constant (by
 * folding); for a variable x they stay, because x may be Inf or NaN at run time.
 */
public final class Rules {
  private Rules() {}

  private static final Pattern X = any("x");
  private static final Pattern A = any("a");
  private static final Pattern B = any("b");
  private static final Pattern C = any("c");
  private static final Pattern ZERO = constant(0);
  private static final Pattern ONE = constant(1);

  public static final List<Rewrite> ALL = List.of(
      new Rewrite("fold", "op(c1, c2, ...) -> c  (constant inputs, elementwise or reduced)",
          Rules::fold),
      rule("add-zero", "x + 0 -> x;  0 + x -> x",
          either(ADD, X, ZERO), (g, n, m) -> g.broadcast(m.get("x"), n.shape())),
      rule("add-same", "x + x -> 2 * x",
          op(ADD, X, X), (g, n, m) -> g.mul(g.scalar(2), m.get("x"))),
      rule("sub-zero", "x - 0 -> x;  0 - x -> -x",
          op(SUB, X, ZERO), (g, n, m) -> g.broadcast(m.get("x"), n.shape()),
          op(SUB, ZERO, X), (g, n, m) -> g.broadcast(g.neg(m.get("x")), n.shape())),
      rule("mul-one", "x * 1 -> x;  1 * x -> x",
          either(MUL, X, ONE), (g, n, m) -> g.broadcast(m.get("x"), n.shape())),
      rule("mul-minus-one", "x * -1 -> -x;  -1 * x -> -x",
          either(MUL, X, constant(-1)), (g, n, m) -> g.broadcast(g.neg(m.get("x")), n.shape())),
      rule("div-one", "x / 1 -> x",
          op(DIV, X, ONE), (g, n, m) -> g.broadcast(m.get("x"), n.shape())),
      rule("neg-neg", "--x -> x",
          op(NEG, op(NEG, X)), (g, n, m) -> m.get("x")),
      rule("sub-neg", "a - (-b) -> a + b",
          op(SUB, A, op(NEG, B)), (g, n, m) -> g.add(m.get("a"), m.get("b"))),
      rule("add-neg", "a + (-b) -> a - b;  (-a) + b -> b - a",
          either(ADD, A, op(NEG, B)), (g, n, m) -> g.sub(m.get("a"), m.get("b"))),
      rule("neg-mul", "(-a) * b -> -(a * b);  a * (-b) -> -(a * b)",
          op(MUL, op(NEG, A), B), (g, n, m) -> g.neg(g.mul(m.get("a"), m.get("b"))),
          op(MUL, A, op(NEG, B)), (g, n, m) -> g.neg(g.mul(m.get("a"), m.get("b")))),
      rule("neg-div", "(-a) / b -> -(a / b)",
          op(DIV, op(NEG, A), B), (g, n, m) -> g.neg(g.div(m.get("a"), m.get("b")))),
      rule("pow-one", "x ^ 1 -> x",
          op(POW, X, ONE), (g, n, m) -> g.broadcast(m.get("x"), n.shape())),
      rule("pow-zero", "x ^ 0 -> 1  (IEEE pow(x, 0) is 1 even for NaN)",
          op(POW, X, ZERO), (g, n, m) -> g.constant(1, n.shape())),
      rule("pow-two", "x ^ 2 -> x * x",
          op(POW, X, constant(2)), (g, n, m) -> sameShape(m.get("x"), n)
              ? g.mul(m.get("x"), m.get("x")) : null),
      rule("pow-minus-one", "x ^ -1 -> 1 / x",
          op(POW, X, constant(-1)), (g, n, m) -> sameShape(m.get("x"), n)
              ? g.div(g.scalar(1), m.get("x")) : null),
      rule("sigmoid-form", "1 / (1 + exp(-x)) -> sigmoid(x)  (stable)",
          op(DIV, ONE, either(ADD, ONE, op(EXP, op(NEG, X)).as("e"))),
          (g, n, m) -> sameShape(m.get("e"), n) ? g.unary(SIGMOID, m.get("x")) : null),
      rule("softplus-form", "log(1 + exp(x)) -> softplus(x)  (stable)",
          op(LOG, either(ADD, ONE, op(EXP, X).as("e"))),
          (g, n, m) -> sameShape(m.get("e"), n) ? g.unary(SOFTPLUS, m.get("x")) : null),
      rule("log-sigmoid", "log(sigmoid(x)) -> -softplus(-x)  (stable)",
          op(LOG, op(SIGMOID, X)), (g, n, m) -> g.neg(g.unary(SOFTPLUS, g.neg(m.get("x"))))),
      rule("log-softmax", "log(softmax(x)) -> x - logsumexp(x)  (stable)",
          op(LOG, op(SOFTMAX, X)), (g, n, m) -> {
            Node x = m.get("x");
            int axis = lastAxis(x.shape());
            Node lse = g.apply(LOGSUMEXP, axis, null, n.origin(), x);
            return g.sub(x, g.broadcastAxis(lse, axis, x.shape()));
          }),
      rule("log-exp", "log(exp(x)) -> x",
          op(LOG, op(EXP, X)), (g, n, m) -> m.get("x")),
      rule("softmax-form", "exp(x - logsumexp(x)) -> softmax(x)  (fused: softmax-with-loss"
          + " backward becomes p - y)",
          op(EXP, op(SUB, X, op(BROADCAST, op(LOGSUMEXP, X).as("lse")))), Rules::softmaxForm,
          op(EXP, op(SUB, X, op(LOGSUMEXP, X).as("lse"))), Rules::softmaxForm),
      new Rewrite("where-zero-mul", "where(c, a, 0) * b -> where(c, a * b, 0)  (a NaN in the"
          + " untaken branch stays out)", Rules::whereZeroMul),
      rule("where-zero-div", "where(c, a, 0) / b -> where(c, a / b, 0)",
          op(DIV, op(WHERE, C, A, ZERO).as("w"), B), (g, n, m) -> sameShape(m.get("w"), n)
              ? g.apply(WHERE, n.origin(), m.get("c"), g.div(m.get("a"), m.get("b")), g.scalar(0))
              : null,
          op(DIV, op(WHERE, C, ZERO, A).as("w"), B), (g, n, m) -> sameShape(m.get("w"), n)
              ? g.apply(WHERE, n.origin(), m.get("c"), g.scalar(0), g.div(m.get("a"), m.get("b")))
              : null),
      new Rewrite("where-add", "where(c, a, 0) + where(c, b, 0) -> where(c, a + b, 0);  also with"
          + " 0 in the first branch, and for -  (gradients of two uses in one guarded branch)",
          Rules::whereAdd),
      rule("where-same", "where(c, a, a) -> a",
          op(WHERE, C, A, A), (g, n, m) -> g.broadcast(m.get("a"), n.shape())),
      rule("transpose-transpose", "(x^T)^T -> x",
          op(TRANSPOSE, op(TRANSPOSE, X)), (g, n, m) -> m.get("x")),
      rule("reshape-reshape", "reshape(reshape(x)) -> reshape(x)  (flatten of a reshape, and"
          + " the gradient of one: one view)",
          op(RESHAPE, op(RESHAPE, X)), (g, n, m) -> g.reshape(m.get("x"), n.shape())),
      rule("mul-broadcast-scalar", "broadcast(s) * x -> s * x  (s a scalar: the product"
          + " broadcasts it)",
          either(MUL, op(BROADCAST, any("s", Pattern::scalar)), X),
          (g, n, m) -> sameShape(m.get("x"), n) ? g.mul(m.get("s"), m.get("x")) : null),
      rule("mul-scalars", "a * (b * x) -> (a * b) * x  (a, b scalars, x a tensor shared by the"
          + " batch, such as a weight: one pass over x, not two; the product may round"
          + " differently)",
          either(MUL, any("a", Pattern::scalar), either(MUL, any("b", Pattern::scalar),
              any("x", n -> !scalar(n)))),
          // per-example products are fused into one loop anyway
          (g, n, m) -> n.batched() ? null
              : g.mul(g.apply(MUL, n.origin(), m.get("a"), m.get("b")), m.get("x"))),
      rule("batch-sum-broadcast", "batch_sum(batch_broadcast(s)) -> n * s  (n the batch size:"
          + " a product, not a loop adding s n times)",
          op(BATCH_SUM, op(BATCH_BROADCAST, X)), (g, n, m) -> g.batchSizeOrNull() == null ? null
              : g.mul(g.batchSizeOrNull(), m.get("x"))),
      rule("sum-broadcast-scalar", "sum(broadcast(s)) -> s * n  (s a scalar)",
          op(SUM, op(BROADCAST, X).as("b")), (g, n, m) -> n.attr() == -1
              && m.get("x").shape().isScalar()
              ? g.mul(m.get("x"), g.scalar(m.get("b").shape().size())) : null));

  /** Builds the replacement of node {@code n} from what its pattern bound; null if none. */
  interface Action {
    Node rewrite(Graph g, Node.Apply n, Pattern.Match m);
  }

  /** A rule: where {@code pattern} matches a node, {@code action} gives its replacement. */
  private static Rewrite rule(String name, String algebra, Pattern pattern, Action action) {
    return new Rewrite(name, algebra, (g, n) -> {
      Pattern.Match m = new Pattern.Match();
      return pattern.matches(n, m) ? action.rewrite(g, n, m) : null;
    });
  }

  /** A rule of two cases, tried in order. */
  private static Rewrite rule(String name, String algebra, Pattern first, Action firstAction,
      Pattern second, Action secondAction) {
    Rewrite a = rule(name, algebra, first, firstAction);
    Rewrite b = rule(name, algebra, second, secondAction);
    return new Rewrite(name, algebra, (g, n) -> {
      Node r = a.matcher().rewrite(g, n);
      return r != null ? r : b.matcher().rewrite(g, n);
    });
  }

  private static boolean sameShape(Node a, Node b) {
    return a.shape().equals(b.shape());
  }

  /** The attr of the last axis: -1 (everything) for a vector, rank - 1 otherwise. */
  private static int lastAxis(Shape shape) {
    return shape.rank() == 1 ? -1 : shape.rank() - 1;
  }

  private static boolean is(Node node, Op op) {
    return node instanceof Node.Apply a && a.op() == op;
  }

  private static boolean isConst(Node node, double value) {
    return node instanceof Node.Const c && c.value() == value;
  }

  /** Folds an op whose inputs are all constants, when the result is again one constant. */
  private static Node fold(Graph g, Node.Apply n) {
    for (Node in : n.inputs()) {
      if (!(in instanceof Node.Const)) {
        return null;
      }
    }
    // a dropout of a constant is not a constant in a training step
    if (n.op() == Op.EMBED || n.op() == Op.ONEHOT || n.op() == Op.PICK || n.op() == Op.DROPOUT
        || n.shape().size() > 1 << 16) {
      return null;
    }
    double[] value = new Interpreter(Map.of()).value(n);
    for (double v : value) {
      if (Double.doubleToLongBits(v) != Double.doubleToLongBits(value[0])) {
        return null;
      }
    }
    return g.constant(value[0], n.shape());
  }

  /** softmax-form's guard: x is not a scalar and logsumexp runs over its last axis. */
  private static Node softmaxForm(Graph g, Node.Apply n, Pattern.Match m) {
    Node x = m.get("x");
    if (x.shape().isScalar() || m.apply("lse").attr() != lastAxis(x.shape())) {
      return null;
    }
    return g.unary(SOFTMAX, x);
  }

  private static Node whereAdd(Graph g, Node.Apply n) {
    if ((n.op() != Op.ADD && n.op() != Op.SUB) || !is(n.input(0), Op.WHERE)
        || !is(n.input(1), Op.WHERE)) {
      return null;
    }
    Node.Apply l = (Node.Apply) n.input(0);
    Node.Apply r = (Node.Apply) n.input(1);
    if (l.input(0) != r.input(0)) {
      return null;
    }
    Node merged = null;
    for (int zero = 1; zero <= 2 && merged == null; zero++) {
      int kept = 3 - zero;
      if (isConst(l.input(zero), 0) && isConst(r.input(zero), 0)) {
        Node combined = n.op() == Op.ADD ? g.add(l.input(kept), r.input(kept))
            : g.sub(l.input(kept), r.input(kept));
        merged = zero == 2
            ? g.apply(Op.WHERE, n.origin(), l.input(0), combined, g.scalar(0))
            : g.apply(Op.WHERE, n.origin(), l.input(0), g.scalar(0), combined);
      }
    }
    return merged != null && merged.shape().equals(n.shape()) ? merged : null;
  }

  private static Node whereZeroMul(Graph g, Node.Apply n) {
    if (n.op() != Op.MUL) {
      return null;
    }
    for (int side = 0; side < 2; side++) {
      Node w = n.input(side);
      Node other = n.input(1 - side);
      if (is(w, Op.WHERE) && w.shape().equals(n.shape())) {
        Node.Apply where = (Node.Apply) w;
        if (isConst(where.input(2), 0)) {
          return g.apply(Op.WHERE, n.origin(), where.input(0), g.mul(where.input(1), other),
              g.scalar(0));
        }
        if (isConst(where.input(1), 0)) {
          return g.apply(Op.WHERE, n.origin(), where.input(0), g.scalar(0),
              g.mul(where.input(2), other));
        }
      }
    }
    return null;
  }
}
