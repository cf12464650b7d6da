package dev.nnc.cli;

import static dev.nnc.cli.CliRun.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.Tensor;
import dev.nnc.runtime.data.CsvReader;
import dev.nnc.runtime.data.Dataset;
import dev.nnc.runtime.io.Json;
import dev.nnc.runtime.io.SafeTensors;
import dev.nnc.runtime.io.TensorFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints across {@code train --resume}, {@code predict} and {@code eval} (issue 15 items 4,
 * 11 and 12): one validation of their metadata, the same normalization everywhere, never a
 * diverged model on disk, and data errors that name the file's line.
 */
class CheckpointCommandsTest {
  @TempDir
  static Path shared;

  /** Two epochs of the digits sample, standardized inputs, the model's momentum SGD. */
  private static Path checkpoint;

  @TempDir
  Path dir;

  @BeforeAll
  static void trainOnce() {
    checkpoint = shared.resolve("digits.safetensors");
    CliRun.of("train", sample("digits.nn"), "--epochs", "2", "--save", checkpoint.toString())
        .ok();
  }

  /** A copy of the checkpoint with {@code change} applied to its metadata. */
  private Path edited(String name, Consumer<Map<String, String>> change) {
    TensorFile file = SafeTensors.read(checkpoint);
    Map<String, String> meta = new TreeMap<>(file.metadata());
    change.accept(meta);
    Path p = dir.resolve(name);
    SafeTensors.write(p, file.tensors(), meta);
    return p;
  }

  private static CliRun predict(Path weights) {
    return CliRun.of("predict", sample("digits.nn"), "--weights", weights.toString());
  }

  private static CliRun resume(Path weights) {
    return CliRun.of("train", sample("digits.nn"), "--resume", weights.toString(), "--epochs",
        "3");
  }

  @Test
  void trainingRecordsEverythingPredictionNeeds() {
    Map<String, String> meta = SafeTensors.read(checkpoint).metadata();
    assertEquals("Digits", meta.get("model"));
    assertEquals("2", meta.get("epoch"));
    // (the argument order of a generated model's optimizer is not fixed yet: compare values)
    dev.nnc.runtime.optim.OptimizerSpec sgd =
        dev.nnc.runtime.optim.OptimizerSpec.parseSource(meta.get("optimizer"));
    assertEquals("sgd", sgd.name());
    assertEquals(0.05, sgd.arg("lr"));
    assertEquals(0.9, sgd.arg("momentum"));
    assertTrue(meta.get("normalizer").startsWith("{\"method\":\"standardize\",\"offsets\":["),
        meta.get("normalizer"));
  }

  /** A missing entry made predict skip normalization silently. */
  @Test
  void aMissingNormalizerEntryIsAnError() {
    Path p = edited("missing.safetensors", meta -> meta.remove("normalizer"));
    predict(p).userError(1, p + ": has no normalizer entry");
    resume(p).userError(1, p + ": has no normalizer entry");
  }

  /** Zero scales made every prediction the same class. */
  @Test
  void zeroScalesAreAnError() {
    Path p = edited("zero.safetensors", meta -> {
      Map<?, ?> n = (Map<?, ?>) Json.parse(meta.get("normalizer"));
      List<Double> zeros = java.util.Collections.nCopies(64, 0.0);
      meta.put("normalizer", Json.write(Map.of("offsets", n.get("offsets"), "scales", zeros)));
    });
    predict(p).userError(1, p + ": the normalizer entry is invalid: normalizer scale 0 is 0.0");
  }

  /** Resume accepted garbage that predict rejected: now both go through one validation. */
  @Test
  void resumeValidatesLikePredict() {
    Path opt = edited("opt.safetensors", meta -> meta.put("optimizer", "warp drive"));
    resume(opt).userError(1, opt + ": the optimizer entry is invalid");
    predict(opt).userError(1, opt + ": the optimizer entry is invalid");
    Path norm = edited("norm.safetensors", meta -> meta.put("normalizer", "{\"offsets\":1}"));
    resume(norm).userError(1, norm + ": the normalizer entry is invalid");
    predict(norm).userError(1, norm + ": the normalizer entry is invalid");
    Path other = edited("other.safetensors", meta -> meta.put("model", "Mnist"));
    resume(other).userError(1, other + ": is a checkpoint of model Mnist, not of Digits");
  }

  @Test
  void plainWeightsOfAnotherShapeStillNameTheTensors() {
    Path plain = dir.resolve("plain.safetensors");
    TensorFile file = SafeTensors.read(checkpoint);
    SafeTensors.write(plain, file.tensors(), Map.of());
    CliRun.of("predict", sample("iris_svm.nn"), "--weights", plain.toString())
        .userError(1, "does not match model IrisSvm", "missing tensor W");
  }

  /** A checkpoint holding NaN weights loaded and predicted class 0 for everything. */
  @Test
  void nonFiniteWeightsAreRefusedWhenLoading() {
    TensorFile file = SafeTensors.read(checkpoint);
    Map<String, Tensor> tensors = new TreeMap<>(file.tensors());
    float[] w = tensors.get("classify.W").floats().clone();
    w[3] = Float.NaN;
    tensors.put("classify.W", Tensor.f32(w, tensors.get("classify.W").shape()));
    Path p = dir.resolve("nan.safetensors");
    SafeTensors.write(p, tensors, file.metadata());
    predict(p).userError(1, p + ": tensor classify.W holds NaN (at index 3): the checkpoint is of a"
        + " diverged model");
    resume(p).userError(1, "holds NaN");
  }

  /**
   * One batch per epoch and an absurd rate: every batch loss is finite, but the update makes
   * the weights infinite. It was saved (exit 0, "test loss NaN"); now nothing is written.
   */
  @Test
  void aDivergedModelIsNeverSaved() {
    Path p = dir.resolve("diverged.safetensors");
    CliRun r = CliRun.of("train", sample("digits.nn"), "--epochs", "1", "--batch", "100000",
        "--lr", "1e300", "--save", p.toString());
    r.userError(1, "training diverged: parameter", "after epoch 1", "this epoch is not saved");
    assertFalse(Files.exists(p));
    assertFalse(r.out().contains("saved"), r.out());
  }

  /** A run trained with adam resumes with adam: the default no longer replaces it. */
  @Test
  void resumeContinuesWithTheCheckpointsOptimizer() {
    Path adam = dir.resolve("adam.safetensors");
    CliRun.of("train", sample("digits.nn"), "--epochs", "1", "--optimizer", "adam", "--lr",
        "0.01", "--save", adam.toString()).ok();
    CliRun r = CliRun.of("train", sample("digits.nn"), "--resume", adam.toString(), "--epochs",
        "2").ok();
    assertTrue(r.out().contains("adam(lr: 0.01)"), r.out());
    CliRun.of("train", sample("digits.nn"), "--resume", adam.toString(), "--epochs", "2",
        "--normalize", "minmax").userError(2, "--normalize minmax", "standardize");
  }

  /** eval --weights ignored the saved normalization; now it gives what predict gives. */
  @Test
  void evalAppliesTheCheckpointsNormalization() throws IOException {
    Dataset digits;
    try (InputStream in = CheckpointCommandsTest.class.getResourceAsStream("digits.csv.gz")) {
      Path copy = dir.resolve("digits.csv.gz");
      Files.copy(in, copy);
      digits = new CsvReader().read(copy);
    }
    int n = 5;
    float[] x = Arrays.copyOf(digits.features(), n * 64);
    long[] y = new long[n];
    for (int i = 0; i < n; i++) {
      y[i] = digits.labels()[i];
    }
    Path inputs = dir.resolve("inputs.safetensors");
    SafeTensors.write(inputs, Map.of("x", Tensor.f32(x, n, 64), "y", Tensor.i64(y, n)), null);
    CliRun eval = CliRun.of("eval", sample("digits.nn"), "--weights", checkpoint.toString(),
        "--inputs", inputs.toString(), "--json").ok();
    List<?> probs = (List<?>) ((Map<?, ?>) ((Map<?, ?>) Json.parse(eval.out().strip()))
        .get("outputs")).get("probs");
    List<String> predicted = predict(checkpoint).ok().out().lines().skip(1).limit(n).toList();
    for (int i = 0; i < n; i++) {
      String[] row = predicted.get(i).split(",");
      List<?> p = (List<?>) probs.get(i);
      for (int c = 0; c < 10; c++) {
        double fromPredict = Double.parseDouble(row[1 + c]);
        double fromEval = ((Number) p.get(c)).doubleValue();
        assertEquals(fromPredict, fromEval, 1e-5 + 1e-5 * fromPredict, "example " + i);
      }
    }
  }

  // ---------------------------------------------------------------- data (item 12)

  private static void writeIdx(Path path, int magic, int... dims) throws IOException {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 + 4 * dims.length);
    b.putInt(magic);
    for (int d : dims) {
      b.putInt(d);
    }
    Files.write(path, b.array());
  }

  /** An MNIST directory with 0 images trained nothing and saved an untrained checkpoint. */
  @Test
  void emptyDataIsRefused() throws IOException {
    Path mnist = Files.createDirectory(dir.resolve("mnist"));
    for (String part : new String[] {"train", "t10k"}) {
      writeIdx(mnist.resolve(part + "-images-idx3-ubyte"), 0x803, 0, 28, 28);
      writeIdx(mnist.resolve(part + "-labels-idx1-ubyte"), 0x801, 0);
    }
    Path save = dir.resolve("empty.safetensors");
    CliRun.of("train", sample("mnist.nn"), "--data", "mnist:" + mnist, "--save", save.toString())
        .userError(1, "train-images-idx3-ubyte: no examples to train on");
    assertFalse(Files.exists(save));
    CliRun.of("predict", sample("digits.nn"), "--weights", checkpoint.toString(), "--data",
        "mnist:" + mnist).userError(1, "no examples to predict");
  }

  private Path table(String name, int badLine, String badCell) throws IOException {
    StringBuilder text = new StringBuilder();
    for (int line = 1; line <= 40; line++) {
      for (int j = 0; j < 64; j++) {
        text.append(line == badLine && j == 5 && badCell != null ? badCell : (line + j) % 17)
            .append(',');
      }
      text.append(line == badLine && badCell == null ? 12 : line % 10).append('\n');
    }
    return Files.writeString(dir.resolve(name), text.toString(), StandardCharsets.UTF_8);
  }

  /** It was "row 98 ... (train)", changing with --seed. */
  @Test
  void anOutOfRangeLabelIsReportedByItsLine() throws IOException {
    Path csv = table("labels.csv", 23, null);
    for (String seed : new String[] {"1", "2"}) {
      CliRun.of("train", sample("digits.nn"), "--data", "csv:" + csv, "--seed", seed)
          .userError(1, csv + ":23: label 12 but model label y has 10 classes (0..9)");
    }
  }

  /** It ended in "JSON cannot represent Infinity" with no file. */
  @Test
  void aCellBeyondTheFloatRangeIsReportedByItsLine() throws IOException {
    Path csv = table("big.csv", 7, "1e39");
    CliRun.of("train", sample("digits.nn"), "--data", "csv:" + csv, "--save",
        dir.resolve("big.safetensors").toString()).userError(1, csv + ":7:",
        "field 6 is '1e39', beyond the largest float");
  }

  @Test
  void aResavedCheckpointPredictsIdentically() {
    String first = predict(checkpoint).ok().out();
    assertEquals(first, predict(edited("copy.safetensors", meta -> { })).ok().out());
    assertFalse(first.contains("NaN"));
  }
}
