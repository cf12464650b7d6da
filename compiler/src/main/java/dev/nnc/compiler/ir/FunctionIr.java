package dev.nnc.compiler.ir;

import dev.nnc.compiler.diag.SourceSpan;
import java.util.List;

/**
 * A checked {@code fn}: its name and place in the source, its graph, its parameters in order, its
 * value node and element type.
 */
public record FunctionIr(String name, SourceSpan span, Graph graph, List<Node.Var> params,
    Node value, ElementType elementType) {
  public FunctionIr {
    params = List.copyOf(params);
  }
}
