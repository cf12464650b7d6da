package dev.nnc.compiler.check;

import dev.nnc.compiler.diag.Diagnostics;
import dev.nnc.compiler.ir.Node;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Reports forward-only operations (argmax, sign, floor, comparisons outside a where condition)
 * that lie on a path along which a gradient must flow from the root to a trainable variable.
 */
final class GradientPaths {
  private GradientPaths() {}

  static void check(Node root, Diagnostics diagnostics) {
    Map<Node, Boolean> dependsOnTrainable = new HashMap<>();
    Set<Node> seen = new HashSet<>();
    Deque<Node> work = new ArrayDeque<>();
    work.push(root);
    while (!work.isEmpty()) {
      Node node = work.pop();
      if (!seen.add(node) || !(node instanceof Node.Apply apply)) {
        continue;
      }
      for (int i = 0; i < apply.inputs().size(); i++) {
        if (!apply.op().carriesGradient(i) && apply.op().differentiable()) {
          continue;
        }
        Node input = apply.input(i);
        if (input instanceof Node.Apply in && !in.op().differentiable()
            && trainable(in, dependsOnTrainable)) {
          diagnostics.error(in.origin(), in.op().symbol() + "(...) has no derivative, but a"
              + " gradient must flow through it here; it may only feed an output or a where"
              + " condition");
          continue;
        }
        work.push(input);
      }
    }
  }

  /** Whether {@code node} depends on a trainable variable (iteratively, to spare the stack). */
  private static boolean trainable(Node node, Map<Node, Boolean> memo) {
    Deque<Node> work = new ArrayDeque<>();
    Set<Node> seen = new HashSet<>();
    work.push(node);
    while (!work.isEmpty()) {
      Node n = work.pop();
      Boolean known = memo.get(n);
      if (Boolean.TRUE.equals(known)) {
        memo.put(node, true);
        return true;
      }
      if (known != null || !seen.add(n)) {
        continue;
      }
      if (n instanceof Node.Var v && v.differentiable()) {
        memo.put(node, true);
        return true;
      }
      if (n instanceof Node.Apply a) {
        for (Node in : a.inputs()) {
          work.push(in);
        }
      }
    }
    memo.put(node, false);
    return false;
  }
}
