package dev.nnc.compiler.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.diag.SourceFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every comment in generated code names the place of the operation it describes (issue 19): for
 * every sample, and for random programs written one operation per line, {@link CommentPlaces}
 * reads the operations of each line from the {@code .nn} syntax tree and checks each comment of
 * the generated Java against them, with and without the simplifier.
 */
class LineAttributionTest {
  private static final Path SAMPLES = Path.of("..", "generated-samples", "src", "main", "nn");

  private static Compiler.CheckResult check(String name, String text) {
    Compiler.CheckResult checked = Compiler.check(new SourceFile(name, text));
    if (!checked.ok()) {
      throw new AssertionError("expected a clean program:\n" + checked.render() + "\n" + text);
    }
    return checked;
  }

  private static void assertAttributed(String name, String text) {
    Compiler.CheckResult checked = check(name, text);
    for (boolean simplify : new boolean[] {true, false}) {
      List<String> problems = CommentPlaces.checkAll(checked, simplify);
      assertTrue(problems.isEmpty(), () -> name + (simplify ? "" : " (--no-simplify)") + ":\n"
          + String.join("\n", problems.subList(0, Math.min(problems.size(), 20))) + "\n" + text);
    }
  }

  @Test
  void everySample() throws IOException {
    List<Path> samples;
    try (Stream<Path> files = Files.list(SAMPLES)) {
      samples = files.filter(p -> p.toString().endsWith(".nn")).sorted().toList();
    }
    assertTrue(samples.size() >= 5, "the samples were not found in " + SAMPLES.toAbsolutePath());
    for (Path sample : samples) {
      assertAttributed(sample.getFileName().toString(), Files.readString(sample));
    }
  }

  @Test
  void randomProgramsOneOperationPerLine() {
    for (int i = 0; i < 150; i++) {
      OneOperationPerLine program = new OneOperationPerLine(new Random(7919L * i + 11));
      assertAttributed("random" + i + ".nn", program.text());
    }
  }

  @Test
  void theOracleRejectsWrongPlaces() {
    String text = """
        fn neuron(w0, w1, w2, x0, x1) {
          let s = w0*x0 + w1*x1 + w2;
          return 1 / (1 + exp(-s));
        }
        """;
    CommentPlaces oracle = new CommentPlaces(new SourceFile("n.nn", text));
    String sLine = JavaNames.sourceLine("  let s = w0*x0 + w1*x1 + w2;");
    String rLine = JavaNames.sourceLine("  return 1 / (1 + exp(-s));");
    // the sigmoid that the simplifier makes of line 3, labelled with its operand's line 2
    String wrong = "  public double value(double w0) {\n    // line 2: " + sLine + "\n"
        + "    double neuron = sigmoid(s);\n  }\n";
    assertFalse(oracle.check(wrong, "neuron").isEmpty());
    String right = wrong.replace("line 2: " + sLine, "line 3: " + rLine);
    assertEquals(List.of(), oracle.check(right, "neuron"));
    // a derivative step naming a line whose operations have no such rule
    String wrongGate = "  public double g() {\n    // line 2: " + sLine
        + " -- sigmoid rule (reuses sigmoid(x))\n    double g1 = 1.0 - neuron;\n  }\n";
    assertFalse(oracle.check(wrongGate, "neuron").isEmpty());
    // the header line holds no operation
    String header = "  public double g() {\n    // line 1: "
        + JavaNames.sourceLine("fn neuron(w0, w1, w2, x0, x1) {") + "\n    double t = x;\n  }\n";
    assertFalse(oracle.check(header, "neuron").isEmpty());
  }

  @Test
  void theOracleRejectsTheWrongInstance() {
    String text = """
        layer Dense(n_in, n_out)(x: [n_in]) {
          param W: [n_in, n_out] init he;
          param b: [n_out] init zeros;
          return x @ W + b;
        }
        model M {
          input x: [4];
          label y: class(3);
          let fc1 = Dense(4, 5);
          let fc2 = Dense(5, 3);
          let logits = fc2(relu(fc1(x)));
          loss cross_entropy(logits, y);
        }
        """;
    CommentPlaces oracle = new CommentPlaces(new SourceFile("m.nn", text));
    String body = JavaNames.sourceLine("  return x @ W + b;");
    String fc2 = "  private void f() {\n    // line 11: fc2(...) -> Dense line 4: " + body + "\n"
        + "    Gemm.nn(n, 3, 5, t2, 0, fc2_W, 0, t3, 0, false);\n  }\n";
    assertEquals(List.of(), oracle.check(fc2, "M"));
    assertFalse(oracle.check(fc2.replace("fc2(...)", "fc1(...)"), "M").isEmpty());
    assertFalse(oracle.check(fc2.replace("Dense line", "Conv line"), "M").isEmpty());
    assertFalse(oracle.check(fc2.replace("line 11: fc2", "line 9: fc2"), "M").isEmpty());
  }

  @Test
  void stepsOfTwoInstancesNameTheirInstance() {
    String text = """
        layer Dense(n_in, n_out)(x: [n_in]) {
          param W: [n_in, n_out] init he;
          param b: [n_out] init zeros;
          return x @ W + b;
        }
        model M {
          input x: [4];
          label y: class(3);
          let fc1 = Dense(4, 5);
          let fc2 = Dense(5, 3);
          let logits = fc2(relu(fc1(x)));
          loss cross_entropy(logits, y) + 1e-4 * sum(fc1.W^2);
        }
        """;
    Compiler.CheckResult checked = check("m.nn", text);
    String java = Compiler.generate(checked, "gen", true).get(0).code();
    String body = "Dense line 4: return x @ W + b;";
    assertTrue(java.contains("// line 11: fc1(...) -> " + body + "\n"), java);
    assertTrue(java.contains("// line 11: fc2(...) -> " + body + "\n"), java);
    assertTrue(java.contains("// line 11: fc2(...) -> " + body + " -- matmul gate\n"), java);
    // the square of line 12 (rewritten to W * W) is line 12's, not the parameter's line 2
    assertFalse(java.contains("// line 2:"), java);
    assertAttributed("m.nn", text);
  }

  @Test
  void stepsOfAnInlinedFunctionNameTheCall() {
    String text = """
        fn sq(x) = x * x;
        fn f(a, b) {
          let u = sq(a);
          return u + sq(b);
        }
        """;
    Compiler.CheckResult checked = check("f.nn", text);
    String f = Compiler.generate(checked, "gen", true).get(1).code();
    assertTrue(f.contains("// line 3: sq(...) -> line 1: fn sq(x) = x * x;\n"), f);
    assertTrue(f.contains("// line 4: sq(...) -> line 1: fn sq(x) = x * x;\n"), f);
    assertTrue(f.contains("// line 3: sq(...) -> line 1: fn sq(x) = x * x; -- "), f);
    assertAttributed("f.nn", text);
  }

  @Test
  void theSigmoidOfTheNeuronIsOnItsOwnLine() {
    String text = """
        fn neuron(w0, w1, w2, x0, x1) {
          let s = w0*x0 + w1*x1 + w2;
          return 1 / (1 + exp(-s));
        }
        """;
    String java = Compiler.generate(check("n.nn", text), "gen", true).get(0).code();
    assertTrue(java.contains("    // line 3: return 1 / (1 + exp(-s));\n"
        + "    double neuron = sigmoid(s);\n"), java);
    assertTrue(java.contains("// line 3: return 1 / (1 + exp(-s)); -- sigmoid rule"), java);
    assertFalse(java.contains("// line 2: let s = w0*x0 + w1*x1 + w2; -- sigmoid"), java);
  }

  @Test
  void aDeepChainOfCallsIsShortened() {
    StringBuilder text = new StringBuilder("fn f0(x) = sin(x);\n");
    for (int i = 1; i <= 8; i++) {
      text.append("fn f").append(i).append("(x) = f").append(i - 1).append("(x) + 1;\n");
    }
    Compiler.CheckResult checked = check("deep.nn", text.toString());
    List<Compiler.GeneratedSource> sources = Compiler.generate(checked, "gen", true);
    String f8 = sources.get(sources.size() - 1).code();
    assertTrue(f8.contains("// line 9: f7(...) -> line 8: f6(...) -> line 7: f5(...) -> ... -> "
        + "line 2: f0(...) -> line 1: fn f0(x) = sin(x);\n"), f8);
    assertAttributed("deep.nn", text.toString());
  }

  /**
   * A random scalar function written one operation per line, {@code let vK = OP;}, drawing its
   * operands from the parameters and earlier lines; it sometimes spells out a form the
   * simplifier rewrites across lines (the sigmoid, softplus, {@code x^2}, {@code (-a) * b},
   * {@code where(c, a, 0) * b}, ...), and sometimes calls a helper function, itself written one
   * operation per line.
   */
  static final class OneOperationPerLine {
    private static final String[] UNARY = {"exp", "log", "sqrt", "sin", "cos", "tanh",
        "sigmoid", "relu", "abs", "softplus", "gelu", "silu"};
    private static final String[] BINARY = {"+", "-", "*", "/"};

    private final Random random;
    private final List<String> values = new ArrayList<>(List.of("a", "b", "c"));
    private final StringBuilder body = new StringBuilder();
    private int next = 1;
    private final boolean helper;

    OneOperationPerLine(Random random) {
      this.random = random;
      this.helper = random.nextInt(3) == 0;
      int lines = 4 + random.nextInt(10);
      for (int i = 0; i < lines; i++) {
        if (random.nextInt(4) == 0) {
          motif();
        } else {
          let(operation());
        }
      }
    }

    String text() {
      StringBuilder out = new StringBuilder();
      if (helper) {
        out.append("fn h(p, q) {\n  let r = p * q;\n  let s = sin(r);\n  return s + p;\n}\n");
      }
      out.append("fn f(a, b, c) {\n").append(body).append("  return ").append(last())
          .append(";\n}\n");
      return out.toString();
    }

    private String last() {
      return values.get(values.size() - 1);
    }

    private String operand() {
      if (random.nextInt(8) == 0) {
        return List.of("2", "0.5", "1", "0", "3").get(random.nextInt(5));
      }
      // mostly recent values, so that the lines form a chain
      int n = values.size();
      int k = random.nextInt(3) == 0 ? random.nextInt(n) : Math.max(0, n - 1 - random.nextInt(3));
      return values.get(k);
    }

    private String value() {
      int n = values.size();
      return values.get(random.nextInt(3) == 0 ? random.nextInt(n) : n - 1);
    }

    private String operation() {
      switch (random.nextInt(9)) {
        case 0: case 1: case 2:
          return UNARY[random.nextInt(UNARY.length)] + "(" + value() + ")";
        case 3: case 4: case 5:
          return value() + " " + BINARY[random.nextInt(BINARY.length)] + " " + operand();
        case 6:
          return "-" + value();
        case 7:
          return (random.nextBoolean() ? "max(" : "min(") + value() + ", " + operand() + ")";
        default:
          if (helper && random.nextBoolean()) {
            return "h(" + value() + ", " + operand() + ")";
          }
          return "where(" + value() + " > " + operand() + ", " + value() + ", " + operand() + ")";
      }
    }

    private String let(String operation) {
      String name = "v" + next++;
      body.append("  let ").append(name).append(" = ").append(operation).append(";\n");
      values.add(name);
      return name;
    }

    /** Forms that the simplifier rewrites, spelled one operation per line. */
    private void motif() {
      String x = value();
      switch (random.nextInt(9)) {
        case 0: { // 1 / (1 + exp(-x)) -> sigmoid(x)
          String n = let("-" + x);
          String e = let("exp(" + n + ")");
          String d = let("1 + " + e);
          let("1 / " + d);
          break;
        }
        case 1: { // log(1 + exp(x)) -> softplus(x)
          String e = let("exp(" + x + ")");
          String d = let("1 + " + e);
          let("log(" + d + ")");
          break;
        }
        case 2: // x ^ 2 -> x * x
          let(x + " ^ 2");
          break;
        case 3: { // (-x) * b -> -(x * b)
          String n = let("-" + x);
          let(n + " * " + operand());
          break;
        }
        case 4: { // where(c, a, 0) * b -> where(c, a * b, 0)
          String w = let("where(" + x + " > 0, " + value() + ", 0)");
          let(w + " * " + operand());
          break;
        }
        case 5: { // log(sigmoid(x)) -> -softplus(-x)
          String s = let("sigmoid(" + x + ")");
          let("log(" + s + ")");
          break;
        }
        case 6: { // x - (-y) -> x + y
          String n = let("-" + operand());
          let(x + " - " + n);
          break;
        }
        case 7: // x + x -> 2 * x
          let(x + " + " + x);
          break;
        default: { // log(exp(x)) -> x, then a use of it
          String e = let("exp(" + x + ")");
          String l = let("log(" + e + ")");
          let("cos(" + l + ")");
          break;
        }
      }
    }
  }
}
