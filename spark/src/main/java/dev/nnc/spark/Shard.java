package dev.nnc.spark;

import dev.nnc.runtime.Batch;
import dev.nnc.runtime.NncException;
import dev.nnc.runtime.data.Dataset;
import java.io.Serializable;
import java.util.Iterator;

/**
 * One Spark partition's examples packed into flat arrays, the element of the cached RDD that every
 * training step reads: copying a chunk of rows into a {@link Batch} is then a few array copies
 * instead of a walk over example objects.
 */
final class Shard implements Serializable {
  private static final long serialVersionUID = 1L;

  final int partition;
  final int rows;
  final int featureCount;
  final float[] features;
  /** Null if the examples have no labels. */
  final int[] labels;
  /** Null if the examples have no targets. */
  final float[] targets;
  final int targetSize;

  Shard(int partition, int rows, int featureCount, float[] features, int[] labels, float[] targets,
      int targetSize) {
    this.partition = partition;
    this.rows = rows;
    this.featureCount = featureCount;
    this.features = features;
    this.labels = labels;
    this.targets = targets;
    this.targetSize = targetSize;
  }

  /** Rows {@code [from, to)} of {@code data}, as partition {@code partition}. */
  static Shard of(int partition, Dataset data, int from, int to) {
    int f = data.featureCount();
    int n = to - from;
    float[] x = new float[n * f];
    System.arraycopy(data.features(), from * f, x, 0, n * f);
    int[] y = null;
    if (data.hasLabels()) {
      y = new int[n];
      System.arraycopy(data.labels(), from, y, 0, n);
    }
    float[] t = null;
    int ts = data.targetSize();
    if (data.hasTargets()) {
      t = new float[n * ts];
      System.arraycopy(data.targets(), from * ts, t, 0, n * ts);
    }
    return new Shard(partition, n, f, x, y, t, ts);
  }

  /** Packs a partition's examples; they must agree on feature count and on label/target kind. */
  static Shard pack(int partition, Iterator<Example> examples) {
    java.util.List<Example> list = new java.util.ArrayList<>();
    examples.forEachRemaining(list::add);
    int n = list.size();
    if (n == 0) {
      return new Shard(partition, 0, 0, new float[0], null, null, 0);
    }
    Example first = list.get(0);
    int f = first.features().length;
    boolean labelled = first.label() >= 0;
    int ts = first.target() == null ? 0 : first.target().length;
    float[] x = new float[Math.multiplyExact(n, f)];
    int[] y = labelled ? new int[n] : null;
    float[] t = ts > 0 ? new float[Math.multiplyExact(n, ts)] : null;
    for (int i = 0; i < n; i++) {
      Example e = list.get(i);
      if (e.features().length != f) {
        throw new NncException("partition " + partition + ", example " + (i + 1) + ": "
            + e.features().length + " features, but the partition's first example has " + f);
      }
      if ((e.label() >= 0) != labelled || (e.target() == null ? 0 : e.target().length) != ts) {
        throw new NncException("partition " + partition + ", example " + (i + 1)
            + ": its label or target differs in kind or size from the partition's first example");
      }
      System.arraycopy(e.features(), 0, x, i * f, f);
      if (y != null) {
        y[i] = e.label();
      }
      if (t != null) {
        System.arraycopy(e.target(), 0, t, i * ts, ts);
      }
    }
    return new Shard(partition, n, f, x, y, t, ts);
  }

  /** The largest label, or -1. */
  int maxLabel() {
    int max = -1;
    if (labels != null) {
      for (int y : labels) {
        max = Math.max(max, y);
      }
    }
    return max;
  }

  /**
   * Copies the rows {@code rows[0..count)} (indices into this shard) into {@code batch} through
   * the slot indices {@code input}, {@code label} and {@code target} (-1 for a slot the model does
   * not have).
   */
  void fill(Batch batch, int[] rows, int count, int input, int label, int target) {
    batch.setSize(count);
    int[] y = label >= 0 ? batch.labels(label) : null;
    for (int i = 0; i < count; i++) {
      int r = rows[i];
      copy(features, r * featureCount, batch, input, i * featureCount, featureCount);
      if (y != null) {
        y[i] = labels[r];
      }
      if (target >= 0) {
        copy(targets, r * targetSize, batch, target, i * targetSize, targetSize);
      }
    }
  }

  /** Copies {@code length} values into slot {@code slot}, widened to double in an f64 batch. */
  private static void copy(float[] from, int at, Batch batch, int slot, int to, int length) {
    if (batch.isF64()) {
      double[] out = batch.doubles(slot);
      for (int k = 0; k < length; k++) {
        out[to + k] = from[at + k];
      }
    } else {
      System.arraycopy(from, at, batch.floats(slot), to, length);
    }
  }

}
