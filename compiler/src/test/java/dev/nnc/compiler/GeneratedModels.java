package dev.nnc.compiler;

import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.compiler.emit.InMemoryJavaCompiler;
import dev.nnc.compiler.ir.ElementType;
import dev.nnc.runtime.Batch;
import dev.nnc.runtime.GradientCheck;
import dev.nnc.runtime.Model;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Generates, compiles and instantiates the models of a source text, and fills test batches. */
public final class GeneratedModels {
  private GeneratedModels() {}

  /** The first model of {@code text}, compiled with the given element type. */
  public static Model compile(String text, ElementType type, boolean simplify) {
    Compiler.CheckResult checked = Compiler.check(new SourceFile("test.nn", text));
    if (!checked.ok()) {
      throw new AssertionError("expected a clean program:\n" + checked.render());
    }
    Map<String, String> sources = new LinkedHashMap<>();
    for (Compiler.GeneratedSource s : Compiler.generate(checked, "gen", simplify, type)) {
      sources.put(s.qualifiedName(), s.code());
    }
    String modelClass = "gen." + dev.nnc.compiler.emit.JavaNames.className(
        checked.program().models().get(0).name());
    try {
      return (Model) InMemoryJavaCompiler.compile(sources).get(modelClass)
          .getConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  /** A batch of {@code size} random examples (inputs in [-1, 1], labels uniform). */
  public static Batch randomBatch(Model model, int size, long seed) {
    return GradientCheck.randomBatch(model, size, new SplittableRandom(seed));
  }
}
