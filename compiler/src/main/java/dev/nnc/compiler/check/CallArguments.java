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
 * The checked arguments of one built-in call: the positional values, lowered in order, a shape
 * written as a bracketed list ({@code reshape(x, [4, 4])}), and the named options the built-in
 * accepts, each a constant checked against its {@link Kind}: {@code axis: 1}, {@code stride: 2},
 * {@code padding: 1}, {@code size: 2}, {@code rate: 0.5}. The axis is resolved against the first
 * argument's shape (a negative axis counts from the end); -1 means none was given.
 */
record CallArguments(List<Node> values, int axis, Map<String, Double> options, Shape shape) {
  CallArguments {
    values = List.copyOf(values);
    options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
  }

  /** The name of the option that selects an axis. */
  static final String AXIS = "axis";

  /** What values a named option takes. */
  enum Kind {
    /** An axis: any integer, resolved against the first argument's rank. */
    AXIS("an integer"),
    /** A stride or a window size: an integer of at least 1. */
    POSITIVE("a positive integer"),
    /** A padding: an integer of at least 0. */
    NON_NEGATIVE("a non-negative integer"),
    /** A probability below 1 (a dropout rate): a number in [0, 1). */
    RATE("a number in [0, 1)");

    private final String what;

    Kind(String what) {
      this.what = what;
    }
  }

  /** Every named option of the built-ins, with the values it takes. */
  static final Map<String, Kind> KINDS = Map.of(AXIS, Kind.AXIS, "stride", Kind.POSITIVE,
      "size", Kind.POSITIVE, "padding", Kind.NON_NEGATIVE, "rate", Kind.RATE);

  Node value(int i) {
    return values.get(i);
  }

  int size() {
    return values.size();
  }

  /** The integer option {@code name}, or {@code otherwise} if the call does not give it. */
  int option(String name, int otherwise) {
    Double v = options.get(name);
    return v == null ? otherwise : v.intValue();
  }

  /** Whether the call gives option {@code name}. */
  boolean has(String name) {
    return options.containsKey(name);
  }

  /** The real-valued option {@code name} (a rate), or {@code otherwise}. */
  double real(String name, double otherwise) {
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
    Map<String, Double> options = new LinkedHashMap<>();
    SourceSpan axisSpan = null;
    Shape shape = null;
    boolean failed = false;
    for (int i = 0; i < call.args().size(); i++) {
      Expr.Arg arg = call.args().get(i);
      if (arg.name() != null) {
        if (!builtin.options().contains(arg.name())) {
          diagnostics.error(arg.span(), name + " has no argument '" + arg.name() + "'"
              + Suggestions.didYouMean(arg.name(), builtin.options()));
          failed = true;
        } else if (options.containsKey(arg.name())) {
          diagnostics.error(arg.span(), name + ": " + arg.name() + " is given twice");
          failed = true;
        } else {
          Double v = option(arg, scope, diagnostics);
          if (v == null) {
            failed = true;
          } else {
            options.put(arg.name(), v);
            if (arg.name().equals(AXIS)) {
              axisSpan = arg.span();
            }
          }
        }
        continue;
      }
      if (arg.value() instanceof Expr.Sizes sizes && builtin.takesShape() && i == 1) {
        shape = shape(sizes, scope, diagnostics);
        failed |= shape == null;
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
    if (builtin.takesShape() && shape == null) {
      diagnostics.error(call.args().get(1).span(), name + " needs the new shape as a list of"
          + " sizes, e.g. " + name + "(x, [4, 4])");
      return null;
    }
    int axis = -1;
    if (options.containsKey(AXIS)) {
      int given = options.get(AXIS).intValue();
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
    return new CallArguments(values, axis, options, shape);
  }

  /** The value of a named option, checked against its kind; null after an error. */
  private static Double option(Expr.Arg arg, Scope scope, Diagnostics diagnostics) {
    Kind kind = KINDS.get(arg.name());
    if (kind == Kind.RATE) {
      // a layer's argument may give the rate: Dropout(0.5) calls dropout(x, rate: rate)
      Integer whole = Constants.integer(arg.value(), scope.sizes);
      Double v = whole != null ? Double.valueOf(whole) : Constants.number(arg.value(), scope.reals);
      if (v == null) {
        diagnostics.error(arg.value().span(), arg.name() + " must be a numeric constant");
        return null;
      }
      if (!(v >= 0 && v < 1)) {
        diagnostics.error(arg.value().span(), arg.name() + " must be " + kind.what + ", got "
            + Constants.text(v));
        return null;
      }
      return v;
    }
    Integer k = Constants.integer(arg.value(), scope.sizes);
    if (k == null) {
      Double v = Constants.number(arg.value());
      diagnostics.error(arg.value().span(), arg.name() + " must be "
          + (kind == Kind.AXIS ? "an integer constant" : kind.what + " constant")
          + (v == null ? "" : ", got " + Constants.text(v)));
      return null;
    }
    if ((kind == Kind.POSITIVE && k < 1) || (kind == Kind.NON_NEGATIVE && k < 0)) {
      diagnostics.error(arg.value().span(), arg.name() + " must be " + kind.what + ", got " + k);
      return null;
    }
    return (double) k;
  }

  /** The shape written as {@code [d1, d2, ...]}: positive integer constants; null on error. */
  private static Shape shape(Expr.Sizes sizes, Scope scope, Diagnostics diagnostics) {
    int[] dims = new int[sizes.items().size()];
    long total = 1;
    for (int i = 0; i < dims.length; i++) {
      Expr item = sizes.items().get(i);
      Integer k = Constants.integer(item, scope.sizes);
      if (k == null) {
        diagnostics.error(item.span(), "a size must be an integer constant");
        return null;
      }
      if (k < 1) {
        diagnostics.error(item.span(), "a size must be positive, got " + k);
        return null;
      }
      dims[i] = k;
      total *= k;
      if (total > 1L << 28) {
        diagnostics.error(sizes.span(), "shape is too large (more than 2^28 elements)");
        return null;
      }
    }
    return Shape.of(dims);
  }
}
