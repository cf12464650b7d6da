package dev.nnc.compiler.check;

import dev.nnc.compiler.ast.Decl;
import dev.nnc.compiler.ast.Expr;
import dev.nnc.compiler.ast.Program;
import dev.nnc.compiler.ast.ShapeExpr;
import dev.nnc.compiler.ast.Stmt;
import dev.nnc.compiler.diag.Diagnostics;
import dev.nnc.compiler.diag.SourceSpan;
import dev.nnc.compiler.ir.ElementType;
import dev.nnc.compiler.ir.FunctionIr;
import dev.nnc.compiler.ir.Graph;
import dev.nnc.compiler.ir.ModelIr;
import dev.nnc.compiler.ir.Node;
import dev.nnc.compiler.ir.Op;
import dev.nnc.compiler.ir.Shape;
import dev.nnc.runtime.Initializer;
import dev.nnc.runtime.NncException;
import dev.nnc.runtime.optim.OptimizerSpec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Resolves names, infers and checks static shapes, and lowers each {@code fn} and {@code model}
 * to a derivative-graph {@link Graph}. User functions and layer calls are inlined; layer
 * instances own parameters named {@code instance.param}. Errors are collected, never thrown.
 */
public final class Checker {
  /** The runtime's initializers with their argument names, the one list of them. */
  static final Map<String, List<String>> INITIALIZERS = Initializer.arguments();
  /** The runtime's optimizers with their argument names, the one list of them. */
  static final Map<String, List<String>> OPTIMIZERS = OptimizerSpec.arguments();

  /**
   * Generated methods take one Java parameter per fn parameter (a double scalar takes two JVM
   * slots, an array one) plus this and an upstream array; the JVM allows 255 slots.
   */
  static final int MAX_ARGUMENT_SLOTS = 252;

  private final Diagnostics diagnostics;
  private final Map<String, Decl> decls = new LinkedHashMap<>();
  /** The class count of each label variable, for checking it against the scores it indexes. */
  private final Map<Node, Integer> labelClasses = new HashMap<>();
  /** Layers some model instantiates; the others get a warning that their bodies went unchecked. */
  private final Set<String> instantiated = new HashSet<>();
  /** The functions and layers being inlined, innermost last; recursion is an error. */
  private final Set<String> inlining = new LinkedHashSet<>();
  /** The calls being inlined, outermost first, to report a too-deep chain where it starts. */
  private final Deque<SourceSpan> calls = new ArrayDeque<>();
  /** Inlined calls per graph, keyed by callee and argument nodes: bodies are pure. */
  private final Map<InlineKey, Node> inlined = new HashMap<>();
  /** Nodes in the graphs of declarations already checked, towards {@link #MAX_NODES}. */
  private long finishedNodes;
  private boolean reportedTooLarge;

  /**
   * Inlining can grow a graph exponentially ({@code fn g(x) = f(x) * f(x + 1);} nested); past
   * this many nodes in all graphs together the checker stops with an error instead of hanging.
   */
  static final int MAX_NODES = 1_000_000;

  /** Deeper chains of calls are reported: each level is inlined into its caller. */
  static final int MAX_CALL_DEPTH = 256;

  /** One inlined call: the same function on the same nodes of the same graph gives one node. */
  private record InlineKey(Graph graph, String fn, List<Node> args) {}

  private Checker(Diagnostics diagnostics) {
    this.diagnostics = diagnostics;
  }

  /** Checks {@code program}; the result is meaningful only if no errors were reported. */
  public static CheckedProgram check(Program program, Diagnostics diagnostics) {
    return new Checker(diagnostics).run(program);
  }

  /** What a name in scope stands for. */
  private sealed interface Binding permits Value, Instance {}

  /** A tensor value; {@code label} marks a class-index label. */
  private record Value(Node node, boolean label) implements Binding {}

  /** A layer instance with its compile-time arguments and owned parameters. */
  private record Instance(String path, Decl.Layer layer, Map<String, Integer> args,
      Map<String, Binding> members) implements Binding {}

  /** The bindings of one body plus the graph it lowers into. */
  private static final class Scope {
    final Graph graph;
    final Map<String, Binding> names = new LinkedHashMap<>();
    /** The names looked up so far, for the warnings about unused model-level names. */
    final Set<String> used = new HashSet<>();
    final Map<String, Integer> sizes;
    /** Collects parameters created by layer instances (models only). */
    final List<ModelIr.ParamVar> params;

    Scope(Graph graph, Map<String, Integer> sizes, List<ModelIr.ParamVar> params) {
      this.graph = graph;
      this.sizes = sizes;
      this.params = params;
    }
  }

  private CheckedProgram run(Program program) {
    for (Decl decl : program.decls()) {
      Decl previous = decls.putIfAbsent(decl.name(), decl);
      if (previous != null) {
        error(decl.nameSpan(), "'" + decl.name() + "' is already declared at line "
            + previous.nameSpan().line());
      } else if (Builtins.TABLE.containsKey(decl.name())) {
        error(decl.nameSpan(), "'" + decl.name() + "' is a built-in function and cannot be redeclared");
      }
    }
    List<FunctionIr> functions = new ArrayList<>();
    List<ModelIr> models = new ArrayList<>();
    for (Decl decl : program.decls()) {
      if (decls.get(decl.name()) != decl) {
        continue;
      }
      if (decl instanceof Decl.Fn fn) {
        FunctionIr ir = checkFn(fn);
        if (ir != null) {
          functions.add(ir);
        }
      } else if (decl instanceof Decl.Layer layer) {
        checkLayerDecl(layer);
      } else if (decl instanceof Decl.Model model) {
        ModelIr ir = checkModel(model);
        if (ir != null) {
          models.add(ir);
        }
      }
    }
    for (Decl decl : program.decls()) {
      if (decl instanceof Decl.Layer layer && decls.get(layer.name()) == layer
          && !instantiated.contains(layer.name())) {
        diagnostics.warning(layer.nameSpan(), "layer " + layer.name()
            + " is never instantiated in a model, so its body is not checked");
      }
    }
    return new CheckedProgram(program, functions, models);
  }

  // ---- functions ----

  private FunctionIr checkFn(Decl.Fn fn) {
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
      Shape shape = p.shape() == null ? Shape.SCALAR : shape(p.shape(), Map.of());
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
    if (fn.customGradient() != null) {
      error(fn.customGradient().span(), "custom derivatives (grad clauses) are not supported yet;"
          + " remove the clause to let nnc derive " + fn.name());
    }
    inlining.add(fn.name());
    Node value = body(fn.body(), scope, fn.nameSpan(), "function " + fn.name());
    inlining.remove(fn.name());
    finishedNodes += graph.size();
    if (value != null && diagnostics.errorCount() == before) {
      GradientPaths.check(value, diagnostics);
    }
    if (value == null || diagnostics.errorCount() != before) {
      return null;
    }
    return new FunctionIr(fn.name(), fn.span(), graph, params, value, type);
  }

  /** Lowers let/return statements; returns the returned node or null. */
  private Node body(List<Stmt> stmts, Scope scope, SourceSpan nameSpan, String what) {
    Node result = null;
    boolean returned = false;
    for (Stmt stmt : stmts) {
      if (returned) {
        error(stmt.span(), "unreachable statement after return");
        break;
      }
      if (stmt instanceof Stmt.Let let) {
        bindLet(let, scope);
      } else if (stmt instanceof Stmt.Return ret) {
        Value v = value(ret.value(), scope);
        result = v == null ? null : v.node();
        returned = true;
      }
    }
    if (!returned) {
      error(nameSpan, what + " has no return statement");
    }
    return result;
  }

  private void bindLet(Stmt.Let let, Scope scope) {
    if (scope.names.containsKey(let.name())) {
      error(let.nameSpan(), "'" + let.name() + "' is already defined in this scope");
      return;
    }
    if (let.value() instanceof Expr.Call call && decls.get(call.callee()) instanceof Decl.Layer layer) {
      Instance instance = instantiate(layer, call, let.name(), scope);
      if (instance != null) {
        scope.names.put(let.name(), instance);
      } else {
        scope.names.put(let.name(), new Value(null, false));
      }
      return;
    }
    Value v = value(let.value(), scope);
    if (v != null && v.node() != null) {
      scope.graph.name(v.node(), let.name());
    }
    scope.names.put(let.name(), v == null ? new Value(null, false) : v);
  }

  // ---- layers ----

  private void checkLayerDecl(Decl.Layer layer) {
    Set<String> seen = new LinkedHashSet<>();
    for (Decl.Ident arg : layer.args()) {
      if (!seen.add(arg.name())) {
        error(arg.span(), "duplicate layer argument '" + arg.name() + "'");
      }
    }
    for (Decl.Param p : layer.params()) {
      if (!seen.add(p.name())) {
        error(p.span(), "duplicate name '" + p.name() + "'");
      }
    }
    boolean returns = false;
    for (Stmt stmt : layer.body()) {
      returns |= stmt instanceof Stmt.Return;
      if (stmt instanceof Stmt.ParamDecl p && !seen.add(p.name())) {
        error(p.nameSpan(), "duplicate name '" + p.name() + "' in layer " + layer.name());
      }
    }
    if (!returns) {
      error(layer.nameSpan(), "layer " + layer.name() + " has no return statement");
    }
  }

  private Instance instantiate(Decl.Layer layer, Expr.Call call, String name, Scope scope) {
    instantiated.add(layer.name());
    if (scope.params == null) {
      error(call.span(), "layer " + layer.name() + " can only be instantiated inside a model");
      return null;
    }
    if (call.args().size() != layer.args().size()) {
      error(call.span(), "layer " + layer.name() + " takes " + layer.args().size()
          + " size argument" + (layer.args().size() == 1 ? "" : "s") + ", got " + call.args().size());
      return null;
    }
    Map<String, Integer> sizes = new HashMap<>();
    for (int i = 0; i < call.args().size(); i++) {
      Expr.Arg arg = call.args().get(i);
      Integer size = constantInt(arg.value(), scope);
      if (size == null || size <= 0) {
        error(arg.span(), "layer argument " + layer.args().get(i).name()
            + " must be a positive integer constant");
        return null;
      }
      sizes.put(layer.args().get(i).name(), size);
    }
    if (scope.names.get("$self") instanceof Instance outer) {
      error(call.span(), "layer " + outer.layer().name() + " cannot instantiate layer "
          + layer.name() + "; instantiate both in the model and compose them there");
      return null;
    }
    Instance instance = new Instance(name, layer, sizes, new LinkedHashMap<>());
    for (Stmt stmt : layer.body()) {
      if (stmt instanceof Stmt.ParamDecl p && !instance.members().containsKey(p.name())) {
        Node.Var var = declareParam(p, instance.path() + "." + p.name(), sizes, scope);
        instance.members().put(p.name(), new Value(var, false));
      }
    }
    return instance;
  }

  private Node.Var declareParam(Stmt.ParamDecl p, String fullName, Map<String, Integer> sizes,
      Scope scope) {
    Shape shape = shape(p.shape(), sizes);
    List<Double> args = new ArrayList<>();
    String init = shape != null && shape.rank() >= 2 ? "xavier" : "zeros";
    if (p.init() != null) {
      init = p.init().name();
      if (!INITIALIZERS.containsKey(init)) {
        List<String> known = new ArrayList<>();
        INITIALIZERS.forEach((name, names) -> known.add(
            names.isEmpty() ? name : name + "(" + String.join(", ", names) + ")"));
        error(p.init().nameSpan(), "unknown initializer '" + init + "'"
            + Suggestions.didYouMean(init, INITIALIZERS.keySet()) + " (known: "
            + String.join(", ", known) + ")");
        return null;
      }
      int expected = INITIALIZERS.get(init).size();
      if (p.init().args().size() != expected) {
        error(p.init().span(), "initializer " + init + " takes " + expected + " argument"
            + (expected == 1 ? "" : "s") + ", got " + p.init().args().size());
        return null;
      }
      for (Expr.Arg arg : p.init().args()) {
        Double v = constant(arg.value());
        if (v == null) {
          error(arg.span(), "initializer arguments must be numeric constants");
          return null;
        }
        args.add(v);
      }
      try {
        Initializer.parse(init, args.stream().mapToDouble(Double::doubleValue).toArray());
      } catch (NncException e) {
        error(p.init().span(), e.getMessage());
        return null;
      }
    }
    if (shape == null) {
      return null;
    }
    Node.Var var = scope.graph.var(fullName, shape, true, p.nameSpan());
    scope.params.add(new ModelIr.ParamVar(var, init, args));
    return var;
  }

  private Node callLayer(Instance instance, Expr.Call call, Scope caller) {
    Decl.Layer layer = instance.layer();
    if (inlining.contains("layer " + layer.name())) {
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
    Scope body = new Scope(caller.graph, instance.args(), caller.params);
    body.names.put("$self", instance);
    for (Map.Entry<String, Integer> size : instance.args().entrySet()) {
      body.names.put(size.getKey(), new Value(caller.graph.scalar(size.getValue()), false));
    }
    body.names.putAll(instance.members());
    for (int i = 0; i < call.args().size(); i++) {
      Decl.Param p = layer.params().get(i);
      Value v = value(call.args().get(i).value(), caller);
      if (v == null) {
        return null;
      }
      Shape expected = p.shape() == null ? Shape.SCALAR : shape(p.shape(), instance.args());
      if (expected != null && !expected.equals(v.node().shape())) {
        error(call.args().get(i).span(), instance.path() + " expects " + p.name() + " of shape "
            + expected + ", got " + v.node().shape());
        return null;
      }
      body.names.put(p.name(), v);
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
    inlining.add("layer " + layer.name());
    calls.addLast(call.span());
    int before = diagnostics.errorCount();
    Node result = body(stmts, body, layer.nameSpan(), "layer " + layer.name());
    calls.removeLast();
    inlining.remove("layer " + layer.name());
    return diagnostics.errorCount() == before ? result : null;
  }

  // ---- models ----

  private ModelIr checkModel(Decl.Model model) {
    int before = diagnostics.errorCount();
    Graph graph = new Graph();
    List<ModelIr.ParamVar> params = new ArrayList<>();
    Scope scope = new Scope(graph, Map.of(), params);
    List<ModelIr.DataVar> data = new ArrayList<>();
    Map<String, Node> outputs = new LinkedHashMap<>();
    Node loss = null;
    // Whether a loss statement exists; its value may have failed with an error reported earlier.
    boolean hasLoss = false;
    Stmt.Optimizer optimizerStmt = null;
    ModelIr.Optimizer optimizer = null;
    for (Stmt stmt : model.body()) {
      if (stmt instanceof Stmt.Input in) {
        Shape shape = shape(in.shape(), Map.of());
        if (shape != null && declare(scope, in.name(), in.nameSpan())) {
          Node.Var var = graph.var(in.name(), shape, false, true, in.nameSpan());
          data.add(new ModelIr.DataVar(var, ModelIr.DataKind.INPUT, 0));
          scope.names.put(in.name(), new Value(var, false));
        }
      } else if (stmt instanceof Stmt.Target t) {
        Shape shape = shape(t.shape(), Map.of());
        if (shape != null && declare(scope, t.name(), t.nameSpan())) {
          Node.Var var = graph.var(t.name(), shape, false, true, t.nameSpan());
          data.add(new ModelIr.DataVar(var, ModelIr.DataKind.TARGET, 0));
          scope.names.put(t.name(), new Value(var, false));
        }
      } else if (stmt instanceof Stmt.Label l) {
        if (l.classes() < 2) {
          error(l.classesSpan(), "a label needs at least 2 classes, got " + l.classes());
        } else if (declare(scope, l.name(), l.nameSpan())) {
          Node.Var var = graph.var(l.name(), Shape.SCALAR, false, true, l.nameSpan());
          data.add(new ModelIr.DataVar(var, ModelIr.DataKind.LABEL, l.classes()));
          labelClasses.put(var, l.classes());
          scope.names.put(l.name(), new Value(var, true));
        }
      } else if (stmt instanceof Stmt.ParamDecl p) {
        if (declare(scope, p.name(), p.nameSpan())) {
          Node.Var var = declareParam(p, p.name(), Map.of(), scope);
          scope.names.put(p.name(), new Value(var, false));
        }
      } else if (stmt instanceof Stmt.Let let) {
        bindLet(let, scope);
      } else if (stmt instanceof Stmt.Output out) {
        Value v = value(out.value(), scope);
        if (outputs.containsKey(out.name()) || scope.names.containsKey(out.name())) {
          error(out.nameSpan(), "'" + out.name() + "' is already defined in this model");
        } else if (v != null) {
          outputs.put(out.name(), v.node());
          graph.name(v.node(), out.name());
          scope.names.put(out.name(), v);
        }
      } else if (stmt instanceof Stmt.Loss l) {
        if (hasLoss) {
          error(l.span(), "model " + model.name() + " already has a loss");
          continue;
        }
        hasLoss = true;
        Value v = value(l.value(), scope);
        if (v != null) {
          if (!v.node().shape().isScalar()) {
            error(l.value().span(), "the loss must be a scalar per example, got "
                + v.node().shape() + " (reduce it with sum(...) or mean(...))");
          } else {
            loss = v.node();
          }
        }
      } else if (stmt instanceof Stmt.Optimizer opt) {
        if (optimizerStmt != null) {
          error(opt.span(), "model " + model.name() + " already declares an optimizer");
        }
        optimizerStmt = opt;
        optimizer = checkOptimizer(opt);
      } else if (stmt instanceof Stmt.Return ret) {
        error(ret.span(), "a model has no return; declare 'loss' and 'output' instead");
      }
    }
    if (!hasLoss) {
      error(model.nameSpan(), "model " + model.name() + " has no loss; add e.g."
          + " 'loss cross_entropy(logits, y);'");
    }
    if (params.isEmpty() && diagnostics.errorCount() == before) {
      error(model.nameSpan(), "model " + model.name() + " has no parameters to train");
    }
    if (loss != null && diagnostics.errorCount() == before) {
      GradientPaths.check(loss, diagnostics);
    }
    if (diagnostics.errorCount() == before) {
      warnUnused(model, scope);
    }
    finishedNodes += graph.size();
    if (diagnostics.errorCount() != before) {
      return null;
    }
    return new ModelIr(model.name(), model.span(), graph, data, params, outputs, loss, optimizer);
  }

  /**
   * Warns about the model's lets and parameters that nothing reads: a layer instance never
   * called still owns parameters that are initialized and saved but never trained. Only for a
   * model without errors, where every use has been looked up.
   */
  private void warnUnused(Decl.Model model, Scope scope) {
    for (Stmt stmt : model.body()) {
      if (stmt instanceof Stmt.Let let && !scope.used.contains(let.name())) {
        if (scope.names.get(let.name()) instanceof Instance i) {
          List<String> owned = new ArrayList<>();
          for (String member : i.members().keySet()) {
            owned.add(let.name() + "." + member);
          }
          diagnostics.warning(let.nameSpan(), "layer instance " + let.name() + " is never called"
              + (owned.isEmpty() ? "" : ", so " + String.join(", ", owned) + " are never trained"));
        } else {
          diagnostics.warning(let.nameSpan(), "'" + let.name() + "' is never used");
        }
      } else if (stmt instanceof Stmt.ParamDecl p && !scope.used.contains(p.name())) {
        diagnostics.warning(p.nameSpan(), "parameter " + p.name()
            + " is never used, so it is never trained");
      }
    }
  }

  /**
   * Checks an optimizer statement's name, argument names and values (with the runtime's own
   * validation, so that a value the runtime would reject at train time is reported here, at the
   * argument); returns the optimizer with its arguments in declaration order, or null.
   */
  private ModelIr.Optimizer checkOptimizer(Stmt.Optimizer opt) {
    List<String> allowed = OPTIMIZERS.get(opt.name());
    if (allowed == null) {
      error(opt.nameSpan(), "unknown optimizer '" + opt.name() + "'"
          + Suggestions.didYouMean(opt.name(), OPTIMIZERS.keySet())
          + " (known: " + String.join(", ", OPTIMIZERS.keySet()) + ")");
      return null;
    }
    int before = diagnostics.errorCount();
    Set<String> given = new HashSet<>();
    Map<String, Double> values = new LinkedHashMap<>();
    Map<String, SourceSpan> spans = new HashMap<>();
    for (Expr.Arg arg : opt.args()) {
      if (arg.name() != null && !given.add(arg.name())) {
        error(arg.span(), opt.name() + " argument '" + arg.name() + "' is given twice");
      } else if (arg.name() == null) {
        error(arg.span(), "optimizer arguments are named, e.g. lr: 0.1");
      } else if (!allowed.contains(arg.name())) {
        error(arg.span(), opt.name() + " has no argument '" + arg.name() + "'"
            + Suggestions.didYouMean(arg.name(), allowed));
      } else if (constant(arg.value()) == null) {
        error(arg.value().span(), "optimizer argument " + arg.name() + " must be a number");
      } else {
        values.put(arg.name(), constant(arg.value()));
        spans.put(arg.name(), arg.span());
      }
    }
    if (diagnostics.errorCount() != before) {
      return null;
    }
    try {
      OptimizerSpec.parse(opt.name(), values);
    } catch (OptimizerSpec.InvalidArgument e) {
      error(spans.getOrDefault(e.argument(), opt.nameSpan()), e.getMessage());
      return null;
    }
    List<ModelIr.Argument> args = new ArrayList<>();
    values.forEach((name, value) -> args.add(new ModelIr.Argument(name, value)));
    return new ModelIr.Optimizer(opt.name(), args, opt.span());
  }

  private boolean declare(Scope scope, String name, SourceSpan span) {
    if (scope.names.containsKey(name)) {
      error(span, "'" + name + "' is already defined in this model");
      return false;
    }
    return true;
  }

  // ---- expressions ----

  private Value value(Expr expr, Scope scope) {
    return value(expr, scope, false);
  }

  /** Lowers an expression to a tensor value; null after an error (already reported). */
  private Value value(Expr expr, Scope scope, boolean labelAllowed) {
    if (expr instanceof Expr.Number n) {
      return new Value(scope.graph.scalar(n.value()), false);
    }
    if (expr instanceof Expr.Name n) {
      Binding b = lookup(n.name(), n.span(), scope);
      if (b == null) {
        return null;
      }
      if (b instanceof Instance i) {
        error(n.span(), "'" + n.name() + "' is a layer instance; call it, e.g. " + n.name() + "(x),"
            + " or name one of its parameters, e.g. " + n.name() + "."
            + (i.members().isEmpty() ? "W" : i.members().keySet().iterator().next()));
        return null;
      }
      Value v = (Value) b;
      if (v.node() == null) {
        return null;
      }
      if (v.label() && !labelAllowed) {
        error(n.span(), "'" + n.name() + "' is a class label; it can only be the label argument"
            + " of cross_entropy, hinge or bce_with_logits");
        return null;
      }
      return v;
    }
    if (expr instanceof Expr.Neg neg) {
      Value v = value(neg.operand(), scope);
      return v == null ? null : new Value(scope.graph.apply(Op.NEG, neg.span(), v.node()), false);
    }
    if (expr instanceof Expr.Binary bin) {
      return binaryChain(bin, scope);
    }
    if (expr instanceof Expr.Compare cmp) {
      error(cmp.span(), "a comparison ('" + cmp.op().symbol() + "') can only be the condition of"
          + " where(...)");
      return null;
    }
    if (expr instanceof Expr.Call call) {
      return call(call, scope);
    }
    if (expr instanceof Expr.Index index) {
      return index(index, scope);
    }
    if (expr instanceof Expr.Member member) {
      return member(member, scope);
    }
    throw new IllegalStateException("unknown expression " + expr);
  }

  /**
   * Lowers a left-deep chain such as {@code a + b - c * d} with a loop over its left spine, so
   * that a megabyte of {@code x+x+...} neither recurses half a million deep nor runs slowly in
   * frames that were entered before the JIT compiled them.
   */
  private Value binaryChain(Expr.Binary top, Scope scope) {
    Deque<Expr.Binary> spine = new ArrayDeque<>();
    Expr leftmost = top;
    while (leftmost instanceof Expr.Binary b) {
      spine.push(b);
      leftmost = b.left();
    }
    Value acc = value(leftmost, scope);
    boolean failed = acc == null;
    while (!spine.isEmpty()) {
      Expr.Binary bin = spine.pop();
      // The right operand is checked even after a failure, so that its errors are reported too.
      Value b = value(bin.right(), scope);
      if (failed || b == null) {
        failed = true;
        continue;
      }
      CallSite site =
          new CallSite(scope.graph, diagnostics, bin.span(), "'" + bin.op().symbol() + "'");
      Node node = switch (bin.op()) {
        case ADD -> site.binary(Op.ADD, acc.node(), b.node());
        case SUB -> site.binary(Op.SUB, acc.node(), b.node());
        case MUL -> site.binary(Op.MUL, acc.node(), b.node());
        case DIV -> site.binary(Op.DIV, acc.node(), b.node());
        case POW -> site.binary(Op.POW, acc.node(), b.node());
        case MATMUL -> site.matmul(acc.node(), b.node());
      };
      failed = node == null;
      acc = failed ? null : new Value(node, false);
    }
    return failed ? null : acc;
  }

  private Value member(Expr.Member member, Scope scope) {
    if (member.target() instanceof Expr.Name n && scope.names.get(n.name()) instanceof Instance i) {
      scope.used.add(n.name());
      Binding b = i.members().get(member.member());
      if (b == null) {
        error(member.memberSpan(), i.path() + " (a " + i.layer().name() + ") has no parameter '"
            + member.member() + "'" + Suggestions.didYouMean(member.member(), i.members().keySet()));
        return null;
      }
      Value v = (Value) b;
      return v.node() == null ? null : v;
    }
    if (member.member().equals("T")) {
      Value v = value(member.target(), scope);
      if (v == null) {
        return null;
      }
      Node t = new CallSite(scope.graph, diagnostics, member.span(), ".T").transpose(v.node());
      return t == null ? null : new Value(t, false);
    }
    error(member.memberSpan(), "unknown member '." + member.member() + "': only .T (transpose) and"
        + " a layer instance's parameters (fc1.W) can follow a '.'");
    return null;
  }

  private Value index(Expr.Index index, Scope scope) {
    Value v = value(index.target(), scope);
    if (v == null) {
      return null;
    }
    Shape shape = v.node().shape();
    if (index.indices().size() > shape.rank()) {
      int n = index.indices().size();
      error(index.span(), shape.isScalar() ? "cannot index a scalar"
          : "cannot index " + shape + " with " + n + (n == 1 ? " index" : " indices"));
      return null;
    }
    int offset = 0;
    int stride = shape.size();
    for (int i = 0; i < index.indices().size(); i++) {
      Expr e = index.indices().get(i);
      Integer k = constantInt(e, scope);
      stride /= shape.dim(i);
      if (k == null) {
        error(e.span(), "an index must be an integer constant");
        return null;
      }
      if (k < 0 || k >= shape.dim(i)) {
        error(e.span(), "index " + k + " is out of range for axis " + i + " of " + shape);
        return null;
      }
      offset += k * stride;
    }
    Shape result = new Shape(shape.dims().subList(index.indices().size(), shape.rank()));
    return new Value(scope.graph.apply(Op.SLICE, offset, result, index.span(), v.node()), false);
  }

  private Value call(Expr.Call call, Scope scope) {
    String name = call.callee();
    Binding local = scope.names.get(name);
    if (local != null) {
      scope.used.add(name);
    }
    if (local instanceof Instance instance) {
      Node node = callLayer(instance, call, scope);
      return node == null ? null : new Value(node, false);
    }
    if (local != null) {
      if (((Value) local).node() != null) {
        error(call.calleeSpan(), "'" + name + "' is a value, not a function");
      }
      return null;
    }
    Decl decl = decls.get(name);
    if (decl instanceof Decl.Fn fn) {
      Node node = callFn(fn, call, scope);
      return node == null ? null : new Value(node, false);
    }
    if (decl instanceof Decl.Layer) {
      error(call.span(), "layer " + name + " must be instantiated first, e.g. 'let l = " + name
          + "(...);' and then called as l(x)");
      return null;
    }
    if (decl instanceof Decl.Model) {
      error(call.calleeSpan(), "'" + name + "' is a model and cannot be called");
      return null;
    }
    Builtins.Builtin builtin = Builtins.TABLE.get(name);
    if (builtin == null) {
      Set<String> candidates = new LinkedHashSet<>(Builtins.TABLE.keySet());
      candidates.addAll(decls.keySet());
      for (Map.Entry<String, Binding> e : scope.names.entrySet()) {
        if (e.getValue() instanceof Instance) {
          candidates.add(e.getKey());
        }
      }
      error(call.calleeSpan(), "unknown function '" + name + "'"
          + Suggestions.didYouMean(name, candidates));
      return null;
    }
    List<Node> args = new ArrayList<>();
    Integer axisArg = null;
    SourceSpan axisSpan = null;
    boolean failed = false;
    for (int i = 0; i < call.args().size(); i++) {
      Expr.Arg arg = call.args().get(i);
      if (arg.name() != null) {
        if (!arg.name().equals("axis") || !builtin.takesAxis()) {
          error(arg.span(), name + " has no argument '" + arg.name() + "'"
              + Suggestions.didYouMean(arg.name(),
                  builtin.takesAxis() ? Set.of("axis") : Set.of()));
          failed = true;
        } else {
          Integer k = constantInt(arg.value(), scope);
          if (k == null) {
            error(arg.value().span(), "axis must be an integer constant");
            failed = true;
          } else {
            axisArg = k;
            axisSpan = arg.span();
          }
        }
        continue;
      }
      Value v;
      if (name.equals("where") && i == 0 && arg.value() instanceof Expr.Compare cmp) {
        v = compare(cmp, scope);
      } else {
        v = value(arg.value(), scope, i == 1 && Builtins.takesLabel(name));
      }
      if (v == null) {
        failed = true;
      } else {
        args.add(v.node());
      }
    }
    long positional = call.args().stream().filter(a -> a.name() == null).count();
    if (positional < builtin.minArgs() || positional > builtin.maxArgs()) {
      String expected = builtin.minArgs() == builtin.maxArgs() ? "" + builtin.minArgs()
          : builtin.minArgs() + " or " + builtin.maxArgs();
      error(call.span(), name + " takes " + expected + " argument"
          + (builtin.maxArgs() == 1 ? "" : "s") + ", got " + positional);
      return null;
    }
    if (failed) {
      return null;
    }
    int axis = -1;
    if (axisArg != null) {
      if (args.size() == 2) {
        error(axisSpan, name + " with two arguments is elementwise and takes no axis");
        return null;
      }
      // A negative axis counts from the end, as in NumPy: axis: -1 is the last axis.
      Shape s = args.get(0).shape();
      axis = axisArg < 0 ? axisArg + s.rank() : axisArg;
      if (axis < 0 || axis >= s.rank()) {
        error(axisSpan, name + ": axis " + axisArg + " is out of range for shape " + s
            + (s.isScalar() ? " (a scalar has no axes)" : " (axes 0 to " + (s.rank() - 1) + ")"));
        return null;
      }
    }
    CallSite site = new CallSite(scope.graph, diagnostics, call.span(), name,
        node -> labelClasses.getOrDefault(node, 0));
    Node node = builtin.lowering().lower(site, args, axis);
    return node == null ? null : new Value(node, false);
  }

  private Value compare(Expr.Compare cmp, Scope scope) {
    Value a = value(cmp.left(), scope);
    Value b = value(cmp.right(), scope);
    if (a == null || b == null) {
      return null;
    }
    Op op = switch (cmp.op()) {
      case LT -> Op.LT;
      case LE -> Op.LE;
      case GT -> Op.GT;
      case GE -> Op.GE;
      case EQ -> Op.EQ;
      case NE -> Op.NE;
    };
    Node node = new CallSite(scope.graph, diagnostics, cmp.span(), "'" + cmp.op().symbol() + "'")
        .binary(op, a.node(), b.node());
    return node == null ? null : new Value(node, false);
  }

  private Node callFn(Decl.Fn fn, Expr.Call call, Scope caller) {
    if (inlining.contains(fn.name())) {
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
    Scope body = new Scope(caller.graph, Map.of(), null);
    List<Node> args = new ArrayList<>();
    for (int i = 0; i < call.args().size(); i++) {
      Expr.Arg arg = call.args().get(i);
      Decl.Param p = fn.params().get(i);
      if (arg.name() != null && !arg.name().equals(p.name())) {
        error(arg.span(), fn.name() + " has no parameter '" + arg.name() + "' at position "
            + (i + 1));
        return null;
      }
      Value v = value(arg.value(), caller);
      if (v == null) {
        return null;
      }
      Shape expected = p.shape() == null ? Shape.SCALAR : shape(p.shape(), Map.of());
      if (expected != null && !expected.equals(v.node().shape())) {
        error(arg.span(), "argument " + p.name() + " of " + fn.name() + " must have shape "
            + expected + ", got " + v.node().shape());
        return null;
      }
      body.names.put(p.name(), v);
      args.add(v.node());
    }
    InlineKey key = new InlineKey(caller.graph, fn.name(), args);
    Node known = inlined.get(key);
    if (known != null) {
      return known;
    }
    if (tooLarge(caller.graph, call)) {
      return null;
    }
    inlining.add(fn.name());
    calls.addLast(call.span());
    int before = diagnostics.errorCount();
    Node result = body(fn.body(), body, fn.nameSpan(), "function " + fn.name());
    calls.removeLast();
    inlining.remove(fn.name());
    if (diagnostics.errorCount() != before || result == null) {
      return null;
    }
    inlined.put(key, result);
    return result;
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

  private Binding lookup(String name, SourceSpan span, Scope scope) {
    Binding b = scope.names.get(name);
    if (b != null) {
      scope.used.add(name);
      return b;
    }
    if (decls.containsKey(name) || Builtins.TABLE.containsKey(name)) {
      error(span, "'" + name + "' is a function; call it with arguments");
      return null;
    }
    Set<String> candidates = new LinkedHashSet<>();
    for (String k : scope.names.keySet()) {
      if (!k.startsWith("$")) {
        candidates.add(k);
      }
    }
    error(span, "undefined name '" + name + "'" + Suggestions.didYouMean(name, candidates));
    return null;
  }

  // ---- constants and shapes ----

  private Shape shape(ShapeExpr expr, Map<String, Integer> sizes) {
    int[] dims = new int[expr.dims().size()];
    for (int i = 0; i < dims.length; i++) {
      ShapeExpr.Dim d = expr.dims().get(i);
      if (d.symbol() != null) {
        Integer size = sizes.get(d.symbol());
        if (size == null) {
          error(d.span(), "unknown size '" + d.symbol() + "'"
              + (sizes.isEmpty() ? ": sizes must be integers here"
                  : Suggestions.didYouMean(d.symbol(), sizes.keySet())));
          return null;
        }
        dims[i] = size;
      } else {
        dims[i] = d.size();
      }
      if (dims[i] <= 0) {
        error(d.span(), "a size must be positive, got " + dims[i]);
        return null;
      }
    }
    Shape shape = Shape.of(dims);
    long total = 1;
    for (int d : dims) {
      total *= d;
      if (total > 1L << 28) {
        error(expr.span(), "shape " + shape + " is too large (more than 2^28 elements)");
        return null;
      }
    }
    return shape;
  }

  private Integer constantInt(Expr e, Scope scope) {
    Double v = constant(e);
    if (v == null && e instanceof Expr.Name n && scope.sizes.containsKey(n.name())) {
      return scope.sizes.get(n.name());
    }
    if (v == null || v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
      return null;
    }
    return v.intValue();
  }

  private static Double constant(Expr e) {
    if (e instanceof Expr.Number n) {
      return n.value();
    }
    if (e instanceof Expr.Neg neg) {
      Double v = constant(neg.operand());
      return v == null ? null : -v;
    }
    return null;
  }

  private void error(SourceSpan span, String message) {
    diagnostics.error(span, message);
  }
}
