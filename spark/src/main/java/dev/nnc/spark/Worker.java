package dev.nnc.spark;

import dev.nnc.runtime.Batch;
import dev.nnc.runtime.Model;
import dev.nnc.runtime.NncException;
import dev.nnc.runtime.Slot;
import java.util.List;

/**
 * An executor thread's model instance and batch, reused by every task the thread runs for the
 * same model: a generated model reuses its buffers and is not thread-safe, so each thread has its
 * own, and building it (loading or compiling the class) happens once, not once per step.
 */
final class Worker {
  private static final ThreadLocal<Worker> CURRENT = new ThreadLocal<>();

  final ModelSource source;
  final Model model;
  final int input;
  final int label;
  final int target;
  private Batch batch;
  private int orderPartition = -1;
  private long orderSeed;
  private int orderEpoch;
  private int[] order;

  private Worker(ModelSource source) {
    this.source = source;
    this.model = source.create();
    List<Slot> slots = model.inputs();
    this.input = slotIndex(slots, Slot.Kind.INPUT, true);
    this.label = slotIndex(slots, Slot.Kind.LABEL, false);
    this.target = slotIndex(slots, Slot.Kind.TARGET, false);
  }

  /** This thread's worker for {@code source}, created on first use. */
  static Worker forSource(ModelSource source) {
    Worker w = CURRENT.get();
    if (w == null || !w.source.equals(source)) {
      w = new Worker(source);
      CURRENT.set(w);
    }
    return w;
  }

  /** The row order of {@code shard} in {@code epoch}, kept while the thread stays on one shard. */
  int[] order(Shard shard, long seed, int epoch) {
    if (order == null || orderPartition != shard.partition || orderSeed != seed
        || orderEpoch != epoch || order.length != shard.rows) {
      order = shard.order(seed, epoch);
      orderPartition = shard.partition;
      orderSeed = seed;
      orderEpoch = epoch;
    }
    return order;
  }

  /** The batch holding rows {@code order[from..to)} of {@code shard}. */
  Batch fill(Shard shard, int[] order, int from, int to) {
    int n = to - from;
    if (batch == null || batch.capacity() < n) {
      batch = Batch.forModel(model, n);
    }
    shard.fill(batch, order, from, to, input, label, target);
    return batch;
  }

  /** The index of the slot of {@code kind}, or -1 if there is none and it is optional. */
  static int slotIndex(List<Slot> slots, Slot.Kind kind, boolean required) {
    int found = -1;
    for (int k = 0; k < slots.size(); k++) {
      if (slots.get(k).kind() == kind) {
        if (found >= 0) {
          throw new NncException("the model has more than one "
              + kind.name().toLowerCase(java.util.Locale.ROOT) + " slot; Spark training feeds one"
              + " block of features and one label or target per example");
        }
        found = k;
      }
    }
    if (required && found < 0) {
      throw new NncException("the model has no input slot");
    }
    return found;
  }
}
