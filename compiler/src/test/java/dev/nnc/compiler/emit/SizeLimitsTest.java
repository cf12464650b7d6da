package dev.nnc.compiler.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.Numerics;
import dev.nnc.compiler.TestPrograms;
import dev.nnc.compiler.autodiff.DerivedFunction;
import dev.nnc.compiler.autodiff.DerivedModel;
import dev.nnc.compiler.diag.Diagnostic;
import dev.nnc.compiler.diag.Diagnostics;
import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.compiler.interp.Interpreter;
import dev.nnc.compiler.ir.ElementType;
import dev.nnc.compiler.ir.FunctionIr;
import dev.nnc.compiler.ir.ModelIr;
import dev.nnc.compiler.ir.Node;
import dev.nnc.runtime.Batch;
import dev.nnc.runtime.CompiledFunction;
import dev.nnc.runtime.GradientCheck;
import dev.nnc.runtime.Model;
import dev.nnc.runtime.Parameter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documented size limits ({@link SizeLimits}, docs/emitter.md): a fn and a model AT the
 * statement limit compile (javac {@code -g}, as a user's build runs it) into classes within the
 * class-file limits, every method small enough to JIT, and compute what the interpreter
 * computes; one past the limit, a 5 MB file and a 25,000-term expression are errors at their
 * place, reported before the expensive phases.
 */
class SizeLimitsTest {
  /** A let chain: three forward and six backward statements per step. */
  static String letChain(int steps) {
    StringBuilder out = new StringBuilder("fn long_fn(x, y) {\n  let t0 = x;\n");
    for (int i = 1; i <= steps; i++) {
      out.append("  let t").append(i).append(" = sin(t").append(i - 1).append(") * y + x;\n");
    }
    return out.append("  return t").append(steps).append(";\n}\n").toString();
  }

  /** A chain of dense layers, about nine statements each. */
  static String deepModel(int layers) {
    StringBuilder m = new StringBuilder("""
        layer Dense(n_in, n_out)(x: [n_in]) {
          param W: [n_in, n_out] init he;
          param b: [n_out] init zeros;
          return x @ W + b;
        }
        model Deep {
          input x: [6];
          label y: class(3);
        """);
    String previous = "x";
    for (int i = 0; i < layers; i++) {
      m.append("  let l").append(i).append(" = Dense(6, 6);\n  let h").append(i)
          .append(" = tanh(l").append(i).append("(").append(previous).append("));\n");
      previous = "h" + i;
    }
    return m.append("  let out = Dense(6, 3);\n  let logits = out(").append(previous)
        .append(");\n  output probs = softmax(logits);\n  loss cross_entropy(logits, y);\n}\n")
        .toString();
  }

  private static <T> T onLargeStack(Supplier<T> work) {
    return Compiler.onLargeStack(work, new SourceFile("big.nn", ""), new Diagnostics());
  }

  private static Compiler.Generation generate(String text) {
    Compiler.CheckResult checked = Compiler.check(new SourceFile("big.nn", text));
    assertTrue(checked.ok(), checked.render());
    return Compiler.generate(List.of(new Compiler.Unit(checked, "gen")), true, ElementType.F64);
  }

  /**
   * Methods that run once (the constructor, which initializes the parameters, and the buffer
   * allocation when a larger batch arrives) need only stay under the JVM's 64 KB limit; every
   * other method stays under the JIT limit. The pool is within the estimate and the JVM's limit.
   */
  private static void assertWithinClassFileLimits(byte[] classFile, int estimate)
      throws IOException {
    int pool = ClassFiles.constantPoolCount(classFile);
    assertTrue(pool <= estimate, "constant pool " + pool + " over the estimate " + estimate);
    assertTrue(estimate <= SizeLimits.MAX_CONSTANTS, "estimate " + estimate);
    for (Map.Entry<String, Integer> m : ClassFiles.codeLengths(classFile).entrySet()) {
      boolean once = m.getKey().equals("<init>") || m.getKey().equals("ensureCapacity");
      assertTrue(m.getValue() < (once ? 65_536 : ClassFiles.HUGE_METHOD_LIMIT),
          m.getKey() + " has " + m.getValue() + " bytes of bytecode");
    }
  }

  @Test
  void functionAtTheStatementLimitCompilesAndMatchesTheInterpreter() throws Exception {
    int steps = SizeLimits.MAX_FUNCTION_STATEMENTS / 9;
    String text = letChain(steps);
    FunctionIr fn = TestPrograms.function(text, "long_fn");
    DerivedFunction derived = onLargeStack(() -> DerivedFunction.derive(fn, true));
    // at the limit, the class is generated without its second-order methods
    FunctionPlan plan = new FunctionPlan(derived, "LongFn", false);
    int statements = plan.statementCount();
    assertTrue(statements <= SizeLimits.MAX_FUNCTION_STATEMENTS
        && statements > SizeLimits.MAX_FUNCTION_STATEMENTS - 9, statements + " statements");
    String code = onLargeStack(() -> FunctionEmitter.emit(derived, "gen",
        new SourceFile("big.nn", text), "LongFn").toString());
    Map<String, byte[]> classes = ClassFiles.compileWithDebugInfo(Map.of("gen.LongFn", code));
    assertWithinClassFileLimits(classes.get("gen.LongFn"), plan.constantEstimate());

    CompiledFunction f = (CompiledFunction) ClassFiles.load(classes, "gen.LongFn")
        .getConstructor().newInstance();
    double[][] args = {{0.3}, {0.9}};
    List<double[]> expected = TestPrograms.valueAndGradient(
        onLargeStack(() -> DerivedFunction.derive(fn, false)), args);
    double[][] got = dev.nnc.compiler.GeneratedCode.valueAndGradient(f, Numerics.copy(args));
    for (int i = 0; i < got.length; i++) {
      Numerics.assertClose("long_fn part " + i, expected.get(i), got[i], 1e-9, 1e-12);
    }
  }

  @Test
  void functionPastTheStatementLimitIsAnErrorAtItsName() {
    Compiler.Generation generation = generate(letChain(SizeLimits.MAX_FUNCTION_STATEMENTS / 9
        + 2));
    assertEquals(1, generation.diagnostics().size(), generation.render());
    Diagnostic d = generation.diagnostics().get(0);
    assertEquals(1, d.span().line());
    assertEquals(4, d.span().column());
    assertTrue(d.message().startsWith("fn long_fn is too large to compile: its value and gradient"
        + " need 20,0"), d.message());
    assertTrue(d.message().endsWith("more than the 20,000 nnc supports in one class"),
        d.message());
    assertTrue(generation.sources().isEmpty());
  }

  @Test
  void hugeExpressionIsReportedBeforeItIsDerived() {
    StringBuilder text = new StringBuilder("fn f(x, y) =");
    for (int i = 0; i < 25_000; i++) {
      text.append(i == 0 ? " " : " + ").append("x * ").append(i + 1).append(" * y");
    }
    Compiler.Generation generation = generate(text.append(";\n").toString());
    assertEquals(1, generation.diagnostics().size(), generation.render());
    assertTrue(generation.diagnostics().get(0).message().startsWith(
        "fn f is too large to compile: its value alone needs 74,999 Java statements"),
        generation.render());
  }

  @Test
  void fileOverTheSizeBudgetIsReportedWithoutReadingIt(@TempDir Path dir) throws IOException {
    String big = "fn f(x) = x;\n".repeat(5 * (1 << 20) / 13);
    Path file = dir.resolve("big.nn");
    Files.writeString(file, big);
    for (Compiler.CheckResult checked : List.of(Compiler.check(file, "big.nn"),
        Compiler.check(new SourceFile("big.nn", big)))) {
      assertEquals(1, checked.diagnostics().size(), checked.render());
      assertEquals("big.nn:1:1: error: file is 5.0 MB; nnc compiles .nn files of up to 4 MB",
          checked.diagnostics().get(0).headline());
    }
    // at the budget: read and checked (one long comment keeps the check itself cheap)
    String fits = "fn f(x) = x;\n// " + "c".repeat(Compiler.MAX_SOURCE_BYTES - 17) + "\n";
    assertEquals(Compiler.MAX_SOURCE_BYTES, fits.length());
    Files.writeString(file, fits);
    assertTrue(Compiler.check(file, "ok.nn").ok());
  }

  @Test
  void modelAtTheStatementLimitCompilesAndMatchesTheInterpreter() throws Exception {
    int layers = (SizeLimits.MAX_MODEL_STATEMENTS - 15) / 9;
    String text = deepModel(layers);
    ModelIr model = TestPrograms.check(text).models().get(0);
    DerivedModel derived = onLargeStack(() -> DerivedModel.derive(model, true));
    ModelPlan plan = new ModelPlan(derived, "Deep", ElementType.F64,
        new Code(ElementType.F64, Set.of()));
    int statements = plan.statementCount();
    assertTrue(statements <= SizeLimits.MAX_MODEL_STATEMENTS
        && statements > SizeLimits.MAX_MODEL_STATEMENTS - 12, statements + " statements");
    String code = ModelEmitter.emit(derived, "gen", new SourceFile("deep.nn", text), "Deep",
        ElementType.F64).toString();
    Map<String, byte[]> classes = ClassFiles.compileWithDebugInfo(Map.of("gen.Deep", code));
    assertWithinClassFileLimits(classes.get("gen.Deep"), plan.constantEstimate());

    Model compiled = (Model) ClassFiles.load(classes, "gen.Deep").getConstructor().newInstance();
    compiled.initialize(5);
    int batch = 4;
    Batch b = GradientCheck.randomBatch(compiled, batch, new SplittableRandom(3));
    double loss = compiled.forwardBackward(b);
    Map<Node.Var, double[]> inputs = new HashMap<>();
    for (int i = 0; i < model.data().size(); i++) {
      ModelIr.DataVar v = model.data().get(i);
      double[] values = new double[batch * v.var().shape().size()];
      for (int e = 0; e < values.length; e++) {
        values[e] = v.kind() == ModelIr.DataKind.LABEL ? b.labels(i)[e] : b.doubles(i)[e];
      }
      inputs.put(v.var(), values);
    }
    for (int k = 0; k < model.params().size(); k++) {
      inputs.put(model.params().get(k).var(), compiled.parameters().get(k).f64().clone());
    }
    inputs.put(derived.batchSize(), new double[] {batch});
    Interpreter interpreter = new Interpreter(inputs, batch);
    assertEquals(interpreter.value(derived.objective())[0], loss, 1e-9);
    for (int k = 0; k < model.params().size(); k++) {
      Parameter p = compiled.parameters().get(k);
      Numerics.assertClose(p.name(), interpreter.value(derived.gradients().get(k)),
          p.gradF64(), 1e-9, 1e-12);
    }
  }

  @Test
  void modelPastTheStatementLimitIsAnErrorAtItsName() {
    Compiler.Generation generation = generate(deepModel(
        (SizeLimits.MAX_MODEL_STATEMENTS - 15) / 9 + 2));
    assertEquals(1, generation.diagnostics().size(), generation.render());
    Diagnostic d = generation.diagnostics().get(0);
    assertEquals(6, d.span().line());
    assertTrue(d.message().startsWith("model Deep is too large to compile: its loss, outputs and"
        + " gradients need 1,0"), d.message());
  }

  @Test
  void tooManyConstantsIsAnErrorEvenUnderTheStatementLimit() {
    assertNull(SizeLimits.check("fn f", "its value and gradient", 100, 20_000, 60_000));
    String message = SizeLimits.check("fn f", "its value and gradient", 100, 20_000, 61_234);
    assertNotNull(message);
    assertEquals("fn f is too large to compile: its class would hold about 61,234 constants"
        + " (distinct numbers, and values that methods share), more than the 60,000 nnc allows"
        + " in one class", message);
  }
}
