package dev.nnc.compiler.ir;

/**
 * The compile-time settings of a structural op beyond one axis or offset (a convolution's stride
 * and padding, a pooling window): an immutable record, compared by value, so that it is part of
 * a node's identity when the graph interns nodes. Each op names the record type it takes
 * ({@link Op#attributes()}); most take {@link #NONE}.
 */
public interface Attributes {
  /** The attributes of an op that has none. */
  Attributes NONE = new None();

  /** No attributes. */
  record None() implements Attributes {
    @Override
    public String toString() {
      return "";
    }
  }
}
