package dev.nnc.compiler.autodiff;

import dev.nnc.compiler.ir.Graph;
import dev.nnc.compiler.ir.GraphCopy;
import dev.nnc.compiler.ir.Node;
import dev.nnc.compiler.ir.Op;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Second-order and forward-mode derivatives from the one rule table, by differentiating the
 * derivative graph again (it is made of ordinary ops, each with a rule): the Hessian-vector
 * product is the gradient of {@code s = sum_i <grad_i, v_i>} with respect to the parameters, and
 * the Jacobian-vector product {@code J v} is the gradient of the same {@code s} with respect to
 * the upstream seed (a vector-Jacobian product is linear in its seed, so the seed drops out), or
 * {@code s} itself for a scalar function. Each is one more reverse sweep, linear in the size of
 * the function. No numeric differencing anywhere.
 */
final class SecondOrder {
  private SecondOrder() {}

  /** {@code sum_i <grads_i, directions_i>}: the directional derivative of a scalar function. */
  static Node inner(Graph graph, List<Node> grads, List<Node.Var> directions) {
    int firstNew = graph.size();
    Node s = null;
    for (int i = 0; i < grads.size(); i++) {
      Node g = grads.get(i);
      Node term = graph.mul(g, directions.get(i));
      if (!term.shape().isScalar()) {
        term = graph.apply(Op.SUM, -1, null, g.origin(), term);
      }
      s = s == null ? term : graph.add(s, term);
    }
    if (s == null) {
      return graph.scalar(0);
    }
    // the new nodes belong to the function's declaration, where its parameters are
    for (Node n : dev.nnc.compiler.ir.GraphOrder.reachable(s)) {
      if (n.id() >= firstNew && n instanceof Node.Apply) {
        graph.note(n, directions.get(0).origin(), "directional derivative: gradient times v");
      }
    }
    return s;
  }

  /** The Hessian-vector products H v, one per parameter (of the parameter's shape). */
  static List<Node> hvp(Graph graph, List<Node.Var> params, List<Node> grads,
      List<Node.Var> directions) {
    Node s = inner(graph, grads, directions);
    Map<Node.Var, Node> second =
        ReverseMode.gradients(graph, s, graph.scalar(1), params, false);
    List<Node> out = new ArrayList<>();
    for (Node.Var p : params) {
      out.add(second.get(p));
    }
    return out;
  }

  /**
   * J v: for a scalar function {@code <grad, v>}; for a tensor-valued one (whose gradients are
   * vector-Jacobian products in {@code upstream}), the gradient of {@code <vjp(u), v>} with
   * respect to u, with any u left over set to zero (the product is linear in u, so its
   * gradient does not depend on u).
   */
  static Node jvp(Graph graph, Node.Var upstream, List<Node> grads, List<Node.Var> directions) {
    Node s = inner(graph, grads, directions);
    if (upstream == null) {
      return s;
    }
    Node jv = ReverseMode.gradients(graph, s, graph.scalar(1), List.of(upstream), false)
        .get(upstream);
    Map<Node, Node> zero = new IdentityHashMap<>();
    zero.put(upstream, graph.constant(0, upstream.shape()));
    return GraphCopy.copy(graph, graph, List.of(jv), zero, null).get(0);
  }
}
