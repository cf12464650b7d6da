package dev.nnc.compiler.check;

import dev.nnc.compiler.ast.Expr;
import dev.nnc.compiler.diag.Diagnostics;
import dev.nnc.compiler.diag.SourceSpan;
import dev.nnc.compiler.ir.Node;
import dev.nnc.compiler.ir.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checked arguments of one built-in call: the positional values, lowered in order, and the
 * named options the built-in accepts ({@code axis: 1}), each an integer constant. The axis is
 * resolved against the first argument's shape (a negative axis counts from the end); -1 means
 * none was given.
 */
record CallArguments(List<Node> values, int axis, Map<String, Integer> options) {
  CallArguments {
    values = List.copyOf(values);
    options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
  }

  /** The name of the option that selects an axis. */
  static final String AXIS = "axis";

  Node value(int i) {
    return values.get(i);
  }

  int size() {
    return values.size();
  }

  /** The option {@code name}, or {@code otherwise} if the call does not give it. */
  int option(String name, int otherwise) {
    return options.getOrDefault(name, otherwise);
  }

  /**
   * Checks and lowers the arguments of {@code call} to {@code builtin}; null after reporting
   * errors. Every argument is checked even after an error, so that all errors are reported.
   */
  static CallArguments check(Expr.Call call, Builtins.Builtin builtin, Scope scope,
      ExpressionChecker expressions, Diagnostics diagnostics) {
    String name = builtin.name();
    List<Node> values = new ArrayList<>();
    Map<String, Integer> options = new LinkedHashMap<>();
    SourceSpan axisSpan = null;
    boolean failed = false;
    for (int i = 0; i < call.args().size(); i++) {
      Expr.Arg arg = call.args().get(i);
      if (arg.name() != null) {
        if (!builtin.options().contains(arg.name())) {
          diagnostics.error(arg.span(), name + " has no argument '" + arg.name() + "'"
              + Suggestions.didYouMean(arg.name(), builtin.options()));
          failed = true;
        } else {
          Integer k = Constants.integer(arg.value(), scope.sizes);
          if (k == null) {
            diagnostics.error(arg.value().span(), arg.name() + " must be an integer constant");
            failed = true;
          } else {
            options.put(arg.name(), k);
            if (arg.name().equals(AXIS)) {
              axisSpan = arg.span();
            }
          }
        }
        continue;
      }
      Binding.Value v;
      if (name.equals("where") && i == 0 && arg.value() instanceof Expr.Compare cmp) {
        v = expressions.compare(cmp, scope);
      } else {
        v = expressions.value(arg.value(), scope, i == 1 && Builtins.takesLabel(name));
      }
      if (v == null) {
        failed = true;
      } else {
        values.add(v.node());
      }
    }
    long positional = call.args().stream().filter(a -> a.name() == null).count();
    if (positional < builtin.minArgs() || positional > builtin.maxArgs()) {
      String expected = builtin.minArgs() == builtin.maxArgs() ? "" + builtin.minArgs()
          : builtin.minArgs() + " or " + builtin.maxArgs();
      diagnostics.error(call.span(), name + " takes " + expected + " argument"
          + (builtin.maxArgs() == 1 ? "" : "s") + ", got " + positional);
      return null;
    }
    if (failed) {
      return null;
    }
    int axis = -1;
    if (options.containsKey(AXIS)) {
      int given = options.get(AXIS);
      if (values.size() == 2) {
        diagnostics.error(axisSpan, name + " with two arguments is elementwise and takes no axis");
        return null;
      }
      // A negative axis counts from the end, as in NumPy: axis: -1 is the last axis.
      Shape s = values.get(0).shape();
      axis = given < 0 ? given + s.rank() : given;
      if (axis < 0 || axis >= s.rank()) {
        diagnostics.error(axisSpan, name + ": axis " + given + " is out of range for shape " + s
            + (s.isScalar() ? " (a scalar has no axes)" : " (axes 0 to " + (s.rank() - 1) + ")"));
        return null;
      }
    }
    return new CallArguments(values, axis, options);
  }
}
