package dev.nnc.spark;

import dev.nnc.runtime.Batch;
import dev.nnc.runtime.Model;
import dev.nnc.runtime.optim.Optimizer;
import dev.nnc.runtime.optim.OptimizerSpec;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.broadcast.Broadcast;

/**
 * The work of one partition in one step (the {@code seqOp} of {@code treeAggregate}). Each epoch
 * cuts every partition's shuffled rows into {@code chunks} near-equal chunks; step {@code k} of
 * the epoch uses chunk {@code k} of every partition, so the global batch is the union of those
 * chunks. In a synchronous step a partition returns the sum over its chunk's examples of the
 * per-example gradients; in a local-steps round it runs {@code localSteps} optimizer steps on its
 * next chunks and returns its weights and optimizer state times the examples it saw.
 */
final class PartitionStep implements Serializable {
  private static final long serialVersionUID = 1L;

  private final ModelSource source;
  private final Broadcast<Snapshot> snapshot;
  private final long seed;
  private final int epoch;
  private final int firstChunk;
  private final int chunks;
  private final int localSteps;
  private final String optimizerName;
  private final HashMap<String, Double> optimizerArgs;
  private final double learningRate;

  /**
   * {@code localSteps} 0 means a synchronous step on chunk {@code firstChunk}; k > 0 means k local
   * steps from chunk {@code firstChunk} on with a fresh {@code optimizer} at {@code learningRate}
   * that starts from the snapshot's state.
   */
  PartitionStep(ModelSource source, Broadcast<Snapshot> snapshot, long seed, int epoch,
      int firstChunk, int chunks, int localSteps, OptimizerSpec optimizer, double learningRate) {
    this.source = source;
    this.snapshot = snapshot;
    this.seed = seed;
    this.epoch = epoch;
    this.firstChunk = firstChunk;
    this.chunks = chunks;
    this.localSteps = localSteps;
    this.optimizerName = optimizer == null ? null : optimizer.name();
    this.optimizerArgs = optimizer == null ? null : new HashMap<>(optimizer.args());
    this.learningRate = learningRate;
  }

  /** Adds this partition's contribution to {@code sums}. */
  Sums add(Sums sums, Shard shard) {
    if (shard.rows == 0) {
      return sums;
    }
    Worker worker = Worker.forSource(source);
    Model model = worker.model;
    Snapshot start = snapshot.value();
    start.loadInto(model);
    int[] order = worker.order(shard, seed, epoch);
    if (localSteps == 0) {
      int from = shard.chunkStart(firstChunk, chunks);
      int to = shard.chunkStart(firstChunk + 1, chunks);
      if (to > from) {
        // forwardBackward gives the mean over the chunk; times its size, the sum
        double loss = model.forwardBackward(worker.fill(shard, order, from, to));
        sums.addParameters(model.parameters(), to - from, true);
        sums.lossSum += loss * (to - from);
        sums.examples += to - from;
      }
      return sums;
    }
    Optimizer optimizer = OptimizerSpec.parse(optimizerName, optimizerArgs).create();
    optimizer.setLearningRate(learningRate);
    optimizer.importState(model.parameters(), start.optimizerState());
    long seen = 0;
    long steps = 0;
    double lossSum = 0;
    for (int k = firstChunk; k < Math.min(firstChunk + localSteps, chunks); k++) {
      int from = shard.chunkStart(k, chunks);
      int to = shard.chunkStart(k + 1, chunks);
      if (to > from) {
        Batch batch = worker.fill(shard, order, from, to);
        lossSum += model.trainStep(batch, optimizer) * (to - from);
        seen += to - from;
        steps++;
      }
    }
    if (seen > 0) {
      sums.addParameters(model.parameters(), seen, false);
      Map<String, dev.nnc.runtime.Tensor> state = optimizer.exportState();
      sums.addState(state, seen);
      sums.lossSum += lossSum;
      sums.examples += seen;
      sums.steps = Math.max(sums.steps, steps);
    }
    return sums;
  }
}
