package dev.nnc.compiler.autodiff;

import dev.nnc.compiler.ir.Graph;
import dev.nnc.compiler.ir.GraphOrder;
import dev.nnc.compiler.ir.Node;
import dev.nnc.compiler.ir.Op;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The reverse sweep: walks the nodes reachable from the output in reverse topological order
 * (node ids are creation order, so inputs always precede users), applies each op's rule from
 * {@link Derivatives}, and sums the contributions that reach a node along several paths
 * (fan-out). Gradient nodes are made in the same {@link Graph}, so they share subexpressions
 * with the forward computation and with each other; the result is linear in the function size.
 */
public final class ReverseMode {
  private ReverseMode() {}

  /**
   * The gradient of {@code output} with respect to each differentiable variable, seeded with
   * {@code seed} (a node of the output's shape, usually the constant 1). Variables the output
   * does not depend on get a zero gradient.
   */
  public static Map<Node.Var, Node> gradients(Graph graph, Node output, Node seed) {
    List<Node.Var> wrt = new ArrayList<>();
    for (Node.Var var : graph.vars()) {
      if (var.differentiable()) {
        wrt.add(var);
      }
    }
    return gradients(graph, output, seed, wrt, true);
  }

  /**
   * The gradient of {@code output} with respect to each variable of {@code wrt} (in that order,
   * differentiable or not: a second sweep differentiates a gradient with respect to its upstream
   * seed). With {@code nameAdjoints}, adjoints are named after the values they are gradients of
   * ({@code dq}); a sweep over a derivative graph leaves names alone, so the first derivatives
   * keep theirs.
   */
  public static Map<Node.Var, Node> gradients(Graph graph, Node output, Node seed,
      List<Node.Var> wrt, boolean nameAdjoints) {
    Map<Node, Node> adjoint = adjoints(graph, output, seed, new HashSet<>(wrt), nameAdjoints);
    Map<Node.Var, Node> result = new LinkedHashMap<>();
    for (Node.Var var : wrt) {
      Node g = adjoint.get(var);
      result.put(var, g != null ? g : graph.constant(0, var.shape()));
    }
    return result;
  }

  /**
   * The adjoint (gradient of {@code output}) of every node on a path from a differentiable
   * variable to the output, keyed by node.
   */
  public static Map<Node, Node> adjoints(Graph graph, Node output, Node seed) {
    Set<Node> wrt = new HashSet<>();
    for (Node.Var var : graph.vars()) {
      if (var.differentiable()) {
        wrt.add(var);
      }
    }
    return adjoints(graph, output, seed, wrt, true);
  }

  private static Map<Node, Node> adjoints(Graph graph, Node output, Node seed, Set<Node> wrt,
      boolean nameAdjoints) {
    List<Node> order = GraphOrder.reachable(output);
    Set<Node> needsGradient = needingGradient(order, wrt);
    Map<Node, Node> adjoint = new IdentityHashMap<>();
    adjoint.put(output, seed);
    for (int n = order.size() - 1; n >= 0; n--) {
      Node node = order.get(n);
      Node g = adjoint.get(node);
      if (g == null || !(node instanceof Node.Apply apply)) {
        continue;
      }
      for (int i = 0; i < apply.inputs().size(); i++) {
        Node input = apply.input(i);
        if (!needsGradient.contains(input)) {
          continue;
        }
        int firstNew = graph.size();
        Node contribution = contribution(graph, apply, g, i);
        if (contribution == null) {
          continue;
        }
        noteNew(graph, contribution, firstNew, apply,
            Derivatives.gate(apply) + (nameAdjoints ? "" : " (second sweep)"));
        Node previous = adjoint.get(input);
        if (previous == null) {
          adjoint.put(input, contribution);
        } else {
          int before = graph.size();
          Node sum = graph.at(apply.origin(), () -> fanIn(graph, previous, contribution));
          noteNew(graph, sum, before, apply, "fan-out: gradients from both uses add"
              + (nameAdjoints ? "" : " (second sweep)"));
          adjoint.put(input, sum);
        }
      }
    }
    if (!nameAdjoints) {
      return adjoint;
    }
    // Name each adjoint after the value it is the gradient of: dq for q (forward values keep
    // their own names).
    Set<Node> forward = new HashSet<>(order);
    for (int n = order.size() - 1; n >= 0; n--) {
      Node node = order.get(n);
      Node g = adjoint.get(node);
      if (g == null || forward.contains(g)) {
        continue;
      }
      String name = node instanceof Node.Var v ? v.name() : graph.nameOf(node);
      if (name != null && !name.startsWith("$")) {
        // the gradient of a hinted value (a layer's output) is only a hint itself
        if (graph.isHint(node)) {
          graph.hint(g, "d" + name);
        } else {
          graph.name(g, "d" + name);
        }
      }
    }
    return adjoint;
  }

  /**
   * The gradient that input {@code i} of {@code consumer} receives when the consumer's own
   * gradient is {@code g}: the consumer's rule from {@link Derivatives}, summed down to the
   * input's shape, and over the examples for an input shared by all of them. Every node it makes
   * comes from the consumer's place in the source. Null if the input receives no gradient.
   *
   * <p>A gradient guarded by a {@code where}, {@code where(c, h, 0)} (the gradient of the branch
   * taken where c holds; {@code where(c, 0, h)} for the other branch), keeps its guard: the rule
   * is applied to {@code h} and the result guarded again, {@code where(c, rule(h), 0)}. Rules are
   * linear in the gradient, so this is the same value wherever everything is finite; where the
   * branch is not taken, a local derivative that is infinite or NaN there ({@code sqrt} at a
   * negative x in {@code where(x > 0, sqrt(x), 0)}) stays out, instead of {@code 0 * NaN} making
   * the whole gradient NaN. The guard is kept through elementwise rules, and through any rule
   * when {@code c} is one value (per example, for rules that do not mix examples); so the
   * gradient does not depend on whether the simplifier runs.
   */
  public static Node contribution(Graph graph, Node.Apply consumer, Node g, int i) {
    return graph.at(consumer.origin(), () -> {
      Derivatives.Rule rule = Derivatives.of(consumer.op()).rule();
      Guard guard = Guard.of(g);
      Node contribution = null;
      if (guard != null) {
        Node inner = rule.gradient(graph, consumer, guard.inner(), i);
        if (inner == null) {
          return null;
        }
        if (guard.keepsThrough(consumer, inner)) {
          contribution = guard.around(graph, inner);
        }
      }
      if (contribution == null) {
        contribution = rule.gradient(graph, consumer, g, i);
        if (contribution == null) {
          return null;
        }
      }
      Node input = consumer.input(i);
      contribution = graph.sumTo(contribution, input.shape());
      if (contribution.batched() && !input.batched()) {
        // A weight shared by all examples collects the gradients of all of them.
        contribution = graph.apply(Op.BATCH_SUM, consumer.origin(), contribution);
      }
      return contribution;
    });
  }

  /**
   * The sum of two gradients of one node (its value used twice); two gradients under the same
   * guard are summed under it, {@code where(c, a + b, 0)}, so that the guard stays.
   */
  private static Node fanIn(Graph graph, Node previous, Node contribution) {
    Guard a = Guard.of(previous);
    Guard b = Guard.of(contribution);
    if (a != null && b != null && a.condition() == b.condition() && a.taken() == b.taken()) {
      Node sum = a.around(graph, graph.add(a.inner(), b.inner()));
      if (sum.shape().equals(previous.shape())) {
        return sum;
      }
    }
    return graph.add(previous, contribution);
  }

  /**
   * A gradient that flows only where {@code condition} is true ({@code taken}: the gradient is
   * {@code where(condition, inner, 0)}) or only where it is false ({@code where(condition, 0,
   * inner)}).
   */
  private record Guard(Node condition, boolean taken, Node inner) {
    static Guard of(Node g) {
      if (g instanceof Node.Apply w && w.op() == Op.WHERE) {
        if (isZero(w.input(2))) {
          return new Guard(w.input(0), true, w.input(1));
        }
        if (isZero(w.input(1))) {
          return new Guard(w.input(0), false, w.input(2));
        }
      }
      return null;
    }

    private static boolean isZero(Node n) {
      return n instanceof Node.Const c && c.value() == 0;
    }

    /** Whether {@code consumer}'s rule, applied to {@link #inner}, may be guarded again. */
    boolean keepsThrough(Node.Apply consumer, Node ruleOfInner) {
      if (condition.shape().isScalar()) {
        // One value of the condition covers everything the rule mixes, unless the rule mixes
        // the examples of a batch and the condition differs per example.
        return !(consumer.op().kind() == Op.Kind.BATCH && condition.batched());
      }
      Op.Kind kind = consumer.op().kind();
      boolean elementwise = kind == Op.Kind.UNARY || kind == Op.Kind.BINARY
          || kind == Op.Kind.SELECT || kind == Op.Kind.COMPARISON;
      return elementwise && ruleOfInner.shape().equals(consumer.shape());
    }

    Node around(Graph graph, Node value) {
      Node zero = graph.scalar(0);
      return taken ? graph.apply(Op.WHERE, graph.currentOrigin(), condition, value, zero)
          : graph.apply(Op.WHERE, graph.currentOrigin(), condition, zero, value);
    }
  }

  /**
   * Notes every node made since {@code firstNew} that the contribution uses, at the source place
   * of {@code from} (for a node of a derivative graph, the place of the value it derives from).
   */
  private static void noteNew(Graph graph, Node contribution, int firstNew, Node.Apply from,
      String gate) {
    Graph.Note fromNote = graph.noteOf(from);
    dev.nnc.compiler.diag.SourceSpan origin = fromNote != null ? fromNote.origin()
        : from.origin();
    List<Node> stack = new ArrayList<>();
    stack.add(contribution);
    Set<Node> seen = new HashSet<>();
    while (!stack.isEmpty()) {
      Node node = stack.remove(stack.size() - 1);
      if (node.id() < firstNew || !seen.add(node)) {
        continue;
      }
      graph.note(node, origin, gate);
      if (node instanceof Node.Apply a) {
        stack.addAll(a.inputs());
      }
    }
  }

  /** The nodes (in {@code order}) that depend on a variable of {@code wrt}. */
  private static Set<Node> needingGradient(List<Node> order, Set<Node> wrt) {
    Set<Node> needs = new HashSet<>();
    for (Node node : order) {
      if (node instanceof Node.Var && wrt.contains(node)) {
        needs.add(node);
      } else if (node instanceof Node.Apply a && a.op().differentiable()) {
        for (int i = 0; i < a.inputs().size(); i++) {
          if (needs.contains(a.input(i)) && a.op().carriesGradient(i)) {
            needs.add(node);
            break;
          }
        }
      }
    }
    return needs;
  }
}
