package dev.nnc.compiler.check;

import dev.nnc.compiler.ast.Decl;
import dev.nnc.compiler.ast.Program;
import dev.nnc.compiler.diag.Diagnostic;
import dev.nnc.compiler.diag.Diagnostics;
import dev.nnc.compiler.ir.FunctionIr;
import dev.nnc.compiler.ir.Graph;
import dev.nnc.compiler.ir.ModelIr;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Resolves names, infers and checks static shapes, and lowers each {@code fn} and {@code model}
 * to a derivative-graph {@link Graph}. This class registers the declarations and hands each to
 * its checker: {@link FunctionChecker}, {@link LayerChecker}, {@link ModelChecker}, which share
 * one {@link ExpressionChecker} for bodies. User functions and layer calls are inlined; layer
 * instances own parameters named {@code instance.param}. Names resolve in the
 * {@link Declarations} of the file they are written in. Errors are collected, never thrown.
 */
public final class Checker {
  private final Diagnostics diagnostics;
  private final Declarations declarations;
  private final ExpressionChecker expressions;
  private final FunctionChecker functions;
  private final ModelChecker models;

  private Checker(Diagnostics diagnostics, Declarations declarations) {
    this.diagnostics = diagnostics;
    this.declarations = declarations;
    Constants constants = new Constants(diagnostics);
    this.expressions = new ExpressionChecker(diagnostics, declarations, constants);
    this.functions = new FunctionChecker(diagnostics, expressions, constants);
    this.models = new ModelChecker(diagnostics, expressions, constants);
  }

  /** Checks {@code program}, a file without imports; meaningful only if no errors were reported. */
  public static CheckedProgram check(Program program, Diagnostics diagnostics) {
    return check(new Module(program), diagnostics);
  }

  /**
   * Checks {@code main} and the files it imports. The result holds only {@code main}'s own
   * functions and models (an imported file's are generated from that file). The imported files
   * are checked too, and their errors reported at their places; their warnings are not, since
   * checking such a file itself shows them.
   */
  public static CheckedProgram check(Module main, Diagnostics diagnostics) {
    return check(main, Map.of(), diagnostics);
  }

  /**
   * As {@link #check(Module, Diagnostics)}; {@code libraries} (by the name an import gives them)
   * are named in the message about an unknown function that one of them declares.
   */
  public static CheckedProgram check(Module main, Map<String, Module> libraries,
      Diagnostics diagnostics) {
    Declarations declarations = new Declarations(libraries);
    List<Module> modules = Declarations.dependenciesFirst(main);
    List<Diagnostics> local = new ArrayList<>();
    for (Module m : modules) {
      Diagnostics d = m == main ? diagnostics : new Diagnostics();
      local.add(d);
      declarations.declare(m, d);
    }
    CheckedProgram result = null;
    for (int i = 0; i < modules.size(); i++) {
      Module m = modules.get(i);
      CheckedProgram checked = new Checker(local.get(i), declarations).run(m);
      if (m == main) {
        result = checked;
      } else {
        for (Diagnostic d : local.get(i).all()) {
          if (d.severity() == Diagnostic.Severity.ERROR) {
            diagnostics.error(d.span(), d.message());
          }
        }
      }
    }
    return result;
  }

  private CheckedProgram run(Module module) {
    Map<String, Decl> visible = declarations.of(module);
    List<FunctionIr> fns = new ArrayList<>();
    List<ModelIr> checkedModels = new ArrayList<>();
    for (Decl decl : module.program().decls()) {
      if (visible.get(decl.name()) != decl) {
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
    for (Decl decl : module.program().decls()) {
      if (decl instanceof Decl.Layer layer && visible.get(layer.name()) == layer
          && !expressions.layers().instantiated(layer.name())) {
        diagnostics.warning(layer.nameSpan(), "layer " + layer.name()
            + " is never instantiated in a model, so its body is not checked");
      }
    }
    return new CheckedProgram(fns, checkedModels);
  }
}
