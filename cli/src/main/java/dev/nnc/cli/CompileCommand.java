package dev.nnc.cli;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.ir.ElementType;
import dev.nnc.runtime.NncException;
import dev.nnc.runtime.io.AtomicFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code nnc compile FILE... -d DIR [--package PKG]}: writes the generated Java sources. All
 * files are checked and generated together before anything is written: two declarations that
 * would generate the same class are an error naming both places, and nothing is written.
 */
@Command(name = "compile", mixinStandardHelpOptions = true,
    description = "Compile .nn files to Java sources (one class per fn and model).")
final class CompileCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = ".nn files")
  List<Path> files;

  @Option(names = "-d", required = true, paramLabel = "DIR",
      description = "output directory (created if missing)")
  String dir;

  @Option(names = "--package", paramLabel = "PKG", defaultValue = "",
      description = "Java package of the generated classes (default: none)")
  String packageName;

  @Option(names = "--no-simplify", description = "emit the unsimplified derivative")
  boolean noSimplify;

  @Override
  public Integer call() {
    if (!packageName.isEmpty() && !javax.lang.model.SourceVersion.isName(packageName)) {
      throw new UserError("--package: '" + packageName + "' is not a Java package name", 2);
    }
    if (dir.isBlank()) { // an unset shell variable, most likely: never write into "."
      throw new UserError("-d: the output directory is empty", 2);
    }
    PrintWriter err = spec.commandLine().getErr();
    List<Compiler.Unit> units = new ArrayList<>();
    boolean failed = false;
    java.util.Set<dev.nnc.compiler.diag.Diagnostic> printed = new java.util.HashSet<>();
    for (Path file : files) {
      try {
        units.add(new Compiler.Unit(SourceLoader.load(file, err, printed), packageName));
      } catch (UserError e) {
        if (e.getMessage() != null) {
          err.println(Main.oneLine("nnc: " + e.getMessage()));
        }
        failed = true;
      }
    }
    if (failed) {
      return 1;
    }
    Compiler.Generation generation = Compiler.generate(units, !noSimplify, ElementType.F32);
    if (!generation.ok()) {
      err.print(generation.render());
      err.flush();
      return 1;
    }
    write(generation.sources());
    int n = generation.sources().size();
    spec.commandLine().getOut().println("wrote " + n + " class" + (n == 1 ? "" : "es") + " to "
        + dir);
    return 0;
  }

  /** Checks every target before writing the first, so a bad one leaves no half-written output. */
  private void write(List<Compiler.GeneratedSource> sources) {
    Path root = Path.of(dir);
    List<Path> targets = new ArrayList<>();
    for (Compiler.GeneratedSource source : sources) {
      Path target = root.resolve(source.qualifiedName().replace('.', '/') + ".java");
      createDirectories(target.toAbsolutePath().getParent());
      AtomicFile.checkWritable(target);
      targets.add(target);
    }
    for (int i = 0; i < sources.size(); i++) {
      AtomicFile.writeString(targets.get(i), sources.get(i).code());
    }
  }

  private static void createDirectories(Path directory) {
    for (Path p = directory; p != null; p = p.getParent()) {
      if (Files.exists(p)) { // the deepest existing ancestor must be a directory
        if (!Files.isDirectory(p)) {
          throw new NncException(directory + ": cannot write: " + p + " is not a directory");
        }
        break;
      }
    }
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      String reason = e instanceof java.nio.file.AccessDeniedException ? "permission denied"
          : e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null
              ? fs.getReason() : String.valueOf(e.getMessage());
      throw new NncException(directory + ": cannot write: " + reason);
    }
  }
}
