package dev.nnc.cli;

import static dev.nnc.cli.CliRun.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.emit.InMemoryJavaCompiler;
import dev.nnc.runtime.CompiledFunction;
import dev.nnc.runtime.io.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code nnc grad}, {@code nnc eval} (functions), {@code nnc trace} and {@code nnc compile}. */
class GradTraceEvalCommandTest {
  private static final String NEURON_AT = "w0=2,w1=-3,w2=-3,x0=-1,x1=-2";
  private static final String SQNORM_AT = "W=[[0.1,0.5],[-0.3,0.8]],x=[0.2,0.4]";

  @TempDir
  Path dir;

  private Path file(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
  }

  private static List<String> lines(String text) {
    return List.of(text.split("\n"));
  }

  private static double num(Object o) {
    return ((Number) o).doubleValue();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return (Map<String, Object>) assertInstanceOf(Map.class, o);
  }

  /** A nested JSON array of numbers, flattened row-major. */
  private static double[] flat(Object o) {
    if (o instanceof Number n) {
      return new double[] {n.doubleValue()};
    }
    return ((List<?>) o).stream().flatMapToDouble(e -> Arrays.stream(flat(e))).toArray();
  }

  // ---------------------------------------------------------------- grad

  @Test
  void gradOfNeuronReusesTheSigmoid() {
    CliRun r = CliRun.of("grad", sample("neuron.nn")).ok();
    List<String> lines = lines(r.out());
    assertEquals("fn neuron(w0, w1, w2, x0, x1)", lines.get(0));
    assertTrue(lines.contains("  s = w0 * x0 + w1 * x1 + w2"), r.out());
    assertTrue(lines.contains("  neuron = sigmoid(s)"), r.out());
    assertTrue(lines.contains("  ds = neuron * (1 - neuron)"), r.out());
    assertTrue(lines.contains("  d/dw0 = ds * x0"), r.out());
    assertTrue(lines.contains("  d/dx1 = ds * w1"), r.out());
    // sigmoid(s) is defined before its derivative uses it, and neither uses exp any more.
    assertTrue(lines.indexOf("  neuron = sigmoid(s)") < lines.indexOf("  ds = neuron * (1 - neuron)"));
    assertFalse(r.out().contains("exp"), r.out());
    assertEquals(9, lines.size(), r.out());
  }

  @Test
  void gradWithoutSimplifyKeepsTheExp() {
    CliRun r = CliRun.of("grad", sample("neuron.nn"), "--no-simplify").ok();
    assertTrue(r.out().contains("exp(-s)"), r.out());
    assertFalse(r.out().contains("sigmoid"), r.out());
  }

  @Test
  void gradUnknownFnListsTheFns() {
    CliRun.of("grad", sample("neuron.nn"), "--fn", "nope")
        .userError(2, "no fn 'nope'", "it has: neuron");
  }

  // ---------------------------------------------------------------- eval, functions

  @Test
  void evalChainRuleText() {
    CliRun r = CliRun.of("eval", sample("chain.nn"), "--at", "x=-2,y=5,z=-4").ok();
    assertEquals(List.of("f = -12", "  df/dx = -4", "  df/dy = -4", "  df/dz = 3"), lines(r.out()));
  }

  @Test
  void evalChainRuleJson() {
    CliRun r = CliRun.of("eval", sample("chain.nn"), "--fn", "f", "--at", "x=-2,y=5,z=-4",
        "--json").ok();
    Map<String, Object> json = map(Json.parse(r.out().strip()));
    assertEquals(-12, num(json.get("value")));
    Map<String, Object> g = map(json.get("gradient"));
    assertEquals(List.of("x", "y", "z"), List.copyOf(g.keySet()));
    assertEquals(-4, num(g.get("x")));
    assertEquals(-4, num(g.get("y")));
    assertEquals(3, num(g.get("z")));
  }

  @Test
  void evalSqnormJsonMatchesHandComputedGradients() {
    double[][] w = {{0.1, 0.5}, {-0.3, 0.8}};
    double[] x = {0.2, 0.4};
    double[] wx = {w[0][0] * x[0] + w[0][1] * x[1], w[1][0] * x[0] + w[1][1] * x[1]};
    double value = wx[0] * wx[0] + wx[1] * wx[1];
    double[] dW = {2 * wx[0] * x[0], 2 * wx[0] * x[1], 2 * wx[1] * x[0], 2 * wx[1] * x[1]};
    double[] dx = {2 * (w[0][0] * wx[0] + w[1][0] * wx[1]), 2 * (w[0][1] * wx[0] + w[1][1] * wx[1])};

    CliRun r = CliRun.of("eval", sample("sqnorm.nn"), "--fn", "sqnorm", "--at", SQNORM_AT,
        "--json").ok();
    Map<String, Object> json = map(Json.parse(r.out().strip()));
    assertEquals(0.116, num(json.get("value")), 1e-12);
    assertEquals(value, num(json.get("value")), 1e-12);
    Map<String, Object> g = map(json.get("gradient"));
    // the gradient keeps the parameter's shape: W is [[a, b], [c, d]]
    assertEquals(2, ((List<?>) g.get("W")).size());
    assertEquals(2, ((List<?>) ((List<?>) g.get("W")).get(0)).size());
    assertArrayEquals(dW, flat(g.get("W")), 1e-12);
    assertArrayEquals(dx, flat(g.get("x")), 1e-12);
    assertArrayEquals(new double[] {0.088, 0.176, 0.104, 0.208}, flat(g.get("W")), 1e-12);
    assertArrayEquals(new double[] {-0.112, 0.636}, flat(g.get("x")), 1e-12);
  }

  private static void assertArrayEquals(double[] expected, double[] actual, double tol) {
    assertEquals(expected.length, actual.length, Arrays.toString(actual));
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], tol, "element " + i + " of " + Arrays.toString(actual));
    }
  }

  @Test
  void evalWithoutFnEvaluatesEveryFnWhoseParametersAreGiven() throws IOException {
    Path f = file("several.nn", """
        fn f(x, y, z) = (x + y) * z;
        fn sq(x) = x * x;
        fn other(w) = w + 1;
        fn both(x, w) = x * w;
        """);
    CliRun r = CliRun.of("eval", f.toString(), "--at", "x=-2,y=5,z=-4", "--json").ok();
    Map<String, Object> json = map(Json.parse(r.out().strip()));
    assertEquals(List.of("f", "sq"), List.copyOf(json.keySet()));
    assertEquals(-12, num(map(json.get("f")).get("value")));
    assertEquals(4, num(map(json.get("sq")).get("value")));
    assertEquals(-4, num(map(map(json.get("sq")).get("gradient")).get("x")));

    CliRun text = CliRun.of("eval", f.toString(), "--at", "x=3,w=2").ok();
    assertEquals(List.of("sq = 9", "  dsq/dx = 6", "other = 3", "  dother/dw = 1", "both = 6",
        "  dboth/dx = 2", "  dboth/dw = 3"), lines(text.out()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"neuron.nn", "sqnorm.nn", "softmax_loss.nn", "svm.nn"})
  void interpretedEqualsGenerated(String name) {
    String at = switch (name) {
      case "neuron.nn" -> NEURON_AT;
      case "sqnorm.nn" -> SQNORM_AT;
      default -> "W=" + randomMatrix(3, 4, 1) + ",b=[0.1,-0.2,0.3],x=[0.5,-1.5,2,0.25],"
          + "y=[0,1,0]";
    };
    CliRun generated = CliRun.of("eval", sample(name), "--at", at, "--json").ok();
    CliRun interpreted = CliRun.of("eval", sample(name), "--at", at, "--json", "--interpret").ok();
    Map<String, Object> g = map(Json.parse(generated.out().strip()));
    Map<String, Object> i = map(Json.parse(interpreted.out().strip()));
    assertEquals(g.keySet(), i.keySet());
    assertFalse(g.isEmpty());
    for (String fn : g.keySet()) {
      Map<String, Object> gf = map(g.get(fn));
      Map<String, Object> inf = map(i.get(fn));
      assertEquals(num(gf.get("value")), num(inf.get("value")), 1e-12, fn);
      Map<String, Object> gg = map(gf.get("gradient"));
      Map<String, Object> ig = map(inf.get("gradient"));
      assertEquals(gg.keySet(), ig.keySet());
      for (String p : gg.keySet()) {
        assertArrayEquals(flat(ig.get(p)), flat(gg.get(p)), 1e-12);
      }
    }
    if (name.equals("neuron.nn")) {
      double v = num(map(g.get("neuron")).get("value"));
      assertEquals(1 / (1 + Math.exp(-1)), v, 1e-15); // s = 2*-1 + -3*-2 - 3 = 1
      assertEquals(-v * (1 - v), num(map(map(g.get("neuron")).get("gradient")).get("x1")) / 3,
          1e-15);
    }
  }

  private static String randomMatrix(int rows, int cols, long seed) {
    Random rnd = new Random(seed);
    StringBuilder b = new StringBuilder("[");
    for (int r = 0; r < rows; r++) {
      b.append(r == 0 ? "[" : ",[");
      for (int c = 0; c < cols; c++) {
        b.append(c == 0 ? "" : ",").append(Math.round(rnd.nextGaussian() * 1000) / 1000.0);
      }
      b.append(']');
    }
    return b.append(']').toString();
  }

  @Test
  void missingParameterValueNamesTheParameter() {
    CliRun.of("eval", sample("chain.nn"), "--fn", "f", "--at", "x=-2,y=5")
        .userError(2, "no value for parameter z of f");
    CliRun.of("trace", sample("chain.nn"), "--fn", "f", "--at", "x=-2,z=5")
        .userError(2, "parameter y");
  }

  @Test
  void malformedValuesAreUsageErrorsNamingTheParameter() {
    CliRun.of("eval", sample("chain.nn"), "--fn", "f", "--at", "x=[1,")
        .userError(2, "value of x", "[1,");
    CliRun.of("eval", sample("chain.nn"), "--fn", "f", "--at", "x=1,y=abc,z=2")
        .userError(2, "value of y", "abc");
    CliRun.of("eval", sample("chain.nn"), "--fn", "f", "--at", "x=1,y=,z=2")
        .userError(2, "no value given for y");
    CliRun.of("eval", sample("chain.nn"), "--fn", "f", "--at", "x=1,=2,z=2")
        .userError(2, "expected name=value");
    CliRun.of("eval", sample("sqnorm.nn"), "--at", "W=[[1],[2,3]],x=[1,2]")
        .userError(2, "value of W is a ragged array");
    CliRun.of("eval", sample("chain.nn"), "--at", "x=1,x=2,y=1,z=1")
        .userError(2, "x is given twice");
    CliRun.of("eval", sample("chain.nn"), "--at", "x=1e999,y=1,z=1")
        .userError(2, "value of x");
  }

  @Test
  void wrongShapeNamesBothShapes() {
    CliRun.of("eval", sample("sqnorm.nn"), "--at", "W=[1,2],x=[0.2,0.4]")
        .userError(2, "parameter W of sqnorm has shape [2, 2]", "has shape [2]");
    CliRun.of("eval", sample("chain.nn"), "--at", "x=[1,2],y=1,z=1")
        .userError(2, "parameter x of f has shape []", "has shape [2]");
  }

  @Test
  void unknownFnListsTheFns() throws IOException {
    Path f = file("two.nn", "fn alpha(x) = x;\nfn beta(x) = 2 * x;\n");
    CliRun.of("eval", f.toString(), "--fn", "gamma", "--at", "x=1")
        .userError(2, "no fn 'gamma'", "alpha, beta");
  }

  @Test
  void unknownParameterNameIsAnError() {
    CliRun.of("eval", sample("chain.nn"), "--fn", "f", "--at", "x=1,y=2,z=3,q=4")
        .userError(2, "f has no parameter 'q'");
    // without --fn, a name no fn has is a typo, not something to ignore
    CliRun.of("eval", sample("chain.nn"), "--at", "x=1,y=2,z=3,q=4")
        .userError(2, "parameter 'q'");
    CliRun.of("eval", sample("chain.nn"), "--at", "x=1,y=2")
        .userError(2, "no fn", "has all of its parameters given");
  }

  @Test
  void evalNeedsAtOrWeights() {
    CliRun.of("eval", sample("chain.nn")).userError(2, "--at");
    CliRun.of("eval", sample("chain.nn"), "--weights", "w.safetensors").userError(2, "--inputs");
    CliRun.of("eval", dir.resolve("missing.nn").toString(), "--at", "x=1")
        .userError(1, "missing.nn: no such file");
  }

  @Test
  void nonFiniteValuesArePrintedAsSuch() throws IOException {
    Path f = file("big.nn", "fn big(x) = exp(x);\n");
    CliRun r = CliRun.of("eval", f.toString(), "--at", "x=1000").ok();
    assertEquals(List.of("big = Infinity", "  dbig/dx = Infinity"), lines(r.out()));
    CliRun j = CliRun.of("eval", f.toString(), "--at", "x=1000", "--json").ok();
    assertEquals("{\"big\":{\"value\":null,\"gradient\":{\"x\":null}}}", j.out().strip());
  }

  // ---------------------------------------------------------------- trace

  /** The columns of a trace row: node, line, value, gradient (separated by 2+ spaces). */
  private static String[] columns(String row) {
    return row.trim().split(" {2,}");
  }

  @Test
  void traceOfTheChainRule() {
    CliRun r = CliRun.of("trace", sample("chain.nn"), "--fn", "f", "--at", "x=-2,y=5,z=-4").ok();
    List<String> lines = lines(r.out());
    assertEquals(List.of("node", "line", "value", "gradient"), List.of(columns(lines.get(0))));
    List<List<String>> rows = lines.subList(1, lines.size()).stream()
        .map(l -> List.of(columns(l))).toList();
    assertEquals(List.of(
        List.of("x", "3", "-2", "-4"),
        List.of("y", "3", "5", "-4"),
        List.of("z", "3", "-4", "3"),
        List.of("t1 = x + y", "3", "3", "-4"),
        List.of("f = t1 * z", "3", "-12", "1")), rows);
  }

  @Test
  void traceOfTheNeuronHasOneRowPerNodeEndingWithGradientOne() {
    CliRun r = CliRun.of("trace", sample("neuron.nn"), "--fn", "neuron", "--at", NEURON_AT).ok();
    List<String> lines = lines(r.out());
    assertTrue(lines.get(0).matches("node +line +value +gradient"), lines.get(0));
    // 5 inputs, 4 nodes for s, 4 for 1 / (1 + exp(-s))
    assertEquals(1 + 13, lines.size(), r.out());
    String[] last = columns(lines.get(lines.size() - 1));
    assertEquals("neuron = 1 / t6", last[0]);
    assertEquals("0.7310585786", last[2]);
    assertEquals("1", last[3]);
    String[] w0 = columns(lines.get(1));
    assertEquals("w0", w0[0]);
    assertEquals(-0.1966119332, Double.parseDouble(w0[3]), 1e-10);
    // every node name is defined once
    assertEquals(lines.size() - 1, lines.stream().skip(1).map(l -> columns(l)[0].split(" = ")[0])
        .distinct().count());
    // the trace's input gradients equal eval's
    CliRun e = CliRun.of("eval", sample("neuron.nn"), "--at", NEURON_AT, "--json").ok();
    Map<String, Object> grad = map(map(map(Json.parse(e.out().strip())).get("neuron"))
        .get("gradient"));
    for (int i = 0; i < 5; i++) {
      String[] row = columns(lines.get(1 + i));
      assertEquals(num(grad.get(row[0])), Double.parseDouble(row[3]), 1e-9, row[0]);
    }
  }

  @Test
  void traceNeedsFnAndAt() {
    assertEquals(2, CliRun.of("trace", sample("chain.nn"), "--at", "x=1").exit());
    CliRun.of("trace", sample("chain.nn"), "--fn", "g", "--at", "x=1")
        .userError(2, "no fn 'g'", "it has: f");
  }

  // ---------------------------------------------------------------- compile

  @Test
  void compileWritesAPackageThatCompiles() throws Exception {
    Path out = dir.resolve("out");
    CliRun r = CliRun.of("compile", sample("chain.nn"), sample("sqnorm.nn"), "-d", out.toString(),
        "--package", "p.q").ok();
    assertEquals("wrote 2 classes to " + out, r.out().strip());
    Path f = out.resolve("p/q/F.java");
    Path sq = out.resolve("p/q/Sqnorm.java");
    assertTrue(Files.isRegularFile(f), f.toString());
    assertTrue(Files.isRegularFile(sq), sq.toString());
    try (Stream<Path> all = Files.walk(out)) {
      assertEquals(2, all.filter(Files::isRegularFile).count(), "no stray temporary files");
    }
    String code = Files.readString(f);
    assertTrue(code.startsWith("package p.q;") || code.contains("\npackage p.q;"), code);

    Map<String, Class<?>> classes = InMemoryJavaCompiler.compile(Map.of(
        "p.q.F", code, "p.q.Sqnorm", Files.readString(sq)));
    CompiledFunction chain = (CompiledFunction) classes.get("p.q.F").getConstructor().newInstance();
    double[][] grads = {new double[1], new double[1], new double[1]};
    double[] v = chain.evaluateWithGradient(new double[][] {{-2}, {5}, {-4}}, null, grads);
    assertEquals(-12, v[0]);
    assertEquals(List.of(-4.0, -4.0, 3.0), List.of(grads[0][0], grads[1][0], grads[2][0]));
    // the typed API of the README
    Object typed = classes.get("p.q.F").getConstructor().newInstance();
    double value = (double) typed.getClass()
        .getMethod("valueAndGradient", double.class, double.class, double.class)
        .invoke(typed, -2.0, 5.0, -4.0);
    assertEquals(-12, value);
    assertEquals(3.0, typed.getClass().getField("dz").getDouble(typed));
  }

  @Test
  void compileWithoutPackageWritesToTheDirectory() {
    Path out = dir.resolve("flat");
    CliRun.of("compile", sample("neuron.nn"), "-d", out.toString()).ok();
    assertTrue(Files.isRegularFile(out.resolve("Neuron.java")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"p..q", "1p", "p.q.", "p-q", "class.x", "p.int"})
  void invalidPackageIsAUsageError(String pkg) {
    Path out = dir.resolve("out");
    CliRun.of("compile", sample("chain.nn"), "-d", out.toString(), "--package", pkg)
        .userError(2, "--package", pkg);
    assertFalse(Files.exists(out));
  }

  @Test
  void outputDirectoryThatIsAFileIsOneLine() throws IOException {
    Path notADir = file("plain.txt", "x");
    CliRun.of("compile", sample("chain.nn"), "-d", notADir.toString())
        .userError(1, "cannot write", notADir + " is not a directory");
  }

  @Test
  void fileWithErrorsWritesNothing() throws IOException {
    Path bad = file("bad.nn", "fn g(x) = x;\nfn f(x) = y;\n");
    Path out = dir.resolve("out");
    CliRun r = CliRun.of("compile", sample("chain.nn"), bad.toString(), "-d", out.toString(),
        "--package", "p.q");
    assertEquals(1, r.exit());
    assertEquals("", r.out());
    assertTrue(r.err().startsWith(bad + ":2:11: error: undefined name 'y'"), r.err());
    r.assertNoStackTrace();
    assertFalse(Files.exists(out), "nothing written, not even the clean file's class");
  }
}
