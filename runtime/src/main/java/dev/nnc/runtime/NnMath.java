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

  /** max(x, 0). */
  public static double relu(double x) {
    return x > 0 ? x : 0.0;
  }

  /** max(x, 0) in single precision. */
  public static float relu(float x) {
    return x > 0 ? x : 0.0f;
  }

  /** 1 where x > 0, else 0: the derivative of relu (0 at x = 0 by convention). */
  public static double step(double x) {
    return x > 0 ? 1.0 : 0.0;
  }

  /** Step in single precision. */
  public static float step(float x) {
    return x > 0 ? 1.0f : 0.0f;
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
}
