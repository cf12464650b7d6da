package dev.nnc.compiler.check;

import dev.nnc.compiler.ir.Node;
import dev.nnc.compiler.ir.Op;
import dev.nnc.compiler.ir.Shape;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

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
    Node lower(CallSite site, CallArguments args);
  }

  /**
   * One built-in. {@code maxArgs} counts positional arguments; {@code options} names the named
   * options it accepts ({@code axis}, {@code stride}: see {@link CallArguments#KINDS});
   * {@code takesShape}: its second argument is a shape written as a list ({@code reshape}).
   */
  record Builtin(String name, int minArgs, int maxArgs, Set<String> options, boolean takesShape,
      Lowering lowering) {}

  private static final Set<String> NO_OPTIONS = Set.of();
  private static final Set<String> AXIS = Set.of(CallArguments.AXIS);
  private static final Set<String> CONV = Set.of("stride", "padding");
  private static final Set<String> POOL = Set.of("size", "stride");

  static final Map<String, Builtin> TABLE;

  static {
    Map<String, Builtin> t = new LinkedHashMap<>();
    for (Op op : Op.values()) {
      if (op.builtin() != null) {
        add(t, op.builtin(), op.arity(), op.arity(), NO_OPTIONS, (s, a) -> s.op(op, a.values()));
      }
    }
    add(t, "leaky_relu", 1, 2, NO_OPTIONS, (s, a) -> s.binary(Op.LEAKY_RELU, a.value(0),
        a.size() > 1 ? a.value(1) : s.graph().scalar(0.01)));
    add(t, "max", 1, 2, AXIS, (s, a) -> a.size() == 2 ? s.binary(Op.MAX, a.value(0), a.value(1))
        : s.reduce(Op.MAX_REDUCE, a.value(0), a.axis()));
    add(t, "min", 1, 2, AXIS, (s, a) -> a.size() == 2 ? s.binary(Op.MIN, a.value(0), a.value(1))
        // min(x) = -max(-x)
        : s.apply(Op.NEG, s.reduce(Op.MAX_REDUCE, s.apply(Op.NEG, a.value(0)), a.axis())));
    add(t, "where", 3, 3, NO_OPTIONS, (s, a) -> s.where(a.value(0), a.value(1), a.value(2)));
    add(t, "sum", 1, 1, AXIS, (s, a) -> s.reduce(Op.SUM, a.value(0), a.axis()));
    add(t, "mean", 1, 1, AXIS, (s, a) -> s.mean(a.value(0), a.axis()));
    add(t, "logsumexp", 1, 1, AXIS, (s, a) -> s.reduce(Op.LOGSUMEXP, a.value(0), a.axis()));
    add(t, "softmax", 1, 1, NO_OPTIONS, (s, a) -> s.vectorOp(Op.SOFTMAX, a.value(0)));
    add(t, "log_softmax", 1, 1, NO_OPTIONS, (s, a) -> s.logSoftmax(a.value(0)));
    add(t, "cross_entropy", 2, 2, NO_OPTIONS, (s, a) -> s.crossEntropy(a.value(0), a.value(1)));
    add(t, "hinge", 2, 2, NO_OPTIONS, (s, a) -> s.hinge(a.value(0), a.value(1)));
    add(t, "mse", 2, 2, NO_OPTIONS, (s, a) -> s.mse(a.value(0), a.value(1)));
    add(t, "bce_with_logits", 2, 2, NO_OPTIONS,
        (s, a) -> s.bceWithLogits(a.value(0), a.value(1)));
    add(t, "argmax", 1, 1, NO_OPTIONS, (s, a) -> s.vectorOp(Op.ARGMAX, a.value(0)));
    add(t, "transpose", 1, 1, NO_OPTIONS, (s, a) -> s.transpose(a.value(0)));
    // convolutional networks: images [C, H, W] per example (LANGUAGE.md)
    add(t, "conv2d", 2, 3, CONV, (s, a) -> s.conv2d(a.value(0), a.value(1),
        a.size() > 2 ? a.value(2) : null, a.option("stride", 1), a.option("padding", 0)));
    add(t, "max_pool2d", 1, 1, POOL, (s, a) -> s.pool(Op.MAX_POOL2D, a.value(0), a));
    add(t, "avg_pool2d", 1, 1, POOL, (s, a) -> s.pool(Op.AVG_POOL2D, a.value(0), a));
    add(t, "flatten", 1, 1, NO_OPTIONS,
        (s, a) -> s.reshape(a.value(0), Shape.of(a.value(0).shape().size())));
    t.put("reshape", new Builtin("reshape", 2, 2, NO_OPTIONS, true,
        (s, a) -> s.reshape(a.value(0), a.shape())));
    add(t, "dropout", 1, 1, Set.of("rate"), (s, a) -> s.dropout(a.value(0), a));
    TABLE = Collections.unmodifiableMap(t);
  }

  /** The names of all built-in functions, in table order. */
  public static Set<String> names() {
    return TABLE.keySet();
  }

  /** Built-ins whose second argument may be a class label (for bce_with_logits: 0 or 1). */
  static boolean takesLabel(String name) {
    return name.equals("cross_entropy") || name.equals("hinge") || name.equals("bce_with_logits");
  }

  private Builtins() {}

  private static void add(Map<String, Builtin> t, String name, int min, int max,
      Set<String> options, Lowering lowering) {
    if (t.putIfAbsent(name, new Builtin(name, min, max, options, false, lowering)) != null) {
      throw new IllegalStateException("built-in " + name + " is defined twice");
    }
  }

  /** The shape a reduction over {@code axis} (-1: everything) leaves. */
  static Shape reduced(Shape shape, int axis) {
    return axis == -1 ? Shape.SCALAR : shape.drop(axis);
  }
}
