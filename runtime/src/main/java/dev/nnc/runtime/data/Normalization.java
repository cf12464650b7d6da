package dev.nnc.runtime.data;

import dev.nnc.runtime.NncException;
import java.util.Locale;

/**
 * The input normalization policy of training: which {@link Normalizer} to fit on the training
 * part of the data, if any. {@link #AUTO} leaves features that already lie in [0, 1] (MNIST's
 * pixels) as they are, because standardizing them divides rarely inked border pixels by tiny
 * deviations and one stroke there on a test image then blows the activations up; images in
 * another range (the digits' 0..16) get one range for all pixels ({@link Normalizer#imageRange});
 * any other data is standardized.
 */
public enum Normalization {
  /**
   * None when every training feature lies in [0, 1]; else one range for all pixels for an image
   * input, {@link #STANDARDIZE} for any other.
   */
  AUTO,
  /** Mean 0 and standard deviation 1 per feature. */
  STANDARDIZE,
  /** Each feature's training range mapped to [0, 1]. */
  MINMAX,
  /** Features as given. */
  NONE;

  /** The policy called {@code name} ({@code auto}, {@code standardize}, {@code minmax}, {@code none}). */
  public static Normalization parse(String name) {
    for (Normalization n : values()) {
      if (n.toString().equals(name)) {
        return n;
      }
    }
    throw new NncException("unknown normalization '" + name
        + "' (valid: auto, standardize, minmax, none)");
  }

  /** The normalizer this policy fits on {@code train} (not images), or null for none. */
  public Normalizer fit(Dataset train) {
    return fit(train, false);
  }

  /**
   * The normalizer this policy fits on {@code train}, or null for none; {@code images}: the
   * model's input is an image ({@code [c, h, w]}), whose pixels share one scale.
   */
  public Normalizer fit(Dataset train, boolean images) {
    if (this == AUTO && images) {
      return inUnitRange(train) ? null : Normalizer.imageRange(train);
    }
    switch (this) {
      case STANDARDIZE:
        return Normalizer.standardize(train);
      case MINMAX:
        return Normalizer.minMax(train);
      case NONE:
        return null;
      default:
        return inUnitRange(train) ? null : Normalizer.standardize(train);
    }
  }

  private static boolean inUnitRange(Dataset data) {
    for (float v : data.features()) {
      if (!(v >= 0 && v <= 1)) {
        return false;
      }
    }
    return true;
  }

  /** The lower-case name used on the command line. */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
