package dev.nnc.compiler.ir;

import dev.nnc.compiler.diag.SourceSpan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one factory of {@link Node}s. It hash-conses: asking twice for the same operation on the
 * same inputs returns the same node, so common subexpressions are shared by construction. It
 * infers each node's shape and rejects ill-shaped requests (the checker reports user errors
 * before they reach here). It also remembers the {@code let} names that nodes were bound to.
 */
public final class Graph {
  private record Key(Op op, List<Integer> inputs, int attr, Attributes attributes, Shape shape) {}

  private record ConstKey(long bits, Shape shape) {}

  private final Map<Object, Node> interned = new HashMap<>();
  private final Map<Node, String> names = new IdentityHashMap<>();
  /** Nodes whose name is only a hint (a layer instance's output), which a let name replaces. */
  private final Set<Node> hinted = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
  private final Map<Node, Note> notes = new IdentityHashMap<>();
  private final List<Node.Var> vars = new ArrayList<>();
  private int nextId;
  /** The origin of nodes made by the conveniences (add, mul, ...); set by {@link #at}. */
  private SourceSpan current = SourceSpan.NONE;

  /** The constant {@code value} filling {@code shape}; -0.0 and NaN are kept distinct by bits. */
  public Node constant(double value, Shape shape) {
    ConstKey key = new ConstKey(Double.doubleToLongBits(value == 0.0 ? 0.0 : value), shape);
    return interned.computeIfAbsent(key,
        k -> new Node.Const(value == 0.0 ? 0.0 : value, shape, nextId++, SourceSpan.NONE));
  }

  public Node scalar(double value) {
    return constant(value, Shape.SCALAR);
  }

  /** A new unbatched input variable; names are unique per graph. */
  public Node.Var var(String name, Shape shape, boolean differentiable, SourceSpan origin) {
    return var(name, shape, differentiable, false, origin);
  }

  /** A new input variable, batched if it has one value per example; names are unique. */
  public Node.Var var(String name, Shape shape, boolean differentiable, boolean batched,
      SourceSpan origin) {
    if (interned.containsKey(name)) {
      throw new IllegalArgumentException("variable " + name + " declared twice");
    }
    Node.Var var = new Node.Var(name, shape, vars.size(), differentiable, batched, nextId++, origin);
    interned.put(name, var);
    vars.add(var);
    return var;
  }

  /** Internal name of the variable holding the number of examples in a batch. */
  public static final String BATCH_SIZE = "$batchSize";

  /**
   * The variable holding the number of examples in a batch (a model's graph; made on first use),
   * which rules may use in place of a sum over the examples.
   */
  public Node.Var batchSize(SourceSpan origin) {
    Node existing = interned.get(BATCH_SIZE);
    return existing != null ? (Node.Var) existing
        : var(BATCH_SIZE, Shape.SCALAR, false, origin);
  }

  /** The batch-size variable if the graph has one, else null. */
  public Node.Var batchSizeOrNull() {
    return (Node.Var) interned.get(BATCH_SIZE);
  }

  /** The variables in declaration order. */
  public List<Node.Var> vars() {
    return List.copyOf(vars);
  }

  /** Applies {@code op}, inferring the shape. */
  public Node apply(Op op, SourceSpan origin, Node... inputs) {
    return apply(op, 0, null, origin, inputs);
  }

  /**
   * Applies {@code op} with attribute {@code attr}; {@code shape} must be given for the ops whose
   * result shape is not determined by their inputs (BROADCAST, SUM_TO, SLICE, EMBED, ONEHOT).
   */
  public Node apply(Op op, int attr, Shape shape, SourceSpan origin, Node... inputs) {
    return apply(op, attr, Attributes.NONE, shape, origin, inputs);
  }

  /**
   * Applies {@code op} with axis or offset {@code attr} and the further settings
   * {@code attributes}, which must be of the op's {@link Op#attributes()} type; nodes with
   * different attributes are different nodes.
   */
  public Node apply(Op op, int attr, Attributes attributes, Shape shape, SourceSpan origin,
      Node... inputs) {
    if (op.arity() >= 0 ? inputs.length != op.arity() : inputs.length == 0) {
      throw new IllegalArgumentException(op + " takes " + op.arity() + " inputs");
    }
    if (!op.attributes().isInstance(attributes)) {
      throw new IllegalArgumentException(op + " takes attributes of type "
          + op.attributes().getSimpleName() + ", got " + attributes);
    }
    Shape result = ShapeRules.infer(op, attr, attributes, shape, inputs);
    List<Integer> ids = new ArrayList<>(inputs.length);
    for (Node input : inputs) {
      ids.add(input.id());
    }
    Key key = new Key(op, ids, attr, attributes, result);
    Node existing = interned.get(key);
    if (existing != null) {
      return existing;
    }
    Node node = new Node.Apply(op, List.of(inputs), result, attr, attributes,
        batched(op, inputs), nextId++, origin);
    interned.put(key, node);
    return node;
  }

  /** An op is batched if any input is, except the ops that leave or enter the batch. */
  private static boolean batched(Op op, Node[] inputs) {
    if (op == Op.BATCH_SUM) {
      return false;
    }
    if (op == Op.BATCH_BROADCAST) {
      return true;
    }
    for (Node in : inputs) {
      if (in.batched()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Records that {@code node} was bound by {@code let name} (or is an output, or the gradient of
   * a named value); the first such name wins over later ones and replaces a {@link #hint}.
   */
  public void name(Node node, String name) {
    if (node instanceof Node.Apply && (!names.containsKey(node) || hinted.remove(node))) {
      names.put(node, name);
    }
  }

  /**
   * Records a name for {@code node} that any {@link #name} replaces: the layer instance whose
   * output it is ({@code fc1}), used where no let names the value.
   */
  public void hint(Node node, String name) {
    if (node instanceof Node.Apply && !names.containsKey(node)) {
      names.put(node, name);
      hinted.add(node);
    }
  }

  /** Gives {@code to} the name of {@code from} (a node it replaces), as a name or a hint. */
  public void copyName(Node from, Node to) {
    String name = names.get(from);
    if (name == null) {
      return;
    }
    if (hinted.contains(from)) {
      hint(to, name);
    } else {
      name(to, name);
    }
  }

  /** The name of {@code node}, or null. */
  public String nameOf(Node node) {
    return names.get(node);
  }

  /** Whether the name of {@code node} is only a {@link #hint}. */
  public boolean isHint(Node node) {
    return hinted.contains(node);
  }

  /** Where a derived node comes from: the forward node's source place and the rule applied. */
  public record Note(SourceSpan origin, String rule) {}

  /** Records the provenance of {@code node}; the first note wins. */
  public void note(Node node, SourceSpan origin, String rule) {
    if (node instanceof Node.Apply) {
      notes.putIfAbsent(node, new Note(origin, rule));
    }
  }

  /** The provenance of a derived node, or null for forward nodes. */
  public Note noteOf(Node node) {
    return notes.get(node);
  }

  /** How many distinct nodes this graph has made. */
  public int size() {
    return nextId;
  }

  // ---- conveniences used by the derivative rules and the simplifier ----
  //
  // They make nodes at the graph's current origin (see at), never at an operand's: a node that a
  // rule makes while differentiating or rewriting the node of line 5 comes from line 5, even
  // when its first operand was computed on line 4.

  /**
   * Runs {@code build} with {@code origin} as the origin of the nodes that the conveniences below
   * make (like the current debug location of a compiler's instruction builder); restores the
   * previous origin afterwards. Outside of it they make nodes with no origin.
   */
  public <T> T at(SourceSpan origin, java.util.function.Supplier<T> build) {
    SourceSpan saved = current;
    current = origin;
    try {
      return build.get();
    } finally {
      current = saved;
    }
  }

  /** The origin the conveniences give nodes now ({@link SourceSpan#NONE} outside {@link #at}). */
  public SourceSpan currentOrigin() {
    return current;
  }

  public Node add(Node a, Node b) {
    return apply(Op.ADD, current, a, b);
  }

  public Node sub(Node a, Node b) {
    return apply(Op.SUB, current, a, b);
  }

  public Node mul(Node a, Node b) {
    return apply(Op.MUL, current, a, b);
  }

  public Node div(Node a, Node b) {
    return apply(Op.DIV, current, a, b);
  }

  public Node neg(Node a) {
    return apply(Op.NEG, current, a);
  }

  public Node unary(Op op, Node a) {
    return apply(op, current, a);
  }

  /** {@code a} repeated to {@code shape} (identity if it already has that shape). */
  public Node broadcast(Node a, Shape shape) {
    return a.shape().equals(shape) ? a : apply(Op.BROADCAST, -1, shape, current, a);
  }

  /** {@code a} repeated along a new axis {@code axis} to {@code shape}. */
  public Node broadcastAxis(Node a, int axis, Shape shape) {
    return axis == -1 ? broadcast(a, shape) : apply(Op.BROADCAST, axis, shape, current, a);
  }

  /** {@code a} with the same elements in {@code shape} (identity if it already has it). */
  public Node reshape(Node a, Shape shape) {
    return a.shape().equals(shape) ? a : apply(Op.RESHAPE, 0, shape, a.origin(), a);
  }

  /** {@code a} summed down to {@code shape} (identity if it already has that shape). */
  public Node sumTo(Node a, Shape shape) {
    if (a.shape().equals(shape)) {
      return a;
    }
    // Summing down to a scalar is a full sum.
    return shape.isScalar() ? apply(Op.SUM, -1, null, current, a)
        : apply(Op.SUM_TO, 0, shape, current, a);
  }
}
