package dev.nnc.compiler.check;

import dev.nnc.compiler.ast.Decl;
import dev.nnc.compiler.ast.Program;
import dev.nnc.compiler.diag.Diagnostics;
import dev.nnc.compiler.ir.FunctionIr;
import dev.nnc.compiler.ir.Graph;
import dev.nnc.compiler.ir.ModelIr;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolves names, infers and checks static shapes, and lowers each {@code fn} and {@code model}
 * to a derivative-graph {@link Graph}. This class registers the declarations and hands each to
 * its checker: {@link FunctionChecker}, {@link LayerChecker}, {@link ModelChecker}, which share
 * one {@link ExpressionChecker} for bodies. User functions and layer calls are inlined; layer
 * instances own parameters named {@code instance.param}. Errors are collected, never thrown.
 */
public final class Checker {
  private final Diagnostics diagnostics;
  private final Map<String, Decl> decls = new LinkedHashMap<>();
  private final ExpressionChecker expressions;
  private final FunctionChecker functions;
  private final ModelChecker models;

  private Checker(Diagnostics diagnostics) {
    this.diagnostics = diagnostics;
    Constants constants = new Constants(diagnostics);
    this.expressions = new ExpressionChecker(diagnostics, decls, constants);
    this.functions = new FunctionChecker(diagnostics, expressions, constants);
    this.models = new ModelChecker(diagnostics, expressions, constants);
  }

  /** Checks {@code program}; the result is meaningful only if no errors were reported. */
  public static CheckedProgram check(Program program, Diagnostics diagnostics) {
    return new Checker(diagnostics).run(program);
  }

  private CheckedProgram run(Program program) {
    for (Decl decl : program.decls()) {
      Decl previous = decls.putIfAbsent(decl.name(), decl);
      if (previous != null) {
        diagnostics.error(decl.nameSpan(), "'" + decl.name() + "' is already declared at line "
            + previous.nameSpan().line());
      } else if (Builtins.TABLE.containsKey(decl.name())) {
        diagnostics.error(decl.nameSpan(), "'" + decl.name()
            + "' is a built-in function and cannot be redeclared");
      }
    }
    List<FunctionIr> fns = new ArrayList<>();
    List<ModelIr> checkedModels = new ArrayList<>();
    for (Decl decl : program.decls()) {
      if (decls.get(decl.name()) != decl) {
        continue;
      }
      if (decl instanceof Decl.Fn fn) {
        FunctionIr ir = functions.check(fn);
        if (ir != null) {
          fns.add(ir);
        }
      } else if (decl instanceof Decl.Layer layer) {
        expressions.layers().checkDeclaration(layer);
      } else if (decl instanceof Decl.Model model) {
        ModelIr ir = models.check(model);
        if (ir != null) {
          checkedModels.add(ir);
        }
      }
    }
    for (Decl decl : program.decls()) {
      if (decl instanceof Decl.Layer layer && decls.get(layer.name()) == layer
          && !expressions.layers().instantiated(layer.name())) {
        diagnostics.warning(layer.nameSpan(), "layer " + layer.name()
            + " is never instantiated in a model, so its body is not checked");
      }
    }
    return new CheckedProgram(fns, checkedModels);
  }
}
