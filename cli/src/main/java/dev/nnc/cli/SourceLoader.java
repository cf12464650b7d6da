package dev.nnc.cli;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.diag.Diagnostic;
import dev.nnc.compiler.diag.DiagnosticFormatter;
import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.runtime.NncException;
import dev.nnc.runtime.io.InputFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Set;

/**
 * Reads and checks one {@code .nn} file (with the files it imports) for a command, printing its
 * diagnostics.
 */
final class SourceLoader {
  private SourceLoader() {}

  /** The checked file; prints diagnostics and throws {@link UserError} if it has errors. */
  static Compiler.CheckResult load(Path file, PrintWriter err) {
    return printed(check(file), err);
  }

  /**
   * As {@link #load(Path, PrintWriter)} for one of several files checked in one command: a
   * diagnostic already in {@code printed} (an error in a file that two of them import) is not
   * printed again.
   */
  static Compiler.CheckResult load(Path file, PrintWriter err, Set<Diagnostic> printed) {
    Compiler.CheckResult result = check(file);
    err.print(render(result, printed));
    err.flush();
    if (!result.ok()) {
      throw new UserError(null);
    }
    return result;
  }

  /** The diagnostics of {@code result} not yet in {@code printed}, rendered; adds them. */
  static String render(Compiler.CheckResult result, Set<Diagnostic> printed) {
    StringBuilder out = new StringBuilder();
    for (Diagnostic d : result.diagnostics()) {
      if (printed.add(d)) {
        out.append(DiagnosticFormatter.format(d, result.fileOf(d)));
      }
    }
    return out.toString();
  }

  /** {@code source} checked; prints diagnostics and throws {@link UserError} if it has errors. */
  static Compiler.CheckResult load(SourceFile source, PrintWriter err) {
    return printed(Compiler.check(source), err);
  }

  private static Compiler.CheckResult printed(Compiler.CheckResult result, PrintWriter err) {
    err.print(result.render());
    err.flush();
    if (!result.ok()) {
      throw new UserError(null);
    }
    return result;
  }

  /**
   * The classes of a checked file, in {@code packageName}; two declarations that would generate
   * the same class (say {@code fn f} and {@code fn F}) are printed like check errors and end the
   * command.
   */
  static java.util.List<Compiler.GeneratedSource> generate(Compiler.CheckResult checked,
      String packageName, boolean simplify, dev.nnc.compiler.ir.ElementType type,
      PrintWriter err) {
    Compiler.Generation generation = Compiler.generate(
        java.util.List.of(new Compiler.Unit(checked, packageName)), simplify, type);
    if (!generation.ok()) {
      err.print(generation.render());
      err.flush();
      throw new UserError(null);
    }
    return generation.sources();
  }

  /**
   * Reads and checks {@code file}, without printing; a file that cannot be read (missing, a
   * directory, unreadable) is a {@link UserError} naming it.
   */
  static Compiler.CheckResult check(Path file) {
    SourceFile source = read(file);
    if (source == null) { // not UTF-8: the compiler reports it as a diagnostic
      try {
        return Compiler.check(file, file.toString());
      } catch (IOException e) {
        throw new UserError(file + ": cannot read: " + e.getMessage());
      }
    }
    return Compiler.check(source);
  }

  /**
   * The text of {@code file} named as given, as {@link Compiler#read} decodes it; null when it
   * is not valid UTF-8. A file that cannot be read is a {@link UserError} naming it.
   */
  static SourceFile read(Path file) {
    try {
      InputFile.check(file);
      return Compiler.read(file, file.toString());
    } catch (NncException e) {
      throw new UserError(e.getMessage());
    } catch (IOException e) {
      throw new UserError(file + ": cannot read: " + e.getMessage());
    }
  }
}
