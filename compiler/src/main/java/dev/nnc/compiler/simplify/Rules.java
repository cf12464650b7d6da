package dev.nnc.compiler.simplify;

import dev.nnc.compiler.interp.Interpreter;
import dev.nnc.compiler.ir.Graph;
import dev.nnc.compiler.ir.Node;
import dev.nnc.compiler.ir.Op;
import java.util.List;
import java.util.Map;

/**
 * The simplifier's rules, as data, in the order they are tried. NaN/Inf policy: a rule may drop
 * a subexpression only if doing so cannot change a NaN or infinite result into a finite one.
 * So {@code x * 0 -> 0} and {@code x - x -> 0} are applied only when x is a constant (by
 * folding); for a variable x they stay, because x may be Inf or NaN at run time.
 */
public final class Rules {
  private Rules() {}

  public static final List<Rewrite> ALL = List.of(
      new Rewrite("fold", "op(c1, c2, ...) -> c  (constant inputs, elementwise or reduced)",
          Rules::fold),
      new Rewrite("add-zero", "x + 0 -> x;  0 + x -> x", (g, n) -> n.op() == Op.ADD
          ? isConst(n.input(1), 0) ? g.broadcast(n.input(0), n.shape())
          : isConst(n.input(0), 0) ? g.broadcast(n.input(1), n.shape()) : null : null),
      new Rewrite("add-same", "x + x -> 2 * x", (g, n) -> n.op() == Op.ADD
          && n.input(0) == n.input(1) ? g.mul(g.scalar(2), n.input(0)) : null),
      new Rewrite("sub-zero", "x - 0 -> x;  0 - x -> -x", (g, n) -> n.op() == Op.SUB
          ? isConst(n.input(1), 0) ? g.broadcast(n.input(0), n.shape())
          : isConst(n.input(0), 0) ? g.broadcast(g.neg(n.input(1)), n.shape()) : null : null),
      new Rewrite("mul-one", "x * 1 -> x;  1 * x -> x", (g, n) -> n.op() == Op.MUL
          ? isConst(n.input(1), 1) ? g.broadcast(n.input(0), n.shape())
          : isConst(n.input(0), 1) ? g.broadcast(n.input(1), n.shape()) : null : null),
      new Rewrite("mul-minus-one", "x * -1 -> -x;  -1 * x -> -x", (g, n) -> n.op() == Op.MUL
          ? isConst(n.input(1), -1) ? g.broadcast(g.neg(n.input(0)), n.shape())
          : isConst(n.input(0), -1) ? g.broadcast(g.neg(n.input(1)), n.shape()) : null : null),
      new Rewrite("div-one", "x / 1 -> x", (g, n) -> n.op() == Op.DIV && isConst(n.input(1), 1)
          ? g.broadcast(n.input(0), n.shape()) : null),
      new Rewrite("neg-neg", "--x -> x", (g, n) -> n.op() == Op.NEG && is(n.input(0), Op.NEG)
          ? ((Node.Apply) n.input(0)).input(0) : null),
      new Rewrite("sub-neg", "a - (-b) -> a + b", (g, n) -> n.op() == Op.SUB && is(n.input(1), Op.NEG)
          ? g.add(n.input(0), ((Node.Apply) n.input(1)).input(0)) : null),
      new Rewrite("add-neg", "a + (-b) -> a - b;  (-a) + b -> b - a", (g, n) -> n.op() == Op.ADD
          ? is(n.input(1), Op.NEG) ? g.sub(n.input(0), ((Node.Apply) n.input(1)).input(0))
          : is(n.input(0), Op.NEG) ? g.sub(n.input(1), ((Node.Apply) n.input(0)).input(0)) : null
          : null),
      new Rewrite("neg-mul", "(-a) * b -> -(a * b);  a * (-b) -> -(a * b)", (g, n) ->
          n.op() == Op.MUL && is(n.input(0), Op.NEG)
              ? g.neg(g.mul(((Node.Apply) n.input(0)).input(0), n.input(1)))
              : n.op() == Op.MUL && is(n.input(1), Op.NEG)
              ? g.neg(g.mul(n.input(0), ((Node.Apply) n.input(1)).input(0))) : null),
      new Rewrite("neg-div", "(-a) / b -> -(a / b)", (g, n) ->
          n.op() == Op.DIV && is(n.input(0), Op.NEG)
              ? g.neg(g.div(((Node.Apply) n.input(0)).input(0), n.input(1))) : null),
      new Rewrite("pow-one", "x ^ 1 -> x", (g, n) -> n.op() == Op.POW && isConst(n.input(1), 1)
          ? g.broadcast(n.input(0), n.shape()) : null),
      new Rewrite("pow-zero", "x ^ 0 -> 1  (IEEE pow(x, 0) is 1 even for NaN)", (g, n) ->
          n.op() == Op.POW && isConst(n.input(1), 0) ? g.constant(1, n.shape()) : null),
      new Rewrite("pow-two", "x ^ 2 -> x * x", (g, n) -> n.op() == Op.POW && isConst(n.input(1), 2)
          && n.input(0).shape().equals(n.shape()) ? g.mul(n.input(0), n.input(0)) : null),
      new Rewrite("pow-minus-one", "x ^ -1 -> 1 / x", (g, n) -> n.op() == Op.POW
          && isConst(n.input(1), -1) && n.input(0).shape().equals(n.shape())
          ? g.div(g.scalar(1), n.input(0)) : null),
      new Rewrite("sigmoid-form", "1 / (1 + exp(-x)) -> sigmoid(x)  (stable)", Rules::sigmoidForm),
      new Rewrite("softplus-form", "log(1 + exp(x)) -> softplus(x)  (stable)", (g, n) -> {
        if (n.op() != Op.LOG || !is(n.input(0), Op.ADD)) {
          return null;
        }
        Node.Apply sum = (Node.Apply) n.input(0);
        Node other = isConst(sum.input(0), 1) ? sum.input(1) : isConst(sum.input(1), 1) ? sum.input(0) : null;
        return other != null && is(other, Op.EXP) && other.shape().equals(n.shape())
            ? g.unary(Op.SOFTPLUS, ((Node.Apply) other).input(0)) : null;
      }),
      new Rewrite("log-sigmoid", "log(sigmoid(x)) -> -softplus(-x)  (stable)", (g, n) ->
          n.op() == Op.LOG && is(n.input(0), Op.SIGMOID)
              ? g.neg(g.unary(Op.SOFTPLUS, g.neg(((Node.Apply) n.input(0)).input(0)))) : null),
      new Rewrite("log-softmax", "log(softmax(x)) -> x - logsumexp(x)  (stable)", (g, n) -> {
        if (n.op() != Op.LOG || !is(n.input(0), Op.SOFTMAX)) {
          return null;
        }
        Node x = ((Node.Apply) n.input(0)).input(0);
        int axis = x.shape().rank() == 1 ? -1 : x.shape().rank() - 1;
        Node lse = g.apply(Op.LOGSUMEXP, axis, null, n.origin(), x);
        return g.sub(x, g.broadcastAxis(lse, axis, x.shape()));
      }),
      new Rewrite("log-exp", "log(exp(x)) -> x", (g, n) -> n.op() == Op.LOG && is(n.input(0), Op.EXP)
          ? ((Node.Apply) n.input(0)).input(0) : null),
      new Rewrite("softmax-form", "exp(x - logsumexp(x)) -> softmax(x)  (fused: softmax-with-loss"
          + " backward becomes p - y)", Rules::softmaxForm),
      new Rewrite("where-zero-mul", "where(c, a, 0) * b -> where(c, a * b, 0)  (a NaN in the"
          + " untaken branch stays out)", Rules::whereZeroMul),
      new Rewrite("where-zero-div", "where(c, a, 0) / b -> where(c, a / b, 0)", (g, n) -> {
        if (n.op() != Op.DIV || !is(n.input(0), Op.WHERE) || !n.input(0).shape().equals(n.shape())) {
          return null;
        }
        Node.Apply w = (Node.Apply) n.input(0);
        return isConst(w.input(2), 0) ? g.apply(Op.WHERE, n.origin(), w.input(0),
            g.div(w.input(1), n.input(1)), g.scalar(0))
            : isConst(w.input(1), 0) ? g.apply(Op.WHERE, n.origin(), w.input(0), g.scalar(0),
            g.div(w.input(2), n.input(1))) : null;
      }),
      new Rewrite("where-add", "where(c, a, 0) + where(c, b, 0) -> where(c, a + b, 0);  also with"
          + " 0 in the first branch, and for -  (gradients of two uses in one guarded branch)",
          Rules::whereAdd),
      new Rewrite("where-same", "where(c, a, a) -> a", (g, n) -> n.op() == Op.WHERE
          && n.input(1) == n.input(2) ? g.broadcast(n.input(1), n.shape()) : null),
      new Rewrite("transpose-transpose", "(x^T)^T -> x", (g, n) -> n.op() == Op.TRANSPOSE
          && is(n.input(0), Op.TRANSPOSE) ? ((Node.Apply) n.input(0)).input(0) : null),
      new Rewrite("sum-broadcast-scalar", "sum(broadcast(s)) -> s * n  (s a scalar)", (g, n) ->
          n.op() == Op.SUM && n.attr() == -1 && is(n.input(0), Op.BROADCAST)
              && ((Node.Apply) n.input(0)).input(0).shape().isScalar()
              ? g.mul(((Node.Apply) n.input(0)).input(0), g.scalar(n.input(0).shape().size()))
              : null));

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
    if (n.op() == Op.EMBED || n.op() == Op.ONEHOT || n.op() == Op.PICK
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

  private static Node sigmoidForm(Graph g, Node.Apply n) {
    if (n.op() != Op.DIV || !isConst(n.input(0), 1) || !is(n.input(1), Op.ADD)) {
      return null;
    }
    Node.Apply sum = (Node.Apply) n.input(1);
    Node e = isConst(sum.input(0), 1) ? sum.input(1) : isConst(sum.input(1), 1) ? sum.input(0) : null;
    if (e == null || !is(e, Op.EXP) || !e.shape().equals(n.shape())) {
      return null;
    }
    Node arg = ((Node.Apply) e).input(0);
    if (!is(arg, Op.NEG)) {
      return null;
    }
    return g.unary(Op.SIGMOID, ((Node.Apply) arg).input(0));
  }

  private static Node softmaxForm(Graph g, Node.Apply n) {
    if (n.op() != Op.EXP || !is(n.input(0), Op.SUB)) {
      return null;
    }
    Node.Apply diff = (Node.Apply) n.input(0);
    Node x = diff.input(0);
    Node lse = diff.input(1);
    if (is(lse, Op.BROADCAST)) {
      lse = ((Node.Apply) lse).input(0);
    }
    if (!is(lse, Op.LOGSUMEXP) || ((Node.Apply) lse).input(0) != x || x.shape().isScalar()) {
      return null;
    }
    int attr = ((Node.Apply) lse).attr();
    boolean lastAxis = x.shape().rank() == 1 ? attr == -1 : attr == x.shape().rank() - 1;
    return lastAxis ? g.unary(Op.SOFTMAX, x) : null;
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
