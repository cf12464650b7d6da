package dev.nnc.compiler.check;

import dev.nnc.compiler.ast.Decl;
import dev.nnc.compiler.ast.Expr;
import dev.nnc.compiler.check.Binding.Value;
import dev.nnc.compiler.diag.Diagnostics;
import dev.nnc.compiler.ir.CustomRule;
import dev.nnc.compiler.ir.Graph;
import dev.nnc.compiler.ir.Node;
import dev.nnc.compiler.ir.Op;
import dev.nnc.compiler.ir.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The derivatives users state for functions ({@code grad(g) = ...}): each is checked and lowered
 * once, as a template in a graph of its own (a {@link CustomRule}), the first time the function
 * is checked or called; every call then wraps its inlined body in an {@link Op#CUSTOM} node
 * carrying the rule, so the derivative phase uses the stated rule there. The rule names every
 * parameter once ({@code dx} for {@code x}), each with its parameter's shape.
 */
final class CustomRules {
  private final Diagnostics diagnostics;
  private final ExpressionChecker expressions;
  private final Constants constants;
  /** Each function's rule, or empty after its errors were reported (they are reported once). */
  private final Map<Decl.Fn, Optional<CustomRule>> rules = new IdentityHashMap<>();

  CustomRules(Diagnostics diagnostics, ExpressionChecker expressions, Constants constants) {
    this.diagnostics = diagnostics;
    this.expressions = expressions;
    this.constants = constants;
  }

  /**
   * {@code body} (the inlined value of a call of {@code fn} on {@code args}) wrapped in the
   * custom-rule node, or {@code body} itself for a function without a stated derivative; null
   * after an error in the rule.
   */
  Node wrap(Decl.Fn fn, Graph graph, Node body, List<Node> args) {
    if (fn.customGradient() == null) {
      return body;
    }
    CustomRule rule = rules.computeIfAbsent(fn, f -> Optional.ofNullable(lower(f, body.shape())))
        .orElse(null);
    if (rule == null) {
      return null;
    }
    Node[] inputs = new Node[args.size() + 1];
    inputs[0] = body;
    for (int i = 0; i < args.size(); i++) {
      inputs[i + 1] = args.get(i);
    }
    Node call = graph.apply(Op.CUSTOM, 0, rule, null, body.origin(), inputs);
    graph.copyName(body, call);
    return call;
  }

  /** Checks and lowers the stated derivative of {@code fn}, whose value has {@code shape}. */
  private CustomRule lower(Decl.Fn fn, Shape valueShape) {
    Decl.CustomGradient grad = fn.customGradient();
    int before = diagnostics.errorCount();
    Graph template = new Graph();
    Scope scope = new Scope(template, Map.of(), null);
    List<Node.Var> params = new ArrayList<>();
    Map<String, Shape> shapes = new LinkedHashMap<>();
    for (Decl.Param p : fn.params()) {
      Shape shape = p.shape() == null ? Shape.SCALAR : constants.shape(p.shape(), Map.of());
      if (shape == null || shapes.containsKey(p.name())) {
        return null; // reported with the declaration
      }
      shapes.put(p.name(), shape);
      Node.Var var = template.var(p.name(), shape, true, p.span());
      params.add(var);
      scope.names.put(p.name(), new Value(var, false));
    }
    if (shapes.containsKey(grad.upstream())) {
      diagnostics.error(grad.upstreamSpan(), "the upstream gradient '" + grad.upstream()
          + "' has the name of a parameter of " + fn.name() + "; give it another name, e.g."
          + " grad(g)");
      return null;
    }
    Node.Var upstream = template.var(grad.upstream(), valueShape, false, grad.upstreamSpan());
    scope.names.put(grad.upstream(), new Value(upstream, false));
    Map<String, Expr> stated = new HashMap<>();
    Map<String, dev.nnc.compiler.diag.SourceSpan> places = new HashMap<>();
    if (grad.expr() != null) {
      if (params.size() != 1) {
        diagnostics.error(grad.span(), fn.name() + " has " + params.size() + " parameters; state"
            + " the derivative with respect to each as grad(" + grad.upstream() + ") = ("
            + entryList(params) + ")");
        return null;
      }
      stated.put(params.get(0).name(), grad.expr());
      places.put(params.get(0).name(), grad.expr().span());
    } else {
      for (Decl.GradEntry e : grad.entries()) {
        String param = e.name().startsWith("d") ? e.name().substring(1) : null;
        if (param == null || !shapes.containsKey(param)) {
          diagnostics.error(e.nameSpan(), "'" + e.name() + "' names no parameter of " + fn.name()
              + "; the entries are " + entryList(params));
        } else if (stated.containsKey(param)) {
          diagnostics.error(e.nameSpan(), "'" + e.name() + "' is stated twice");
        } else {
          stated.put(param, e.expr());
          places.put(param, e.span());
        }
      }
      for (Node.Var p : params) {
        if (!stated.containsKey(p.name())) {
          diagnostics.error(grad.span(), "the derivative of " + fn.name() + " misses 'd"
              + p.name() + "' (every parameter needs an entry: " + entryList(params) + ")");
        }
      }
      if (diagnostics.errorCount() != before) {
        return null;
      }
    }
    List<Node> gradients = new ArrayList<>();
    for (Node.Var p : params) {
      // The rule may call other functions, but not its own function (that would be recursion).
      Node d = expressions.inliner().declaration(fn, () -> {
        Value v = expressions.value(stated.get(p.name()), scope);
        return v == null ? null : v.node();
      });
      if (d == null) {
        return null;
      }
      if (!d.shape().equals(p.shape())) {
        String entry = grad.expr() != null ? "the derivative" : "d" + p.name();
        diagnostics.error(places.get(p.name()), entry + " has shape " + d.shape()
            + " but parameter " + p.name() + " of " + fn.name() + " has shape " + p.shape());
        return null;
      }
      gradients.add(d);
    }
    return new CustomRule(fn.name(), grad.span(), template, params, upstream, gradients);
  }

  private static String entryList(List<Node.Var> params) {
    List<String> entries = new ArrayList<>();
    for (Node.Var p : params) {
      entries.add("d" + p.name() + ": ...");
    }
    return String.join(", ", entries);
  }
}
