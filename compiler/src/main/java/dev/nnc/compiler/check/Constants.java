package dev.nnc.compiler.check;

import dev.nnc.compiler.ast.Expr;
import dev.nnc.compiler.ast.ShapeExpr;
import dev.nnc.compiler.diag.Diagnostics;
import dev.nnc.compiler.ir.Shape;
import java.util.Map;

/**
 * Compile-time constants: numbers written as literals (possibly negated), integers (literals, a
 * layer's size arguments and shape variables, and sums and products of those) and shapes.
 */
final class Constants {
  private final Diagnostics diagnostics;

  Constants(Diagnostics diagnostics) {
    this.diagnostics = diagnostics;
  }

  /** The shape {@code expr} with symbolic sizes from {@code sizes}; null after an error. */
  Shape shape(ShapeExpr expr, Map<String, Integer> sizes) {
    int[] dims = new int[expr.dims().size()];
    for (int i = 0; i < dims.length; i++) {
      ShapeExpr.Dim d = expr.dims().get(i);
      if (d.symbol() != null) {
        Integer size = sizes.get(d.symbol());
        if (size == null) {
          diagnostics.error(d.span(), "unknown size '" + d.symbol() + "'"
              + (sizes.isEmpty() ? ": sizes must be integers here"
                  : Suggestions.didYouMean(d.symbol(), sizes.keySet())));
          return null;
        }
        dims[i] = size;
      } else {
        dims[i] = d.size();
      }
      if (dims[i] <= 0) {
        diagnostics.error(d.span(), "a size must be positive, got " + dims[i]);
        return null;
      }
    }
    Shape shape = Shape.of(dims);
    long total = 1;
    for (int d : dims) {
      total *= d;
      if (total > 1L << 28) {
        diagnostics.error(expr.span(),
            "shape " + shape + " is too large (more than 2^28 elements)");
        return null;
      }
    }
    return shape;
  }

  /**
   * An integer literal, a size in {@code sizes} (a layer's argument or a shape variable), or a
   * sum, difference or product of those ({@code c_out * h * w}); null if {@code e} is none of
   * them or the value does not fit an int.
   */
  static Integer integer(Expr e, Map<String, Integer> sizes) {
    if (e instanceof Expr.Name n) {
      return sizes.get(n.name());
    }
    if (e instanceof Expr.Binary b && (b.op() == Expr.BinaryOp.ADD || b.op() == Expr.BinaryOp.SUB
        || b.op() == Expr.BinaryOp.MUL)) {
      Integer l = integer(b.left(), sizes);
      Integer r = integer(b.right(), sizes);
      if (l == null || r == null) {
        return null;
      }
      long v = switch (b.op()) {
        case ADD -> (long) l + r;
        case SUB -> (long) l - r;
        default -> (long) l * r;
      };
      return v == (int) v ? (int) v : null;
    }
    if (e instanceof Expr.Neg neg && !(neg.operand() instanceof Expr.Number)) {
      Integer v = integer(neg.operand(), sizes);
      return v == null ? null : -v;
    }
    Double v = number(e);
    if (v == null || v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
      return null;
    }
    return v.intValue();
  }

  /** A number as a message shows it: {@code 2} for an integer, else {@code 1.5}. */
  static String text(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }

  /**
   * A numeric literal, possibly negated, or the name of a real-valued layer argument in
   * {@code reals}; null for anything else.
   */
  static Double number(Expr e, Map<String, Double> reals) {
    if (e instanceof Expr.Name n) {
      return reals.get(n.name());
    }
    if (e instanceof Expr.Neg neg) {
      Double v = number(neg.operand(), reals);
      return v == null ? null : -v;
    }
    return number(e);
  }

  /** A numeric literal, possibly negated; null for anything else. */
  static Double number(Expr e) {
    if (e instanceof Expr.Number n) {
      return n.value();
    }
    if (e instanceof Expr.Neg neg) {
      Double v = number(neg.operand());
      return v == null ? null : -v;
    }
    return null;
  }
}
