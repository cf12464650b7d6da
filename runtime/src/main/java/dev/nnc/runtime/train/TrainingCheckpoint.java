package dev.nnc.runtime.train;

import dev.nnc.runtime.Model;
import dev.nnc.runtime.NncException;
import dev.nnc.runtime.Slot;
import dev.nnc.runtime.Tensor;
import dev.nnc.runtime.data.Normalizer;
import dev.nnc.runtime.io.Checkpoint;
import dev.nnc.runtime.io.SafeTensors;
import dev.nnc.runtime.io.TensorFile;
import dev.nnc.runtime.optim.OptimizerSpec;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A model's weights as training saves them, with the metadata that says how to use them: the
 * model's name, the epoch, the optimizer and the input normalization. This class is the one place
 * that writes that metadata ({@link #metadata}) and reads it back ({@link #load}): resuming,
 * predicting and evaluating all load through it, so each entry is validated the same way.
 *
 * <p>A file without an {@code epoch} entry holds plain weights (written by another tool, or by
 * {@link SafeTensors#save} directly): its inputs are taken as given unless it names a
 * normalizer. A file with one was written by training and must say how its inputs were
 * normalized ({@value #NO_NORMALIZER} when they were not): a missing entry would otherwise make
 * predictions on unnormalized inputs silently.
 */
public final class TrainingCheckpoint {
  /** The name of the model the weights belong to. */
  public static final String MODEL = "model";
  /** The last epoch trained, a whole number. */
  public static final String EPOCH = "epoch";
  /** The optimizer in source form, e.g. {@code sgd(lr: 0.1, momentum: 0.9)}. */
  public static final String OPTIMIZER = "optimizer";
  /** The input normalizer as JSON ({@link Normalizer#toJson}), or {@value #NO_NORMALIZER}. */
  public static final String NORMALIZER = "normalizer";
  /** The normalizer entry of a run whose inputs were not normalized. */
  public static final String NO_NORMALIZER = "none";

  private final int epoch;
  private final OptimizerSpec optimizer;
  private final Normalizer normalizer;
  private final Map<String, Tensor> optimizerState;

  private TrainingCheckpoint(int epoch, OptimizerSpec optimizer, Normalizer normalizer,
      Map<String, Tensor> optimizerState) {
    this.epoch = epoch;
    this.optimizer = optimizer;
    this.normalizer = normalizer;
    this.optimizerState = optimizerState;
  }

  /**
   * The metadata of a checkpoint saved after the epoch of {@code stats}: model, epoch, optimizer,
   * normalizer ({@code null}: none), and the epoch's losses, accuracy and learning rate for
   * people reading the file.
   */
  public static Map<String, String> metadata(Model model, EpochStats stats, OptimizerSpec optimizer,
      Normalizer normalizer) {
    Map<String, String> meta = new TreeMap<>();
    meta.put(MODEL, model.name());
    meta.put(EPOCH, Integer.toString(stats.epoch()));
    meta.put(OPTIMIZER, optimizer.toString());
    meta.put(NORMALIZER, normalizer == null ? NO_NORMALIZER : normalizer.toJson());
    meta.put("train_loss", number(stats.trainLoss()));
    meta.put("test_loss", number(stats.testLoss()));
    meta.put("test_accuracy", number(stats.testAccuracy()));
    meta.put("lr", number(stats.learningRate()));
    return meta;
  }

  private static String number(double v) {
    return String.format(Locale.ROOT, "%.6g", v);
  }

  /**
   * Loads {@code path} into {@code model} and validates its metadata; on any problem (tensors
   * that do not fit the model, a non-finite value, another model's name, a malformed entry) the
   * model is left unchanged and an {@link NncException} names the file and the problem.
   */
  public static TrainingCheckpoint load(Path path, Model model) {
    TensorFile file = SafeTensors.read(path);
    Map<String, String> meta = file.metadata();
    String name = meta.get(MODEL);
    if (name != null && !name.equals(model.name())) {
      throw new NncException(path + ": is a checkpoint of model " + name + ", not of "
          + model.name());
    }
    int epoch = 0;
    OptimizerSpec optimizer = null;
    String epochText = meta.get(EPOCH);
    if (epochText != null) {
      if (!epochText.matches("[0-9]{1,9}")) {
        throw bad(path, EPOCH, "'" + shorten(epochText) + "' is not a whole number");
      }
      epoch = Integer.parseInt(epochText);
      optimizer = optimizer(path, meta.get(OPTIMIZER));
      if (!meta.containsKey(NORMALIZER)) {
        throw new NncException(path + ": has no " + NORMALIZER + " entry, so its inputs'"
            + " normalization is unknown (a checkpoint from training records one, '"
            + NO_NORMALIZER + "' if there was none)");
      }
    }
    Normalizer normalizer = normalizer(path, meta.get(NORMALIZER), model);
    Checkpoint loaded = SafeTensors.load(path, file, model);
    return new TrainingCheckpoint(epoch, optimizer, normalizer, loaded.optimizerState());
  }

  private static OptimizerSpec optimizer(Path path, String text) {
    if (text == null) {
      throw new NncException(path + ": has no " + OPTIMIZER + " entry (a checkpoint from"
          + " training records its optimizer)");
    }
    try {
      return OptimizerSpec.parseSource(text);
    } catch (NncException e) {
      throw bad(path, OPTIMIZER, shorten(e.getMessage()));
    }
  }

  private static Normalizer normalizer(Path path, String text, Model model) {
    if (text == null || text.equals(NO_NORMALIZER)) {
      return null;
    }
    Normalizer n;
    try {
      n = Normalizer.fromJson(text);
    } catch (NncException e) {
      throw bad(path, NORMALIZER, shorten(e.getMessage()));
    }
    Slot input = null;
    for (Slot s : model.inputs()) {
      if (s.kind() == Slot.Kind.INPUT) {
        if (input != null) {
          throw bad(path, NORMALIZER, "model " + model.name() + " has several inputs; a"
              + " normalizer maps one");
        }
        input = s;
      }
    }
    if (input == null || input.size() != n.featureCount()) {
      throw bad(path, NORMALIZER, "it maps " + n.featureCount() + " features but model "
          + model.name() + "'s input has " + (input == null ? 0 : input.size()));
    }
    return n;
  }

  private static NncException bad(Path path, String entry, String problem) {
    return new NncException(path + ": the " + entry + " entry is invalid: " + problem);
  }

  /** A value quoted in a message, cut to a readable length. */
  private static String shorten(String text) {
    return text.length() <= 120 ? text : text.substring(0, 100) + "... (" + text.length()
        + " characters)";
  }

  /** Whether training wrote the file (it has an {@code epoch} entry). */
  public boolean fromTraining() {
    return optimizer != null;
  }

  /** The last epoch trained, 0 for plain weights. */
  public int epoch() {
    return epoch;
  }

  /** The optimizer training used, or null for plain weights. */
  public OptimizerSpec optimizer() {
    return optimizer;
  }

  /** The input normalization to apply, or null when inputs are taken as given. */
  public Normalizer normalizer() {
    return normalizer;
  }

  /** The optimizer state (names like {@code fc1.W.m}, {@code step}); empty if none was saved. */
  public Map<String, Tensor> optimizerState() {
    return optimizerState;
  }
}
