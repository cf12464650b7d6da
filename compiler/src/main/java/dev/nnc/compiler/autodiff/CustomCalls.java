package dev.nnc.compiler.autodiff;

import dev.nnc.compiler.ir.Graph;
import dev.nnc.compiler.ir.GraphCopy;
import dev.nnc.compiler.ir.Node;
import dev.nnc.compiler.ir.Op;
import java.util.List;
import java.util.Map;

/**
 * Calls of functions with a stated derivative ({@link Op#CUSTOM}) are needed only while
 * derivatives are taken; afterwards each is its inlined body, which is what the interpreter,
 * the printers and the emitters compute.
 */
final class CustomCalls {
  private CustomCalls() {}

  /** The roots with every custom call replaced by its body (the same roots if there is none). */
  static List<Node> erase(Graph graph, List<Node> roots) {
    return GraphCopy.copy(graph, graph, roots, Map.of(),
        (a, inputs) -> a.op() == Op.CUSTOM ? inputs[0] : null);
  }
}
