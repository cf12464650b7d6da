package dev.nnc.spark;

import dev.nnc.runtime.Batch;
import dev.nnc.runtime.Model;
import dev.nnc.runtime.optim.Optimizer;
import dev.nnc.runtime.optim.OptimizerSpec;
import java.io.Serializable;
import java.util.HashMap;
import org.apache.spark.broadcast.Broadcast;

/**
 * The work of one partition in one Spark job (the {@code seqOp} of {@code treeAggregate}). Step
 * k of an epoch trains on the examples at positions {@code [k·batch, (k+1)·batch)} of the epoch's
 * {@link GlobalOrder}, the local trainer's batch k; each partition takes those of them it holds.
 * In a synchronous step a partition returns the sum over them of the per-example gradients; in a
 * local-steps round it runs {@code localSteps} optimizer steps, each on its part of the next
 * global batch, and returns its weights and optimizer state times the examples it saw.
 */
final class PartitionStep implements Serializable {
  private static final long serialVersionUID = 1L;

  private final ModelSource source;
  private final Broadcast<Snapshot> snapshot;
  private final long seed;
  private final int epoch;
  /** The first global row of each partition. */
  private final int[] offsets;
  private final int totalRows;
  private final int batchSize;
  private final int firstStep;
  private final int localSteps;
  private final String optimizerName;
  private final HashMap<String, Double> optimizerArgs;
  private final double learningRate;

  /**
   * {@code localSteps} 0 means a synchronous step {@code firstStep}; k > 0 means k local steps
   * from {@code firstStep} on with a fresh {@code optimizer} at {@code learningRate} that starts
   * from the snapshot's state.
   */
  PartitionStep(ModelSource source, Broadcast<Snapshot> snapshot, long seed, int epoch,
      int[] offsets, int totalRows, int batchSize, int firstStep, int localSteps,
      OptimizerSpec optimizer, double learningRate) {
    this.source = source;
    this.snapshot = snapshot;
    this.seed = seed;
    this.epoch = epoch;
    this.offsets = offsets;
    this.totalRows = totalRows;
    this.batchSize = batchSize;
    this.firstStep = firstStep;
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
    int[] order = worker.order(seed, epoch, totalRows);
    int offset = offsets[shard.partition];
    if (localSteps == 0) {
      Batch batch = worker.fill(shard, offset, order, from(firstStep), from(firstStep + 1));
      if (batch != null) {
        // forwardBackward gives the mean over the batch; times its size, the sum
        double loss = model.forwardBackward(batch);
        sums.addParameters(model.parameters(), batch.size(), true);
        sums.lossSum += loss * batch.size();
        sums.examples += batch.size();
      }
      return sums;
    }
    Optimizer optimizer = OptimizerSpec.parse(optimizerName, optimizerArgs).create();
    optimizer.setLearningRate(learningRate);
    optimizer.importState(model.parameters(), start.optimizerState());
    long seen = 0;
    long steps = 0;
    double lossSum = 0;
    for (int k = firstStep; k < firstStep + localSteps && from(k) < totalRows; k++) {
      Batch batch = worker.fill(shard, offset, order, from(k), from(k + 1));
      if (batch != null) {
        lossSum += model.trainStep(batch, optimizer) * batch.size();
        seen += batch.size();
        steps++;
      }
    }
    if (seen > 0) {
      sums.addParameters(model.parameters(), seen, false);
      sums.addState(optimizer.exportState(), seen);
      sums.lossSum += lossSum;
      sums.examples += seen;
      sums.steps = Math.max(sums.steps, steps);
    }
    return sums;
  }

  /** The first global position of step {@code k} (clamped to the number of rows). */
  private int from(int k) {
    return (int) Math.min((long) k * batchSize, totalRows);
  }
}
