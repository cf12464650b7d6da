package dev.nnc.maven;

import java.util.List;
import java.util.Set;

/**
 * The Java package of a {@code .nn} file: the configured package followed by one segment per
 * subfolder of the source directory (as antlr4-maven-plugin does), each folder name made a valid
 * Java identifier.
 */
final class PackageNames {
  /** Keywords and literals, which cannot be package segments; {@code _} is a keyword since Java 9. */
  private static final Set<String> RESERVED = Set.of(
      "abstract", "assert", "boolean", "break", "byte", "case", "catch", "char", "class", "const",
      "continue", "default", "do", "double", "else", "enum", "extends", "final", "finally",
      "float", "for", "goto", "if", "implements", "import", "instanceof", "int", "interface",
      "long", "native", "new", "package", "private", "protected", "public", "return", "short",
      "static", "strictfp", "super", "switch", "synchronized", "this", "throw", "throws",
      "transient", "try", "void", "volatile", "while", "true", "false", "null", "_");

  private PackageNames() {}

  /** {@code base} extended by the sanitized {@code folders} (outermost first). */
  static String of(String base, List<String> folders) {
    StringBuilder name = new StringBuilder(base);
    for (String folder : folders) {
      if (name.length() > 0) {
        name.append('.');
      }
      name.append(segment(folder));
    }
    return name.toString();
  }

  /**
   * A folder name as a package segment: characters a Java identifier cannot hold become
   * {@code _}, a leading digit gets a {@code _} before it, and a keyword a {@code _} after it
   * ({@code my-models} to {@code my_models}, {@code 2d} to {@code _2d}, {@code int} to
   * {@code int_}). Two folders that sanitize alike share a package; the class-name collision
   * check then reports any class they would both generate.
   */
  static String segment(String folder) {
    StringBuilder s = new StringBuilder(folder.length() + 1);
    folder.codePoints().forEach(c -> {
      if (Character.isJavaIdentifierPart(c) && !Character.isIdentifierIgnorable(c)) {
        s.appendCodePoint(c);
      } else {
        s.append('_');
      }
    });
    if (s.length() == 0 || !Character.isJavaIdentifierStart(s.codePointAt(0))) {
      s.insert(0, '_');
    }
    if (RESERVED.contains(s.toString())) {
      s.append('_');
    }
    return s.toString();
  }

  /** Whether {@code name} is empty (the unnamed package) or a valid dotted Java package name. */
  static boolean isValid(String name) {
    if (name.isEmpty()) {
      return true;
    }
    for (String part : name.split("\\.", -1)) {
      if (part.isEmpty() || !segment(part).equals(part)) {
        return false;
      }
    }
    return true;
  }
}
