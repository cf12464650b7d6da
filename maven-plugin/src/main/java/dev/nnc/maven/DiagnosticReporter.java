package dev.nnc.maven;

import dev.nnc.compiler.diag.Diagnostic;
import dev.nnc.compiler.diag.DiagnosticFormatter;
import dev.nnc.compiler.diag.SourceFile;
import java.io.File;
import java.util.HashSet;
import java.util.Set;
import org.apache.maven.plugin.logging.Log;
import org.sonatype.plexus.build.incremental.BuildContext;
import org.sonatype.plexus.build.incremental.DefaultBuildContext;

/**
 * Reports {@code .nn} diagnostics once: to the build log as the CLI prints them (the
 * {@code file:line:col: error: ...} line, the source line and a caret), and to an IDE as markers
 * through its {@link BuildContext}. A diagnostic found again (an error in a file that several
 * checked files import) is not reported twice.
 */
final class DiagnosticReporter {
  private final Log log;
  private final BuildContext context;
  private final boolean ide;
  private int errors;
  private final Set<String> filesWithErrors = new HashSet<>();
  private final Set<Diagnostic> reported = new HashSet<>();

  DiagnosticReporter(Log log, BuildContext context) {
    this.log = log;
    this.context = context;
    // On the command line the BuildContext is the default one, which logs every message it is
    // given as "FILE [L:C]: ..." a second time; only an IDE's context turns messages into markers.
    this.ide = !(context instanceof DefaultBuildContext);
  }

  /** Forgets the IDE markers of a file that is about to be checked again. */
  void clear(File file) {
    context.removeMessages(file);
  }

  void report(Diagnostic d, SourceFile source) {
    if (!reported.add(d)) {
      return;
    }
    boolean error = d.severity() == Diagnostic.Severity.ERROR;
    String text = DiagnosticFormatter.format(d, source).stripTrailing();
    if (error) {
      errors++;
      filesWithErrors.add(d.span().file());
      log.error(text);
    } else {
      log.warn(text);
    }
    // A marker needs a file: the standard library's lines are only in the log.
    if (ide && new File(d.span().file()).isFile()) {
      context.addMessage(new File(d.span().file()), d.span().line(), d.span().column(),
          d.message(), error ? BuildContext.SEVERITY_ERROR : BuildContext.SEVERITY_WARNING, null);
    }
  }

  /** An error that belongs to no {@code .nn} line, such as a refusal to overwrite a file. */
  void error(String line) {
    errors++;
    log.error(line);
  }

  int errors() {
    return errors;
  }

  /** The files (as diagnostics name them) that had at least one error. */
  Set<String> filesWithErrors() {
    return Set.copyOf(filesWithErrors);
  }
}
