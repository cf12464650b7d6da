package dev.nnc.compiler.check;

import dev.nnc.compiler.ir.Node;
import dev.nnc.compiler.ir.Op;
import dev.nnc.compiler.ir.Shape;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The table of built-in functions: arity, whether {@code axis:} is accepted, and how a call
 * lowers to graph nodes. Every op with a {@link Op#builtin()} name is one entry, lowered to that
 * op; the others are listed here. Composite built-ins (cross_entropy, mse, ...) lower to primitive
 * ops so that their derivatives come from the rule table and their stable forms from the
 * simplifier.
 */
public final class Builtins {
  /** Lowers one checked call; returns null after reporting an error through the site. */
  interface Lowering {
    Node lower(CallSite site, List<Node> args, int axis);
  }

  /** One built-in. {@code maxArgs} counts positional arguments. */
  record Builtin(String name, int minArgs, int maxArgs, boolean takesAxis, Lowering lowering) {}

  static final Map<String, Builtin> TABLE;

  static {
    Map<String, Builtin> t = new LinkedHashMap<>();
    for (Op op : Op.values()) {
      if (op.builtin() != null) {
        add(t, op.builtin(), op.arity(), op.arity(), false, (s, a, axis) -> s.op(op, a));
      }
    }
    add(t, "leaky_relu", 1, 2, false, (s, a, axis) ->
        s.binary(Op.LEAKY_RELU, a.get(0), a.size() > 1 ? a.get(1) : s.graph().scalar(0.01)));
    add(t, "max", 1, 2, true, (s, a, axis) ->
        a.size() == 2 ? s.binary(Op.MAX, a.get(0), a.get(1)) : s.reduce(Op.MAX_REDUCE, a.get(0), axis));
    add(t, "min", 1, 2, true, (s, a, axis) ->
        a.size() == 2 ? s.binary(Op.MIN, a.get(0), a.get(1))
            // min(x) = -max(-x)
            : s.apply(Op.NEG, s.reduce(Op.MAX_REDUCE, s.apply(Op.NEG, a.get(0)), axis)));
    add(t, "where", 3, 3, false, (s, a, axis) -> s.where(a.get(0), a.get(1), a.get(2)));
    add(t, "sum", 1, 1, true, (s, a, axis) -> s.reduce(Op.SUM, a.get(0), axis));
    add(t, "mean", 1, 1, true, (s, a, axis) -> s.mean(a.get(0), axis));
    add(t, "logsumexp", 1, 1, true, (s, a, axis) -> s.reduce(Op.LOGSUMEXP, a.get(0), axis));
    add(t, "softmax", 1, 1, false, (s, a, axis) -> s.vectorOp(Op.SOFTMAX, a.get(0)));
    add(t, "log_softmax", 1, 1, false, (s, a, axis) -> s.logSoftmax(a.get(0)));
    add(t, "cross_entropy", 2, 2, false, (s, a, axis) -> s.crossEntropy(a.get(0), a.get(1)));
    add(t, "hinge", 2, 2, false, (s, a, axis) -> s.hinge(a.get(0), a.get(1)));
    add(t, "mse", 2, 2, false, (s, a, axis) -> s.mse(a.get(0), a.get(1)));
    add(t, "bce_with_logits", 2, 2, false, (s, a, axis) -> s.bceWithLogits(a.get(0), a.get(1)));
    add(t, "argmax", 1, 1, false, (s, a, axis) -> s.vectorOp(Op.ARGMAX, a.get(0)));
    add(t, "transpose", 1, 1, false, (s, a, axis) -> s.transpose(a.get(0)));
    TABLE = Collections.unmodifiableMap(t);
  }

  /** The names of all built-in functions, in table order. */
  public static java.util.Set<String> names() {
    return TABLE.keySet();
  }

  /** Built-ins whose second argument may be a class label (for bce_with_logits: 0 or 1). */
  static boolean takesLabel(String name) {
    return name.equals("cross_entropy") || name.equals("hinge") || name.equals("bce_with_logits");
  }

  private Builtins() {}

  private static void add(Map<String, Builtin> t, String name, int min, int max, boolean axis,
      Lowering lowering) {
    if (t.putIfAbsent(name, new Builtin(name, min, max, axis, lowering)) != null) {
      throw new IllegalStateException("built-in " + name + " is defined twice");
    }
  }

  /** The shape a reduction over {@code axis} (-1: everything) leaves. */
  static Shape reduced(Shape shape, int axis) {
    return axis == -1 ? Shape.SCALAR : shape.drop(axis);
  }
}
