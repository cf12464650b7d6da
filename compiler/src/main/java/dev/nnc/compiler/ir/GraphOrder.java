package dev.nnc.compiler.ir;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The order of a graph's nodes: node ids are creation order, and a node is created after its
 * inputs, so sorting by id is a topological order. Every phase that walks a graph (the reverse
 * sweep, the interpreter, the emitters, the printers) takes its order from here.
 */
public final class GraphOrder {
  private GraphOrder() {}

  /** The nodes {@code root} depends on, itself included, inputs before users (by id). */
  public static List<Node> reachable(Node root) {
    List<Node> nodes = new ArrayList<>();
    Set<Node> seen = new HashSet<>();
    // An explicit stack: graphs of inlined programs are far deeper than the thread's stack.
    List<Node> stack = new ArrayList<>();
    stack.add(root);
    while (!stack.isEmpty()) {
      Node node = stack.remove(stack.size() - 1);
      if (!seen.add(node)) {
        continue;
      }
      nodes.add(node);
      if (node instanceof Node.Apply a) {
        stack.addAll(a.inputs());
      }
    }
    nodes.sort(Comparator.comparingInt(Node::id));
    return nodes;
  }
}
