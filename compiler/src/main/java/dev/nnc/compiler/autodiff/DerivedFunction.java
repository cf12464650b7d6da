package dev.nnc.compiler.autodiff;

import dev.nnc.compiler.diag.SourceSpan;
import dev.nnc.compiler.ir.FunctionIr;
import dev.nnc.compiler.ir.Graph;
import dev.nnc.compiler.ir.Node;
import dev.nnc.compiler.ir.Shape;
import dev.nnc.compiler.simplify.Simplifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A function with its (simplified) value, gradient, second-order and forward-mode nodes, all in
 * parameter order. A scalar-valued function is seeded with 1; a tensor-valued one with the
 * variable {@code upstream} of the value's shape (a vector-Jacobian product), and its Hessian is
 * that of {@code sum(upstream * value)}. {@code directions} are one variable per parameter (its
 * shape): {@code hvp} is the Hessian times them, {@code jvp} the Jacobian times them (the value's
 * shape; it does not depend on {@code upstream}). {@code sweepGradients} are the gradients as
 * the sweep left them, calls with a stated derivative still marked, which further sweeps
 * differentiate (the stated rule applies to them too).
 */
public record DerivedFunction(FunctionIr function, Node value, List<Node> gradients,
    Node.Var upstream, List<Node.Var> directions, List<Node> hvp, Node jvp,
    List<Node> sweepGradients) {
  public DerivedFunction {
    gradients = List.copyOf(gradients);
    directions = List.copyOf(directions);
    hvp = List.copyOf(hvp);
    sweepGradients = List.copyOf(sweepGradients);
  }

  /** Internal graph name of the seed variable of tensor-valued functions. */
  public static final String UPSTREAM = "$upstream";

  /** Prefix of the internal graph names of the direction variables ({@code $v_x}). */
  public static final String DIRECTION = "$v_";

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
      upstream = var(graph, UPSTREAM, value.shape(), value.origin());
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
    int n = fn.params().size();
    List<Node> gradients = roots.subList(1, n + 1);
    // Second order and forward mode differentiate the (simplified) derivative graph again.
    List<Node.Var> directions = new ArrayList<>();
    for (Node.Var p : fn.params()) {
      directions.add(var(graph, DIRECTION + p.name(), p.shape(), p.origin()));
    }
    List<Node> all = new ArrayList<>(roots);
    all.addAll(SecondOrder.hvp(graph, fn.params(), gradients, directions));
    all.add(SecondOrder.jvp(graph, upstream, gradients, directions));
    all = CustomCalls.erase(graph, all);
    if (simplify) {
      all = Simplifier.simplify(graph, all);
    }
    return new DerivedFunction(fn, all.get(0), all.subList(1, n + 1), upstream, directions,
        all.subList(n + 1, 2 * n + 1), all.get(2 * n + 1), gradients);
  }

  /** The number of parameters' elements: the Hessian is this square, row-major. */
  public int hessianSize() {
    int size = 0;
    for (Node.Var p : function.params()) {
      size += p.shape().size();
    }
    return size;
  }

  /**
   * Row {@code j} of the Hessian as nodes, for a scalar parameter {@code j} of a scalar function:
   * the gradient of the derivative with respect to that parameter (one node per parameter),
   * simplified when asked, for printing second derivatives as math.
   */
  public List<Node> hessianRow(int j, boolean simplify) {
    Graph graph = function.graph();
    if (upstream != null || !function.params().get(j).shape().isScalar()) {
      throw new IllegalArgumentException("not a scalar function of a scalar parameter " + j);
    }
    Map<Node.Var, Node> second = ReverseMode.gradients(graph, sweepGradients.get(j),
        graph.scalar(1), function.params(), false);
    List<Node> row = CustomCalls.erase(graph, new ArrayList<>(second.values()));
    return simplify ? Simplifier.simplify(graph, row) : row;
  }

  /** The graph's variable {@code name}, made on first use (a function may be derived twice). */
  private static Node.Var var(Graph graph, String name, Shape shape, SourceSpan origin) {
    for (Node.Var v : graph.vars()) {
      if (v.name().equals(name)) {
        return v;
      }
    }
    return graph.var(name, shape, false, origin);
  }
}
