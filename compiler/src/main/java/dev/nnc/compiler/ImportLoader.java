package dev.nnc.compiler;

import dev.nnc.compiler.ast.Import;
import dev.nnc.compiler.ast.Program;
import dev.nnc.compiler.check.Module;
import dev.nnc.compiler.diag.Diagnostics;
import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.compiler.diag.SourceSpan;
import dev.nnc.compiler.syntax.SyntaxParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses a file and every file it imports, directly or not, and links them into
 * {@link Module}s. A file import ({@code import "layers.nn";}) names a {@code .nn} file by a path
 * relative to the importing file; a library import ({@code import nn;}) names a library shipped
 * in the compiler's jar. A missing or unreadable file, a cycle, a path that is not a {@code .nn}
 * file or leaves the allowed folder, and an unknown library are errors at the import.
 *
 * <p>An imported file is shown (in diagnostics, and as the file of its spans) by its path joined
 * to the importing file's display name, so that {@code nnc check models/mnist.nn} reports an
 * error in an imported file as {@code models/layers.nn:3:5}. Paths are joined and normalized
 * as text ({@code a/../b} is {@code b}), before any symbolic link is followed.
 */
final class ImportLoader {
  /** The name of the standard library in {@code import nn;}. */
  static final String STANDARD_LIBRARY = "nn";

  /** The display name of the standard library's file: the file of its spans. */
  static final String STANDARD_LIBRARY_FILE = "<stdlib>/nn.nn";

  private static final String STANDARD_LIBRARY_RESOURCE = "/dev/nnc/compiler/stdlib/nn.nn";

  /** The outcome: the linked main file (null after errors) and every file read, main first. */
  record Loaded(Module main, Map<String, SourceFile> files) {}

  private final Path root;
  private final Diagnostics diagnostics;
  private final Map<String, SourceFile> files = new LinkedHashMap<>();
  /** Files loaded so far by location; null for one that failed (reported once). */
  private final Map<Path, Module> loaded = new HashMap<>();
  /** The files being loaded, outermost first, to find cycles. */
  private final List<Path> loading = new ArrayList<>();
  private final List<String> loadingNames = new ArrayList<>();
  private boolean failed;

  private ImportLoader(Path root, Diagnostics diagnostics) {
    this.root = root == null ? null : root.toAbsolutePath().normalize();
    this.diagnostics = diagnostics;
  }

  /**
   * Loads {@code main}, which lives at {@code location} (null: nowhere, so it can import only
   * libraries), with its imports; when {@code root} is given, every imported file must lie in
   * that folder. Diagnostics go to {@code diagnostics}; on any error {@code main} is null.
   */
  static Loaded load(SourceFile main, Path location, Path root, Diagnostics diagnostics) {
    ImportLoader loader = new ImportLoader(root, diagnostics);
    loader.files.put(main.name(), main);
    Path key = location == null ? null : location.toAbsolutePath().normalize();
    Module module = loader.load(main, key);
    return new Loaded(loader.failed ? null : module, loader.files);
  }

  private Module load(SourceFile source, Path location) {
    Program program = SyntaxParser.parse(source, diagnostics);
    if (program == null || diagnostics.hasErrors()) {
      failed = true;
      return null;
    }
    if (location != null) {
      loading.add(location);
      loadingNames.add(source.name());
    }
    List<Module.Link> links = new ArrayList<>();
    for (Import statement : program.imports()) {
      Module imported = statement.kind() == Import.Kind.LIBRARY ? library(statement)
          : file(statement, source, location);
      if (imported == null) {
        failed = true;
      } else {
        links.add(new Module.Link(statement, imported));
      }
    }
    if (location != null) {
      loading.remove(loading.size() - 1);
      loadingNames.remove(loadingNames.size() - 1);
    }
    return new Module(program, links);
  }

  /** The libraries nnc ships, by the name an import gives them. */
  static java.util.Map<String, Module> libraries() {
    return java.util.Map.of(STANDARD_LIBRARY, StandardLibrary.MODULE);
  }

  private Module library(Import statement) {
    if (!statement.target().equals(STANDARD_LIBRARY)) {
      error(statement.targetSpan(), "unknown library '" + statement.target() + "'; the standard"
          + " library is 'import " + STANDARD_LIBRARY + ";', and a file is imported by its path"
          + " in quotes, e.g. 'import \"" + statement.target() + ".nn\";'");
      return null;
    }
    files.putIfAbsent(STANDARD_LIBRARY_FILE, StandardLibrary.SOURCE);
    return StandardLibrary.MODULE;
  }

  private Module file(Import statement, SourceFile from, Path fromLocation) {
    SourceSpan at = statement.targetSpan();
    String target = statement.target();
    if (!target.endsWith(".nn") || target.endsWith("/.nn")) {
      error(at, "cannot import \"" + target + "\": only .nn files can be imported"
          + (target.equals(STANDARD_LIBRARY) ? " (the standard library is 'import nn;')" : ""));
      return null;
    }
    if (fromLocation == null) {
      error(at, "cannot import \"" + target + "\": " + from.name() + " is not read from a file,"
          + " so it can import only libraries");
      return null;
    }
    Path location;
    String name;
    try {
      location = fromLocation.resolveSibling(target).normalize();
      name = Path.of(from.name()).resolveSibling(target).normalize().toString();
    } catch (InvalidPathException e) {
      error(at, "cannot import \"" + target + "\": not a valid path");
      return null;
    }
    if (root != null && !location.startsWith(root)) {
      error(at, "cannot import \"" + target + "\": " + name + " is outside the source folder "
          + root);
      return null;
    }
    int cycle = loading.indexOf(location);
    if (cycle >= 0) {
      error(at, cycle == loading.size() - 1 ? "import cycle: " + from.name() + " imports itself"
          : "import cycle: " + String.join(" imports ", loadingNames.subList(cycle,
              loadingNames.size())) + ", which imports " + name);
      return null;
    }
    if (loaded.containsKey(location)) {
      return loaded.get(location);
    }
    SourceFile source = read(location, name, target, at);
    Module module = source == null ? null : load(source, location);
    loaded.put(location, module);
    return module;
  }

  /** The text of an imported file; null after reporting why it cannot be read. */
  private SourceFile read(Path location, String name, String target, SourceSpan at) {
    String problem;
    try {
      if (Files.isDirectory(location)) {
        problem = name + " is a folder";
      } else if (Files.size(location) > Compiler.MAX_SOURCE_BYTES) {
        problem = name + " is larger than " + (Compiler.MAX_SOURCE_BYTES >> 20) + " MB";
      } else {
        SourceFile source = Compiler.read(location, name);
        if (source != null) {
          files.putIfAbsent(name, source);
          return source;
        }
        problem = name + " is not valid UTF-8 text";
      }
    } catch (NoSuchFileException e) {
      problem = "there is no file " + name;
    } catch (java.nio.file.AccessDeniedException e) {
      problem = name + " cannot be read: permission denied";
    } catch (IOException e) {
      problem = name + " cannot be read: " + e.getMessage();
    }
    error(at, "cannot import \"" + target + "\": " + problem);
    return null;
  }

  private void error(SourceSpan span, String message) {
    diagnostics.error(span, message);
  }

  /** The standard library, parsed once: it imports nothing and is immutable. */
  private static final class StandardLibrary {
    static final SourceFile SOURCE = new SourceFile(STANDARD_LIBRARY_FILE, text());
    static final Module MODULE = parse();

    private static String text() {
      try (InputStream in = ImportLoader.class.getResourceAsStream(STANDARD_LIBRARY_RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException("the standard library is missing from the compiler's"
              + " jar: " + STANDARD_LIBRARY_RESOURCE);
        }
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private static Module parse() {
      Diagnostics d = new Diagnostics();
      Program program = SyntaxParser.parse(SOURCE, d);
      if (program == null || d.hasErrors() || !program.imports().isEmpty()) {
        throw new IllegalStateException("the standard library does not parse: " + d.all());
      }
      return new Module(program);
    }
  }
}
