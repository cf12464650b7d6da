package dev.nnc.cli;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.compiler.emit.InMemoryJavaCompiler;
import dev.nnc.compiler.ir.ElementType;
import dev.nnc.compiler.ir.ModelIr;
import dev.nnc.cli.models.ModelHost;
import dev.nnc.runtime.Model;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiles a file's model to Java in memory and instantiates it. The compiled classes are kept in
 * the {@link ModelClassCache}: a run of an unchanged file with the same options loads them
 * instead of checking, generating and compiling again, and prints the same warnings.
 */
final class ModelLoader {
  /** The package of the generated classes: {@link ModelHost}'s, where they are defined. */
  private static final String PACKAGE = ModelHost.class.getPackageName();

  private ModelLoader() {}

  /** The model of {@code file} ({@code modelName}, or its only one) computing in {@code type}. */
  static Model load(Path file, String modelName, ElementType type, PrintWriter err) {
    SourceFile source = SourceLoader.read(file);
    if (source == null) { // not UTF-8: reported as the check reports it
      SourceLoader.load(file, err);
      throw new IllegalStateException("a file that is not UTF-8 passed the check");
    }
    ModelClassCache cache = ModelClassCache.open();
    String key = cache == null ? null : ModelClassCache.key(source.name(), source.text(),
        options(source, modelName, type));
    ModelClassCache.Entry entry = cache == null ? null : cache.get(key);
    if (entry != null) {
      Model model = instantiate(entry);
      if (model != null) {
        err.print(entry.diagnostics());
        err.flush();
        return model;
      }
    }
    Compiler.CheckResult checked = SourceLoader.load(source, err);
    ModelIr chosen = select(checked, modelName);
    Map<String, String> sources = new LinkedHashMap<>();
    for (Compiler.GeneratedSource s : SourceLoader.generate(checked, PACKAGE, true, type, err)) {
      sources.put(s.qualifiedName(), s.code());
    }
    Map<String, byte[]> classes = InMemoryJavaCompiler.compileToBytes(sources);
    for (String name : sources.keySet()) {
      entry = new ModelClassCache.Entry(checked.render(), name, classes);
      Model model = instantiate(entry);
      if (model != null && model.name().equals(chosen.name())) {
        if (cache != null) {
          cache.put(key, entry);
        }
        return model;
      }
    }
    throw new IllegalStateException("no generated class is model " + chosen.name());
  }

  /**
   * What else decides the classes: the options, and the name and text of every file the source
   * imports, so that changing an imported file compiles the model again.
   */
  private static String[] options(SourceFile source, String modelName, ElementType type) {
    List<String> options = new ArrayList<>(List.of("model", String.valueOf(modelName),
        type.name(), PACKAGE));
    for (SourceFile file : Compiler.files(source).values()) {
      if (!file.name().equals(source.name())) {
        options.add(file.name());
        options.add(file.text());
      }
    }
    return options.toArray(new String[0]);
  }

  /** The model the options name: {@code modelName}, or the file's only model. */
  static ModelIr select(Compiler.CheckResult checked, String modelName) {
    List<ModelIr> models = checked.program().models();
    if (models.isEmpty()) {
      throw new UserError(checked.source().name() + " declares no model");
    }
    if (modelName == null) {
      if (models.size() > 1) {
        List<String> names = new ArrayList<>();
        models.forEach(m -> names.add(m.name()));
        throw new UserError(checked.source().name() + " declares several models ("
            + String.join(", ", names) + "); choose one with --model", 2);
      }
      return models.get(0);
    }
    for (ModelIr m : models) {
      if (m.name().equals(modelName)) {
        return m;
      }
    }
    throw new UserError(checked.source().name() + " has no model '" + modelName + "'", 2);
  }

  /**
   * A new instance of the entry's model class, or null if it is not a model class. It is defined
   * as a hidden class of {@link ModelHost}'s package when it refers to no other generated class
   * (as a model's class does), else with a class loader for all of them.
   */
  private static Model instantiate(ModelClassCache.Entry entry) {
    Map<String, byte[]> classes = entry.classes();
    byte[] bytes = classes.get(entry.modelClass());
    if (bytes == null) {
      return null;
    }
    try {
      Class<?> c = standalone(entry) ? ModelHost.lookup().defineHiddenClass(bytes, true)
          .lookupClass() : loader(classes).loadClass(entry.modelClass());
      if (!Model.class.isAssignableFrom(c)) {
        return null;
      }
      return (Model) c.getConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      return null; // a stale or corrupt entry: compile again
    }
  }

  /** Whether the model's class file names no other generated class. */
  private static boolean standalone(ModelClassCache.Entry entry) {
    String code = new String(entry.classes().get(entry.modelClass()),
        java.nio.charset.StandardCharsets.ISO_8859_1);
    for (String other : entry.classes().keySet()) {
      if (!other.equals(entry.modelClass()) && code.contains(other.replace('.', '/'))) {
        return false;
      }
    }
    return true;
  }

  private static ClassLoader loader(Map<String, byte[]> classes) {
    return new ClassLoader(ModelLoader.class.getClassLoader()) {
      @Override
      protected Class<?> findClass(String name) throws ClassNotFoundException {
        byte[] b = classes.get(name);
        if (b == null) {
          throw new ClassNotFoundException(name);
        }
        return defineClass(name, b, 0, b.length);
      }
    };
  }
}
