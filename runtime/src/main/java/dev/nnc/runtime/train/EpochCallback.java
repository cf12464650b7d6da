package dev.nnc.runtime.train;

import dev.nnc.runtime.Model;
import dev.nnc.runtime.optim.Optimizer;

/** Called after each epoch, e.g. to save a checkpoint ({@link CheckpointSaver}). */
public interface EpochCallback {
  void afterEpoch(EpochStats stats, int totalEpochs, Model model, Optimizer optimizer);
}
