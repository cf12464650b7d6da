package dev.nnc.compiler.emit;

import com.palantir.javapoet.NameAllocator;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import javax.lang.model.SourceVersion;

/**
 * The naming policy of generated Java: class names from {@code .nn} names, collision- and
 * keyword-safe member names, and text made safe for comments and Javadoc. Every legal
 * {@code .nn} name ({@code [A-Za-z_][A-Za-z0-9_]*}) maps to a valid Java name here.
 */
public final class JavaNames {
  /**
   * Simple names of the types generated code refers to without qualification. A generated class
   * must not take one of them (a class in the package hides a java.lang type from its siblings,
   * and a class cannot share its name with a type it imports), and no field, parameter or local
   * may take one either (a variable obscures a type of the same name in {@code Gemm.nn(...)}).
   */
  static final Set<String> TYPES = Set.of(
      // java.lang, which generated code uses unqualified
      "String", "Object", "Override", "System", "Math", "StrictMath", "Integer", "Long", "Double",
      "Float", "Boolean", "Character", "Byte", "Short", "Number", "Void", "Class", "Thread",
      "Runtime", "Exception", "RuntimeException", "Error", "Throwable", "Iterable", "Comparable",
      "Record", "Enum", "IndexOutOfBoundsException", "IllegalArgumentException",
      "IllegalStateException", "SuppressWarnings", "Deprecated", "FunctionalInterface",
      "SafeVarargs", "Runnable", "CharSequence", "StringBuilder", "AutoCloseable", "Cloneable",
      "Process",
      // imported by generated classes and their tests
      "List", "Arrays", "AtomicBoolean", "CompiledFunction", "NnMath", "Model", "Parameter",
      "Initializer", "Slot", "Batch", "OptimizerSpec", "Optimizer", "Gemm", "GradientCheck",
      "Test");

  /** Roots of qualified names, which a variable of the same name would obscure. */
  private static final Set<String> PACKAGE_ROOTS = Set.of("java", "javax", "dev", "org");

  /**
   * Restricted identifiers of newer Java versions: legal names under {@code --release 11}, but a
   * project compiling the generated sources with a newer release may reject {@code yield = ...}.
   */
  private static final Set<String> RESTRICTED = Set.of("var", "yield", "record", "sealed",
      "permits");

  /**
   * Loop counters and accumulators that generated statements declare (see {@link Code}); a
   * model's batched loops also declare {@code b} and {@code n}, which its emitter reserves.
   */
  static final Set<String> LOOP_LOCALS = Set.of("i", "j", "k", "o", "p", "r", "sum", "max",
      "best", "scale");

  private JavaNames() {}

  /**
   * The Java class name for a {@code fn} or {@code model} name: CamelCase at underscores
   * ({@code softmax_loss} is {@code SoftmaxLoss}); a name that would start with a digit keeps
   * its underscore ({@code _9lives} is {@code _9lives}); a name of underscores alone is
   * {@code Fn}; a name that would hide a type generated code uses gets the suffix {@code Fn}
   * ({@code fn string} is {@code StringFn}).
   */
  public static String className(String nnName) {
    StringBuilder camel = new StringBuilder();
    for (String part : nnName.replaceAll("[^A-Za-z0-9_]", "_").split("_")) {
      if (!part.isEmpty()) {
        camel.append(Character.toUpperCase(part.charAt(0))).append(part, 1, part.length());
      }
    }
    String name = camel.length() == 0 ? "Fn" : camel.toString();
    if (Character.isDigit(name.charAt(0))) {
      name = "_" + name;
    }
    if (TYPES.contains(name)) {
      name = name + "Fn";
    }
    if (!SourceVersion.isName(name)) {
      throw new IllegalStateException("no Java class name for " + nnName + ": " + name);
    }
    return name;
  }

  /**
   * A name allocator for the members of class {@code className}: every type generated code
   * uses, every package root, restricted identifier and loop local is taken, and so is each of
   * {@code members} (the class's own fields and methods), under the tag {@code "$" + member}.
   */
  static NameAllocator allocator(String className, Collection<String> members) {
    NameAllocator names = new NameAllocator();
    names.newName(className, "$class");
    List<String> taken = new ArrayList<>();
    taken.addAll(TYPES);
    taken.addAll(PACKAGE_ROOTS);
    taken.addAll(RESTRICTED);
    taken.addAll(LOOP_LOCALS);
    taken.addAll(members);
    taken.sort(null); // NameAllocator's answers depend on the order of requests
    for (String name : taken) {
      if (!name.equals(className)) {
        names.newName(name, "$" + name);
      }
    }
    return names;
  }

  /** A Java identifier hint for a {@code .nn} name: {@code fc1.W} is {@code fc1_W}. */
  static String hint(String nnName) {
    return nnName.replace('.', '_');
  }

  /** The last segment of a path, so generated code does not depend on where nnc ran. */
  static String fileName(String path) {
    int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
    return path.substring(slash + 1);
  }

  /** Replaces anything that could end a comment or inject code with '?'. */
  static String sanitize(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      out.append(c >= 0x20 && c < 0x7f && c != '\\' ? c : '?');
    }
    return out.toString();
  }

  /** Text safe inside a Javadoc {@code {@code ...}} span. */
  static String javadocSafe(String text) {
    return sanitize(text).replace("*/", "*?").replace("{", "(").replace("}", ")")
        .replace("@", "(at)").replace("$", "?");
  }

  /** At most 80 characters of {@code text}, ending in "..." when cut. */
  static String shorten(String text) {
    return text.length() > 80 ? text.substring(0, 77) + "..." : text;
  }

  /**
   * A source line as comment text: trimmed, shortened, then sanitized (in that order, so that a
   * megabyte line costs no more than a short one).
   */
  static String sourceLine(String line) {
    String trimmed = line.trim();
    return sanitize(shorten(trimmed.length() > 81 ? trimmed.substring(0, 81) : trimmed));
  }
}
