package dev.nnc.runtime.data;

import dev.nnc.runtime.NncException;

/**
 * A per-feature affine map {@code x' = (x − offset) · scale}, fitted on training data (standardize:
 * mean/std; min-max: to [0, 1]) and applied unchanged to test data; constant features get scale 1.
 */
public final class Normalizer {
  private final double[] offsets;
  private final double[] scales;

  private Normalizer(double[] offsets, double[] scales) {
    if (offsets.length != scales.length) {
      throw new NncException("normalizer has " + offsets.length + " offsets but " + scales.length + " scales");
    }
    this.offsets = offsets;
    this.scales = scales;
  }

  public static Normalizer of(double[] offsets, double[] scales) {
    return new Normalizer(offsets.clone(), scales.clone());
  }

  /** Mean 0 and (population) standard deviation 1 per feature on {@code train}. */
  public static Normalizer standardize(Dataset train) {
    int f = train.featureCount();
    int n = train.rows();
    float[] x = train.features();
    double[] mean = new double[f];
    double[] m2 = new double[f];
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < f; j++) {
        mean[j] += x[r * f + j];
      }
    }
    for (int j = 0; j < f; j++) {
      mean[j] /= Math.max(1, n);
    }
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < f; j++) {
        double d = x[r * f + j] - mean[j];
        m2[j] += d * d;
      }
    }
    double[] scale = new double[f];
    for (int j = 0; j < f; j++) {
      double std = Math.sqrt(m2[j] / Math.max(1, n));
      scale[j] = std > 1e-12 ? 1 / std : 1;
    }
    return new Normalizer(mean, scale);
  }

  /** Maps each feature's [min, max] on {@code train} to [0, 1]. */
  public static Normalizer minMax(Dataset train) {
    int f = train.featureCount();
    float[] x = train.features();
    double[] min = new double[f];
    double[] max = new double[f];
    java.util.Arrays.fill(min, Double.POSITIVE_INFINITY);
    java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
    for (int r = 0; r < train.rows(); r++) {
      for (int j = 0; j < f; j++) {
        min[j] = Math.min(min[j], x[r * f + j]);
        max[j] = Math.max(max[j], x[r * f + j]);
      }
    }
    double[] scale = new double[f];
    for (int j = 0; j < f; j++) {
      if (train.rows() == 0) {
        min[j] = 0;
      }
      scale[j] = max[j] - min[j] > 1e-12 ? 1 / (max[j] - min[j]) : 1;
    }
    return new Normalizer(min, scale);
  }

  public double[] offsets() {
    return offsets.clone();
  }

  public double[] scales() {
    return scales.clone();
  }

  /** A copy of {@code data} with normalized features. */
  public Dataset apply(Dataset data) {
    if (data.featureCount() != offsets.length) {
      throw new NncException(data.name() + ": has " + data.featureCount() + " features but the normalizer was fitted on "
          + offsets.length);
    }
    float[] x = data.features().clone();
    int f = offsets.length;
    for (int i = 0; i < x.length; i++) {
      int j = i % f;
      x[i] = (float) ((x[i] - offsets[j]) * scales[j]);
    }
    return data.withFeatures(x);
  }
}
