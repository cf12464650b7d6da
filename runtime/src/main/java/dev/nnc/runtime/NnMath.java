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

  /** x * sigmoid(x) (SiLU, also called swish); finite for any finite x. */
  public static double silu(double x) {
    return x * sigmoid(x);
  }

  /** SiLU in single precision. */
  public static float silu(float x) {
    return (float) silu((double) x);
  }

  /** x * Phi(x), Phi the standard normal distribution function: GELU in its exact (erf) form. */
  public static double gelu(double x) {
    return x * normalCdf(x);
  }

  /** GELU in single precision. */
  public static float gelu(float x) {
    return (float) gelu((double) x);
  }

  /**
   * Phi(x) = erfc(-x / sqrt(2)) / 2, the standard normal distribution function; the derivative
   * of GELU uses it. Relative error below 1e-14 for |x| < 8 and below 1e-12 until the result
   * leaves the normal double range; exactly 0 and 1 far out.
   */
  public static double normalCdf(double x) {
    return 0.5 * erfc(-x * 0.7071067811865476);
  }

  /** Phi(x) in single precision. */
  public static float normalCdf(float x) {
    return (float) normalCdf((double) x);
  }

  /**
   * Chebyshev coefficients of f(t) = log(erfc(z) e^(z^2) / t) in y = 2t - 1, where t = 2 / (2 + z)
   * maps z in [0, inf] to t in (0, 1]: f is smooth there, so 30 terms reach double precision.
   * Computed for nnc with 60-digit arithmetic at the 60 Chebyshev nodes.
   */
  private static final double[] ERFC_CHEBYSHEV = {
      -1.3026537197817094, 0.6419697923564902, 0.019476473204185836, -0.009561514786808632,
      -0.0009465953444820369, 0.00036683949785276145, 4.252332480690777e-05,
      -2.0278578112534242e-05, -1.6242900046470256e-06, 1.3036558355805232e-06,
      1.5626441722066142e-08, -8.523809591492654e-08, 6.5290544390988515e-09,
      5.059343495551469e-09, -9.91364156493033e-10, -2.273651222931836e-10,
      9.646791102015527e-11, 2.3940380830391146e-12, -6.886027526497553e-12,
      8.944879273090725e-13, 3.130921399342958e-13, -1.1270822361367252e-13,
      3.810905255189232e-16, 7.106097613609237e-15, -1.5230282014571043e-15,
      -9.457494571291233e-17, 1.210237189224279e-16, -2.816663087747177e-17,
      5.003005559445902e-20, 2.3281042579529253e-18};

  /** The complementary error function: erfc(z) = t exp(-z^2 + f(t)) for z >= 0, 2 - erfc(-z) below. */
  static double erfc(double z) {
    double a = Math.abs(z);
    double t = 2.0 / (2.0 + a);
    double y = 2.0 * t - 1.0;
    // Clenshaw's recurrence for the sum of c_k T_k(y), with the first coefficient halved
    double b1 = 0.0;
    double b2 = 0.0;
    for (int k = ERFC_CHEBYSHEV.length - 1; k > 0; k--) {
      double b0 = 2.0 * y * b1 - b2 + ERFC_CHEBYSHEV[k];
      b2 = b1;
      b1 = b0;
    }
    double f = y * b1 - b2 + 0.5 * ERFC_CHEBYSHEV[0];
    double r = t * Math.exp(-a * a + f);
    return z >= 0 ? r : 2.0 - r;
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

  /**
   * {@code k} as a class index among {@code classes} classes (of cross_entropy or hinge): it must
   * be an integer in [0, classes); otherwise an {@link NncException} names the argument
   * {@code name} ({@code y = 1.5} is not silently truncated to 1, {@code 7} does not reach the
   * array).
   */
  public static int classIndex(double k, int classes, String name) {
    int index = (int) k;
    if (index != k || index < 0 || index >= classes) {
      throw new NncException(badClass(name, k == Math.rint(k) && Math.abs(k) < 1e15
          ? Long.toString((long) k) : Double.toString(k), classes));
    }
    return index;
  }

  /** {@link #classIndex(double, int, String)} for a label stored as an int. */
  public static int classIndex(int k, int classes, String name) {
    if (k < 0 || k >= classes) {
      throw new NncException(badClass(name, Integer.toString(k), classes));
    }
    return k;
  }

  private static String badClass(String name, String value, int classes) {
    return "class index " + name + " = " + value + " is not an integer in [0, " + classes + ")";
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
