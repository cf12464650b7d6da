package dev.nnc.compiler.check;

import dev.nnc.compiler.ast.Decl;
import dev.nnc.compiler.ast.Expr;
import dev.nnc.compiler.ast.ShapeExpr;
import dev.nnc.compiler.ast.Stmt;
import dev.nnc.compiler.check.Binding.Instance;
import dev.nnc.compiler.check.Binding.Value;
import dev.nnc.compiler.diag.Diagnostics;
import dev.nnc.compiler.diag.SourceSpan;
import dev.nnc.compiler.ir.ModelIr;
import dev.nnc.compiler.ir.Node;
import dev.nnc.compiler.ir.Shape;
import dev.nnc.runtime.Initializer;
import dev.nnc.runtime.NncException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Layer declarations and their instances: a declaration's names are unique and it returns; an
 * instance ({@code let fc1 = Dense(784, 256);}) takes non-negative integer sizes and owns the
 * parameters its body declares, named {@code fc1.W}, with their initializers (checked against
 * the runtime's table), and the instances its body makes ({@code let conv = Conv(...);} in the
 * body of {@code block1}'s layer owns {@code block1.conv.W}). Calls of instances are inlined by
 * the {@link Inliner}.
 */
final class LayerChecker {
  /** The runtime's initializers with their argument names, the one list of them. */
  static final Map<String, List<String>> INITIALIZERS = Initializer.arguments();

  private final Diagnostics diagnostics;
  private final Constants constants;
  private final Declarations decls;
  /** Layers some model instantiates; the others get a warning that their bodies went unchecked. */
  private final Set<String> instantiated = new HashSet<>();
  /** The layers being instantiated, outermost first: a layer inside itself is an error. */
  private final Set<String> instantiating = new LinkedHashSet<>();

  LayerChecker(Diagnostics diagnostics, Constants constants, Declarations decls) {
    this.diagnostics = diagnostics;
    this.constants = constants;
    this.decls = decls;
  }

  /** Whether a model instantiates the layer {@code name} (so its body was checked). */
  boolean instantiated(String name) {
    return instantiated.contains(name);
  }

  /** Checks a layer declaration on its own: unique names and a return statement. */
  void checkDeclaration(Decl.Layer layer) {
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

  /**
   * Makes the instance {@code let name = Layer(sizes...)} of a model and its parameters, with the
   * instances its body makes in turn; null on error.
   */
  Instance instantiate(Decl.Layer layer, Expr.Call call, String name, Scope scope) {
    instantiated.add(layer.name());
    if (scope.params == null) {
      error(call.span(), "layer " + layer.name() + " can only be instantiated inside a model");
      return null;
    }
    return instantiate(layer, call, name, scope.sizes, scope.reals, scope);
  }

  /**
   * The instance that {@code let name = Layer(...)} in the body of {@code outer}'s layer made
   * when {@code outer} was made; null if making it failed (already reported).
   */
  Instance nested(Instance outer, String name) {
    return outer.members().get(name) instanceof Instance i ? i : null;
  }

  /**
   * Makes instance {@code path} of {@code layer}, its arguments read from {@code call} with the
   * enclosing arguments {@code outerSizes} and {@code outerReals}, its parameters named
   * {@code path.param} and its nested instances {@code path.let}, in the order of the layer's
   * body.
   */
  private Instance instantiate(Decl.Layer layer, Expr.Call call, String path,
      Map<String, Integer> outerSizes, Map<String, Double> outerReals, Scope scope) {
    instantiated.add(layer.name());
    if (call.args().size() != layer.args().size()) {
      error(call.span(), "layer " + layer.name() + " takes " + layer.args().size()
          + " argument" + (layer.args().size() == 1 ? "" : "s") + ", got " + call.args().size());
      return null;
    }
    Map<String, Integer> sizes = new HashMap<>();
    Map<String, Double> reals = new HashMap<>();
    Set<String> inShapes = namesInShapes(layer);
    for (int i = 0; i < call.args().size(); i++) {
      Expr.Arg arg = call.args().get(i);
      String argName = layer.args().get(i).name();
      // Conv2d(1, 6, 5, stride: 1, padding: 2): a label must name the argument at its position
      if (arg.name() != null && !arg.name().equals(argName)) {
        error(arg.span(), "layer " + layer.name() + " has no argument '" + arg.name()
            + "' at position " + (i + 1) + " (it is " + argName + ")");
        return null;
      }
      Integer size = Constants.integer(arg.value(), outerSizes);
      // A number that is not an integer (Dropout(0.5)'s rate) is accepted for an argument no
      // written shape uses; it can only serve as a number in the body.
      Double real = size != null ? null : Constants.number(arg.value(), outerReals);
      if (real != null && Double.isFinite(real) && !inShapes.contains(argName)) {
        reals.put(argName, real);
        continue;
      }
      // zero is a valid setting (padding: pad); a zero used as a size is reported where the
      // shape is written
      if (size == null || size < 0) {
        error(arg.span(), "layer argument " + argName
            + " must be a non-negative integer constant" + (path.indexOf('.') < 0 ? ""
                : " (made of the enclosing layer's arguments: the shapes of its inputs are"
                    + " known only when it is called)"));
        return null;
      }
      sizes.put(argName, size);
    }
    if (!instantiating.add(layer.name())) {
      error(call.span(), "layer " + layer.name() + " instantiates itself"
          + (instantiating.size() > 1 ? " (through " + String.join(", ", instantiating) + ")"
              : "") + "; recursion is not allowed");
      return null;
    }
    Instance instance = new Instance(path, layer, sizes, reals, new LinkedHashMap<>());
    for (Stmt stmt : layer.body()) {
      if (stmt instanceof Stmt.ParamDecl p && !instance.members().containsKey(p.name())) {
        Node.Var var = declareParam(p, instance.path() + "." + p.name(), sizes, scope);
        instance.members().put(p.name(), new Value(var, false));
      } else if (stmt instanceof Stmt.Let let && let.value() instanceof Expr.Call inner
          && decls.at(inner.span()).get(inner.callee()) instanceof Decl.Layer nestedLayer
          && !instance.members().containsKey(let.name())) {
        Instance nested = instantiate(nestedLayer, inner, path + "." + let.name(), sizes,
            reals, scope);
        if (nested != null) {
          instance.members().put(let.name(), nested);
        }
      }
    }
    instantiating.remove(layer.name());
    return instance;
  }

  /** The layer arguments that a written shape of the layer (an input's type, a param) uses. */
  private static Set<String> namesInShapes(Decl.Layer layer) {
    Set<String> names = new HashSet<>();
    List<ShapeExpr> shapes = new ArrayList<>();
    for (Decl.Param p : layer.params()) {
      shapes.add(p.shape());
    }
    for (Stmt stmt : layer.body()) {
      if (stmt instanceof Stmt.ParamDecl p) {
        shapes.add(p.shape());
      }
    }
    for (ShapeExpr shape : shapes) {
      if (shape != null) {
        for (ShapeExpr.Dim d : shape.dims()) {
          if (d.symbol() != null) {
            names.add(d.symbol());
          }
        }
      }
    }
    return names;
  }

  /**
   * Declares the trainable parameter {@code fullName} ({@code fc1.W}, or {@code W} in a model)
   * with its initializer, checked against the runtime's table; null after an error.
   */
  Node.Var declareParam(Stmt.ParamDecl p, String fullName, Map<String, Integer> sizes,
      Scope scope) {
    Shape shape = constants.shape(p.shape(), sizes);
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
        Double v = Constants.number(arg.value());
        if (v == null) {
          error(arg.span(), "initializer arguments must be numeric constants");
          return null;
        }
        args.add(v);
      }
      try {
        Initializer.parse(init, args.stream().mapToDouble(Double::doubleValue).toArray());
      } catch (NncException e) {
        // at the argument when there is one to blame (normal's std), else at the call
        error(p.init().args().size() == 1 ? p.init().args().get(0).span() : p.init().span(),
            e.getMessage());
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

  private void error(SourceSpan span, String message) {
    diagnostics.error(span, message);
  }
}
