package dev.nnc.compiler.ir;

import java.util.Arrays;
import java.util.List;

/**
 * A static tensor shape; the empty shape is a scalar. Also holds the language's shape rules
 * (broadcasting and matrix products) so that the checker and the graph agree on them.
 */
public record Shape(List<Integer> dims) {
  public static final Shape SCALAR = new Shape(List.of());

  public Shape {
    dims = List.copyOf(dims);
  }

  public static Shape of(int... dims) {
    return new Shape(Arrays.stream(dims).boxed().toList());
  }

  public int rank() {
    return dims.size();
  }

  public boolean isScalar() {
    return dims.isEmpty();
  }

  public int dim(int axis) {
    return dims.get(axis);
  }

  /** The number of elements (1 for a scalar); saturates instead of overflowing. */
  public int size() {
    long size = 1;
    for (int d : dims) {
      size = Math.min(Integer.MAX_VALUE, size * d);
    }
    return (int) size;
  }

  /** This shape without axis {@code axis}. */
  public Shape drop(int axis) {
    int[] out = new int[rank() - 1];
    for (int i = 0, j = 0; i < rank(); i++) {
      if (i != axis) {
        out[j++] = dims.get(i);
      }
    }
    return of(out);
  }

  /** True if {@code other} is a trailing part of this shape, so it broadcasts against it. */
  public boolean endsWith(Shape other) {
    if (other.rank() > rank()) {
      return false;
    }
    return dims.subList(rank() - other.rank(), rank()).equals(other.dims);
  }

  /**
   * The shape of an elementwise operation on {@code a} and {@code b}: equal shapes, a scalar
   * against anything, or a shape against a trailing part of the other ({@code [n]} against
   * {@code [m, n]}). Null if they do not broadcast.
   */
  public static Shape broadcast(Shape a, Shape b) {
    if (a.endsWith(b)) {
      return a;
    }
    if (b.endsWith(a)) {
      return b;
    }
    return null;
  }

  /** The shape of {@code a @ b}, or null if the inner sizes differ or a rank is unsupported. */
  public static Shape matmul(Shape a, Shape b) {
    if (a.rank() == 2 && b.rank() == 2 && a.dim(1) == b.dim(0)) {
      return of(a.dim(0), b.dim(1));
    }
    if (a.rank() == 2 && b.rank() == 1 && a.dim(1) == b.dim(0)) {
      return of(a.dim(0));
    }
    if (a.rank() == 1 && b.rank() == 2 && a.dim(0) == b.dim(0)) {
      return of(b.dim(1));
    }
    if (a.rank() == 1 && b.rank() == 1 && a.dim(0) == b.dim(0)) {
      return SCALAR;
    }
    return null;
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder("[");
    for (int i = 0; i < dims.size(); i++) {
      out.append(i == 0 ? "" : ", ").append(dims.get(i));
    }
    return out.append(']').toString();
  }
}
