package dev.nnc.compiler;

import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.compiler.emit.InMemoryJavaCompiler;
import dev.nnc.compiler.ir.ElementType;
import dev.nnc.runtime.Batch;
import dev.nnc.runtime.Model;
import dev.nnc.runtime.Slot;
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
    String modelClass = "gen." + dev.nnc.compiler.emit.FunctionEmitter.className(
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
    Batch batch = Batch.forModel(model, size);
    batch.setSize(size);
    SplittableRandom random = new SplittableRandom(seed);
    for (int s = 0; s < model.inputs().size(); s++) {
      Slot slot = model.inputs().get(s);
      if (slot.kind() == Slot.Kind.LABEL) {
        int[] labels = batch.labels(s);
        for (int i = 0; i < size; i++) {
          labels[i] = random.nextInt(slot.classes());
        }
      } else {
        float[] values = batch.floats(s);
        for (int i = 0; i < size * slot.size(); i++) {
          values[i] = (float) random.nextDouble(-1, 1);
        }
      }
    }
    return batch;
  }
}
