package dev.nnc.compiler.ir;

/**
 * The window of a pooling op and of its gradient ops: square {@code size x size} windows placed
 * every {@code stride} elements along both axes, without padding, output sizes floored.
 */
public record Pooling(int size, int stride) implements Attributes {
  public Pooling {
    if (size < 1 || stride < 1) {
      throw new IllegalArgumentException("size " + size + ", stride " + stride);
    }
  }

  /** The output size along one axis of {@code in} elements. */
  public int outSize(int in) {
    return Math.floorDiv(in - size, stride) + 1;
  }

  @Override
  public String toString() {
    return "size: " + size + ", stride: " + stride;
  }
}
