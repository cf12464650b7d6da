package dev.nnc.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.ast.Decl;
import dev.nnc.compiler.ast.Program;
import dev.nnc.compiler.diag.Diagnostic;
import dev.nnc.compiler.diag.Diagnostics;
import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.compiler.ir.ElementType;
import dev.nnc.compiler.syntax.SyntaxParser;
import dev.nnc.runtime.Batch;
import dev.nnc.runtime.GradientCheck;
import dev.nnc.runtime.Model;
import dev.nnc.runtime.Parameter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The standard library ({@code import nn;}): it compiles, and every layer in it computes what
 * docs/stdlib.md says (its outputs against a reference written here in plain Java) and has
 * gradients that match central finite differences through a small model. A layer added to the
 * library without a case here fails {@link #everyLayerHasACase}.
 */
class StandardLibraryTest {
  /** What a layer computes on one example: {@code h} its input, {@code p} its parameters. */
  private interface Reference {
    double[] apply(double[] h, Map<String, double[]> p);
  }

  /**
   * A layer of the library, instantiated as {@code instance}, taking one example of shape
   * {@code in} to one of shape {@code out}, with its reference (on flat row-major arrays).
   */
  private record Case(String layer, String instance, int[] in, int[] out, Reference reference) {
    Case(String layer, String instance, int in, int out, Reference reference) {
      this(layer, instance, new int[] {in}, new int[] {out}, reference);
    }

    int inSize() {
      return size(in);
    }

    int outSize() {
      return size(out);
    }
  }

  private static int size(int[] shape) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  private static String text(int[] shape) {
    return java.util.Arrays.toString(shape);
  }

  private static final int N = 5;

  /** The image the convolutional layers take: 2 channels, 7 x 6 (not square, odd height). */
  private static final int[] IMAGE = {2, 7, 6};

  private static final List<Case> CASES = List.of(
      new Case("Dense", "Dense(5, 3)", N, 3, (h, p) -> {
        double[] w = p.get("W");
        double[] b = p.get("b");
        double[] y = new double[3];
        for (int j = 0; j < 3; j++) {
          y[j] = b[j];
          for (int i = 0; i < N; i++) {
            y[j] += h[i] * w[i * 3 + j];
          }
        }
        return y;
      }),
      new Case("LayerNorm", "LayerNorm(5)", N, N, (h, p) -> {
        double mean = 0;
        for (double v : h) {
          mean += v / N;
        }
        double variance = 0;
        for (double v : h) {
          variance += (v - mean) * (v - mean) / N;
        }
        double[] y = new double[N];
        for (int i = 0; i < N; i++) {
          y[i] = (h[i] - mean) / Math.sqrt(variance + 1e-5) * p.get("gain")[i] + p.get("bias")[i];
        }
        return y;
      }),
      elementwise("ReLU", v -> Math.max(v, 0)),
      elementwise("LeakyReLU", v -> v > 0 ? v : 0.01 * v),
      elementwise("Tanh", Math::tanh),
      elementwise("Sigmoid", v -> 1 / (1 + Math.exp(-v))),
      elementwise("Softplus", v -> Math.log1p(Math.exp(v))),
      elementwise("GELU", v -> v * 0.5 * (1 + erf(v / Math.sqrt(2)))),
      elementwise("SiLU", v -> v / (1 + Math.exp(-v))),
      new Case("Softmax", "Softmax(5)", N, N, (h, p) -> softmax(h, false)),
      new Case("LogSoftmax", "LogSoftmax(5)", N, N, (h, p) -> softmax(h, true)),
      // stride 2 and padding 1: output floor((7 + 2 - 3) / 2) + 1 = 4 by floor((6 + 2 - 3) / 2)
      // + 1 = 3
      new Case("Conv2d", "Conv2d(2, 3, 3, 2, 1)", IMAGE, new int[] {3, 4, 3},
          (h, p) -> conv(h, p.get("W"), p.get("b"), 3, 3, 2, 1)),
      new Case("MaxPool2d", "MaxPool2d(2)", IMAGE, new int[] {2, 3, 3},
          (h, p) -> pool(h, 2, true)),
      new Case("AvgPool2d", "AvgPool2d(2)", IMAGE, new int[] {2, 3, 3},
          (h, p) -> pool(h, 2, false)),
      new Case("Flatten", "Flatten()", IMAGE, new int[] {size(IMAGE)}, (h, p) -> h.clone()),
      // the identity outside training steps (see dropoutLayerPassesItsRate for the rate)
      new Case("Dropout", "Dropout(0.4)", N, N, (h, p) -> h.clone()));

  /**
   * PyTorch's conv2d of one IMAGE-shaped example: {@code out} channels of k x k kernels
   * {@code w [out, in, k, k]}, bias {@code b}, zero padding, written as the definition.
   */
  private static double[] conv(double[] x, double[] w, double[] b, int out, int k, int stride,
      int padding) {
    int c = IMAGE[0];
    int height = IMAGE[1];
    int width = IMAGE[2];
    int oh = (height + 2 * padding - k) / stride + 1;
    int ow = (width + 2 * padding - k) / stride + 1;
    double[] y = new double[out * oh * ow];
    for (int o = 0; o < out; o++) {
      for (int r = 0; r < oh; r++) {
        for (int q = 0; q < ow; q++) {
          double sum = b[o];
          for (int i = 0; i < c; i++) {
            for (int u = 0; u < k; u++) {
              for (int v = 0; v < k; v++) {
                int row = r * stride - padding + u;
                int col = q * stride - padding + v;
                if (row >= 0 && row < height && col >= 0 && col < width) {
                  sum += w[((o * c + i) * k + u) * k + v] * x[(i * height + row) * width + col];
                }
              }
            }
          }
          y[(o * oh + r) * ow + q] = sum;
        }
      }
    }
    return y;
  }

  /** Max or average pooling of one IMAGE-shaped example, k x k windows, stride k. */
  private static double[] pool(double[] x, int k, boolean max) {
    int c = IMAGE[0];
    int height = IMAGE[1];
    int width = IMAGE[2];
    int oh = (height - k) / k + 1;
    int ow = (width - k) / k + 1;
    double[] y = new double[c * oh * ow];
    for (int i = 0; i < c; i++) {
      for (int r = 0; r < oh; r++) {
        for (int q = 0; q < ow; q++) {
          double acc = max ? Double.NEGATIVE_INFINITY : 0;
          for (int u = 0; u < k; u++) {
            for (int v = 0; v < k; v++) {
              double e = x[(i * height + r * k + u) * width + q * k + v];
              acc = max ? Math.max(acc, e) : acc + e / (k * k);
            }
          }
          y[(i * oh + r) * ow + q] = acc;
        }
      }
    }
    return y;
  }

  private static Case elementwise(String layer, java.util.function.DoubleUnaryOperator f) {
    return new Case(layer, layer + "(5)", N, N, (h, p) -> {
      double[] y = new double[h.length];
      for (int i = 0; i < h.length; i++) {
        y[i] = f.applyAsDouble(h[i]);
      }
      return y;
    });
  }

  private static double[] softmax(double[] h, boolean log) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : h) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (double v : h) {
      sum += Math.exp(v - max);
    }
    double[] y = new double[h.length];
    for (int i = 0; i < h.length; i++) {
      y[i] = log ? h[i] - max - Math.log(sum) : Math.exp(h[i] - max) / sum;
    }
    return y;
  }

  /** The error function (Abramowitz and Stegun 7.1.26, error below 1.5e-7). */
  private static double erf(double x) {
    double t = 1 / (1 + 0.3275911 * Math.abs(x));
    double poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741
        + t * (-1.453152027 + t * 1.061405429))));
    double y = 1 - poly * Math.exp(-x * x);
    return x >= 0 ? y : -y;
  }

  /**
   * A model that feeds the layer the output of a Dense layer, or for an image an elementwise
   * scaling by a parameter (so that the gradient of every parameter before it passes through the
   * layer), and reports both.
   */
  private static String model(Case c) {
    boolean vector = c.in().length == 1;
    return "import nn;\n"
        + "model M {\n"
        + "  input x: " + text(c.in()) + ";\n"
        + "  target t: " + text(c.out()) + ";\n"
        + (vector ? "  let pre = Dense(" + c.inSize() + ", " + c.inSize() + ");\n"
            : "  param pre: " + text(c.in()) + " init uniform(0.5, 1.5);\n")
        + "  let tested = " + c.instance() + ";\n"
        + (vector ? "  let h = pre(x);\n" : "  let h = x * pre;\n")
        + "  output hidden = h;\n"
        + "  output y = tested(h);\n"
        + "  loss mse(y, t);\n"
        + "}\n";
  }

  /** The compiled model of each case (f64), simplified or not: each is compiled once. */
  private static final Map<String, Model> COMPILED = new java.util.concurrent.ConcurrentHashMap<>();

  private static Model compiled(Case c, boolean simplify) {
    return COMPILED.computeIfAbsent(c.layer() + simplify,
        k -> GeneratedModels.compile(model(c), ElementType.F64, simplify));
  }

  static String libraryText() throws IOException {
    try (InputStream in = Compiler.class.getResourceAsStream("/dev/nnc/compiler/stdlib/nn.nn")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static List<String> libraryLayers() throws IOException {
    Program program = SyntaxParser.parse(new SourceFile("nn.nn", libraryText()),
        new Diagnostics());
    List<String> layers = new ArrayList<>();
    for (Decl d : program.decls()) {
      if (d instanceof Decl.Layer layer) {
        layers.add(layer.name());
      }
    }
    return layers;
  }

  @Test
  void everyLayerHasACase() throws IOException {
    TreeSet<String> tested = new TreeSet<>();
    CASES.forEach(c -> tested.add(c.layer()));
    assertEquals(new TreeSet<>(libraryLayers()), tested);
  }

  @Test
  void theLibraryChecksOnItsOwnWithOnlyTheUninstantiatedLayerWarnings() throws IOException {
    Compiler.CheckResult r = Compiler.check(new SourceFile("nn.nn", libraryText()));
    assertTrue(r.ok(), r.render());
    for (Diagnostic d : r.diagnostics()) {
      assertTrue(d.message().contains("is never instantiated"), d.headline());
    }
  }

  @Test
  void aModelUsingEveryLayerChecksWithoutAnyDiagnostic() {
    StringBuilder m = new StringBuilder("import nn;\nmodel All {\n  input x: [5];\n"
        + "  target t: [5];\n");
    String h = "x";
    int k = 0;
    for (Case c : CASES) {
      if (c.in().length == 1 && c.inSize() == N && c.outSize() == N) {
        m.append("  let l").append(k).append(" = ").append(c.instance()).append(";\n");
        h = "l" + k++ + "(" + h + ")";
      }
    }
    m.append("  loss mse(").append(h).append(", t);\n}\n");
    Compiler.CheckResult r = Compiler.check(new SourceFile("all.nn", m.toString()));
    assertTrue(r.ok() && r.diagnostics().isEmpty(), m + r.render());
    assertTrue(r.files().containsKey("<stdlib>/nn.nn"), r.files().keySet().toString());
  }

  @Test
  void theExamplesInTheLibrarysDocumentationCheckClean() throws IOException {
    String doc = java.nio.file.Files.readString(java.nio.file.Path.of("../docs/stdlib.md"));
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("```\\n(import nn;\\n.*?)```",
        java.util.regex.Pattern.DOTALL).matcher(doc);
    int examples = 0;
    while (m.find()) {
      Compiler.CheckResult r = Compiler.check(new SourceFile("example.nn", m.group(1)));
      assertTrue(r.ok() && r.diagnostics().isEmpty(), m.group(1) + r.render());
      examples++;
    }
    assertTrue(examples >= 2, "found " + examples + " examples");
  }

  @TestFactory
  Stream<DynamicTest> everyLayerComputesItsReferenceValue() {
    return CASES.stream().map(c -> DynamicTest.dynamicTest(c.layer(), () -> {
      Model model = compiled(c, true);
      SplittableRandom random = new SplittableRandom(3);
      model.initialize(3);
      for (Parameter p : model.parameters()) { // non-trivial gains and biases too
        for (int i = 0; i < p.size(); i++) {
          p.set(i, p.get(i) + random.nextDouble(-0.5, 0.5));
        }
      }
      int examples = 4;
      Batch batch = GeneratedModels.randomBatch(model, examples, 5);
      for (int i = 0; i < batch.doubles("x").length; i++) {
        batch.doubles("x")[i] *= 3; // reach both sides of the activations' bends
      }
      model.forward(batch);
      Map<String, double[]> params = new LinkedHashMap<>();
      for (Parameter p : model.parameters()) {
        if (p.name().startsWith("tested.")) {
          double[] v = new double[p.size()];
          for (int i = 0; i < v.length; i++) {
            v[i] = p.get(i);
          }
          params.put(p.name().substring("tested.".length()), v);
        }
      }
      float[] hidden = model.output("hidden");
      float[] y = model.output("y");
      for (int e = 0; e < examples; e++) {
        double[] h = new double[c.inSize()];
        for (int i = 0; i < h.length; i++) {
          h[i] = hidden[e * c.inSize() + i];
        }
        double[] expected = c.reference().apply(h, params);
        assertEquals(c.outSize(), expected.length, c.layer() + " reference size");
        for (int i = 0; i < c.outSize(); i++) {
          assertEquals(expected[i], y[e * c.outSize() + i],
              1e-5 * Math.max(1, Math.abs(expected[i])),
              c.layer() + " example " + e + " output " + i);
        }
      }
    }));
  }

  @TestFactory
  Stream<DynamicTest> everyLayerHasGradientsMatchingFiniteDifferences() {
    return CASES.stream().map(c -> DynamicTest.dynamicTest(c.layer(), () -> {
      for (boolean simplify : new boolean[] {true, false}) {
        Model model = compiled(c, simplify);
        for (long seed = 1; seed <= 3; seed++) {
          GradientCheck.check(model, seed);
        }
      }
    }));
  }

  @Test
  void dropoutLayerPassesItsRealValuedRateToTheBuiltIn() {
    // Dropout(0.4) is the one real-valued layer argument; its mask in a training step is
    // dropout's, checked in ConvModelTest. Here: the rate arrives, and a labelled argument works.
    for (String call : List.of("Dropout(0.4)", "Dropout(rate: 0.4)")) {
      dev.nnc.compiler.ir.ModelIr model = TestPrograms.check("import nn;\nmodel M {\n"
          + "  input x: [5];\n  target t: [5];\n  let fc = Dense(5, 5);\n"
          + "  let d = " + call + ";\n  loss mse(d(fc(x)), t);\n}\n").models().get(0);
      List<Double> rates = new ArrayList<>();
      for (dev.nnc.compiler.ir.Node n : dev.nnc.compiler.ir.GraphOrder.reachable(model.loss())) {
        if (n instanceof dev.nnc.compiler.ir.Node.Apply a
            && a.op() == dev.nnc.compiler.ir.Op.DROPOUT) {
          rates.add(((dev.nnc.compiler.ir.Dropout) a.attributes()).rate());
        }
      }
      assertEquals(List.of(0.4), rates, call);
    }
  }

  @Test
  void realValuedLayerArgumentsAreNeverSizes() {
    // 0.5 for Dense's n_in (a size) is the old error at the argument; a rate out of range is
    // dropout's error, reported inside the library at the use
    Compiler.CheckResult dense = Compiler.check(new SourceFile("m.nn", "import nn;\nmodel M {\n"
        + "  input x: [5];\n  target t: [3];\n  let fc = Dense(0.5, 3);\n"
        + "  loss mse(fc(x), t);\n}\n"));
    assertTrue(!dense.ok() && dense.render().contains(
        "m.nn:5:18: error: layer argument n_in must be a non-negative integer constant"),
        dense.render());
    Compiler.CheckResult rate = Compiler.check(new SourceFile("m.nn", "import nn;\nmodel M {\n"
        + "  input x: [5];\n  target t: [5];\n  let d = Dropout(1.5);\n"
        + "  loss mse(d(x), t);\n}\n"));
    assertTrue(!rate.ok() && rate.render().contains("rate must be a number in [0, 1), got 1.5"),
        rate.render());
    Compiler.CheckResult label = Compiler.check(new SourceFile("m.nn", "import nn;\n"
        + "model M {\n  input x: [1, 6, 6];\n  target t: [2, 4, 4];\n"
        + "  let c = Conv2d(1, 2, 3, padding: 0, stride: 1);\n  loss mse(c(x), t);\n}\n"));
    assertTrue(!label.ok() && label.render().contains("m.nn:5:27: error: layer Conv2d has no"
        + " argument 'padding' at position 4 (it is stride)"), label.render());
  }

  /** generated-samples' LeNet as written before the library had convolutional layers. */
  static final String LENET_WITH_OWN_LAYERS = """
      layer ConvPool(c_in, c_out, pad)(x: [c_in, h, w]) {
        param W: [c_out, c_in, 5, 5] init he;
        param b: [c_out] init zeros;
        return max_pool2d(relu(conv2d(x, W, b, padding: pad)), size: 2);
      }

      layer Dense(n_in, n_out)(x: [n_in]) {
        param W: [n_in, n_out] init he;
        param b: [n_out] init zeros;
        return x @ W + b;
      }

      model LeNet {
        input x: [1, 28, 28];
        label y: class(10);
        let conv1 = ConvPool(1, 6, 2);     // [6, 14, 14]
        let conv2 = ConvPool(6, 16, 0);    // [16, 5, 5]
        let fc1 = Dense(400, 120);
        let fc2 = Dense(120, 84);
        let fc3 = Dense(84, 10);
        let features = flatten(conv2(conv1(x)));
        let logits = fc3(relu(fc2(relu(fc1(features)))));
        output probs = softmax(logits);
        output predicted = argmax(logits);
        loss cross_entropy(logits, y);
        optimizer sgd(lr: 0.01, momentum: 0.9, weight_decay: 0.0005);
      }
      """;

  /** The same LeNet from the library only: the text proposed for lenet.nn. */
  static final String LENET_FROM_LIBRARY = """
      import nn;   // Conv2d, MaxPool2d and Dense, from nnc's standard library (docs/stdlib.md)

      model LeNet {
        input x: [1, 28, 28];
        label y: class(10);
        let conv1 = Conv2d(1, 6, 5, stride: 1, padding: 2);    // [6, 28, 28]
        let pool1 = MaxPool2d(2);                               // [6, 14, 14]
        let conv2 = Conv2d(6, 16, 5, stride: 1, padding: 0);   // [16, 10, 10]
        let pool2 = MaxPool2d(2);                               // [16, 5, 5]
        let fc1 = Dense(400, 120);
        let fc2 = Dense(120, 84);
        let fc3 = Dense(84, 10);
        let features = flatten(pool2(relu(conv2(pool1(relu(conv1(x)))))));
        let logits = fc3(relu(fc2(relu(fc1(features)))));
        output probs = softmax(logits);
        output predicted = argmax(logits);
        loss cross_entropy(logits, y);
        // lr 0.05 overshot (98.0% after 5 epochs); without weight decay 98.6-98.9%
        optimizer sgd(lr: 0.01, momentum: 0.9, weight_decay: 0.0005);
      }
      """;

  /** generated-samples' digits_cnn as written before the library had convolutional layers. */
  static final String DIGITS_CNN_WITH_OWN_LAYERS = """
      layer ConvPool(c_in, c_out)(x: [c_in, h, w]) {
        param W: [c_out, c_in, 3, 3] init he;
        param b: [c_out] init zeros;
        return max_pool2d(relu(conv2d(x, W, b, padding: 1)), size: 2);
      }

      layer Dense(n_in, n_out)(x: [n_in]) {
        param W: [n_in, n_out] init he;
        param b: [n_out] init zeros;
        return x @ W + b;
      }

      model DigitsCnn {
        input x: [1, 8, 8];
        label y: class(10);
        let conv1 = ConvPool(1, 8);      // [8, 4, 4]
        let conv2 = ConvPool(8, 16);     // [16, 2, 2]
        let classify = Dense(64, 10);
        let logits = classify(flatten(conv2(conv1(x))));
        output probs = softmax(logits);
        output predicted = argmax(logits);
        loss cross_entropy(logits, y);
        optimizer sgd(lr: 0.05, momentum: 0.9);
      }
      """;

  /** The same network from the library only: the text proposed for digits_cnn.nn. */
  static final String DIGITS_CNN_FROM_LIBRARY = """
      import nn;   // Conv2d, MaxPool2d and Dense, from nnc's standard library (docs/stdlib.md)

      model DigitsCnn {
        input x: [1, 8, 8];
        label y: class(10);
        let conv1 = Conv2d(1, 8, 3, stride: 1, padding: 1);    // [8, 8, 8]
        let conv2 = Conv2d(8, 16, 3, stride: 1, padding: 1);   // [16, 4, 4]
        let pool = MaxPool2d(2);                                // halves each side
        let classify = Dense(64, 10);
        let logits = classify(flatten(pool(relu(conv2(pool(relu(conv1(x))))))));
        output probs = softmax(logits);
        output predicted = argmax(logits);
        loss cross_entropy(logits, y);
        optimizer sgd(lr: 0.05, momentum: 0.9);
      }
      """;

  @TestFactory
  Stream<DynamicTest> theCnnSamplesNeedNoLayersOfTheirOwn() {
    return Stream.of(
        DynamicTest.dynamicTest("LeNet", () -> sameNetwork(LENET_WITH_OWN_LAYERS,
            LENET_FROM_LIBRARY, List.of("conv1.W", "conv1.b", "conv2.W", "conv2.b", "fc1.W",
                "fc1.b", "fc2.W", "fc2.b", "fc3.W", "fc3.b"))),
        DynamicTest.dynamicTest("DigitsCnn", () -> sameNetwork(DIGITS_CNN_WITH_OWN_LAYERS,
            DIGITS_CNN_FROM_LIBRARY, List.of("conv1.W", "conv1.b", "conv2.W", "conv2.b",
                "classify.W", "classify.b"))));
  }

  /**
   * The library version checks without a diagnostic, declares no layer, and compiles (f32, the
   * runtime's conv and pool kernels) to a model with the same parameters, in the same order, of
   * the same shapes, initialized to the same bits, computing the same loss and gradients as the
   * version with its own layers.
   */
  private static void sameNetwork(String own, String library, List<String> names) {
    Compiler.CheckResult r = Compiler.check(new SourceFile("lib.nn", library));
    assertTrue(r.ok() && r.diagnostics().isEmpty(), r.render());
    assertTrue(!library.contains("layer "), "the library version declares no layer");
    Model a = GeneratedModels.compile(own, ElementType.F32, true);
    Model b = GeneratedModels.compile(library, ElementType.F32, true);
    List<String> namesA = new ArrayList<>();
    List<String> namesB = new ArrayList<>();
    a.parameters().forEach(p -> namesA.add(p.name()));
    b.parameters().forEach(p -> namesB.add(p.name()));
    assertEquals(names, namesA);
    assertEquals(names, namesB);
    a.initialize(7);
    b.initialize(7);
    for (int k = 0; k < names.size(); k++) {
      Parameter pa = a.parameters().get(k);
      Parameter pb = b.parameters().get(k);
      assertEquals(java.util.Arrays.toString(pa.shape()), java.util.Arrays.toString(pb.shape()),
          names.get(k));
      for (int i = 0; i < pa.size(); i++) {
        assertEquals(pa.get(i), pb.get(i), names.get(k) + "[" + i + "] initialized");
      }
    }
    Batch batch = GeneratedModels.randomBatch(a, 3, 11);
    double lossA = a.forwardBackward(batch);
    double lossB = b.forwardBackward(batch);
    assertEquals(lossA, lossB, 1e-5 * Math.max(1, Math.abs(lossA)), "loss");
    for (int k = 0; k < names.size(); k++) {
      Parameter pa = a.parameters().get(k);
      Parameter pb = b.parameters().get(k);
      for (int i = 0; i < pa.size(); i++) {
        assertEquals(pa.grad(i), pb.grad(i), 1e-4 * Math.max(1e-2, Math.abs(pa.grad(i))),
            names.get(k) + "[" + i + "] gradient");
      }
    }
  }
}
