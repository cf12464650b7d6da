package dev.nnc.runtime;

import java.util.Arrays;

/** A dense row-major array with a dtype and shape, backed by a float[], double[], int[] or long[]. */
public final class Tensor {
  private final DType dtype;
  private final int[] shape;
  private final Object data;

  private Tensor(DType dtype, int[] shape, Object data, int length) {
    this.dtype = dtype;
    this.shape = shape.clone();
    this.data = data;
    int expected = Shapes.size(shape);
    if (length != expected) {
      throw new NncException("tensor of shape " + Shapes.toString(shape) + " needs " + expected
          + " values but got " + length);
    }
  }

  public static Tensor f32(float[] data, int... shape) {
    return new Tensor(DType.F32, shape, data, data.length);
  }

  public static Tensor f64(double[] data, int... shape) {
    return new Tensor(DType.F64, shape, data, data.length);
  }

  public static Tensor i32(int[] data, int... shape) {
    return new Tensor(DType.I32, shape, data, data.length);
  }

  public static Tensor i64(long[] data, int... shape) {
    return new Tensor(DType.I64, shape, data, data.length);
  }

  /** A zero-filled tensor of the given dtype and shape. */
  public static Tensor zeros(DType dtype, int... shape) {
    int n = Shapes.size(shape);
    switch (dtype) {
      case F32: return f32(new float[n], shape);
      case F64: return f64(new double[n], shape);
      case I32: return i32(new int[n], shape);
      default: return i64(new long[n], shape);
    }
  }

  public DType dtype() {
    return dtype;
  }

  public int[] shape() {
    return shape.clone();
  }

  public int size() {
    return Shapes.size(shape);
  }

  /** The backing array (not a copy); throws if the dtype is not F32. */
  public float[] floats() {
    return (float[]) expect(DType.F32);
  }

  public double[] doubles() {
    return (double[]) expect(DType.F64);
  }

  public int[] ints() {
    return (int[]) expect(DType.I32);
  }

  public long[] longs() {
    return (long[]) expect(DType.I64);
  }

  /** Element {@code i} widened to double, whatever the dtype. */
  public double getDouble(int i) {
    switch (dtype) {
      case F32: return ((float[]) data)[i];
      case F64: return ((double[]) data)[i];
      case I32: return ((int[]) data)[i];
      default: return ((long[]) data)[i];
    }
  }

  /** Element {@code i} as a long (integer dtypes) or truncated toward zero (float dtypes). */
  public long getLong(int i) {
    return dtype == DType.I64 ? ((long[]) data)[i] : (long) getDouble(i);
  }

  private Object expect(DType wanted) {
    if (dtype != wanted) {
      throw new NncException("tensor holds " + dtype + " values, not " + wanted);
    }
    return data;
  }

  /** Same dtype, shape and bitwise-equal values. */
  /** The index of the first NaN or infinite value of a float tensor, or -1 (always for integers). */
  public int firstNonFinite() {
    if (dtype == DType.F32 || dtype == DType.F64) {
      for (int i = 0; i < size(); i++) {
        if (!Double.isFinite(getDouble(i))) {
          return i;
        }
      }
    }
    return -1;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Tensor)) {
      return false;
    }
    Tensor t = (Tensor) o;
    if (t.dtype != dtype || !Arrays.equals(t.shape, shape)) {
      return false;
    }
    switch (dtype) {
      case F32: return Arrays.equals((float[]) data, (float[]) t.data);
      case F64: return Arrays.equals((double[]) data, (double[]) t.data);
      case I32: return Arrays.equals((int[]) data, (int[]) t.data);
      default: return Arrays.equals((long[]) data, (long[]) t.data);
    }
  }

  @Override
  public int hashCode() {
    return dtype.hashCode() * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return dtype + Shapes.toString(shape);
  }
}
