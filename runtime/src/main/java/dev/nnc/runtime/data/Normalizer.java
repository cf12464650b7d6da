package dev.nnc.runtime.data;

import dev.nnc.runtime.NncException;
import dev.nnc.runtime.io.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A per-feature affine map {@code x' = (x − offset) · scale}, fitted on training data (standardize:
 * mean/std; min-max: to [0, 1]) and applied unchanged to test data; constant features get scale 1.
 * Offsets are finite and scales finite and positive (checked on construction, so a normalizer
 * read back from a checkpoint cannot map every example to the same point). Its {@link #toJson}
 * form is what checkpoints store.
 */
public final class Normalizer {
  private final String method;
  private final double[] offsets;
  private final double[] scales;

  private Normalizer(String method, double[] offsets, double[] scales) {
    if (offsets.length != scales.length) {
      throw new NncException("normalizer has " + offsets.length + " offsets but " + scales.length + " scales");
    }
    for (int j = 0; j < offsets.length; j++) {
      if (!Double.isFinite(offsets[j])) {
        throw new NncException("normalizer offset " + j + " is " + offsets[j] + ", not a finite number");
      }
      if (!(scales[j] > 0 && Double.isFinite(scales[j]))) {
        throw new NncException("normalizer scale " + j + " is " + scales[j] + ", not a positive finite number");
      }
    }
    this.method = method;
    this.offsets = offsets;
    this.scales = scales;
  }

  /** A normalizer with the given offsets and scales (method {@code custom}). */
  public static Normalizer of(double[] offsets, double[] scales) {
    return new Normalizer("custom", offsets.clone(), scales.clone());
  }

  /**
   * Reads the {@link #toJson} form, e.g. {@code {"method":"standardize","offsets":[..],"scales":[..]}};
   * a malformed text is an {@link NncException} saying what is wrong.
   */
  public static Normalizer fromJson(String json) {
    Object parsed;
    try {
      parsed = Json.parse(json);
    } catch (NncException e) {
      throw new NncException("normalizer is not valid JSON (" + e.getMessage() + ")");
    }
    if (!(parsed instanceof Map)) {
      throw new NncException("normalizer is not a JSON object with offsets and scales");
    }
    Map<?, ?> map = (Map<?, ?>) parsed;
    Object method = map.containsKey("method") ? map.get("method") : "custom";
    if (!(method instanceof String)) {
      throw new NncException("normalizer method is not a string");
    }
    for (Object key : map.keySet()) {
      if (!List.of("method", "offsets", "scales").contains(key)) {
        throw new NncException("normalizer has an unknown entry \"" + key + "\"");
      }
    }
    return new Normalizer((String) method, numbers(map.get("offsets"), "offsets"),
        numbers(map.get("scales"), "scales"));
  }

  private static double[] numbers(Object value, String what) {
    if (!(value instanceof List)) {
      throw new NncException("normalizer " + what + " is not a list of numbers");
    }
    List<?> list = (List<?>) value;
    double[] out = new double[list.size()];
    for (int i = 0; i < out.length; i++) {
      if (!(list.get(i) instanceof Number)) {
        throw new NncException("normalizer " + what + " entry " + i + " is not a number");
      }
      out[i] = ((Number) list.get(i)).doubleValue();
    }
    return out;
  }

  /** The JSON form that {@link #fromJson} reads back exactly. */
  public String toJson() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("method", method);
    map.put("offsets", boxed(offsets));
    map.put("scales", boxed(scales));
    return Json.write(map);
  }

  private static List<Double> boxed(double[] values) {
    List<Double> out = new ArrayList<>(values.length);
    for (double v : values) {
      out.add(v);
    }
    return out;
  }

  /** How it was fitted: {@code standardize}, {@code minmax} or {@code custom}. */
  public String method() {
    return method;
  }

  /** The number of features it maps. */
  public int featureCount() {
    return offsets.length;
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
    return new Normalizer("standardize", mean, scale);
  }

  /** Maps each feature's [min, max] on {@code train} to [0, 1]. */
  /**
   * One range for every feature: the training data's smallest and largest value over all features
   * mapped to 0 and 1, the same scale for each. For images, whose pixels share a unit: a
   * per-pixel statistic would divide the rarely inked border pixels by tiny spreads.
   */
  public static Normalizer imageRange(Dataset train) {
    int f = train.featureCount();
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (float v : train.features()) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    if (!(min <= max)) {
      min = 0;
      max = 1;
    }
    double scale = max - min > 1e-12 ? 1 / (max - min) : 1;
    double[] offsets = new double[f];
    double[] scales = new double[f];
    java.util.Arrays.fill(offsets, min);
    java.util.Arrays.fill(scales, scale);
    return new Normalizer("range", offsets, scales);
  }

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
    return new Normalizer("minmax", min, scale);
  }

  public double[] offsets() {
    return offsets.clone();
  }

  public double[] scales() {
    return scales.clone();
  }

  /** {@code x} normalized in place, read as rows of {@link #featureCount} features. */
  public void applyInPlace(double[] x) {
    int f = offsets.length;
    for (int i = 0; i < x.length; i++) {
      int j = i % f;
      x[i] = (x[i] - offsets[j]) * scales[j];
    }
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
