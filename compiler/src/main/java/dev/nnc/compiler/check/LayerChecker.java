package dev.nnc.compiler.check;

import dev.nnc.compiler.ast.Decl;
import dev.nnc.compiler.ast.Expr;
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
 * instance ({@code let fc1 = Dense(784, 256);}) takes positive integer sizes and owns the
 * parameters its body declares, named {@code fc1.W}, with their initializers (checked against
 * the runtime's table). Calls of instances are inlined by the {@link Inliner}.
 */
final class LayerChecker {
  /** The runtime's initializers with their argument names, the one list of them. */
  static final Map<String, List<String>> INITIALIZERS = Initializer.arguments();

  private final Diagnostics diagnostics;
  private final Constants constants;
  /** Layers some model instantiates; the others get a warning that their bodies went unchecked. */
  private final Set<String> instantiated = new HashSet<>();

  LayerChecker(Diagnostics diagnostics, Constants constants) {
    this.diagnostics = diagnostics;
    this.constants = constants;
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

  /** Makes the instance {@code let name = Layer(sizes...)} and its parameters; null on error. */
  Instance instantiate(Decl.Layer layer, Expr.Call call, String name, Scope scope) {
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
      Integer size = Constants.integer(arg.value(), scope.sizes);
      if (size == null || size <= 0) {
        error(arg.span(), "layer argument " + layer.args().get(i).name()
            + " must be a positive integer constant");
        return null;
      }
      sizes.put(layer.args().get(i).name(), size);
    }
    if (scope.names.get(Scope.SELF) instanceof Instance outer) {
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
