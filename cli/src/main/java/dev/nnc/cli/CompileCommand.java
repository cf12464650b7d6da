package dev.nnc.cli;

import dev.nnc.compiler.Compiler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code nnc compile FILE... -d DIR [--package PKG]}: writes the generated Java sources. */
@Command(name = "compile", mixinStandardHelpOptions = true,
    description = "Compile .nn files to Java sources (one class per fn).")
final class CompileCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = ".nn files")
  List<Path> files;

  @Option(names = "-d", required = true, paramLabel = "DIR", description = "output directory")
  Path dir;

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
    List<Compiler.GeneratedSource> all = new ArrayList<>();
    boolean failed = false;
    for (Path file : files) {
      try {
        Compiler.CheckResult checked = SourceLoader.load(file, spec.commandLine().getErr());
        all.addAll(Compiler.generate(checked, packageName, !noSimplify));
      } catch (UserError e) {
        if (e.getMessage() != null) {
          spec.commandLine().getErr().println("nnc: " + e.getMessage());
        }
        failed = true;
      }
    }
    if (failed) {
      return 1;
    }
    for (Compiler.GeneratedSource source : all) {
      Path target = dir.resolve(source.qualifiedName().replace('.', '/') + ".java");
      writeAtomically(target, source.code());
    }
    spec.commandLine().getOut().println("wrote " + all.size() + " class"
        + (all.size() == 1 ? "" : "es") + " to " + dir);
    return 0;
  }

  /** Writes via a temporary file in the same directory and a rename, so readers never see half a file. */
  static void writeAtomically(Path target, String content) {
    try {
      Files.createDirectories(target.getParent());
      Path temp = Files.createTempFile(target.getParent(), ".nnc-", ".tmp");
      try {
        Files.writeString(temp, content, StandardCharsets.UTF_8);
        try {
          Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (java.nio.file.FileAlreadyExistsException e) {
      throw new UserError("cannot write " + target + ": " + e.getFile() + " is not a directory");
    } catch (IOException e) {
      throw new UserError("cannot write " + target + ": " + e.getMessage());
    }
  }
}
