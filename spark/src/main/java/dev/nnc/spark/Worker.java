package dev.nnc.spark;

import dev.nnc.runtime.Batch;
import dev.nnc.runtime.Model;
import dev.nnc.runtime.NncException;
import dev.nnc.runtime.Slot;
import dev.nnc.runtime.kernels.Parallel;
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
  private long orderSeed;
  private int orderEpoch;
  private int[] order;
  private int[] rows = new int[0];

  private Worker(ModelSource source) {
    // Spark's task threads are the parallelism here. The runtime's two-thread matrix kernel has
    // one helper thread per JVM and is not safe for concurrent callers (two executor threads in
    // one product deadlock), so products run on the calling thread.
    Parallel.setThreads(1);
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

  /** The epoch's {@link GlobalOrder}, computed once per thread and epoch. */
  int[] order(long seed, int epoch, int totalRows) {
    if (order == null || orderSeed != seed || orderEpoch != epoch || order.length != totalRows) {
      order = GlobalOrder.of(seed, epoch, totalRows);
      orderSeed = seed;
      orderEpoch = epoch;
    }
    return order;
  }

  /**
   * Fills the batch with the rows of {@code shard} (global rows {@code [offset, offset +
   * shard.rows)}) among the global positions {@code order[from..to)}; returns null if there are
   * none.
   */
  Batch fill(Shard shard, int offset, int[] order, int from, int to) {
    // a partition's share of a batch varies from step to step: room for the whole batch (or
    // the whole shard) at once, so the batch and the model's buffers are allocated only once
    if (rows.length < to - from) {
      rows = new int[to - from];
    }
    int count = 0;
    for (int i = from; i < to; i++) {
      int local = order[i] - offset;
      if (local >= 0 && local < shard.rows) {
        rows[count++] = local;
      }
    }
    if (count == 0) {
      return null;
    }
    if (batch == null || batch.capacity() < count) {
      batch = Batch.forModel(model, Math.max(count, Math.min(to - from, shard.rows)));
    }
    shard.fill(batch, rows, count, input, label, target);
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
