package dev.nnc.compiler.ir;

import dev.nnc.compiler.ast.Decl;
import java.util.List;

/** A checked {@code fn}: its graph, its parameters in order, its value node and element type. */
public record FunctionIr(Decl.Fn decl, Graph graph, List<Node.Var> params, Node value,
    ElementType elementType) {
  public FunctionIr {
    params = List.copyOf(params);
  }

  public String name() {
    return decl.name();
  }
}
