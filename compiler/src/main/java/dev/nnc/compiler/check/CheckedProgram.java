package dev.nnc.compiler.check;

import dev.nnc.compiler.ir.FunctionIr;
import dev.nnc.compiler.ir.ModelIr;
import java.util.List;

/** A program that passed the checker: its functions and models lowered to graphs. */
public record CheckedProgram(List<FunctionIr> functions, List<ModelIr> models) {
  public CheckedProgram {
    functions = List.copyOf(functions);
    models = List.copyOf(models);
  }
}
