package dev.nnc.compiler.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.autodiff.DerivedModel;
import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.compiler.interp.Interpreter;
import dev.nnc.compiler.ir.FunctionIr;
import dev.nnc.compiler.ir.ModelIr;
import dev.nnc.compiler.ir.Node;
import dev.nnc.compiler.ir.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/** The picture model: labels, values above and gradients below the wires, layer groups. */
class PictureBuilderTest {
  private static Compiler.CheckResult check(String text) {
    Compiler.CheckResult r = Compiler.check(new SourceFile("test.nn", text));
    assertTrue(r.ok(), r.render());
    return r;
  }

  private static Picture function(String text, boolean simplify, Map<String, double[]> at) {
    Compiler.CheckResult r = check(text);
    FunctionIr fn = r.program().functions().get(0);
    return PictureBuilder.function(r.source(), fn, simplify, at);
  }

  private static Map<String, double[]> at(Object... nameValue) {
    Map<String, double[]> at = new LinkedHashMap<>();
    for (int i = 0; i < nameValue.length; i += 2) {
      at.put((String) nameValue[i], new double[] {((Number) nameValue[i + 1]).doubleValue()});
    }
    return at;
  }

  /** The wire from the box labelled {@code from} into the box labelled {@code to}. */
  private static Picture.Wire wire(Picture p, String from, String to) {
    for (Picture.Wire w : p.wires()) {
      if (p.box(w.from()).label().equals(from) && p.box(w.to()).label().equals(to)) {
        return w;
      }
    }
    throw new AssertionError("no wire " + from + " -> " + to + " in " + p.wires());
  }

  @Test
  void chainRuleExampleShowsValuesAboveAndGradientsBelow() {
    Picture p = function("fn f(x, y, z) {\n  let q = x + y;\n  return q * z;\n}\n", true,
        at("x", -2, "y", 5, "z", -4));
    assertTrue(p.values());
    assertEquals("fn f", p.title());
    assertEquals("-2", wire(p, "x", "+").value());
    assertEquals("-4", wire(p, "x", "+").gradient());
    assertEquals("5", wire(p, "y", "+").value());
    assertEquals("-4", wire(p, "y", "+").gradient());
    assertEquals("-4", wire(p, "z", "*").value());
    assertEquals("3", wire(p, "z", "*").gradient());
    assertEquals("q = 3", wire(p, "+", "*").value());
    assertEquals("-4", wire(p, "+", "*").gradient());
    assertEquals("-12", wire(p, "*", "f").value());
    assertEquals("1", wire(p, "*", "f").gradient());
    Picture.Box plus = p.boxes().stream().filter(b -> b.label().equals("+")).findFirst()
        .orElseThrow();
    assertEquals(2, plus.line());
    assertEquals("2: x + y", plus.caption());
    assertEquals(Picture.Kind.OUTPUT, p.boxes().get(p.boxes().size() - 1).kind());
  }

  @Test
  void withoutValuesWiresCarryOnlyLetNames() {
    Picture p = function("fn f(x, y, z) {\n  let q = x + y;\n  return q * z;\n}\n", true, null);
    assertTrue(!p.values());
    assertEquals("", wire(p, "x", "+").value());
    assertEquals("", wire(p, "x", "+").gradient());
    assertEquals("q", wire(p, "+", "*").value());
  }

  @Test
  void sigmoidNeuronUnsimplifiedHasTheLectureGates() {
    String neuron = "fn neuron(w0, w1, w2, x0, x1) {\n  let s = w0*x0 + w1*x1 + w2;\n"
        + "  return 1 / (1 + exp(-s));\n}\n";
    Map<String, double[]> at = at("w0", 2, "w1", -3, "w2", -3, "x0", -1, "x1", -2);
    Picture raw = function(neuron, false, at);
    assertEquals("s = 1", wire(raw, "+", "-x").value());
    assertEquals("0.197", wire(raw, "+", "-x").gradient());
    assertEquals("-1", wire(raw, "-x", "exp").value());
    assertEquals("-0.197", wire(raw, "-x", "exp").gradient());
    assertEquals("0.368", wire(raw, "exp", "+1").value());
    assertEquals("-0.534", wire(raw, "exp", "+1").gradient());
    assertEquals("1.37", wire(raw, "+1", "1/x").value());
    assertEquals("0.731", wire(raw, "1/x", "neuron").value());
    assertEquals("-0.197", wire(raw, "w0", "*").gradient());
    Picture simplified = function(neuron, true, at);
    assertEquals("0.197", wire(simplified, "+", "sigmoid").gradient());
    assertEquals("0.731", wire(simplified, "sigmoid", "neuron").value());
  }

  @Test
  void constantsFoldIntoGateLabels() {
    Picture p = function("fn f(x) = 2 - x^2 / 3 + max(0, x);\n", false, null);
    List<String> labels = new ArrayList<>();
    p.boxes().forEach(b -> labels.add(b.label()));
    assertTrue(labels.contains("x^2"), labels.toString());
    assertTrue(labels.contains("x/3"), labels.toString());
    assertTrue(labels.contains("2-x"), labels.toString());
    assertTrue(labels.contains("max(0, x)"), labels.toString());
    // constants are never boxes of their own
    assertTrue(p.boxes().stream().noneMatch(b -> b.kind() == Picture.Kind.CONSTANT));
  }

  /**
   * Fan-out: the gradients on the wires leaving an input add up to the derivative of the
   * function with respect to it (central finite differences), for a value read three times.
   */
  @Test
  void gradientsOnTheWiresLeavingAValueAddUpToItsDerivative() {
    String text = "fn g(x, y) {\n  let a = x * y;\n  return a * a + sin(a) * x + exp(y);\n}\n";
    double x = 0.7;
    double y = -1.3;
    ToDoubleFunction<double[]> g = v -> {
      double a = v[0] * v[1];
      return a * a + Math.sin(a) * v[0] + Math.exp(v[1]);
    };
    for (boolean simplify : new boolean[] {false, true}) {
      Picture p = function(text, simplify, at("x", x, "y", y));
      String[] names = {"x", "y"};
      for (int k = 0; k < 2; k++) {
        double sum = 0;
        int count = 0;
        for (Picture.Wire w : p.wires()) {
          if (p.box(w.from()).label().equals(names[k])) {
            sum += Double.parseDouble(w.gradient());
            count++;
          }
        }
        double[] plus = {x, y};
        double[] minus = {x, y};
        plus[k] += 1e-6;
        minus[k] -= 1e-6;
        double fd = (g.applyAsDouble(plus) - g.applyAsDouble(minus)) / 2e-6;
        assertTrue(count >= 2, names[k] + " fans out");
        // each wire's gradient is rounded to 3 significant digits
        assertEquals(fd, sum, 0.006 * count * Math.max(1, Math.abs(fd)),
            names[k] + " (simplify " + simplify + ")");
      }
    }
  }

  private static final String MLP = String.join("\n",
      "layer Dense(n_in, n_out)(x: [n_in]) {",
      "  param W: [n_in, n_out] init he;",
      "  param b: [n_out] init zeros;",
      "  return x @ W + b;",
      "}",
      "model Mlp {",
      "  input x: [3];",
      "  label y: class(2);",
      "  let fc1 = Dense(3, 4);",
      "  let fc2 = Dense(4, 2);",
      "  let logits = fc2(relu(fc1(x)));",
      "  output probs = softmax(logits);",
      "  loss cross_entropy(logits, y) + 0.01 * sum(fc1.W^2);",
      "}",
      "");

  @Test
  void modelBoxesAreGroupedByLayerInstance() {
    Compiler.CheckResult r = check(MLP);
    ModelIr model = r.program().models().get(0);
    Picture p = PictureBuilder.model(r.source(), dev.nnc.compiler.syntax.SyntaxParser.parse(r.source(), new dev.nnc.compiler.diag.Diagnostics()), model, true, null, 1);
    assertEquals(List.of("fc1 = Dense(3, 4)", "fc2 = Dense(4, 2)"),
        p.groups().stream().map(Picture.Group::label).toList());
    Map<String, List<String>> members = new HashMap<>();
    for (Picture.Box b : p.boxes()) {
      if (b.group() != null) {
        members.computeIfAbsent(b.group(), k -> new ArrayList<>()).add(b.label());
      }
    }
    assertTrue(members.get("g_fc1").containsAll(List.of("fc1.W", "fc1.b", "@", "+")),
        members.toString());
    assertTrue(members.get("g_fc2").containsAll(List.of("fc2.W", "fc2.b", "@", "+")),
        members.toString());
    assertTrue(!members.get("g_fc1").contains("fc2.W") && !members.get("g_fc2").contains("fc1.W"));
    Picture.Box relu = p.boxes().stream().filter(b -> b.label().equals("relu")).findFirst()
        .orElseThrow();
    assertNull(relu.group());
    assertEquals("[4]", relu.shape());
    Picture.Box label = p.boxes().stream().filter(b -> b.label().equals("y")).findFirst()
        .orElseThrow();
    assertEquals("class(2)", label.shape());
    assertEquals("logits", wire(p, "+", "softmax").value());
    List<String> outputs = new ArrayList<>();
    p.boxes().stream().filter(b -> b.kind() == Picture.Kind.OUTPUT)
        .forEach(b -> outputs.add(b.label()));
    assertEquals(List.of("loss", "probs"), outputs);
  }

  /** The loss on the last wire is the batch-mean loss the derived model computes. */
  @Test
  void modelValuesAreTheBatchMeanLossAndItsGradients() {
    Map<String, double[]> values = new LinkedHashMap<>();
    values.put("x", new double[] {0.5, -1, 2, 1.5, 0.25, -0.75});
    values.put("y", new double[] {1, 0});
    values.put("fc1.W", fill(12, 0.3));
    values.put("fc1.b", fill(4, -0.1));
    values.put("fc2.W", fill(8, 0.7));
    values.put("fc2.b", new double[] {0.05, -0.05});
    Compiler.CheckResult r = check(MLP);
    ModelIr model = r.program().models().get(0);
    Picture p = PictureBuilder.model(r.source(), dev.nnc.compiler.syntax.SyntaxParser.parse(r.source(), new dev.nnc.compiler.diag.Diagnostics()), model, true, values, 2);
    Picture.Wire loss = wire(p, "batch mean", "loss");
    assertEquals("1", loss.gradient());

    Compiler.CheckResult again = check(MLP);
    ModelIr m = again.program().models().get(0);
    DerivedModel d = DerivedModel.derive(m, false);
    Map<Node.Var, double[]> inputs = new HashMap<>();
    for (Node.Var v : m.graph().vars()) {
      if (values.containsKey(v.name())) {
        inputs.put(v, values.get(v.name()));
      }
    }
    inputs.put(d.batchSize(), new double[] {2});
    Interpreter interpreter = new Interpreter(inputs, 2);
    double objective = interpreter.value(d.objective())[0];
    assertEquals(NumberText.number(objective), loss.value());
    // the gradient of the loss reaching fc2.b through its one use is the parameter's gradient
    double[] db = interpreter.value(d.gradients().get(3));
    assertEquals(NumberText.values(db, Shape.of(2), 1), wire(p, "fc2.b", "+").gradient());
    // per-example values are summarized over the batch (2 examples of [4])
    String relu = wire(p, "relu", "@").value();
    assertTrue(relu.startsWith("\u03bc="), relu);
    assertNotNull(wire(p, "y", "pick"));
  }

  /** A loss that reads no example is its own batch mean: drawn without a "batch mean" box. */
  @Test
  void aModelWhoseLossReadsNoExample() {
    Compiler.CheckResult r = check(String.join("\n",
        "model M {",
        "  input x: [2];",
        "  target t: [1];",
        "  param w: [2, 1] init ones;",
        "  output y = x @ w;",
        "  loss sum(w^2);",
        "}"));
    ModelIr model = r.program().models().get(0);
    Map<String, double[]> values = new LinkedHashMap<>();
    values.put("x", new double[] {1, 2});
    values.put("t", new double[] {0});
    values.put("w", new double[] {3, 4});
    Picture p = PictureBuilder.model(r.source(), dev.nnc.compiler.syntax.SyntaxParser.parse(
        r.source(), new dev.nnc.compiler.diag.Diagnostics()), model, true, values, 1);
    assertTrue(p.boxes().stream().noneMatch(b -> b.label().equals("batch mean")));
    assertEquals("25", wire(p, "sum", "loss").value());
  }

  private static double[] fill(int n, double scale) {
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = scale * Math.sin(1.7 * i + 0.3);
    }
    return out;
  }

  @Test
  void numbersAreShortAndDeterministic() {
    assertEquals("-0.197", NumberText.number(-0.1966119332));
    assertEquals("-12", NumberText.number(-12));
    assertEquals("0", NumberText.number(-0.0));
    assertEquals("1.23e-5", NumberText.number(1.234e-5));
    assertEquals("-2e8", NumberText.number(-2e8));
    assertEquals("0.001", NumberText.number(0.001));
    assertEquals("NaN", NumberText.number(Double.NaN));
    assertEquals("[1, -2.5]", NumberText.values(new double[] {1, -2.5}, Shape.of(2), 1));
    assertEquals("[[1, 2], [3, 4]]",
        NumberText.values(new double[] {1, 2, 3, 4}, Shape.of(2, 2), 1));
    // a larger tensor: mean and standard deviation, two short lines
    assertEquals("\u03bc=3\n\u03c3=1.4",
        NumberText.values(new double[] {1, 2, 3, 4, 5}, Shape.of(5), 1));
    // the mean only to the precision of the spread: 2e-10 next to a spread of 0.89 is 0
    assertEquals("\u03bc=0\n\u03c3=0.89",
        NumberText.values(new double[] {1, -1, 1, -1, 1e-9}, Shape.of(5), 1));
    assertEquals("\u03bc=0.0026\n\u03c3=4e-4", NumberText.values(
        new double[] {0.0022, 0.003, 0.0022, 0.003, 0.0022, 0.003}, Shape.of(6), 1));
    assertEquals("all 0", NumberText.values(new double[5], Shape.of(5), 1));
    assertEquals("has NaN", NumberText.values(new double[] {1, Double.NaN, 2, 3, 4},
        Shape.of(5), 1));
  }
}
