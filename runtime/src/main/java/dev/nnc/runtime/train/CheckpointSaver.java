package dev.nnc.runtime.train;

import dev.nnc.runtime.Model;
import dev.nnc.runtime.io.SafeTensors;
import dev.nnc.runtime.optim.Optimizer;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Saves a safetensors checkpoint (parameters, optimizer state, metadata {@code model}, {@code epoch},
 * {@code train_loss}, {@code test_loss}, {@code test_accuracy}, {@code lr}) every {@code every}
 * epochs and after the last one, always to the same file.
 */
public final class CheckpointSaver implements EpochCallback {
  private final Path path;
  private final int every;
  private final Map<String, String> extraMetadata;

  /** {@code extraMetadata} (may be null) is added to every checkpoint, e.g. the optimizer spec. */
  public CheckpointSaver(Path path, int every, Map<String, String> extraMetadata) {
    this.path = path;
    this.every = Math.max(1, every);
    this.extraMetadata = extraMetadata == null ? Map.of() : Map.copyOf(extraMetadata);
  }

  @Override
  public void afterEpoch(EpochStats stats, int totalEpochs, Model model, Optimizer optimizer) {
    if (stats.epoch() % every != 0 && stats.epoch() != totalEpochs) {
      return;
    }
    Map<String, String> meta = new TreeMap<>(extraMetadata);
    meta.put("model", model.name());
    meta.put("epoch", Integer.toString(stats.epoch()));
    meta.put("train_loss", num(stats.trainLoss()));
    meta.put("test_loss", num(stats.testLoss()));
    meta.put("test_accuracy", num(stats.testAccuracy()));
    meta.put("lr", num(stats.learningRate()));
    SafeTensors.save(path, model, meta, optimizer.exportState());
  }

  private static String num(double v) {
    return String.format(Locale.ROOT, "%.6g", v);
  }
}
