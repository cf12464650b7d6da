package dev.nnc.cli;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.emit.FunctionEmitter;
import dev.nnc.compiler.emit.InMemoryJavaCompiler;
import dev.nnc.compiler.ir.ElementType;
import dev.nnc.compiler.ir.ModelIr;
import dev.nnc.runtime.Model;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Compiles a checked file's model to Java in memory and instantiates it. */
final class ModelLoader {
  private ModelLoader() {}

  static Model load(Compiler.CheckResult checked, String modelName, ElementType type) {
    ModelIr chosen = select(checked, modelName);
    Map<String, String> sources = new LinkedHashMap<>();
    for (Compiler.GeneratedSource s : Compiler.generate(checked, "nnc.models", true, type)) {
      sources.put(s.qualifiedName(), s.code());
    }
    String className = null;
    for (String name : sources.keySet()) {
      if (name.equals("nnc.models." + FunctionEmitter.className(chosen.name()))) {
        className = name;
      }
    }
    try {
      return (Model) InMemoryJavaCompiler.compile(sources).get(className)
          .getConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The model named {@code modelName}, or the file's only model; one-line errors otherwise. */
  static ModelIr select(Compiler.CheckResult checked, String modelName) {
    List<ModelIr> models = checked.program().models();
    if (models.isEmpty()) {
      throw new UserError(checked.source().name() + " declares no model");
    }
    ModelIr chosen = null;
    if (modelName == null) {
      if (models.size() > 1) {
        List<String> names = new ArrayList<>();
        models.forEach(m -> names.add(m.name()));
        throw new UserError(checked.source().name() + " declares several models ("
            + String.join(", ", names) + "); choose one with --model", 2);
      }
      chosen = models.get(0);
    } else {
      for (ModelIr m : models) {
        if (m.name().equals(modelName)) {
          chosen = m;
        }
      }
      if (chosen == null) {
        throw new UserError(checked.source().name() + " has no model '" + modelName + "'", 2);
      }
    }
    return chosen;
  }
}
