package dev.nnc.runtime.kernels;

/**
 * Chooses the matrix kernel at run time. The vector kernel (written with the JDK's incubating
 * Vector API, {@code jdk.incubator.vector}) is used when the JVM was started with
 * {@code --add-modules jdk.incubator.vector} and the system property {@code nnc.vector} is not
 * {@code false}; otherwise the portable kernel, whose loops C2 auto-vectorizes, runs. Both give
 * the same results up to the order of floating-point additions.
 */
public final class Kernels {
  /** Narrower products are left to the portable kernel. */
  static final int MIN_VECTOR_WIDTH = 16;
  private static final String VECTOR_CLASS = "dev.nnc.runtime.kernels.VectorRowKernel";

  private static volatile RowKernel vector = load();

  private Kernels() {}

  private static RowKernel load() {
    if ("false".equals(System.getProperty("nnc.vector"))) {
      return null;
    }
    return available();
  }

  private static RowKernel available() {
    boolean present = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    if (!present) {
      return null;
    }
    try {
      return (RowKernel) Class.forName(VECTOR_CLASS).getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      return null;
    }
  }

  static RowKernel vector() {
    return vector;
  }

  /** Floats per vector of the vector kernel in use, 0 when the portable kernel runs. */
  static int vectorLength() {
    RowKernel v = vector;
    return v == null ? 0 : v.vectorLength();
  }

  /**
   * The padded width (one or two vectors) at which the vector kernel computes a product n columns
   * wide as {@link RowKernel#narrowRows}; 0 if n is wider or the portable kernel runs.
   */
  static int narrowWidth(int n) {
    int length = vectorLength();
    return length == 0 || n > 2 * length ? 0 : n <= length ? length : 2 * length;
  }

  /** True if the vector kernel is in use. */
  public static boolean vectorEnabled() {
    return vector != null;
  }

  /**
   * Turns the vector kernel on (if the JVM has the module) or off; returns whether it is now on.
   */
  public static boolean useVector(boolean on) {
    vector = on ? available() : null;
    return vector != null;
  }
}
