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

  /** A layer of the library, instantiated as {@code instance}, with its reference. */
  private record Case(String layer, String instance, int in, int out, Reference reference) {}

  private static final int N = 5;

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
      new Case("LogSoftmax", "LogSoftmax(5)", N, N, (h, p) -> softmax(h, true)));

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
   * A model that feeds the layer the output of a Dense layer (so that the gradient of every
   * parameter before it passes through the layer) and reports both.
   */
  private static String model(Case c) {
    return "import nn;\n"
        + "model M {\n"
        + "  input x: [" + c.in() + "];\n"
        + "  target t: [" + c.out() + "];\n"
        + "  let pre = Dense(" + c.in() + ", " + c.in() + ");\n"
        + "  let tested = " + c.instance() + ";\n"
        + "  let h = pre(x);\n"
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
      if (c.out() == N) {
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
        double[] h = new double[c.in()];
        for (int i = 0; i < h.length; i++) {
          h[i] = hidden[e * c.in() + i];
        }
        double[] expected = c.reference().apply(h, params);
        for (int i = 0; i < c.out(); i++) {
          assertEquals(expected[i], y[e * c.out() + i], 1e-5 * Math.max(1, Math.abs(expected[i])),
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
}
