package dev.nnc.compiler.simplify;

import dev.nnc.compiler.ir.Graph;
import dev.nnc.compiler.ir.Node;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rewrites a graph to a fixed point with {@link Rules#ALL}: each node is rebuilt from its
 * simplified inputs (interning shares the results, which is common-subexpression elimination),
 * then rules are applied to it until none matches. Only nodes reachable from the roots are
 * visited, so dead code disappears. After every rewrite the shape is checked to be unchanged.
 */
public final class Simplifier {
  /** Rewrites per node beyond which a rule set is assumed to cycle (a compiler bug). */
  private static final int MAX_REWRITES_PER_NODE = 64;

  /** Nested rewrites of rewrites beyond which a rule set is assumed to cycle (a compiler bug). */
  private static final int MAX_NESTING = 1000;

  private final Graph graph;
  private final List<Rewrite> rules;
  private int nesting;
  private final Map<Node, Node> done = new IdentityHashMap<>();

  public Simplifier(Graph graph, List<Rewrite> rules) {
    this.graph = graph;
    this.rules = rules;
  }

  /** Simplifies {@code roots} with every rule. */
  public static List<Node> simplify(Graph graph, List<Node> roots) {
    return new Simplifier(graph, Rules.ALL).run(roots);
  }

  /** The simplified roots, in order, repeating passes until nothing changes. */
  public List<Node> run(List<Node> roots) {
    List<Node> current = roots;
    for (int pass = 0; pass < 32; pass++) {
      List<Node> next = new ArrayList<>();
      for (Node root : current) {
        next.add(simplify(root));
      }
      if (next.equals(current)) {
        return next;
      }
      current = next;
      done.clear();
    }
    return current;
  }

  private Node simplify(Node root) {
    Node known = done.get(root);
    if (known != null) {
      return known;
    }
    // Post-order without recursion, skipping subgraphs already simplified.
    List<Node> order = new ArrayList<>();
    java.util.Set<Node> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    List<Node> stack = new ArrayList<>();
    stack.add(root);
    while (!stack.isEmpty()) {
      Node node = stack.remove(stack.size() - 1);
      if (done.containsKey(node) || !seen.add(node)) {
        continue;
      }
      order.add(node);
      if (node instanceof Node.Apply a) {
        stack.addAll(a.inputs());
      }
    }
    order.sort(java.util.Comparator.comparingInt(Node::id));
    for (Node node : order) {
      if (!done.containsKey(node)) {
        done.put(node, rebuild(node));
      }
    }
    return done.get(root);
  }

  private Node rebuild(Node node) {
    if (!(node instanceof Node.Apply apply)) {
      return node;
    }
    Node[] inputs = new Node[apply.inputs().size()];
    boolean changed = false;
    for (int i = 0; i < inputs.length; i++) {
      inputs[i] = done.get(apply.input(i));
      changed |= inputs[i] != apply.input(i);
    }
    Node current = changed
        ? graph.apply(apply.op(), apply.attr(), apply.attributes(), apply.shape(), apply.origin(),
            inputs) : node;
    carryOver(node, current);
    for (int count = 0; count < MAX_REWRITES_PER_NODE; count++) {
      if (!(current instanceof Node.Apply a)) {
        return current;
      }
      Node replacement = null;
      int firstNew = graph.size();
      for (Rewrite rule : rules) {
        replacement = rule.matcher().rewrite(graph, a);
        if (replacement != null && replacement != a) {
          if (!replacement.shape().equals(a.shape())) {
            throw new IllegalStateException("rule " + rule.name() + " changed shape "
                + a.shape() + " to " + replacement.shape());
          }
          break;
        }
        replacement = null;
      }
      if (replacement == null) {
        return current;
      }
      noteNew(a, replacement, firstNew);
      // The replacement's own inputs may be new nodes that can simplify further. Rules that
      // rewrite each other's results in a cycle would recurse here without end: stop them.
      if (++nesting > MAX_NESTING) {
        throw new IllegalStateException("simplifier did not settle: rule " + rule(a, replacement)
            + " keeps rewriting " + a.op() + " nodes");
      }
      try {
        replacement = simplify(replacement);
      } finally {
        nesting--;
      }
      carryOver(current, replacement);
      current = replacement;
    }
    throw new IllegalStateException("simplifier did not settle on " + node);
  }

  /** The name of the first rule that rewrites {@code a} to {@code replacement}. */
  private String rule(Node.Apply a, Node replacement) {
    for (Rewrite rule : rules) {
      if (rule.matcher().rewrite(graph, a) == replacement) {
        return rule.name();
      }
    }
    return "?";
  }

  /**
   * Gives the nodes a rewrite made (ids from {@code firstNew} on) the provenance of the node it
   * rewrote, so that a comment in generated code names the source line and rule they serve.
   */
  private void noteNew(Node rewritten, Node replacement, int firstNew) {
    Graph.Note note = graph.noteOf(rewritten);
    if (note == null) {
      return;
    }
    List<Node> stack = new ArrayList<>();
    stack.add(replacement);
    while (!stack.isEmpty()) {
      Node n = stack.remove(stack.size() - 1);
      if (n.id() >= firstNew && graph.noteOf(n) == null && n instanceof Node.Apply apply) {
        graph.note(n, note.origin(), note.rule());
        stack.addAll(apply.inputs());
      }
    }
  }

  /** Keeps the let name and provenance note of a rewritten node on its replacement. */
  private void carryOver(Node from, Node to) {
    if (from == to) {
      return;
    }
    graph.copyName(from, to);
    Graph.Note note = graph.noteOf(from);
    if (note != null) {
      graph.note(to, note.origin(), note.rule());
    }
  }
}
