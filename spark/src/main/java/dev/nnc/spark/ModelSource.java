package dev.nnc.spark;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.compiler.emit.FunctionEmitter;
import dev.nnc.compiler.emit.InMemoryJavaCompiler;
import dev.nnc.compiler.ir.ElementType;
import dev.nnc.compiler.ir.ModelIr;
import dev.nnc.runtime.Model;
import dev.nnc.runtime.NncException;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How the driver and every executor obtain an instance of the model: a generated class on the
 * class path (by name, so it ships as a string), or a {@code .nn} source text compiled in memory
 * once per JVM. Small and serializable: it travels with every Spark task.
 */
public final class ModelSource implements Serializable {
  private static final long serialVersionUID = 1L;
  /** Classes compiled from sources in this JVM, keyed by source: one javac run per executor. */
  private static final Map<ModelSource, Class<? extends Model>> COMPILED = new ConcurrentHashMap<>();

  private final String className;
  private final String sourceName;
  private final String sourceText;
  private final String modelName;
  private final boolean f64;

  private ModelSource(String className, String sourceName, String sourceText, String modelName,
      boolean f64) {
    this.className = className;
    this.sourceName = sourceName;
    this.sourceText = sourceText;
    this.modelName = modelName;
    this.f64 = f64;
  }

  /** A generated model class, which every executor must have on its class path. */
  public static ModelSource ofClass(Class<? extends Model> modelClass) {
    return ofClassName(modelClass.getName());
  }

  /** A generated model class by its binary name, loaded with the thread's context class loader. */
  public static ModelSource ofClassName(String className) {
    return new ModelSource(Objects.requireNonNull(className), null, null, null, false);
  }

  /**
   * A model in {@code .nn} source text; {@code modelName} picks one of several models (null: the
   * only one); {@code f64} compiles it in double precision. The source is checked here, on the
   * driver, so errors are reported before any job starts.
   */
  public static ModelSource ofSource(String sourceName, String sourceText, String modelName,
      boolean f64) {
    ModelSource source = new ModelSource(null, Objects.requireNonNull(sourceName),
        Objects.requireNonNull(sourceText), modelName, f64);
    source.modelClass();
    return source;
  }

  /** The model in the {@code .nn} file at {@code path} (see {@link #ofSource}). */
  public static ModelSource ofFile(Path path, String modelName, boolean f64) {
    SourceFile file;
    try {
      file = Compiler.read(path, path.toString());
    } catch (IOException e) {
      throw new NncException(path + ": cannot read: " + e.getMessage());
    }
    if (file == null) {
      throw new NncException(path + ": file is not valid UTF-8 text");
    }
    return ofSource(path.toString(), file.text(), modelName, f64);
  }

  /** A new, uninitialized instance of the model. */
  public Model create() {
    try {
      return modelClass().getConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new NncException("cannot instantiate model " + describe() + ": " + e);
    }
  }

  /** A short description for messages: the class name or the source file and model. */
  public String describe() {
    if (className != null) {
      return className;
    }
    return sourceName + (modelName == null ? "" : " (model " + modelName + ")");
  }

  private Class<? extends Model> modelClass() {
    if (className != null) {
      try {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        Class<?> c = Class.forName(className, true,
            loader != null ? loader : ModelSource.class.getClassLoader());
        if (!Model.class.isAssignableFrom(c)) {
          throw new NncException(className + " is not a generated model class (it does not"
              + " implement dev.nnc.runtime.Model)");
        }
        return c.asSubclass(Model.class);
      } catch (ClassNotFoundException e) {
        throw new NncException("model class " + className + " is not on the class path (ship the"
            + " jar of the generated classes with spark-submit --jars)");
      }
    }
    return COMPILED.computeIfAbsent(this, ModelSource::compile);
  }

  private Class<? extends Model> compile() {
    Compiler.CheckResult checked = Compiler.check(new SourceFile(sourceName, sourceText));
    if (!checked.ok()) {
      throw new NncException(checked.render().strip());
    }
    List<ModelIr> models = checked.program().models();
    ModelIr chosen = null;
    List<String> names = new ArrayList<>();
    for (ModelIr m : models) {
      names.add(m.name());
      if (modelName == null ? models.size() == 1 : m.name().equals(modelName)) {
        chosen = m;
      }
    }
    if (chosen == null) {
      throw new NncException(sourceName + (models.isEmpty() ? " declares no model"
          : modelName == null ? " declares several models (" + String.join(", ", names)
              + "); choose one by name" : " has no model '" + modelName + "'"));
    }
    String pkg = "nnc.models";
    Map<String, String> sources = new LinkedHashMap<>();
    for (Compiler.GeneratedSource s : Compiler.generate(checked, pkg, true,
        f64 ? ElementType.F64 : ElementType.F32)) {
      sources.put(s.qualifiedName(), s.code());
    }
    String name = pkg + "." + FunctionEmitter.className(chosen.name());
    return InMemoryJavaCompiler.compile(sources).get(name).asSubclass(Model.class);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ModelSource)) {
      return false;
    }
    ModelSource s = (ModelSource) o;
    return Objects.equals(className, s.className) && Objects.equals(sourceName, s.sourceName)
        && Objects.equals(sourceText, s.sourceText) && Objects.equals(modelName, s.modelName)
        && f64 == s.f64;
  }

  @Override
  public int hashCode() {
    return Objects.hash(className, sourceName, sourceText, modelName, f64);
  }

  @Override
  public String toString() {
    return describe();
  }
}
