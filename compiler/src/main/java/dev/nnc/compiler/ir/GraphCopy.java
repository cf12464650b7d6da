package dev.nnc.compiler.ir;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rebuilds the nodes reachable from some roots, in the same graph or into another, with some
 * nodes replaced: a stated derivative's template instantiated at a call (its variables replaced
 * by the arguments), variables replaced by constants, or custom-rule nodes replaced by their
 * bodies. Within one graph, rebuilt nodes keep the names and provenance of the nodes they
 * replace.
 */
public final class GraphCopy {
  private GraphCopy() {}

  /** Decides the copy of one operation given its copied inputs; null for the plain copy. */
  public interface Hook {
    Node replace(Node.Apply original, Node[] inputs);
  }

  /**
   * The copies of {@code roots} (nodes of {@code source}) in {@code target}: a node in
   * {@code given} becomes its value there, an operation goes through {@code hook} (may be null),
   * anything else is rebuilt from its copied inputs. A variable of another graph that is not
   * given is an error.
   */
  public static List<Node> copy(Graph source, Graph target, List<Node> roots,
      Map<Node, Node> given, Hook hook) {
    Map<Node, Node> done = new IdentityHashMap<>(given);
    for (Node node : reachable(roots, given)) {
      if (done.containsKey(node)) {
        continue;
      }
      Node copy;
      if (node instanceof Node.Const c) {
        copy = target.constant(c.value(), c.shape());
      } else if (node instanceof Node.Var v) {
        if (source != target) {
          throw new IllegalArgumentException("no value for variable " + v.name());
        }
        copy = v;
      } else {
        Node.Apply a = (Node.Apply) node;
        Node[] inputs = new Node[a.inputs().size()];
        boolean changed = source != target;
        for (int i = 0; i < inputs.length; i++) {
          inputs[i] = done.get(a.input(i));
          changed |= inputs[i] != a.input(i);
        }
        copy = hook != null ? hook.replace(a, inputs) : null;
        if (copy == null) {
          copy = changed ? target.apply(a.op(), a.attr(), a.attributes(), a.shape(), a.origin(),
              inputs) : a;
        }
        if (source == target && copy != a) {
          target.copyName(a, copy);
          Graph.Note note = target.noteOf(a);
          if (note != null) {
            target.note(copy, note.origin(), note.rule());
          }
        }
      }
      done.put(node, copy);
    }
    List<Node> out = new ArrayList<>(roots.size());
    for (Node root : roots) {
      out.add(done.get(root));
    }
    return out;
  }

  /** The nodes the roots depend on, stopping at given nodes, inputs before users (by id). */
  private static List<Node> reachable(List<Node> roots, Map<Node, Node> given) {
    List<Node> nodes = new ArrayList<>();
    Set<Node> seen = new HashSet<>();
    List<Node> stack = new ArrayList<>(roots);
    while (!stack.isEmpty()) {
      Node node = stack.remove(stack.size() - 1);
      if (!seen.add(node)) {
        continue;
      }
      nodes.add(node);
      if (node instanceof Node.Apply a && !given.containsKey(node)) {
        stack.addAll(a.inputs());
      }
    }
    nodes.sort(Comparator.comparingInt(Node::id));
    return nodes;
  }
}
