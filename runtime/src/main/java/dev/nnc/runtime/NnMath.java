package dev.nnc.runtime;

/**
 * The scalar functions generated code calls, in their numerically stable forms. The compiler's
 * reference interpreter calls the same methods, so both compute bit-identical results.
 */
public final class NnMath {
  private NnMath() {}

  /** 1 / (1 + e^-x), computed without overflow for any x. */
  public static double sigmoid(double x) {
    if (x >= 0) {
      return 1.0 / (1.0 + Math.exp(-x));
    }
    double e = Math.exp(x);
    return e / (1.0 + e);
  }

  /** 1 / (1 + e^-x) in single precision. */
  public static float sigmoid(float x) {
    return (float) sigmoid((double) x);
  }

  /** log(1 + e^x) = max(x, 0) + log1p(e^-|x|), finite for any finite x. */
  public static double softplus(double x) {
    return Math.max(x, 0.0) + Math.log1p(Math.exp(-Math.abs(x)));
  }

  /** log(1 + e^x) in single precision. */
  public static float softplus(float x) {
    return (float) softplus((double) x);
  }

  /**
   * max(x, 0); NaN stays NaN. Written without a branch (as are {@link #step}) so that C2
   * compiles a loop of them to vector max instructions: with a branch, ReLU over random signs
   * mispredicts half the time (figures in docs/performance.md, "The generated code").
   */
  public static double relu(double x) {
    return Math.max(x, 0.0);
  }

  /** max(x, 0) in single precision; NaN stays NaN. */
  public static float relu(float x) {
    return Math.max(x, 0.0f);
  }

  /**
   * 1 where x > 0, else 0: the derivative of relu (0 at x = 0 by convention); NaN stays NaN.
   * Branch-free: two multiplications by 2^1023 lift the smallest positive double above 1, and
   * the min caps every positive x (infinity included) at exactly 1.
   */
  public static double step(double x) {
    return Math.min(Math.max(x, 0.0) * 0x1p1023 * 0x1p1023, 1.0);
  }

  /** Step in single precision (2^127 twice lifts the smallest positive float above 1). */
  public static float step(float x) {
    return Math.min(Math.max(x, 0.0f) * 0x1p127f * 0x1p127f, 1.0f);
  }

  /** x if x > 0, else alpha * x. */
  public static double leakyRelu(double x, double alpha) {
    return x > 0 ? x : alpha * x;
  }

  /** Leaky relu in single precision. */
  public static float leakyRelu(float x, float alpha) {
    return x > 0 ? x : alpha * x;
  }

  /** The larger of a and b; a when equal (so the max gate routes ties to its first input). */
  public static double max(double a, double b) {
    return a >= b ? a : b;
  }

  /** Max in single precision. */
  public static float max(float a, float b) {
    return a >= b ? a : b;
  }

  /** The smaller of a and b; a when equal. */
  public static double min(double a, double b) {
    return a <= b ? a : b;
  }

  /** Min in single precision. */
  public static float min(float a, float b) {
    return a <= b ? a : b;
  }

  /** x raised to y, with x^2 computed exactly as x * x. */
  public static double pow(double x, double y) {
    return y == 2.0 ? x * x : Math.pow(x, y);
  }

  /** Power in single precision. */
  public static float pow(float x, float y) {
    return y == 2.0f ? x * x : (float) Math.pow(x, y);
  }

  // ---- java.lang.Math under unqualified names ----
  // Generated code calls these through a static import rather than writing Math.exp: a .nn name
  // such as Math, Arrays or Double becomes a Java variable, and a variable obscures a type of the
  // same name, but never a method.

  public static double exp(double x) {
    return Math.exp(x);
  }

  public static float exp(float x) {
    return (float) Math.exp(x);
  }

  public static double log(double x) {
    return Math.log(x);
  }

  public static float log(float x) {
    return (float) Math.log(x);
  }

  public static double sqrt(double x) {
    return Math.sqrt(x);
  }

  public static float sqrt(float x) {
    return (float) Math.sqrt(x);
  }

  public static double abs(double x) {
    return Math.abs(x);
  }

  public static float abs(float x) {
    return Math.abs(x);
  }

  public static double sin(double x) {
    return Math.sin(x);
  }

  public static float sin(float x) {
    return (float) Math.sin(x);
  }

  public static double cos(double x) {
    return Math.cos(x);
  }

  public static float cos(float x) {
    return (float) Math.cos(x);
  }

  public static double tan(double x) {
    return Math.tan(x);
  }

  public static float tan(float x) {
    return (float) Math.tan(x);
  }

  public static double tanh(double x) {
    return Math.tanh(x);
  }

  public static float tanh(float x) {
    return (float) Math.tanh(x);
  }

  public static double signum(double x) {
    return Math.signum(x);
  }

  public static float signum(float x) {
    return Math.signum(x);
  }

  public static double floor(double x) {
    return Math.floor(x);
  }

  public static float floor(float x) {
    return (float) Math.floor(x);
  }

  /** Math.max: NaN if either is NaN (the shift of logsumexp and softmax). */
  public static double nanMax(double a, double b) {
    return Math.max(a, b);
  }

  /** Math.max in single precision. */
  public static float nanMax(float a, float b) {
    return Math.max(a, b);
  }

  /** Fills {@code a} with {@code v}. */
  public static void fill(double[] a, double v) {
    java.util.Arrays.fill(a, v);
  }

  /** Fills elements [from, to) of {@code a} with {@code v} (one example of a batched buffer). */
  public static void fill(double[] a, int from, int to, double v) {
    java.util.Arrays.fill(a, from, to, v);
  }

  /** Fills elements [from, to) of {@code a} with {@code v} (one example of a batched buffer). */
  public static void fill(float[] a, int from, int to, float v) {
    java.util.Arrays.fill(a, from, to, v);
  }

  /** Fills {@code a} with {@code v}. */
  public static void fill(float[] a, float v) {
    java.util.Arrays.fill(a, v);
  }
}
