package dev.nnc.compiler.emit;

import dev.nnc.compiler.ir.GraphOrder;
import dev.nnc.compiler.ir.FunctionIr;
import dev.nnc.compiler.ir.ModelIr;
import dev.nnc.compiler.ir.Node;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The facts the emitters read from the checked program beyond the graph: where a declaration
 * is, which optimizer a model declares, and the order of a graph's nodes. Each is read here and
 * nowhere else in the emitters.
 */
final class IrFacts {
  private IrFacts() {}

  /** A declared optimizer: its name and its arguments in declaration order. */
  record Optimizer(String name, List<Argument> arguments) {
    Optimizer {
      arguments = List.copyOf(arguments);
    }
  }

  /** One {@code name: value} argument of an optimizer. */
  record Argument(String name, double value) {}

  /** The source line of the {@code fn} declaration. */
  static int line(FunctionIr fn) {
    return fn.span().line();
  }

  /** The source line of the {@code model} declaration. */
  static int line(ModelIr model) {
    return model.span().line();
  }

  /** The optimizer the model declares, or null. */
  static Optimizer optimizer(ModelIr model) {
    if (model.optimizer() == null) {
      return null;
    }
    List<Argument> arguments = new ArrayList<>();
    for (ModelIr.Argument a : model.optimizer().args()) {
      arguments.add(new Argument(a.name(), a.value()));
    }
    return new Optimizer(model.optimizer().name(), arguments);
  }

  /** Every node {@code roots} depend on (the roots included), once each, inputs first. */
  static List<Node> reachable(Collection<Node> roots) {
    List<Node> all = new ArrayList<>();
    Set<Node> seen = new HashSet<>();
    for (Node root : roots) {
      if (seen.contains(root)) {
        continue;
      }
      for (Node n : GraphOrder.reachable(root)) {
        if (seen.add(n)) {
          all.add(n);
        }
      }
    }
    all.sort(Comparator.comparingInt(Node::id));
    return all;
  }
}
