package dev.nnc.compiler.inspect;

import dev.nnc.compiler.ir.Shape;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Short, deterministic text for the numbers of a picture: a scalar to a few significant digits
 * ({@code -0.197}, {@code -12}), a small tensor as its entries, a larger one as the mean and the
 * standard deviation of its entries on two short lines ({@code μ=0.012} over {@code σ=0.87}).
 */
final class NumberText {
  /** Tensors with at most this many entries are written out in full. */
  private static final int ENTRIES = 4;

  private NumberText() {}

  /** {@code v} to {@code digits} significant digits, without needless zeros. */
  static String number(double v, int digits) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "inf" : "-inf";
    }
    if (v == 0) {
      return "0"; // also -0
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e6) {
      return Long.toString((long) v);
    }
    BigDecimal rounded = new BigDecimal(v).round(new MathContext(digits, RoundingMode.HALF_EVEN))
        .stripTrailingZeros();
    double magnitude = Math.abs(rounded.doubleValue());
    if (magnitude >= 1e-3 && magnitude < 1e6) {
      return rounded.toPlainString();
    }
    String mantissa = rounded.unscaledValue().toString();
    boolean negative = mantissa.startsWith("-");
    String digitsOnly = negative ? mantissa.substring(1) : mantissa;
    int exponent = digitsOnly.length() - 1 - rounded.scale();
    String m = digitsOnly.length() == 1 ? digitsOnly
        : digitsOnly.charAt(0) + "." + digitsOnly.substring(1);
    return (negative ? "-" : "") + m + "e" + exponent;
  }

  /** A scalar with 3 significant digits. */
  static String number(double v) {
    return number(v, 3);
  }

  /**
   * The values of a node: one number, the entries of a small tensor, or the mean and standard
   * deviation of a larger one (two lines, {@code μ=0.012} and {@code σ=0.87}). {@code examples} is how many
   * examples' values {@code data} holds one after another (1 outside a batch); a summary covers
   * all of them.
   */
  static String values(double[] data, Shape shape, int examples) {
    if (data.length == 1) {
      return number(data[0]);
    }
    if (examples == 1 && data.length <= ENTRIES) {
      return entries(data, shape);
    }
    double sum = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    boolean nan = false;
    for (double v : data) {
      nan |= Double.isNaN(v);
      sum += v;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    if (nan) {
      return "has NaN";
    }
    if (min == max) {
      return "all " + number(min, 2);
    }
    double mean = sum / data.length;
    double squares = 0;
    for (double v : data) {
      squares += (v - mean) * (v - mean);
    }
    double sigma = Math.sqrt(squares / data.length);
    // two short lines keep a wire's label narrow, so a big model still fits a screen; the mean is
    // written only to the precision of the spread (a mean of 3e-18 next to a spread of 0.09 is 0)
    return "\u03bc=" + number(roundTo(mean, sigma), 2) + "\n\u03c3=" + number(sigma, 2);
  }

  /** {@code v} rounded to the second significant digit of {@code scale} (if that is positive). */
  private static double roundTo(double v, double scale) {
    if (!(scale > 0) || Double.isInfinite(scale)) {
      return v;
    }
    BigDecimal step = new BigDecimal(scale).round(new MathContext(2, RoundingMode.HALF_EVEN));
    int places = step.scale();
    return new BigDecimal(v).setScale(places, RoundingMode.HALF_EVEN).doubleValue();
  }

  /** A small tensor written out, nested like its shape: {@code [[1, 2], [3, 4]]}. */
  private static String entries(double[] data, Shape shape) {
    StringBuilder out = new StringBuilder();
    nest(data, shape, 0, 0, out);
    return out.toString();
  }

  private static void nest(double[] data, Shape shape, int axis, int offset, StringBuilder out) {
    if (axis == shape.rank()) {
      out.append(number(data[offset]));
      return;
    }
    int stride = 1;
    for (int i = axis + 1; i < shape.rank(); i++) {
      stride *= shape.dim(i);
    }
    out.append('[');
    for (int i = 0; i < shape.dim(axis); i++) {
      out.append(i == 0 ? "" : ", ");
      nest(data, shape, axis + 1, offset + i * stride, out);
    }
    out.append(']');
  }
}
