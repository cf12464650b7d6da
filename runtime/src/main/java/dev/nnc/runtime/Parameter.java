package dev.nnc.runtime;

/**
 * A named trainable tensor and its gradient, stored either as {@code float[]} (f32) or as
 * {@code double[]} (f64); the array accessors return the backing storage, not copies.
 */
public final class Parameter {
  private final String name;
  private final int[] shape;
  private final int size;
  private final Initializer initializer;
  private final float[] dataF;
  private final float[] gradF;
  private final double[] dataD;
  private final double[] gradD;

  private Parameter(String name, int[] shape, Initializer initializer, boolean f64) {
    this.name = name;
    this.shape = shape.clone();
    this.size = Shapes.size(shape);
    this.initializer = initializer == null ? Initializer.zeros() : initializer;
    this.dataF = f64 ? null : new float[size];
    this.gradF = f64 ? null : new float[size];
    this.dataD = f64 ? new double[size] : null;
    this.gradD = f64 ? new double[size] : null;
  }

  /** A zero-filled f32 parameter; {@code initializer} (null means zeros) runs on {@link Model#initialize}. */
  public static Parameter f32(String name, int[] shape, Initializer initializer) {
    return new Parameter(name, shape, initializer, false);
  }

  /** A zero-filled f64 parameter; {@code initializer} (null means zeros) runs on {@link Model#initialize}. */
  public static Parameter f64(String name, int[] shape, Initializer initializer) {
    return new Parameter(name, shape, initializer, true);
  }

  /** The stable name used in checkpoints, e.g. {@code fc1.W}. */
  public String name() {
    return name;
  }

  public int[] shape() {
    return shape.clone();
  }

  public int size() {
    return size;
  }

  public Initializer initializer() {
    return initializer;
  }

  public boolean isF64() {
    return dataD != null;
  }

  public DType dtype() {
    return isF64() ? DType.F64 : DType.F32;
  }

  public float[] f32() {
    requireF32();
    return dataF;
  }

  public float[] gradF32() {
    requireF32();
    return gradF;
  }

  public double[] f64() {
    requireF64();
    return dataD;
  }

  public double[] gradF64() {
    requireF64();
    return gradD;
  }

  public double get(int i) {
    return dataD != null ? dataD[i] : dataF[i];
  }

  public void set(int i, double v) {
    if (dataD != null) {
      dataD[i] = v;
    } else {
      dataF[i] = (float) v;
    }
  }

  public double grad(int i) {
    return gradD != null ? gradD[i] : gradF[i];
  }

  public void setGrad(int i, double g) {
    if (gradD != null) {
      gradD[i] = g;
    } else {
      gradF[i] = (float) g;
    }
  }

  /** The index of the first NaN or infinite value, or -1 when every value is finite. */
  public int firstNonFinite() {
    for (int i = 0; i < size; i++) {
      if (!Double.isFinite(get(i))) {
        return i;
      }
    }
    return -1;
  }

  /** Sets every gradient element to zero. */
  public void zeroGrad() {
    if (gradD != null) {
      java.util.Arrays.fill(gradD, 0.0);
    } else {
      java.util.Arrays.fill(gradF, 0f);
    }
  }

  private void requireF32() {
    if (dataF == null) {
      throw new NncException("parameter " + name + " is f64, not f32");
    }
  }

  private void requireF64() {
    if (dataD == null) {
      throw new NncException("parameter " + name + " is f32, not f64");
    }
  }

  @Override
  public String toString() {
    return name + ": " + dtype().name().toLowerCase(java.util.Locale.ROOT) + Shapes.toString(shape);
  }
}
