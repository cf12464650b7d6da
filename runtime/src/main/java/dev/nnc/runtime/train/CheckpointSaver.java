package dev.nnc.runtime.train;

import dev.nnc.runtime.Model;
import dev.nnc.runtime.data.Normalizer;
import dev.nnc.runtime.io.SafeTensors;
import dev.nnc.runtime.optim.Optimizer;
import dev.nnc.runtime.optim.OptimizerSpec;
import java.nio.file.Path;

/**
 * Saves a safetensors checkpoint (parameters, optimizer state and {@link TrainingCheckpoint}'s
 * metadata) every {@code every} epochs and after the last one, always to the same file. The
 * {@link Trainer} calls it only after an epoch that did not diverge, and {@link SafeTensors#save}
 * refuses non-finite weights, so the file always holds the last good epoch.
 */
public final class CheckpointSaver implements EpochCallback {
  private final Path path;
  private final int every;
  private final OptimizerSpec optimizer;
  private final Normalizer normalizer;

  /**
   * {@code optimizer} is the spec the run trains with; {@code normalizer} (null: none) the
   * normalization its inputs went through, which predictions must repeat.
   */
  public CheckpointSaver(Path path, int every, OptimizerSpec optimizer, Normalizer normalizer) {
    this.path = path;
    this.every = Math.max(1, every);
    this.optimizer = optimizer;
    this.normalizer = normalizer;
  }

  @Override
  public void afterEpoch(EpochStats stats, int totalEpochs, Model model, Optimizer optimizer) {
    if (stats.epoch() % every != 0 && stats.epoch() != totalEpochs) {
      return;
    }
    SafeTensors.save(path, model, TrainingCheckpoint.metadata(model, stats, this.optimizer,
        normalizer), optimizer.exportState());
  }
}
