package dev.nnc.compiler;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.nnc.compiler.diag.Diagnostic;
import dev.nnc.compiler.diag.SourceFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Throws hostile input at the front end: random bytes, invalid UTF-8, mutated samples, random
 * programs and pathological sizes. Every input must come back from {@link Compiler#check}
 * without any exception, either ok or with at least one error, and every diagnostic must point
 * into the file. The work per input is bounded by the memory it allocates, at most
 * {@link #BYTES_PER_CHARACTER} per input character plus {@link #BASE_BYTES}: a pass that went
 * quadratic on a megabyte line would allocate terabytes. (A deadline made the suite fail on a
 * loaded machine; allocation does not depend on the machine's speed.) Seeded, so every run sees
 * the same inputs.
 */
class FrontEndFuzzTest {
  private static final long SEED = 0x6e6e63L;
  /** Allocation allowed per input character: the front end needs up to 850 (a 1 MB sum). */
  private static final long BYTES_PER_CHARACTER = 4096;
  /** Allocation allowed for any input, however short (1000 nested calls need 200 MB). */
  private static final long BASE_BYTES = 256L << 20;
  /** Functions, lets, errors and duplicates of {@link #manyDeclarations}. */
  private static final int DECLARATIONS = 40_000;
  /** Characters of an input shown in a failure message. */
  private static final int SHOWN = 200;
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
  private static final Pattern TOKEN = Pattern.compile(
      "[A-Za-z_][A-Za-z0-9_]*|[0-9]+\\.?[0-9]*(?:[eE][+-]?[0-9]+)?|\\.[0-9]+|//[^\\n]*|/\\*|\\*/"
          + "|<=|>=|==|!=|\\s+|.", Pattern.DOTALL);
  private static final String[] VOCABULARY = {
      "fn", "let", "return", "layer", "model", "param", "input", "label", "target", "output",
      "loss", "optimizer", "init", "class", "grad", "(", ")", "[", "]", "{", "}", ",", ";", ":",
      "=", "+", "-", "*", "/", "^", "@", ".", "<", "<=", ">", ">=", "==", "!=", "T", "x", "W",
      "0", "1", "2", "0.5", ".5", "1e-3", "2.5E+4", "1e99999", "sum", "exp", "where", "argmax",
      "cross_entropy", "Dense", "softmax", "axis", "/*", "*/", "//", "\n", " ", "\t", "#", "$",
      "\u00e9", "\u0000", "\r", "\"", "'", "\\", "9".repeat(400)};

  /** Corpus files that take seconds by design; mutating them thousands of times is too slow. */
  private static final Set<String> SLOW_SAMPLES =
      Set.of("inlining_too_large.nn", "call_chain_too_deep.nn");

  private static List<String> samples;
  private static int inputs;

  @TempDir
  static Path temp;

  @BeforeAll
  static void loadSamples() throws IOException, URISyntaxException {
    samples = new ArrayList<>();
    for (String dir : List.of("/samples", "/errors")) {
      try (Stream<Path> files = Files.list(
          Path.of(FrontEndFuzzTest.class.getResource(dir).toURI()))) {
        for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
          if (SLOW_SAMPLES.contains(file.getFileName().toString())) {
            continue;
          }
          samples.add(new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
        }
      }
    }
    samples.add(EXTRA_SAMPLE);
  }

  @AfterAll
  static void countInputs() {
    // Only meaningful when the whole class ran.
    System.out.println("FrontEndFuzzTest: " + inputs + " inputs");
  }

  // ---- the property ----

  /** Checks {@code text} in memory and asserts the result is well formed. */
  private static Compiler.CheckResult checkText(String what, String text) {
    return checkWith(what, text, () -> Compiler.check(new SourceFile("fuzz.nn", text)));
  }

  /** Writes {@code bytes} to a file and checks it through the decoding path. */
  private static Compiler.CheckResult checkBytes(String what, byte[] bytes) {
    Path file = temp.resolve("fuzz.nn");
    try {
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String shown = new String(bytes, StandardCharsets.ISO_8859_1);
    return checkWith(what, shown, () -> Compiler.check(file, "fuzz.nn"));
  }

  private interface Check {
    Compiler.CheckResult run() throws Exception;
  }

  private static Compiler.CheckResult checkWith(String what, String input, Check check) {
    inputs++;
    // Compiler.check works on a thread of its own: count every thread's allocation
    long before = THREADS.getTotalThreadAllocatedBytes();
    Compiler.CheckResult result;
    try {
      result = check.run();
    } catch (Throwable t) {
      throw new AssertionError(what + ": " + t + " escaped Compiler.check on input:\n"
          + show(input), t);
    }
    long allocated = THREADS.getTotalThreadAllocatedBytes() - before;
    long budget = BASE_BYTES + BYTES_PER_CHARACTER * input.length();
    if (allocated > budget) {
      fail(what + ": checking " + input.length() + " characters allocated " + (allocated >> 20)
          + " MB, more than " + (budget >> 20) + " MB; input:\n" + show(input));
    }
    String problem = problem(result);
    if (problem != null) {
      fail(what + ": " + problem + "\ninput:\n" + show(input) + "\ndiagnostics:\n"
          + show(result.render()));
    }
    return result;
  }

  /** What is wrong with {@code result}, or null. */
  private static String problem(Compiler.CheckResult result) {
    boolean errors = false;
    for (Diagnostic d : result.diagnostics()) {
      errors |= d.severity() == Diagnostic.Severity.ERROR;
      // A diagnostic may lie in a file the input imports (the standard library, say).
      SourceFile source = result.fileOf(d);
      if (source == null) {
        return "diagnostic names a file the result does not hold: " + d.headline();
      }
      int line = d.span().line();
      if (line < 1 || line > source.lineCount()) {
        return "diagnostic outside the file's " + source.lineCount() + " lines: " + d.headline();
      }
      int column = d.span().column();
      if (column < 1 || column > source.line(line).length() + 1) {
        return "diagnostic column outside its line: " + d.headline();
      }
      if (d.message().isBlank()) {
        return "diagnostic without a message: " + d.headline();
      }
    }
    if (result.ok() == errors) {
      return "ok() is " + result.ok() + " but there " + (errors ? "are" : "are no") + " errors";
    }
    if (!result.diagnostics().isEmpty() && result.render().isEmpty()) {
      return "diagnostics render to nothing";
    }
    return null;
  }

  private static String show(String input) {
    StringBuilder out = new StringBuilder();
    int shown = Math.min(input.length(), SHOWN);
    for (int i = 0; i < shown; i++) {
      char c = input.charAt(i);
      if (c == '\n' || (c >= 0x20 && c < 0x7f)) {
        out.append(c);
      } else {
        out.append(String.format("\\u%04x", (int) c));
      }
    }
    if (shown < input.length()) {
      out.append("... (").append(input.length()).append(" characters in all)");
    }
    return out.toString();
  }

  // ---- random bytes and invalid UTF-8 ----

  @Test
  void randomBytes() {
    Random random = new Random(SEED);
    for (int i = 0; i < 1500; i++) {
      byte[] bytes = new byte[random.nextInt(200)];
      random.nextBytes(bytes);
      checkBytes("random bytes #" + i, bytes);
    }
  }

  @Test
  void randomAsciiText() {
    Random random = new Random(SEED + 1);
    for (int i = 0; i < 1500; i++) {
      char[] chars = new char[random.nextInt(300)];
      for (int j = 0; j < chars.length; j++) {
        chars[j] = (char) (random.nextInt(10) == 0 ? '\n' : 32 + random.nextInt(95));
      }
      checkText("random text #" + i, new String(chars));
    }
  }

  @Test
  void invalidUtf8() {
    Random random = new Random(SEED + 2);
    byte[][] bad = {{(byte) 0xff}, {(byte) 0xc3}, {(byte) 0xe9, 'x'}, {(byte) 0xed, (byte) 0xa0,
        (byte) 0x80}, {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
        {(byte) 0xc0, (byte) 0xaf}, {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}};
    for (int i = 0; i < 700; i++) {
      byte[] sample = pick(random, samples).getBytes(StandardCharsets.UTF_8);
      byte[] insert = bad[random.nextInt(bad.length)];
      int at = sample.length == 0 ? 0 : random.nextInt(sample.length + 1);
      byte[] bytes = new byte[sample.length + insert.length];
      System.arraycopy(sample, 0, bytes, 0, at);
      System.arraycopy(insert, 0, bytes, at, insert.length);
      System.arraycopy(sample, at, bytes, at + insert.length, sample.length - at);
      Compiler.CheckResult result = checkBytes("invalid UTF-8 #" + i, bytes);
      assertFalse(result.ok(), "invalid UTF-8 accepted");
    }
    // Valid multi-byte UTF-8 is text, reported as unexpected characters; a leading byte order
    // mark is skipped, and one anywhere else is an unexpected character.
    checkBytes("utf-8 letters", "fn f(x) = x * \u00e9\u4e2d\ud83d\ude00;\n"
        .getBytes(StandardCharsets.UTF_8));
    assertTrue(checkBytes("bom", "\ufefffn f(x) = x;\n".getBytes(StandardCharsets.UTF_8)).ok());
    assertFalse(checkBytes("inner bom", "fn f(x) = \ufeffx;\n".getBytes(StandardCharsets.UTF_8))
        .ok());
  }

  // ---- mutations of real programs ----

  @Test
  void mutatedSamples() {
    Random random = new Random(SEED + 3);
    for (int i = 0; i < 4000; i++) {
      String sample = pick(random, samples);
      List<String> tokens = tokens(sample);
      int edits = 1 + random.nextInt(3);
      for (int e = 0; e < edits; e++) {
        mutate(tokens, random);
      }
      checkText("mutation #" + i, String.join("", tokens));
    }
  }

  private static List<String> tokens(String text) {
    List<String> tokens = new ArrayList<>();
    Matcher m = TOKEN.matcher(text);
    while (m.find()) {
      tokens.add(m.group());
    }
    return tokens;
  }

  private static void mutate(List<String> tokens, Random random) {
    int n = tokens.size();
    int at = n == 0 ? 0 : random.nextInt(n);
    switch (n == 0 ? 3 : random.nextInt(7)) {
      case 0 -> tokens.remove(at);
      case 1 -> tokens.add(at, tokens.get(at));
      case 2 -> {
        int other = random.nextBoolean() ? Math.min(n - 1, at + 1) : random.nextInt(n);
        String t = tokens.get(at);
        tokens.set(at, tokens.get(other));
        tokens.set(other, t);
      }
      case 3 -> tokens.add(at, VOCABULARY[random.nextInt(VOCABULARY.length)]);
      case 4 -> tokens.add(at, String.valueOf((char) random.nextInt(0x3000)));
      case 5 -> tokens.set(at, VOCABULARY[random.nextInt(VOCABULARY.length)]);
      default -> {
        // Replace a number by an awkward one, or a name by another name of the sample.
        String t = tokens.get(at);
        if (Character.isDigit(t.charAt(0))) {
          String[] odd = {"0", "00", "1e99999", "1e-99999", "9".repeat(400), "2147483648",
              "4294967296", "1.0", "-1", "999999999"};
          tokens.set(at, odd[random.nextInt(odd.length)]);
        } else {
          List<String> names = tokens.stream().filter(s -> Character.isLetter(s.charAt(0)))
              .toList();
          if (!names.isEmpty()) {
            tokens.set(at, names.get(random.nextInt(names.size())));
          }
        }
      }
    }
  }

  // ---- random programs that are mostly well formed ----

  @Test
  void generatedPrograms() {
    Random random = new Random(SEED + 4);
    int ok = 0;
    for (int i = 0; i < 2500; i++) {
      if (checkText("generated #" + i, new ProgramGenerator(random).program()).ok()) {
        ok++;
      }
    }
    // The generator must reach the checker's lowering, not only its error paths.
    assertTrue(ok > 100, "only " + ok + " generated programs checked clean");
  }

  /** Writes random programs from the language's constructs with plausible shapes. */
  private static final class ProgramGenerator {
    private static final String[] SHAPES = {"", "[2]", "[3]", "[2, 3]", "[3, 2]", "[3, 3]",
        "[1]", "[2, 2]"};
    private static final String[] UNARY = {"exp", "log", "sqrt", "abs", "sin", "cos", "tan",
        "tanh", "sigmoid", "relu", "softplus", "sign", "floor", "softmax", "log_softmax",
        "argmax", "transpose", "sum", "mean", "max", "min", "logsumexp", "sigmoidd"};
    private static final String[] BINARY = {"max", "min", "leaky_relu", "cross_entropy",
        "hinge", "mse", "bce_with_logits"};
    private final Random random;
    private final List<String> fns = new ArrayList<>();
    private List<String> names = new ArrayList<>();

    ProgramGenerator(Random random) {
      this.random = random;
    }

    String program() {
      StringBuilder out = new StringBuilder();
      int count = 1 + random.nextInt(3);
      for (int i = 0; i < count; i++) {
        out.append(fn("f" + i));
        fns.add("f" + i);
      }
      if (random.nextInt(3) == 0) {
        out.append(model());
      }
      return out.toString();
    }

    private String fn(String name) {
      names = new ArrayList<>();
      StringBuilder params = new StringBuilder();
      int count = 1 + random.nextInt(3);
      for (int i = 0; i < count; i++) {
        String shape = SHAPES[random.nextInt(SHAPES.length)];
        String p = "p" + i;
        names.add(p);
        params.append(i == 0 ? "" : ", ").append(p).append(shape.isEmpty() ? "" : ": " + shape);
      }
      String type = random.nextInt(8) == 0 ? " : f32" : "";
      if (random.nextBoolean()) {
        return "fn " + name + "(" + params + ")" + type + " = " + expr(3) + ";\n";
      }
      StringBuilder body = new StringBuilder();
      int lets = random.nextInt(3);
      for (int i = 0; i < lets; i++) {
        body.append("  let l").append(i).append(" = ").append(expr(3)).append(";\n");
        names.add("l" + i);
      }
      return "fn " + name + "(" + params + ")" + type + " {\n" + body + "  return " + expr(3)
          + ";\n}\n";
    }

    private String model() {
      names = new ArrayList<>(List.of("x", "y", "t", "W", "b"));
      String in = random.nextBoolean() ? "[3]" : "[2]";
      StringBuilder out = new StringBuilder("layer Lin(n, m)(v: [n]) {\n"
          + "  param A: [n, m] init " + pick(random, List.of("he", "xavier", "normal(0.1)",
              "uniform(-1, 1)", "zeros", "ones")) + ";\n"
          + "  return " + pick(random, List.of("v @ A", "relu(v @ A)", "v @ A + 1",
              "sigmoid(v) @ A")) + ";\n}\n");
      out.append("model M {\n  input x: ").append(in).append(";\n  label y: class(3);\n")
          .append("  target t: [3];\n  param W: [3, 3] init he;\n  param b: [3];\n");
      out.append("  let lin = Lin(").append(random.nextBoolean() ? "3" : "2").append(", 3);\n");
      names.add("lin(x)");
      names.add("lin.A");
      for (int i = 0; i < random.nextInt(3); i++) {
        out.append("  output o").append(i).append(" = ").append(expr(2)).append(";\n");
      }
      String[] losses = {"cross_entropy(" + expr(2) + ", y)", "mse(" + expr(2) + ", t)",
          "sum(" + expr(2) + ")", "hinge(lin(x), y)", expr(2)};
      out.append("  loss ").append(losses[random.nextInt(losses.length)]).append(";\n");
      if (random.nextBoolean()) {
        out.append("  optimizer ").append(pick(random, List.of("sgd(lr: 0.1)",
            "adam(lr: 1e-3, beta1: 0.9)", "sgd(lr: 0.1, momentum: 0.9)", "adamw()")))
            .append(";\n");
      }
      return out.append("}\n").toString();
    }

    private String expr(int depth) {
      int choice = depth <= 0 ? random.nextInt(3) : random.nextInt(16);
      switch (choice) {
        case 0, 1:
          return names.get(random.nextInt(names.size()));
        case 2:
          return pick(random, List.of("0", "1", "2", "0.5", ".5", "1e-3", "3", "-1"));
        case 3:
          return "-" + expr(depth - 1);
        case 4, 5, 6:
          return "(" + expr(depth - 1) + " " + pick(random, List.of("+", "-", "*", "/", "^",
              "@")) + " " + expr(depth - 1) + ")";
        case 7, 8:
          return UNARY[random.nextInt(UNARY.length)] + "(" + expr(depth - 1)
              + (random.nextInt(4) == 0 ? ", axis: " + (random.nextInt(5) - 2) : "") + ")";
        case 9:
          return BINARY[random.nextInt(BINARY.length)] + "(" + expr(depth - 1) + ", "
              + expr(depth - 1) + ")";
        case 10:
          return "where(" + expr(depth - 1) + " " + pick(random, List.of("<", ">", "<=", ">=",
              "==", "!=")) + " " + expr(depth - 1) + ", " + expr(depth - 1) + ", "
              + expr(depth - 1) + ")";
        case 11:
          return expr(depth - 1) + "[" + random.nextInt(3)
              + (random.nextBoolean() ? ", " + random.nextInt(3) : "") + "]";
        case 12:
          return expr(depth - 1) + ".T";
        case 13:
          if (!fns.isEmpty()) {
            StringBuilder call = new StringBuilder(fns.get(random.nextInt(fns.size())) + "(");
            int args = 1 + random.nextInt(3);
            for (int i = 0; i < args; i++) {
              call.append(i == 0 ? "" : ", ").append(expr(depth - 1));
            }
            return call.append(")").toString();
          }
          return expr(depth - 1);
        case 14:
          return expr(depth - 1) + " " + pick(random, List.of("<", "==")) + " " + expr(depth - 1);
        default:
          return "(" + expr(depth - 1) + ")";
      }
    }
  }

  // ---- pathological sizes ----

  @Test
  void hugeNumbers() {
    String big = "9".repeat(400);
    assertFalse(checkText("1e99999", "fn f(x) = x * 1e99999;").ok());
    assertFalse(checkText("400-digit size", "fn f(x: [" + big + "]) = sum(x);").ok());
    assertFalse(checkText("400-digit index", "fn f(x: [3]) = x[" + big + "];").ok());
    assertFalse(checkText("400-digit class count",
        "model M { input x: [3]; label y: class(" + big + "); param W: [3, 3];"
            + " loss cross_entropy(x @ W, y); }").ok());
    assertFalse(checkText("400-digit layer argument", "layer L(n)(v: [n]) { param A: [n];"
        + " return v * A; }\nmodel M { input x: [3]; let l = L(" + big + "); loss sum(l(x)); }")
        .ok());
    assertFalse(checkText("400-digit axis", "fn f(x: [3]) = sum(x, axis: " + big + ");").ok());
    assertFalse(checkText("2^31 size", "fn f(x: [2147483648]) = sum(x);").ok());
    assertFalse(checkText("size product overflow",
        "fn f(x: [65536, 65536, 65536]) = sum(x);").ok());
    assertFalse(checkText("huge init argument", "model M { input x: [3]; param W: [3] init"
        + " normal(1e99999); loss sum(W * x); }").ok());
    assertTrue(checkText("tiny number", "fn f(x) = x * 1e-99999;").ok());
  }

  @Test
  void deepNestingIsADiagnostic() {
    int n = 10_000;
    assertFalse(checkText("deep parentheses",
        "fn f(x) = " + "(".repeat(n) + "x" + ")".repeat(n) + ";").ok());
    assertFalse(checkText("deep unary minus", "fn f(x) = " + "-".repeat(n) + "x;").ok());
    assertFalse(checkText("deep unary minus, spaced", "fn f(x) = " + "- ".repeat(n) + "x;").ok());
    assertFalse(checkText("long power chain",
        "fn f(x) = x" + "^x".repeat(n) + ";").ok());
    assertFalse(checkText("power chain with signs",
        "fn f(x) = x" + "^-x".repeat(n) + ";").ok());
    assertFalse(checkText("deep calls", "fn f(x) = " + "exp(".repeat(n) + "x" + ")".repeat(n)
        + ";").ok());
    assertFalse(checkText("deep indexing", "fn f(x: [3]) = x" + "[x".repeat(n) + "]".repeat(n)
        + ";").ok());
    assertFalse(checkText("unbalanced open", "fn f(x) = " + "(".repeat(n) + ";").ok());
    assertFalse(checkText("unbalanced close", "fn f(x) = x" + ")".repeat(n) + ";").ok());
    assertFalse(checkText("deep braces", "{".repeat(n)).ok());
    StringBuilder chain = new StringBuilder("fn f0(x) = x * 2;\n");
    for (int i = 1; i <= 1000; i++) {
      chain.append("fn f").append(i).append("(x) = f").append(i - 1).append("(x) + 1;\n");
    }
    assertFalse(checkText("1000 nested calls", chain.toString()).ok());
  }

  @Test
  void longChainsThatAreNotNested() {
    // 256 levels is the limit for nesting, not for the length of a flat expression.
    assertTrue(checkText("many squares", "fn f(x) = " + "x^2 + ".repeat(1000) + "1;").ok());
    assertTrue(checkText("many negated terms", "fn f(x) = x" + " - -x".repeat(1000) + ";").ok());
    assertTrue(checkText("many transposes", "fn f(W: [2, 3]) = sum(W" + ".T".repeat(10_001)
        + ");").ok());
    StringBuilder doubling = new StringBuilder("fn f0(x) = x * 2;\n");
    for (int i = 1; i <= 60; i++) {
      doubling.append("fn f").append(i).append("(x) = f").append(i - 1).append("(x) * f")
          .append(i - 1).append("(x) + 1;\n");
    }
    assertTrue(checkText("each call twice, 60 deep", doubling.toString()).ok());
    // Exponential inlining (f(x * 2) * f(x + 1), nested) is in errors/inlining_too_large.nn.
  }

  @Test
  void megabyteLines() {
    int terms = 500_000;
    Compiler.CheckResult sum = checkText("1 MB sum",
        "fn f(x) = x" + "+x".repeat(terms - 1) + ";");
    assertTrue(sum.ok(), () -> show(sum.render()));
    checkText("1 MB product", "fn f(x) = x" + "*x".repeat(terms - 1) + ";");
    assertFalse(checkText("1 MB identifier", "fn f(x) = " + "a".repeat(1 << 20) + ";").ok());
    assertFalse(checkText("1 MB number", "fn f(x) = " + "7".repeat(1 << 20) + ";").ok());
    assertTrue(checkText("1 MB comment", "// " + "c".repeat(1 << 20) + "\nfn f(x) = x;").ok());
    assertTrue(checkText("1 MB block comment", "/*" + "*x/".repeat(1 << 18) + "*/ fn f(x) = x;")
        .ok());
    assertFalse(checkText("1 MB unterminated comment", "fn f(x) = x; /*" + "x".repeat(1 << 20))
        .ok());
    assertFalse(checkText("1 MB of one character", "#".repeat(1 << 20)).ok());
    assertFalse(checkText("1 MB of semicolons", ";".repeat(1 << 20)).ok());
    assertFalse(checkText("1 MB of newlines then an error", "\n".repeat(1 << 20) + "fn").ok());
  }

  /**
   * Declarations by the tens of thousands (40,000: each input is a megabyte or more, and the
   * suite must stay quick on a loaded machine; the allocation bound catches a quadratic pass).
   */
  @Test
  void manyDeclarations() {
    int n = DECLARATIONS;
    StringBuilder fns = new StringBuilder();
    for (int i = 0; i < n; i++) {
      fns.append("fn f").append(i).append("(x) = x * ").append(i).append(";\n");
    }
    assertTrue(checkText(n + " functions", fns.toString()).ok());
    StringBuilder lets = new StringBuilder("fn f(x) {\n");
    for (int i = 0; i < n; i++) {
      lets.append("  let a").append(i).append(" = ").append(i == 0 ? "x" : "a" + (i - 1))
          .append(" * x + 1;\n");
    }
    assertTrue(checkText(n + " chained lets", lets.append("  return a" + (n - 1) + ";\n}\n")
        .toString()).ok());
    StringBuilder errors = new StringBuilder();
    for (int i = 0; i < n; i++) {
      errors.append("fn g").append(i).append("(x) = y;\n");
    }
    Compiler.CheckResult many = checkText(n + " errors", errors.toString());
    assertTrue(many.diagnostics().size() <= 101, "errors are capped");
    StringBuilder duplicates = new StringBuilder();
    for (int i = 0; i < n; i++) {
      duplicates.append("fn same(x) = x;\n");
    }
    assertFalse(checkText(n + " duplicates", duplicates.toString()).ok());
    StringBuilder model = new StringBuilder("model Big {\n  input x: [2];\n  target t: [2];\n");
    for (int i = 0; i < n / 4; i++) {
      model.append("  param w").append(i).append(": [2];\n");
    }
    model.append("  loss mse(x * w0 + w" + (n / 4 - 1) + ", t);\n}\n");
    assertTrue(checkText(n / 4 + " model parameters", model.toString()).ok());
  }

  private static <T> T pick(Random random, List<T> list) {
    return list.get(random.nextInt(list.size()));
  }

  /** A program that uses most constructs, so that mutations reach most of the checker. */
  private static final String EXTRA_SAMPLE = """
      fn act(v: [4]) = where(v > 0, v, 0.01 * v) + leaky_relu(v, 0.2) - max(v, 0);
      fn stats(W: [4, 3], u: [3]) {
        let m = mean(W, axis: 0) + sum(W, axis: -1)[0];
        let z = W @ u + W.T[1] @ W.T;
        return logsumexp(m) + max(z) + min(z, axis: 0) + transpose(W)[2, 3] ^ 2;
      }
      layer Block(n, k)(h: [n]) {
        param G: [n, k] init normal(0.02);
        param c: [k] init uniform(-0.1, 0.1);
        let a = tanh(h @ G + c);
        return softplus(a) * sigmoid(a);
      }
      model Reg {
        input x: [4];
        target t: [2];
        label y: class(2);
        param w: [2] init ones;
        let b1 = Block(4, 2);
        let s = b1(x) + w;
        output p = softmax(s);
        output k = argmax(s);
        loss mse(s, t) + cross_entropy(log_softmax(s), y) + bce_with_logits(s, t)[0]
            + hinge(s, y) + 1e-4 * sum(b1.G ^ 2) + sqrt(abs(exp(-sum(w)))) ;
        optimizer adam(lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8);
      }
      """;
}
