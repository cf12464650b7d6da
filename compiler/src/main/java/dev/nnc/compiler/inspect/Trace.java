package dev.nnc.compiler.inspect;

import dev.nnc.compiler.autodiff.ReverseMode;
import dev.nnc.compiler.interp.Interpreter;
import dev.nnc.compiler.ir.FunctionIr;
import dev.nnc.compiler.ir.Graph;
import dev.nnc.compiler.ir.GraphOrder;
import dev.nnc.compiler.ir.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every node of a function's forward graph with its value and its gradient, in forward order:
 * the computational-graph figure of a backpropagation lecture, as rows of text. The graph is the
 * unsimplified one, so each row is one operation of the source.
 */
public final class Trace {
  /** One row: a name, its defining operation, source line, value and gradient (flat). */
  public record Row(String name, String definition, int line, Node node, double[] value,
      double[] gradient) {}

  private Trace() {}

  public static List<Row> of(FunctionIr fn, Map<Node.Var, double[]> args) {
    Graph graph = fn.graph();
    Node value = fn.value();
    Node seed = value.shape().isScalar() ? graph.scalar(1) : graph.constant(1, value.shape());
    Map<Node, Node> adjoints = ReverseMode.adjoints(graph, value, seed);
    Interpreter interpreter = new Interpreter(args);
    Map<Node, String> names = new IdentityHashMap<>();
    Map<String, Integer> used = new HashMap<>();
    List<Row> rows = new ArrayList<>();
    int temp = 1;
    for (Node n : GraphOrder.reachable(value)) {
      if (n instanceof Node.Const) {
        continue;
      }
      String name;
      if (n instanceof Node.Var v) {
        name = v.name();
      } else {
        String base = n == value ? fn.name() : graph.nameOf(n);
        if (base == null) {
          do {
            base = "t" + temp++;
          } while (used.containsKey(base));
        }
        int count = used.merge(base, 1, Integer::sum);
        name = count == 1 ? base : base + "_" + count;
      }
      used.putIfAbsent(name, 1);
      names.put(n, name);
      Node adjoint = adjoints.get(n);
      double[] grad = adjoint == null ? null : interpreter.value(adjoint);
      String definition = n instanceof Node.Apply a ? describe(a, names) : "input";
      rows.add(new Row(name, definition, n.origin().line(), n, interpreter.value(n), grad));
    }
    return rows;
  }

  private static String describe(Node.Apply a, Map<Node, String> names) {
    List<String> args = new ArrayList<>();
    for (Node in : a.inputs()) {
      args.add(in instanceof Node.Const c ? MathPrinter.number(c.value()) : names.get(in));
    }
    String attr = switch (a.op()) {
      case SUM, MAX_REDUCE, LOGSUMEXP -> a.attr() == -1 ? "" : ", axis: " + a.attr();
      case SLICE -> ", at: " + a.attr();
      default -> "";
    };
    if (a.op().isInfix() && args.size() == 2) {
      return args.get(0) + " " + a.op().symbol() + " " + args.get(1);
    }
    if (a.op() == dev.nnc.compiler.ir.Op.NEG) {
      return "-" + args.get(0);
    }
    return a.op().symbol() + "(" + String.join(", ", args) + attr + ")";
  }
}
