package dev.nnc.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.NncException;
import dev.nnc.runtime.Parameter;
import dev.nnc.runtime.SoftmaxRegression;
import dev.nnc.runtime.Tensor;
import dev.nnc.runtime.data.Normalizer;
import dev.nnc.runtime.io.SafeTensors;
import dev.nnc.runtime.optim.OptimizerSpec;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one place that validates checkpoint metadata (issue 15 item 11): every malformed entry is
 * refused with the file and the entry named, and the model is left unchanged.
 */
class TrainingCheckpointTest {
  private static final OptimizerSpec ADAM = OptimizerSpec.parseSource("adam(lr: 0.002)");
  private static final Normalizer NORMALIZER = Normalizer.of(new double[] {1, 2, 3, 4},
      new double[] {0.5, 0.25, 1, 2});

  @TempDir
  Path dir;

  private static SoftmaxRegression model(long seed) {
    SoftmaxRegression m = new SoftmaxRegression(4, 3, false);
    m.initialize(seed);
    return m;
  }

  private static EpochStats epoch(int n) {
    return new EpochStats(n, 0.5, 0.6, 0.9, 0.002, 1, 100);
  }

  /** A checkpoint as training writes it, with {@code change} applied to its metadata. */
  private Path saved(String name, java.util.function.Consumer<Map<String, String>> change) {
    SoftmaxRegression m = model(1);
    Map<String, String> meta = new TreeMap<>(TrainingCheckpoint.metadata(m, epoch(4), ADAM,
        NORMALIZER));
    change.accept(meta);
    Path p = dir.resolve(name);
    SafeTensors.save(p, m, meta, null);
    return p;
  }

  @Test
  void readsBackWhatTrainingWrote() {
    Path p = saved("ok.safetensors", meta -> { });
    SoftmaxRegression m = model(2);
    TrainingCheckpoint c = TrainingCheckpoint.load(p, m);
    assertTrue(c.fromTraining());
    assertEquals(4, c.epoch());
    assertEquals(ADAM, c.optimizer());
    assertEquals("custom", c.normalizer().method());
    assertArrayEquals(NORMALIZER.offsets(), c.normalizer().offsets());
    assertArrayEquals(NORMALIZER.scales(), c.normalizer().scales());
    assertArrayEquals(model(1).parameters().get(0).f32(), m.parameters().get(0).f32());
  }

  @Test
  void noneMeansInputsAsGiven() {
    Path p = saved("none.safetensors", meta -> meta.put("normalizer", "none"));
    assertNull(TrainingCheckpoint.load(p, model(2)).normalizer());
  }

  @Test
  void plainWeightsTakeInputsAsGiven() {
    Path p = dir.resolve("plain.safetensors");
    SafeTensors.save(p, model(1), null, null);
    TrainingCheckpoint c = TrainingCheckpoint.load(p, model(2));
    assertFalse(c.fromTraining());
    assertEquals(0, c.epoch());
    assertNull(c.optimizer());
    assertNull(c.normalizer());
  }

  private void refused(Path p, String message) {
    SoftmaxRegression m = model(2);
    float[] before = m.parameters().get(0).f32().clone();
    NncException e = assertThrows(NncException.class, () -> TrainingCheckpoint.load(p, m));
    assertEquals(p + ": " + message, e.getMessage());
    assertArrayEquals(before, m.parameters().get(0).f32(), "the model is left unchanged");
  }

  @Test
  void refusesAnotherModelsCheckpoint() {
    refused(saved("other.safetensors", meta -> meta.put("model", "Digits")),
        "is a checkpoint of model Digits, not of SoftmaxRegression");
  }

  @Test
  void refusesATrainingCheckpointWithoutNormalizer() {
    refused(saved("missing.safetensors", meta -> meta.remove("normalizer")),
        "has no normalizer entry, so its inputs' normalization is unknown (a checkpoint from"
            + " training records one, 'none' if there was none)");
  }

  @Test
  void refusesMalformedNormalizers() {
    refused(saved("zero.safetensors", meta -> meta.put("normalizer",
        "{\"offsets\":[0,0,0,0],\"scales\":[1,0,1,1]}")),
        "the normalizer entry is invalid: normalizer scale 1 is 0.0, not a positive finite number");
    refused(saved("garbage.safetensors", meta -> meta.put("normalizer", "standardize please")),
        "the normalizer entry is invalid: normalizer is not valid JSON (bad JSON at character 0:"
            + " unexpected character 's')");
    refused(saved("short.safetensors", meta -> meta.put("normalizer",
        "{\"offsets\":[0],\"scales\":[1]}")),
        "the normalizer entry is invalid: it maps 1 features but model SoftmaxRegression's input"
            + " has 4");
    refused(saved("text.safetensors", meta -> meta.put("normalizer",
        "{\"offsets\":[0,0,0,\"x\"],\"scales\":[1,1,1,1]}")),
        "the normalizer entry is invalid: normalizer offsets entry 3 is not a number");
    refused(saved("lengths.safetensors", meta -> meta.put("normalizer",
        "{\"offsets\":[0,0,0],\"scales\":[1,1,1,1]}")),
        "the normalizer entry is invalid: normalizer has 3 offsets but 4 scales");
  }

  @Test
  void refusesMalformedOptimizersAndEpochs() {
    refused(saved("opt.safetensors", meta -> meta.put("optimizer", "sgd(lr: -1)")),
        "the optimizer entry is invalid: optimizer sgd: lr must be > 0, got -1.0");
    refused(saved("opt2.safetensors", meta -> meta.put("optimizer", "}{")),
        "the optimizer entry is invalid: optimizer '}{' is not of the form name(arg: value, ...)");
    refused(saved("noopt.safetensors", meta -> meta.remove("optimizer")),
        "has no optimizer entry (a checkpoint from training records its optimizer)");
    refused(saved("epoch.safetensors", meta -> meta.put("epoch", "-3")),
        "the epoch entry is invalid: '-3' is not a whole number");
    refused(saved("long.safetensors", meta -> meta.put("epoch", "9".repeat(5000))),
        "the epoch entry is invalid: '" + "9".repeat(100) + "... (5000 characters)' is not a"
            + " whole number");
  }

  @Test
  void refusesNonFiniteWeightsAndOptimizerState() {
    Path p = saved("nan.safetensors", meta -> { });
    Map<String, Tensor> tensors = new TreeMap<>(SafeTensors.read(p).tensors());
    float[] w = tensors.get("fc.W").floats().clone();
    w[5] = Float.NaN;
    tensors.put("fc.W", Tensor.f32(w, 4, 3));
    SafeTensors.write(p, tensors, SafeTensors.read(p).metadata());
    refused(p, "tensor fc.W holds NaN (at index 5): the checkpoint is of a diverged model");
  }

  @Test
  void theMetadataOfAnEpochNamesEverythingTrainingUsed() {
    Map<String, String> meta = TrainingCheckpoint.metadata(model(1), epoch(7), ADAM, null);
    assertEquals("SoftmaxRegression", meta.get("model"));
    assertEquals("7", meta.get("epoch"));
    assertEquals("adam(lr: 0.002)", meta.get("optimizer"));
    assertEquals("none", meta.get("normalizer"));
    assertEquals("0.600000", meta.get("test_loss"));
    for (Parameter p : model(1).parameters()) {
      assertTrue(p.firstNonFinite() < 0);
    }
  }
}
