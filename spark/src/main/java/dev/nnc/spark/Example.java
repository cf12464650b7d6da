package dev.nnc.spark;

import dev.nnc.runtime.NncException;
import java.io.Serializable;

/**
 * One training example as a row of a Spark RDD: its features, and a class label or a real-valued
 * target (or neither). The arrays are not copied; an example is read once when its partition is
 * packed.
 */
public final class Example implements Serializable {
  private static final long serialVersionUID = 1L;

  private final float[] features;
  private final int label;
  private final float[] target;

  private Example(float[] features, int label, float[] target) {
    if (features == null) {
      throw new NncException("an example needs a features array");
    }
    this.features = features;
    this.label = label;
    this.target = target;
  }

  /** A classification example: {@code label} is a class index in [0, classes). */
  public static Example classified(float[] features, int label) {
    if (label < 0) {
      throw new NncException("an example's class label must be >= 0, got " + label);
    }
    return new Example(features, label, null);
  }

  /** A regression example with a real-valued target. */
  public static Example regression(float[] features, float[] target) {
    if (target == null) {
      throw new NncException("a regression example needs a target array");
    }
    return new Example(features, -1, target);
  }

  /** Features alone. */
  public static Example unlabeled(float[] features) {
    return new Example(features, -1, null);
  }

  public float[] features() {
    return features;
  }

  /** The class label, or -1 if the example has none. */
  public int label() {
    return label;
  }

  /** The target, or null if the example has none. */
  public float[] target() {
    return target;
  }
}
