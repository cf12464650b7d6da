package dev.nnc.compiler.ir;

import dev.nnc.compiler.diag.SourceSpan;
import java.util.List;

/**
 * A checked {@code fn}: its name and place in the source, its graph, its parameters in order, its
 * value node and element type. {@code nameSpan} is where the name is written (the place of
 * errors about the declaration as a whole).
 */
public record FunctionIr(String name, SourceSpan span, SourceSpan nameSpan, Graph graph, List<Node.Var> params,
    Node value, ElementType elementType) {
  public FunctionIr {
    params = List.copyOf(params);
  }
}
