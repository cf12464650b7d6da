package dev.nnc.compiler.check;

import dev.nnc.compiler.ast.Decl;
import dev.nnc.compiler.ast.Expr;
import dev.nnc.compiler.ast.ShapeExpr;
import dev.nnc.compiler.ast.Stmt;
import dev.nnc.compiler.check.Binding.Instance;
import dev.nnc.compiler.check.Binding.Value;
import dev.nnc.compiler.diag.Diagnostics;
import dev.nnc.compiler.diag.SourceSpan;
import dev.nnc.compiler.ir.Graph;
import dev.nnc.compiler.ir.Node;
import dev.nnc.compiler.ir.Shape;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Inlines calls of user functions and layer instances into the caller's graph: checks the
 * arguments against the callee's parameters, lowers the callee's body in a scope of its own,
 * rejects recursion, and bounds the depth of nested calls and the size of all graphs together.
 * The same function on the same argument nodes is inlined once per graph (bodies are pure).
 */
final class Inliner {
  /**
   * Inlining can grow a graph exponentially ({@code fn g(x) = f(x) * f(x + 1);} nested); past
   * this many nodes in all graphs together the checker stops with an error instead of hanging.
   */
  static final int MAX_NODES = 1_000_000;

  /** Deeper chains of calls are reported: each level is inlined into its caller. */
  static final int MAX_CALL_DEPTH = 256;

  private final Diagnostics diagnostics;
  private final ExpressionChecker expressions;
  private final Constants constants;
  private final CustomRules customRules;
  /**
   * The functions and layers being inlined, innermost last, by the place of their names (two
   * files may each declare a function of one name); recursion is an error.
   */
  private final Set<SourceSpan> inlining = new LinkedHashSet<>();
  /** The calls being inlined, outermost first, to report a too-deep chain where it starts. */
  private final Deque<SourceSpan> calls = new ArrayDeque<>();
  /** Inlined calls per graph, keyed by callee and argument nodes: bodies are pure. */
  private final Map<InlineKey, Node> inlined = new HashMap<>();
  /** Nodes in the graphs of declarations already checked, towards {@link #MAX_NODES}. */
  private long finishedNodes;
  private boolean reportedTooLarge;

  /**
   * One inlined call: the same function (named at {@code fn}) on the same nodes of the same
   * graph gives one node.
   */
  private record InlineKey(Graph graph, SourceSpan fn, List<Node> args) {}

  Inliner(Diagnostics diagnostics, ExpressionChecker expressions, Constants constants) {
    this.diagnostics = diagnostics;
    this.expressions = expressions;
    this.constants = constants;
    this.customRules = new CustomRules(diagnostics, expressions, constants);
  }

  /** The derivatives stated for functions, which every call of such a function carries. */
  CustomRules customRules() {
    return customRules;
  }

  /**
   * Lowers the body of the declaration {@code fn} itself (not a call of it), so that a call of
   * {@code fn} inside its own body is reported as recursion.
   */
  Node declaration(Decl.Fn fn, Supplier<Node> body) {
    inlining.add(fn.nameSpan());
    Node value = body.get();
    inlining.remove(fn.nameSpan());
    return value;
  }

  /** Counts a finished declaration's graph towards {@link #MAX_NODES}. */
  void finished(Graph graph) {
    finishedNodes += graph.size();
  }

  /** Inlines a call of a layer instance, {@code fc1(x)}; null after an error. */
  Node callLayer(Instance instance, Expr.Call call, Scope caller) {
    Decl.Layer layer = instance.layer();
    if (inlining.contains(layer.nameSpan())) {
      error(call.span(), "layer " + layer.name() + " calls itself; recursion is not allowed");
      return null;
    }
    if (call.args().size() != layer.params().size()) {
      error(call.span(), instance.path() + " (a " + layer.name() + ") takes "
          + layer.params().size() + " input" + (layer.params().size() == 1 ? "" : "s") + ", got "
          + call.args().size());
      return null;
    }
    for (int i = 0; i < call.args().size(); i++) {
      Expr.Arg arg = call.args().get(i);
      if (arg.name() != null && !arg.name().equals(layer.params().get(i).name())) {
        error(arg.span(), instance.path() + " (a " + layer.name() + ") has no input '"
            + arg.name() + "' at position " + (i + 1));
        return null;
      }
    }
    // The layer's sizes, and the shape variables of its inputs' types that this call binds
    // (h and w in x: [c_in, h, w]).
    Map<String, Integer> sizes = new LinkedHashMap<>(instance.args());
    List<Value> inputs = new ArrayList<>();
    for (int i = 0; i < call.args().size(); i++) {
      Decl.Param p = layer.params().get(i);
      Value v = expressions.value(call.args().get(i).value(), caller);
      if (v == null) {
        return null;
      }
      Shape got = v.node().shape();
      boolean fits = p.shape() == null ? got.isScalar() : bind(p.shape(), got, sizes);
      if (!fits) {
        String expected = p.shape() == null ? "[]" : written(p.shape(), sizes);
        error(call.args().get(i).span(), instance.path() + " expects " + p.name() + " of shape "
            + expected + ", got " + got);
        return null;
      }
      inputs.add(v);
    }
    Scope body = new Scope(caller.graph, sizes, caller.params,
        new SourceSpan.Call(instance.path(), layer.name(), caller.at(call.span())));
    body.names.put(Scope.SELF, instance);
    body.reals.putAll(instance.reals());
    for (Map.Entry<String, Integer> size : sizes.entrySet()) {
      body.names.put(size.getKey(), new Value(caller.graph.scalar(size.getValue()), false));
    }
    for (Map.Entry<String, Double> real : instance.reals().entrySet()) {
      body.names.put(real.getKey(), new Value(caller.graph.scalar(real.getValue()), false));
    }
    // The parameters; the nested instances are bound by the lets that make them.
    instance.members().forEach((name, member) -> {
      if (member instanceof Value) {
        body.names.put(name, member);
      }
    });
    for (int i = 0; i < inputs.size(); i++) {
      body.names.put(layer.params().get(i).name(), inputs.get(i));
    }
    List<Stmt> stmts = new ArrayList<>();
    for (Stmt stmt : layer.body()) {
      if (!(stmt instanceof Stmt.ParamDecl)) {
        stmts.add(stmt);
      }
    }
    if (tooLarge(caller.graph, call)) {
      return null;
    }
    inlining.add(layer.nameSpan());
    calls.addLast(call.span());
    int before = diagnostics.errorCount();
    Node result = expressions.body(stmts, body, layer.nameSpan(), "layer " + layer.name());
    calls.removeLast();
    inlining.remove(layer.nameSpan());
    if (diagnostics.errorCount() != before) {
      return null;
    }
    // Generated code names the output after the instance (fc1) unless a let names it.
    caller.graph.hint(result, instance.path());
    return result;
  }

  /** Inlines a call of a user function, {@code f(x, y)}; null after an error. */
  Node callFn(Decl.Fn fn, Expr.Call call, Scope caller) {
    if (inlining.contains(fn.nameSpan())) {
      error(call.calleeSpan(), "recursive call of " + fn.name() + " (functions are inlined, so"
          + " recursion is not allowed)");
      return null;
    }
    if (call.args().size() != fn.params().size()) {
      error(call.span(), fn.name() + " takes " + fn.params().size() + " argument"
          + (fn.params().size() == 1 ? "" : "s") + ", got " + call.args().size());
      return null;
    }
    // A function body cannot instantiate layers, even when called from a model.
    Scope body = new Scope(caller.graph, Map.of(), null,
        new SourceSpan.Call(fn.name(), fn.name(), caller.at(call.span())));
    List<Node> args = new ArrayList<>();
    for (int i = 0; i < call.args().size(); i++) {
      Expr.Arg arg = call.args().get(i);
      Decl.Param p = fn.params().get(i);
      if (arg.name() != null && !arg.name().equals(p.name())) {
        error(arg.span(), fn.name() + " has no parameter '" + arg.name() + "' at position "
            + (i + 1));
        return null;
      }
      Value v = expressions.value(arg.value(), caller);
      if (v == null) {
        return null;
      }
      Shape expected = p.shape() == null ? Shape.SCALAR : constants.shape(p.shape(), Map.of());
      if (expected != null && !expected.equals(v.node().shape())) {
        error(arg.span(), "argument " + p.name() + " of " + fn.name() + " must have shape "
            + expected + ", got " + v.node().shape());
        return null;
      }
      body.names.put(p.name(), v);
      args.add(v.node());
    }
    InlineKey key = new InlineKey(caller.graph, fn.nameSpan(), args);
    Node known = inlined.get(key);
    if (known != null) {
      return known;
    }
    if (tooLarge(caller.graph, call)) {
      return null;
    }
    inlining.add(fn.nameSpan());
    calls.addLast(call.span());
    int before = diagnostics.errorCount();
    Node result = expressions.body(fn.body(), body, fn.nameSpan(), "function " + fn.name());
    calls.removeLast();
    inlining.remove(fn.nameSpan());
    if (diagnostics.errorCount() != before || result == null) {
      return null;
    }
    result = customRules.wrap(fn, caller.graph, result, args);
    if (result == null) {
      return null;
    }
    inlined.put(key, result);
    return result;
  }

  /**
   * Matches the written input type {@code type} against the argument's shape {@code got}: a
   * literal size must be equal, a known size (a layer argument, or a shape variable an earlier
   * dimension bound) equal to its value, and an unknown name is a shape variable, bound here.
   */
  private static boolean bind(ShapeExpr type, Shape got, Map<String, Integer> sizes) {
    if (type.dims().size() != got.rank()) {
      return false;
    }
    for (int d = 0; d < got.rank(); d++) {
      ShapeExpr.Dim dim = type.dims().get(d);
      if (dim.symbol() != null) {
        sizes.putIfAbsent(dim.symbol(), got.dim(d));
      }
      int want = dim.symbol() == null ? dim.size() : sizes.get(dim.symbol());
      if (want != got.dim(d)) {
        return false;
      }
    }
    return true;
  }

  /** The written type with known sizes filled in: {@code [1, h, w]} before h and w are bound. */
  private static String written(ShapeExpr type, Map<String, Integer> sizes) {
    StringBuilder out = new StringBuilder("[");
    for (int d = 0; d < type.dims().size(); d++) {
      ShapeExpr.Dim dim = type.dims().get(d);
      Integer known = dim.symbol() == null ? Integer.valueOf(dim.size()) : sizes.get(dim.symbol());
      out.append(d == 0 ? "" : ", ").append(known != null ? known.toString() : dim.symbol());
    }
    return out.append(']').toString();
  }

  /** Reports that inlining has nested too deeply or made the program too large. */
  private boolean tooLarge(Graph graph, Expr.Call call) {
    if (calls.size() >= MAX_CALL_DEPTH) {
      error(calls.getFirst(), "calls nested more than " + MAX_CALL_DEPTH + " deep (functions are"
          + " inlined, so every chain of calls is expanded)");
      return true;
    }
    if (finishedNodes + graph.size() <= MAX_NODES) {
      return false;
    }
    if (!reportedTooLarge) {
      reportedTooLarge = true;
      SourceSpan outermost = calls.isEmpty() ? call.span() : calls.getFirst();
      error(outermost, "the program is too large after inlining (more than " + MAX_NODES
          + " operations); functions and layers are inlined at every call");
    }
    return true;
  }

  private void error(SourceSpan span, String message) {
    diagnostics.error(span, message);
  }
}
