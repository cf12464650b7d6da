package dev.nnc.runtime.data;

import dev.nnc.runtime.Batch;
import dev.nnc.runtime.NncException;
import dev.nnc.runtime.Slot;
import java.util.ArrayList;
import java.util.List;

/**
 * Fills a reusable {@link Batch} from a {@link Dataset}, batch by batch, in a (optionally shuffled)
 * order. Mapping: the features go to the batch's single input slot, the labels to its label slot
 * and the targets to its target slot; sizes and label ranges are checked up front. An input of
 * shape [C, H, W] (an image) takes each row's features in row-major order, so MNIST's 784 pixels
 * fill [1, 28, 28] and the digits table's 64 fill [1, 8, 8].
 */
public final class Batcher {
  private final Dataset data;
  private final Batch batch;
  private final int input;
  private final int label;
  private final int target;
  private final int[] order;

  public Batcher(Dataset data, Batch batch) {
    this.data = data;
    this.batch = batch;
    List<Slot> slots = batch.slots();
    this.input = single(slots, Slot.Kind.INPUT, data);
    this.label = optional(slots, Slot.Kind.LABEL);
    this.target = optional(slots, Slot.Kind.TARGET);
    Slot in = slots.get(input);
    if (in.size() != data.featureCount()) {
      // an image input names its shape: its values are the data's features in row-major order
      String shape = in.shape().length > 1 ? " " + dev.nnc.runtime.Shapes.toString(in.shape()) : "";
      throw new NncException("model input " + in.name() + shape + " has " + in.size()
          + " values per example but the data ("
          + data.name() + ") has " + data.featureCount() + " features");
    }
    if (label >= 0) {
      Slot y = slots.get(label);
      if (!data.hasLabels()) {
        throw new NncException("model label " + y.name() + " needs class labels but the data (" + data.name()
            + ") has none");
      }
      int[] labels = data.labels();
      for (int r = 0; r < labels.length; r++) {
        if (labels[r] >= y.classes()) {
          throw new NncException(data.where(r) + ": label " + labels[r] + " but model label " + y.name() + " has "
              + y.classes() + " classes (0.." + (y.classes() - 1) + ")");
        }
      }
    }
    if (target >= 0) {
      Slot t = slots.get(target);
      if (!data.hasTargets()) {
        throw new NncException("model target " + t.name() + " needs real-valued targets but the data (" + data.name()
            + ") has none (read it in regression mode)");
      }
      if (t.size() != data.targetSize()) {
        throw new NncException("model target " + t.name() + " has " + t.size() + " values per example but the data ("
            + data.name() + ") has " + data.targetSize());
      }
    }
    this.order = Dataset.permutation(data.rows(), 0);
    resetOrder();
  }

  public Batch batch() {
    return batch;
  }

  public Dataset data() {
    return data;
  }

  /** The number of batches per pass (the last may be smaller). */
  public int batchCount() {
    return (data.rows() + batch.capacity() - 1) / batch.capacity();
  }

  /** Restores the dataset's own row order. */
  public void resetOrder() {
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
  }

  /** A seeded random order: the same seed gives the same order. */
  public void shuffle(long seed) {
    resetOrder();
    Dataset.shuffle(order, order.length, seed);
  }

  /** Fills the batch with batch number {@code k} of the current order and returns it. */
  public Batch fill(int k) {
    int cap = batch.capacity();
    int from = k * cap;
    int n = Math.min(cap, data.rows() - from);
    if (k < 0 || n <= 0) {
      throw new NncException("batch " + k + " does not exist (" + batchCount() + " batches)");
    }
    batch.setSize(n);
    int f = data.featureCount();
    float[] features = data.features();
    int[] labels = label >= 0 ? batch.labels(label) : null;
    int t = data.targetSize();
    for (int i = 0; i < n; i++) {
      int r = order[from + i];
      copy(features, r * f, input, i * f, f);
      if (labels != null) {
        labels[i] = data.labels()[r];
      }
      if (target >= 0) {
        copy(data.targets(), r * t, target, i * t, t);
      }
    }
    return batch;
  }

  /** Copies {@code length} values into slot {@code slot} of the batch, widening for an f64 batch. */
  private void copy(float[] from, int at, int slot, int to, int length) {
    if (batch.isF64()) {
      double[] x = batch.doubles(slot);
      for (int j = 0; j < length; j++) {
        x[to + j] = from[at + j];
      }
    } else {
      System.arraycopy(from, at, batch.floats(slot), to, length);
    }
  }

  private static int single(List<Slot> slots, Slot.Kind kind, Dataset data) {
    List<String> names = new ArrayList<>();
    int found = -1;
    for (int k = 0; k < slots.size(); k++) {
      if (slots.get(k).kind() == kind) {
        names.add(slots.get(k).name());
        found = k;
      }
    }
    if (names.size() != 1) {
      throw new NncException("the model has " + names.size() + " input slot(s) " + names + " but the data ("
          + data.name() + ") provides exactly one block of features");
    }
    return found;
  }

  private static int optional(List<Slot> slots, Slot.Kind kind) {
    int found = -1;
    for (int k = 0; k < slots.size(); k++) {
      if (slots.get(k).kind() == kind) {
        if (found >= 0) {
          throw new NncException("the model has more than one " + kind.name().toLowerCase(java.util.Locale.ROOT)
              + " slot (" + slots.get(found).name() + ", " + slots.get(k).name() + "); a dataset provides one");
        }
        found = k;
      }
    }
    return found;
  }
}
