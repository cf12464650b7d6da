package dev.nnc.compiler.check;

import dev.nnc.compiler.ast.Decl;
import dev.nnc.compiler.ast.Expr;
import dev.nnc.compiler.ast.Stmt;
import dev.nnc.compiler.check.Binding.Instance;
import dev.nnc.compiler.check.Binding.Value;
import dev.nnc.compiler.diag.Diagnostics;
import dev.nnc.compiler.diag.SourceSpan;
import dev.nnc.compiler.ir.Graph;
import dev.nnc.compiler.ir.ModelIr;
import dev.nnc.compiler.ir.Node;
import dev.nnc.compiler.ir.Shape;
import dev.nnc.runtime.optim.OptimizerSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks one {@code model} declaration and lowers it to a {@link ModelIr}: inputs, labels and
 * targets (batched variables), parameters and layer instances, outputs, the loss (a scalar per
 * example, no forward-only op on its gradient path) and the optimizer (its arguments validated
 * by the runtime's own rules); then warns about names the model never uses.
 */
final class ModelChecker {
  /** The runtime's optimizers with their argument names, the one list of them. */
  static final Map<String, List<String>> OPTIMIZERS = OptimizerSpec.arguments();

  private final Diagnostics diagnostics;
  private final ExpressionChecker expressions;
  private final Constants constants;

  ModelChecker(Diagnostics diagnostics, ExpressionChecker expressions, Constants constants) {
    this.diagnostics = diagnostics;
    this.expressions = expressions;
    this.constants = constants;
  }

  /** The checked model, or null after reporting errors. */
  ModelIr check(Decl.Model model) {
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
        Shape shape = constants.shape(in.shape(), Map.of());
        if (shape != null && declare(scope, in.name(), in.nameSpan())) {
          Node.Var var = graph.var(in.name(), shape, false, true, in.nameSpan());
          data.add(new ModelIr.DataVar(var, ModelIr.DataKind.INPUT, 0));
          scope.names.put(in.name(), new Value(var, false));
        }
      } else if (stmt instanceof Stmt.Target t) {
        Shape shape = constants.shape(t.shape(), Map.of());
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
          expressions.label(var, l.classes());
          scope.names.put(l.name(), new Value(var, true));
        }
      } else if (stmt instanceof Stmt.ParamDecl p) {
        if (declare(scope, p.name(), p.nameSpan())) {
          Node.Var var = expressions.layers().declareParam(p, p.name(), Map.of(), scope);
          scope.names.put(p.name(), new Value(var, false));
        }
      } else if (stmt instanceof Stmt.Let let) {
        expressions.bindLet(let, scope);
      } else if (stmt instanceof Stmt.Output out) {
        Value v = expressions.value(out.value(), scope);
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
        Value v = expressions.value(l.value(), scope);
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
    expressions.inliner().finished(graph);
    if (diagnostics.errorCount() != before) {
      return null;
    }
    return new ModelIr(model.name(), model.span(), model.nameSpan(), graph, data, params, outputs, loss, optimizer);
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
      } else if (Constants.number(arg.value()) == null) {
        error(arg.value().span(), "optimizer argument " + arg.name() + " must be a number");
      } else {
        values.put(arg.name(), Constants.number(arg.value()));
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

  private void error(SourceSpan span, String message) {
    diagnostics.error(span, message);
  }
}
