package dev.nnc.compiler.emit;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles generated Java sources in memory with {@code --release 11} against the runtime and
 * loads the classes: the route by which {@code nnc eval} and the tests run generated code.
 */
public final class InMemoryJavaCompiler {
  private InMemoryJavaCompiler() {}

  /** Thrown when javac rejects generated code: always a compiler bug, never a user error. */
  public static final class CompilationFailed extends RuntimeException {
    CompilationFailed(String message) {
      super(message);
    }
  }

  /** Compiles {@code sources} (qualified class name to code); returns the loaded classes by name. */
  public static Map<String, Class<?>> compile(Map<String, String> sources) {
    Map<String, byte[]> classes = compileToBytes(sources);
    ClassLoader loader = new ClassLoader(InMemoryJavaCompiler.class.getClassLoader()) {
      @Override
      protected Class<?> findClass(String name) throws ClassNotFoundException {
        byte[] b = classes.get(name);
        if (b == null) {
          throw new ClassNotFoundException(name);
        }
        return defineClass(name, b, 0, b.length);
      }
    };
    Map<String, Class<?>> loaded = new HashMap<>();
    try {
      for (String name : sources.keySet()) {
        loaded.put(name, loader.loadClass(name));
      }
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
    return loaded;
  }

  /**
   * Compiles {@code sources} with {@code --release 11 -Xlint:all -Werror} (generated code must be
   * warning-free); returns the class files by binary name.
   */
  public static Map<String, byte[]> compileToBytes(Map<String, String> sources) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) {
      throw new IllegalStateException("no Java compiler available: run nnc on a JDK, not a JRE");
    }
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    StandardJavaFileManager standard = javac.getStandardFileManager(diagnostics, null, null);
    Map<String, ByteArrayOutputStream> classes = new HashMap<>();
    JavaFileManager manager = new ForwardingJavaFileManager<>(standard) {
      @Override
      public JavaFileObject getJavaFileForOutput(Location location, String className,
          JavaFileObject.Kind kind, FileObject sibling) {
        return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/')
            + kind.extension), kind) {
          @Override
          public OutputStream openOutputStream() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            classes.put(className, out);
            return out;
          }
        };
      }
    };
    List<JavaFileObject> units = new ArrayList<>();
    for (Map.Entry<String, String> e : sources.entrySet()) {
      String code = e.getValue();
      units.add(new SimpleJavaFileObject(URI.create("string:///" + e.getKey().replace('.', '/')
          + ".java"), JavaFileObject.Kind.SOURCE) {
        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
          return code;
        }
      });
    }
    List<String> options = List.of("--release", "11", "-classpath", runtimeClasspath(),
        "-Xlint:all", "-Werror", "-proc:none");
    boolean ok = javac.getTask(new StringWriter(), manager, diagnostics, options, null, units).call();
    if (!ok) {
      StringBuilder message = new StringBuilder("generated code did not compile:\n");
      diagnostics.getDiagnostics().forEach(d -> message.append(d).append('\n'));
      throw new CompilationFailed(message.toString());
    }
    Map<String, byte[]> out = new HashMap<>();
    classes.forEach((k, v) -> out.put(k, v.toByteArray()));
    return out;
  }

  /** Where the runtime classes are: the runtime jar or classes directory, or the tool's jar. */
  static String runtimeClasspath() {
    try {
      Class<?> runtime = Class.forName("dev.nnc.runtime.CompiledFunction");
      Path path = Path.of(runtime.getProtectionDomain().getCodeSource().getLocation().toURI());
      return path.toString() + File.pathSeparator + System.getProperty("java.class.path");
    } catch (ClassNotFoundException | URISyntaxException | NullPointerException e) {
      return System.getProperty("java.class.path");
    }
  }
}
