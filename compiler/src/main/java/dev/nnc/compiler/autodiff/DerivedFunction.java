package dev.nnc.compiler.autodiff;

import dev.nnc.compiler.ir.FunctionIr;
import dev.nnc.compiler.ir.Graph;
import dev.nnc.compiler.ir.Node;
import dev.nnc.compiler.simplify.Simplifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A function with its (simplified) value and gradient nodes: gradients are in parameter order.
 * A scalar-valued function is seeded with 1; a tensor-valued one with the variable
 * {@code upstream} of the value's shape (a vector-Jacobian product).
 */
public record DerivedFunction(FunctionIr function, Node value, List<Node> gradients,
    Node.Var upstream) {
  public DerivedFunction {
    gradients = List.copyOf(gradients);
  }

  /** Internal graph name of the seed variable of tensor-valued functions. */
  public static final String UPSTREAM = "$upstream";

  /** Differentiates {@code fn}; with {@code simplify}, runs the simplifier on the result. */
  public static DerivedFunction derive(FunctionIr fn, boolean simplify) {
    Graph graph = fn.graph();
    // Simplify the forward computation first, so that derivative rules see stable forms such as
    // sigmoid(s) (whose rule reuses its value) rather than 1 / (1 + exp(-s)).
    Node value = simplify ? Simplifier.simplify(graph, List.of(fn.value())).get(0) : fn.value();
    Node.Var upstream = null;
    Node seed;
    if (value.shape().isScalar()) {
      seed = graph.scalar(1);
    } else {
      upstream = graph.var(UPSTREAM, value.shape(), false, value.origin());
      seed = upstream;
    }
    Map<Node.Var, Node> grads = ReverseMode.gradients(graph, value, seed);
    List<Node> roots = new ArrayList<>();
    roots.add(value);
    for (Node.Var p : fn.params()) {
      roots.add(grads.get(p));
    }
    if (simplify) {
      roots = Simplifier.simplify(graph, roots);
    }
    return new DerivedFunction(fn, roots.get(0), roots.subList(1, roots.size()), upstream);
  }
}
