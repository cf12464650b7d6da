package dev.nnc.compiler.ir;

/**
 * The settings of a convolution and of its two gradient ops: one stride for both axes and the
 * zero padding added on every side (PyTorch's {@code conv2d} with square settings).
 */
public record Conv(int stride, int padding) implements Attributes {
  public Conv {
    if (stride < 1 || padding < 0) {
      throw new IllegalArgumentException("stride " + stride + ", padding " + padding);
    }
  }

  /** The output size along one axis of {@code in} elements for a kernel of {@code kernel}. */
  public int outSize(int in, int kernel) {
    return Math.floorDiv(in + 2 * padding - kernel, stride) + 1;
  }

  @Override
  public String toString() {
    return "stride: " + stride + ", padding: " + padding;
  }
}
