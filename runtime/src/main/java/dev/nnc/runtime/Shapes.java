package dev.nnc.runtime;

import java.util.Arrays;

/** Element counts and printable forms of tensor shapes. */
public final class Shapes {
  private Shapes() {}

  /** The number of elements of {@code shape}; rejects negative dimensions and overflow. */
  public static int size(int[] shape) {
    long n = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new NncException("negative dimension in shape " + toString(shape));
      }
      n *= d;
      if (n > Integer.MAX_VALUE) {
        throw new NncException("shape " + toString(shape) + " has more than 2^31-1 elements");
      }
    }
    return (int) n;
  }

  /** The shape as {@code [784, 256]}. */
  public static String toString(int[] shape) {
    return Arrays.toString(shape);
  }
}
