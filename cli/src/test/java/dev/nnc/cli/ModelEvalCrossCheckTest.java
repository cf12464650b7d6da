package dev.nnc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.Tensor;
import dev.nnc.runtime.io.Json;
import dev.nnc.runtime.io.SafeTensors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nnc eval MODEL.nn --weights W --inputs X --json} against an independent, hand-written
 * double-precision forward and backward pass of a 5-4-3 MLP with softmax cross-entropy.
 */
class ModelEvalCrossCheckTest {
  private static final int B = 6;
  private static final int IN = 5;
  private static final int HID = 4;
  private static final int OUT = 3;

  private static final String MODEL = """
      layer Dense(n_in, n_out)(x: [n_in]) {
        param W: [n_in, n_out] init he;
        param b: [n_out] init zeros;
        return x @ W + b;
      }

      model Small {
        input x: [5];
        label y: class(3);
        let fc1 = Dense(5, 4);
        let fc2 = Dense(4, 3);
        let logits = fc2(relu(fc1(x)));
        output probs = softmax(logits);
        loss cross_entropy(logits, y);
      }
      """;

  @TempDir
  Path dir;

  private Path model;
  // weights (row-major) and the batch, as the doubles the model sees
  private double[] w1;
  private double[] b1;
  private double[] w2;
  private double[] b2;
  private double[] x;
  private long[] y;

  @BeforeEach
  void setUp() throws IOException {
    model = Files.writeString(dir.resolve("small.nn"), MODEL, StandardCharsets.UTF_8);
    Random rnd = new Random(42);
    w1 = gaussian(rnd, IN * HID, 0.8);
    b1 = gaussian(rnd, HID, 0.3);
    w2 = gaussian(rnd, HID * OUT, 0.8);
    b2 = gaussian(rnd, OUT, 0.3);
    // the inputs pass through float batches: keep them exactly representable
    x = new double[B * IN];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rnd.nextGaussian();
    }
    y = new long[] {0, 2, 1, 1, 0, 2};
  }

  private static double[] gaussian(Random rnd, int n, double std) {
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = std * rnd.nextGaussian();
    }
    return out;
  }

  private static float[] floats(double[] v) {
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) v[i];
    }
    return out;
  }

  private static double[] rounded(double[] v) {
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) v[i];
    }
    return out;
  }

  private Path weightsF32(String name) {
    Map<String, Tensor> t = new LinkedHashMap<>();
    t.put("fc1.W", Tensor.f32(floats(w1), IN, HID));
    t.put("fc1.b", Tensor.f32(floats(b1), HID));
    t.put("fc2.W", Tensor.f32(floats(w2), HID, OUT));
    t.put("fc2.b", Tensor.f32(floats(b2), OUT));
    Path p = dir.resolve(name);
    SafeTensors.write(p, t, Map.of());
    return p;
  }

  private Path weightsF64(String name) {
    Map<String, Tensor> t = new LinkedHashMap<>();
    t.put("fc1.W", Tensor.f64(w1, IN, HID));
    t.put("fc1.b", Tensor.f64(b1, HID));
    t.put("fc2.W", Tensor.f64(w2, HID, OUT));
    t.put("fc2.b", Tensor.f64(b2, OUT));
    Path p = dir.resolve(name);
    SafeTensors.write(p, t, null);
    return p;
  }

  private Path inputs(String name, Map<String, Tensor> tensors) {
    Path p = dir.resolve(name);
    SafeTensors.write(p, tensors, null);
    return p;
  }

  private Path inputs() {
    return inputs("x.safetensors", Map.of("x", Tensor.f32(floats(x), B, IN), "y", Tensor.i64(y, B)));
  }

  /** The reference: loss, gradients by parameter name, and softmax outputs [B, OUT]. */
  private record Reference(double loss, Map<String, double[]> gradient, double[] probs) {}

  /** Forward and backward by hand, in double precision, mean over the batch. */
  private static Reference reference(double[] w1, double[] b1, double[] w2, double[] b2,
      double[] x, long[] y) {
    double[] h = new double[B * HID];
    double[] a = new double[B * HID];
    double[] z = new double[B * OUT];
    double[] p = new double[B * OUT];
    double loss = 0;
    for (int n = 0; n < B; n++) {
      for (int j = 0; j < HID; j++) {
        double s = b1[j];
        for (int i = 0; i < IN; i++) {
          s += x[n * IN + i] * w1[i * HID + j];
        }
        h[n * HID + j] = s;
        a[n * HID + j] = Math.max(0, s);
      }
      double max = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < OUT; k++) {
        double s = b2[k];
        for (int j = 0; j < HID; j++) {
          s += a[n * HID + j] * w2[j * OUT + k];
        }
        z[n * OUT + k] = s;
        max = Math.max(max, s);
      }
      double sum = 0;
      for (int k = 0; k < OUT; k++) {
        sum += Math.exp(z[n * OUT + k] - max);
      }
      for (int k = 0; k < OUT; k++) {
        p[n * OUT + k] = Math.exp(z[n * OUT + k] - max) / sum;
      }
      loss += -(z[n * OUT + (int) y[n]] - max - Math.log(sum));
    }
    loss /= B;
    double[] dz = new double[B * OUT];
    for (int n = 0; n < B; n++) {
      for (int k = 0; k < OUT; k++) {
        dz[n * OUT + k] = (p[n * OUT + k] - (k == y[n] ? 1 : 0)) / B;
      }
    }
    double[] dw2 = new double[HID * OUT];
    double[] db2 = new double[OUT];
    double[] dh = new double[B * HID];
    for (int n = 0; n < B; n++) {
      for (int k = 0; k < OUT; k++) {
        db2[k] += dz[n * OUT + k];
        for (int j = 0; j < HID; j++) {
          dw2[j * OUT + k] += a[n * HID + j] * dz[n * OUT + k];
          dh[n * HID + j] += dz[n * OUT + k] * w2[j * OUT + k];
        }
      }
      for (int j = 0; j < HID; j++) {
        if (h[n * HID + j] <= 0) {
          dh[n * HID + j] = 0;
        }
      }
    }
    double[] dw1 = new double[IN * HID];
    double[] db1 = new double[HID];
    for (int n = 0; n < B; n++) {
      for (int j = 0; j < HID; j++) {
        db1[j] += dh[n * HID + j];
        for (int i = 0; i < IN; i++) {
          dw1[i * HID + j] += x[n * IN + i] * dh[n * HID + j];
        }
      }
    }
    Map<String, double[]> g = new LinkedHashMap<>();
    g.put("fc1.W", dw1);
    g.put("fc1.b", db1);
    g.put("fc2.W", dw2);
    g.put("fc2.b", db2);
    return new Reference(loss, g, p);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return (Map<String, Object>) assertInstanceOf(Map.class, o);
  }

  /** A nested JSON array flattened row-major, checking its nesting against {@code shape}. */
  private static double[] flat(Object o, int... shape) {
    if (shape.length == 0) {
      return new double[] {((Number) o).doubleValue()};
    }
    List<?> list = assertInstanceOf(List.class, o);
    assertEquals(shape[0], list.size());
    int[] rest = Arrays.copyOfRange(shape, 1, shape.length);
    return list.stream().flatMapToDouble(e -> Arrays.stream(flat(e, rest))).toArray();
  }

  private static void assertClose(double expected, double actual, double rel, double abs,
      String what) {
    assertTrue(Math.abs(expected - actual) <= rel * Math.abs(expected) + abs,
        what + ": expected " + expected + " but was " + actual);
  }

  private void crossCheck(Reference ref, CliRun r, double rel, double abs) {
    Map<String, Object> json = map(Json.parse(r.out().strip()));
    assertEquals(List.of("loss", "gradient", "outputs"), List.copyOf(json.keySet()));
    assertClose(ref.loss(), ((Number) json.get("loss")).doubleValue(), rel, abs, "loss");
    Map<String, Object> grads = map(json.get("gradient"));
    assertEquals(List.of("fc1.W", "fc1.b", "fc2.W", "fc2.b"), List.copyOf(grads.keySet()));
    Map<String, int[]> shapes = Map.of("fc1.W", new int[] {IN, HID}, "fc1.b", new int[] {HID},
        "fc2.W", new int[] {HID, OUT}, "fc2.b", new int[] {OUT});
    for (String name : grads.keySet()) {
      double[] expected = ref.gradient().get(name);
      double[] actual = flat(grads.get(name), shapes.get(name));
      for (int i = 0; i < expected.length; i++) {
        assertClose(expected[i], actual[i], rel, abs, name + "[" + i + "]");
      }
    }
    double[] probs = flat(map(json.get("outputs")).get("probs"), B, OUT);
    for (int i = 0; i < probs.length; i++) {
      assertClose(ref.probs()[i], probs[i], 1e-5, 1e-7, "probs[" + i + "]");
    }
  }

  @Test
  void f32GradientsMatchAHandWrittenBackwardPass() {
    // the model sees the weights rounded to float; the reference uses the same values
    Reference ref = reference(rounded(w1), rounded(b1), rounded(w2), rounded(b2), x, y);
    assertTrue(ref.loss() > 0.3, "a non-trivial loss: " + ref.loss());
    int active = 0;
    for (double g : ref.gradient().get("fc1.W")) {
      active += g != 0 ? 1 : 0;
    }
    assertTrue(active > 10, "most ReLUs pass a gradient");
    CliRun r = CliRun.of("eval", model.toString(), "--weights", weightsF32("w.safetensors")
        .toString(), "--inputs", inputs().toString(), "--json").ok();
    crossCheck(ref, r, 1e-4, 1e-6);
  }

  @Test
  void i32LabelsGiveTheSameResult() {
    int[] y32 = Arrays.stream(y).mapToInt(v -> (int) v).toArray();
    Path in = inputs("x32.safetensors", Map.of("x", Tensor.f32(floats(x), B, IN),
        "y", Tensor.i32(y32, B)));
    Path w = weightsF32("w.safetensors");
    CliRun a = CliRun.of("eval", model.toString(), "--weights", w.toString(), "--inputs",
        in.toString(), "--json").ok();
    CliRun b = CliRun.of("eval", model.toString(), "--weights", w.toString(), "--inputs",
        inputs().toString(), "--json").ok();
    assertEquals(b.out(), a.out());
  }

  @Test
  void f64GradientsMatchToNinePlaces() {
    Reference ref = reference(w1, b1, w2, b2, x, y);
    CliRun r = CliRun.of("eval", model.toString(), "--f64", "--weights",
        weightsF64("w64.safetensors").toString(), "--inputs", inputs().toString(), "--json").ok();
    crossCheck(ref, r, 1e-9, 1e-12);
  }

  /** Issue 15 item 14: F64 inputs were rounded to float32 on the way into the batch. */
  @Test
  void f64InputsAreNotRoundedToF32() {
    Random rnd = new Random(7);
    double[] exact = new double[B * IN];
    for (int i = 0; i < exact.length; i++) {
      exact[i] = rnd.nextGaussian(); // not representable as floats
    }
    Path in = inputs("x64.safetensors", Map.of("x", Tensor.f64(exact, B, IN), "y", Tensor.i64(y, B)));
    Reference ref = reference(w1, b1, w2, b2, exact, y);
    CliRun r = CliRun.of("eval", model.toString(), "--f64", "--weights",
        weightsF64("w64.safetensors").toString(), "--inputs", in.toString(), "--json").ok();
    crossCheck(ref, r, 1e-10, 1e-12); // rounding x to float changes them by about 1e-8
  }

  @Test
  void f64NeedsF64Weights() {
    CliRun.of("eval", model.toString(), "--f64", "--weights", weightsF32("w.safetensors")
        .toString(), "--inputs", inputs().toString(), "--json")
        .userError(1, "w.safetensors", "fc1.W", "F32", "F64");
  }

  @Test
  void missingInputTensorIsNamed() {
    Path in = inputs("onlyx.safetensors", Map.of("x", Tensor.f32(floats(x), B, IN)));
    CliRun.of("eval", model.toString(), "--weights", weightsF32("w.safetensors").toString(),
        "--inputs", in.toString(), "--json")
        .userError(1, "onlyx.safetensors", "no tensor named 'y'");
  }

  @Test
  void wrongInputShapeNamesBothShapes() {
    Path in = inputs("narrow.safetensors", Map.of("x", Tensor.f32(new float[B * 4], B, 4),
        "y", Tensor.i64(y, B)));
    CliRun.of("eval", model.toString(), "--weights", weightsF32("w.safetensors").toString(),
        "--inputs", in.toString(), "--json")
        .userError(1, "narrow.safetensors", "[6, 4]", "[6, 5]");
  }

  @Test
  void differentBatchSizesAreAnError() {
    Path in = inputs("sizes.safetensors", Map.of("x", Tensor.f32(floats(x), B, IN),
        "y", Tensor.i64(new long[] {0, 1, 2}, 3)));
    CliRun.of("eval", model.toString(), "--weights", weightsF32("w.safetensors").toString(),
        "--inputs", in.toString(), "--json").userError(1, "6", "3");
  }

  @Test
  void labelOutOfRangeIsNamed() {
    long[] bad = y.clone();
    bad[4] = 3;
    Path in = inputs("badlabel.safetensors", Map.of("x", Tensor.f32(floats(x), B, IN),
        "y", Tensor.i64(bad, B)));
    CliRun.of("eval", model.toString(), "--weights", weightsF32("w.safetensors").toString(),
        "--inputs", in.toString(), "--json")
        .userError(1, "label y[4] = 3 is not in [0, 3)");
    bad[4] = -1;
    Path neg = inputs("neglabel.safetensors", Map.of("x", Tensor.f32(floats(x), B, IN),
        "y", Tensor.i64(bad, B)));
    CliRun.of("eval", model.toString(), "--weights", weightsF32("w.safetensors").toString(),
        "--inputs", neg.toString(), "--json")
        .userError(1, "label y[4] = -1");
  }

  @Test
  void floatLabelsAreRejected() {
    Path in = inputs("flabel.safetensors", Map.of("x", Tensor.f32(floats(x), B, IN),
        "y", Tensor.f32(new float[B], B)));
    CliRun.of("eval", model.toString(), "--weights", weightsF32("w.safetensors").toString(),
        "--inputs", in.toString(), "--json").userError(1, "label y must be I32 or I64");
  }

  @Test
  void truncatedWeightsFileIsOneLine() throws IOException {
    Path w = weightsF32("w.safetensors");
    byte[] all = Files.readAllBytes(w);
    for (int keep : new int[] {0, 5, 40, all.length - 4}) {
      Path cut = Files.write(dir.resolve("cut" + keep + ".safetensors"),
          Arrays.copyOf(all, keep));
      CliRun.of("eval", model.toString(), "--weights", cut.toString(), "--inputs",
          inputs().toString(), "--json").userError(1, cut.toString());
    }
  }

  @Test
  void weightsForAnotherModelNameTheMissingTensor() {
    Map<String, Tensor> t = new LinkedHashMap<>();
    t.put("fc1.W", Tensor.f32(floats(w1), IN, HID));
    t.put("fc1.b", Tensor.f32(floats(b1), HID));
    t.put("fc2.W", Tensor.f32(floats(w2), HID, OUT));
    Path p = dir.resolve("three.safetensors");
    SafeTensors.write(p, t, null);
    CliRun.of("eval", model.toString(), "--weights", p.toString(), "--inputs",
        inputs().toString(), "--json").userError(1, "three.safetensors", "missing tensor fc2.b");
  }

  @Test
  void missingFilesAreOneLine() {
    CliRun.of("eval", model.toString(), "--weights", dir.resolve("none.safetensors").toString(),
        "--inputs", inputs().toString()).userError(1, "none.safetensors: no such file");
    CliRun.of("eval", model.toString(), "--weights", weightsF32("w.safetensors").toString(),
        "--inputs", dir.resolve("nox.safetensors").toString())
        .userError(1, "nox.safetensors: no such file");
  }
}
