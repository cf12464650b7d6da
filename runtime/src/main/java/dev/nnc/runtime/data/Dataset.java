package dev.nnc.runtime.data;

import dev.nnc.runtime.NncException;
import java.util.SplittableRandom;

/**
 * In-memory examples: row-major float features [rows, features] plus either int class labels, float
 * targets [rows, targetSize], or neither; {@link #name()} (usually the file name) appears in errors.
 * Each row remembers where it came from ({@link #where}: the file's line for a table, its position
 * otherwise), through shuffles and splits, so that errors name the file's line, not a row number
 * that changes with the seed.
 */
public final class Dataset {
  private final String name;
  private final String source;
  private final int[] origins;
  private final boolean originsAreLines;
  private final float[] features;
  private final int rows;
  private final int featureCount;
  private final int[] labels;
  private final float[] targets;
  private final int targetSize;

  private Dataset(String name, float[] features, int rows, int featureCount, int[] labels, float[] targets,
      int targetSize) {
    this(name, features, rows, featureCount, labels, targets, targetSize, name, null, false);
  }

  private Dataset(String name, float[] features, int rows, int featureCount, int[] labels, float[] targets,
      int targetSize, String source, int[] origins, boolean originsAreLines) {
    if (rows < 0 || featureCount < 0 || (long) rows * featureCount != features.length) {
      throw new NncException(name + ": " + features.length + " feature values do not form " + rows + " rows of "
          + featureCount);
    }
    if (labels != null && labels.length != rows) {
      throw new NncException(name + ": " + labels.length + " labels for " + rows + " rows");
    }
    if (targets != null && (long) rows * targetSize != targets.length) {
      throw new NncException(name + ": " + targets.length + " target values do not form " + rows + " rows of "
          + targetSize);
    }
    if (labels != null) {
      for (int i = 0; i < rows; i++) {
        if (labels[i] < 0) {
          throw new NncException(name + ": row " + (i + 1) + " has negative label " + labels[i]);
        }
      }
    }
    this.name = name;
    this.features = features;
    this.rows = rows;
    this.featureCount = featureCount;
    this.labels = labels;
    this.targets = targets;
    this.targetSize = targets == null ? 0 : targetSize;
    this.source = source;
    if (origins == null) {
      origins = new int[rows];
      for (int i = 0; i < rows; i++) {
        origins[i] = i + 1;
      }
    } else if (origins.length != rows) {
      throw new NncException(name + ": " + origins.length + " source lines for " + rows + " rows");
    }
    this.origins = origins;
    this.originsAreLines = originsAreLines;
  }

  /** The same rows, remembering that row {@code i} comes from line {@code lines[i]} of {@code file}. */
  public Dataset withSourceLines(String file, int[] lines) {
    return new Dataset(name, features, rows, featureCount, labels, targets, targetSize, file,
        lines.clone(), true);
  }

  /**
   * Where row {@code row} came from, for messages: {@code digits.csv:98} for a line of a table,
   * {@code train-images-idx3-ubyte example 98} otherwise.
   */
  public String where(int row) {
    return originsAreLines ? source + ":" + origins[row] : source + " example " + origins[row];
  }

  public static Dataset classification(String name, float[] features, int rows, int featureCount, int[] labels) {
    return new Dataset(name, features, rows, featureCount, labels, null, 0);
  }

  public static Dataset regression(String name, float[] features, int rows, int featureCount, float[] targets,
      int targetSize) {
    return new Dataset(name, features, rows, featureCount, null, targets, targetSize);
  }

  public static Dataset unlabeled(String name, float[] features, int rows, int featureCount) {
    return new Dataset(name, features, rows, featureCount, null, null, 0);
  }

  public String name() {
    return name;
  }

  public int rows() {
    return rows;
  }

  public int featureCount() {
    return featureCount;
  }

  /** The backing feature array [rows, features] (not a copy). */
  public float[] features() {
    return features;
  }

  public boolean hasLabels() {
    return labels != null;
  }

  /** The backing label array, or null. */
  public int[] labels() {
    return labels;
  }

  public boolean hasTargets() {
    return targets != null;
  }

  /** The backing target array [rows, targetSize], or null. */
  public float[] targets() {
    return targets;
  }

  public int targetSize() {
    return targetSize;
  }

  /** One more than the largest label (0 without labels). */
  public int classCount() {
    int max = -1;
    if (labels != null) {
      for (int y : labels) {
        max = Math.max(max, y);
      }
    }
    return max + 1;
  }

  /** The rows at {@code indices}, in that order. */
  public Dataset select(int[] indices, String newName) {
    float[] x = new float[indices.length * featureCount];
    int[] y = labels == null ? null : new int[indices.length];
    float[] t = targets == null ? null : new float[indices.length * targetSize];
    int[] o = new int[indices.length];
    for (int i = 0; i < indices.length; i++) {
      int r = indices[i];
      o[i] = origins[r];
      System.arraycopy(features, r * featureCount, x, i * featureCount, featureCount);
      if (y != null) {
        y[i] = labels[r];
      }
      if (t != null) {
        System.arraycopy(targets, r * targetSize, t, i * targetSize, targetSize);
      }
    }
    return new Dataset(newName, x, indices.length, featureCount, y, t, targetSize, source, o,
        originsAreLines);
  }

  /** A copy with the same features and labels/targets but new feature values (same shape). */
  Dataset withFeatures(float[] newFeatures) {
    return new Dataset(name, newFeatures, rows, featureCount, labels, targets, targetSize, source,
        origins, originsAreLines);
  }

  /** The rows in a seeded random order. */
  public Dataset shuffled(long seed) {
    return select(permutation(rows, seed), name);
  }

  /** A seeded random split: the first round(rows · trainFraction) shuffled rows train, the rest test. */
  public Split split(double trainFraction, long seed) {
    if (!(trainFraction > 0 && trainFraction < 1)) {
      throw new NncException(name + ": train fraction must be strictly between 0 and 1, got " + trainFraction);
    }
    int nTrain = (int) Math.round(rows * trainFraction);
    if (nTrain == 0 || nTrain == rows) {
      throw new NncException(name + ": cannot split " + rows + " rows with train fraction " + trainFraction);
    }
    int[] order = permutation(rows, seed);
    int[] a = java.util.Arrays.copyOfRange(order, 0, nTrain);
    int[] b = java.util.Arrays.copyOfRange(order, nTrain, rows);
    return new Split(select(a, name + " (train)"), select(b, name + " (test)"));
  }

  /** A seeded Fisher-Yates permutation of 0..n-1. */
  static int[] permutation(int n, long seed) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    shuffle(order, n, seed);
    return order;
  }

  /** Shuffles the first {@code n} entries of {@code order} in place, seeded. */
  static void shuffle(int[] order, int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
  }

  @Override
  public String toString() {
    return name + ": " + rows + " x " + featureCount + (labels != null ? " with labels" : "")
        + (targets != null ? " with targets [" + targetSize + "]" : "");
  }
}
