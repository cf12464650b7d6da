package dev.nnc.cli;

import dev.nnc.compiler.Compiler;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads and checks one {@code .nn} file for a command, printing its diagnostics. */
final class SourceLoader {
  private SourceLoader() {}

  /** The checked file; prints diagnostics and throws {@link UserError} if it has errors. */
  static Compiler.CheckResult load(Path file, PrintWriter err) {
    if (!Files.isRegularFile(file)) {
      throw new UserError(file + ": no such file");
    }
    Compiler.CheckResult result;
    try {
      result = Compiler.check(file, file.toString());
    } catch (IOException e) {
      throw new UserError(file + ": cannot read: " + e.getMessage());
    }
    err.print(result.render());
    err.flush();
    if (!result.ok()) {
      throw new UserError(null);
    }
    return result;
  }
}
