package dev.nnc.compiler.check;

import dev.nnc.compiler.ast.Decl;
import dev.nnc.compiler.check.Binding.Value;
import dev.nnc.compiler.diag.Diagnostics;
import dev.nnc.compiler.diag.SourceSpan;
import dev.nnc.compiler.ir.ElementType;
import dev.nnc.compiler.ir.FunctionIr;
import dev.nnc.compiler.ir.Graph;
import dev.nnc.compiler.ir.Node;
import dev.nnc.compiler.ir.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks one {@code fn} declaration and lowers it to a {@link FunctionIr}: its element type, its
 * parameters (every one differentiable), its body, and that no forward-only op lies on a
 * gradient path.
 */
final class FunctionChecker {
  /**
   * Generated methods take one Java parameter per fn parameter (a double scalar takes two JVM
   * slots, an array one) plus this and an upstream array; the JVM allows 255 slots.
   */
  static final int MAX_ARGUMENT_SLOTS = 252;

  private final Diagnostics diagnostics;
  private final ExpressionChecker expressions;
  private final Constants constants;

  FunctionChecker(Diagnostics diagnostics, ExpressionChecker expressions, Constants constants) {
    this.diagnostics = diagnostics;
    this.expressions = expressions;
    this.constants = constants;
  }

  /** The checked function, or null after reporting errors. */
  FunctionIr check(Decl.Fn fn) {
    int before = diagnostics.errorCount();
    ElementType type = ElementType.F64;
    if (fn.elementType() != null) {
      switch (fn.elementType()) {
        case "f64" -> type = ElementType.F64;
        case "f32" -> type = ElementType.F32;
        default -> error(fn.elementTypeSpan(), "unknown element type '" + fn.elementType()
            + "'; expected f32 or f64");
      }
    }
    int slots = 0;
    for (Decl.Param p : fn.params()) {
      slots += p.shape() == null ? 2 : 1;
    }
    if (slots > MAX_ARGUMENT_SLOTS) {
      error(fn.nameSpan(), "function " + fn.name() + " has too many parameters: its generated"
          + " Java methods would need " + slots + " argument slots and the JVM allows "
          + MAX_ARGUMENT_SLOTS + "; group scalars into a tensor parameter such as x: ["
          + fn.params().size() + "]");
      return null;
    }
    Graph graph = new Graph();
    Scope scope = new Scope(graph, Map.of(), null);
    List<Node.Var> params = new ArrayList<>();
    for (Decl.Param p : fn.params()) {
      Shape shape = p.shape() == null ? Shape.SCALAR : constants.shape(p.shape(), Map.of());
      if (scope.names.containsKey(p.name())) {
        error(p.span(), "duplicate parameter '" + p.name() + "'");
        continue;
      }
      if (shape == null) {
        // Already reported; bind the name to nothing so its uses stay quiet.
        scope.names.put(p.name(), new Value(null, false));
        continue;
      }
      Node.Var var = graph.var(p.name(), shape, true, p.span());
      params.add(var);
      scope.names.put(p.name(), new Value(var, false));
    }
    Node value = expressions.inliner().declaration(fn,
        () -> expressions.body(fn.body(), scope, fn.nameSpan(), "function " + fn.name()));
    if (value != null && diagnostics.errorCount() == before) {
      // A stated derivative replaces the derived one; the body itself then needs none.
      value = expressions.inliner().customRules().wrap(fn, graph, value, List.copyOf(params));
    }
    expressions.inliner().finished(graph);
    if (value != null && diagnostics.errorCount() == before) {
      GradientPaths.check(value, diagnostics);
    }
    if (value == null || diagnostics.errorCount() != before) {
      return null;
    }
    return new FunctionIr(fn.name(), fn.span(), fn.nameSpan(), graph, params, value, type);
  }

  private void error(SourceSpan span, String message) {
    diagnostics.error(span, message);
  }
}
