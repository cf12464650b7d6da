package dev.nnc.compiler.diag;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The diagnostics collected by the passes of one compilation; passes report here instead of throwing. */
public final class Diagnostics {
  /** Past this many errors a file is hopeless; further errors are dropped. */
  public static final int MAX_ERRORS = 100;

  private final Set<Diagnostic> items = new LinkedHashSet<>();
  private int errors;

  public void error(SourceSpan span, String message) {
    if (errors < MAX_ERRORS
        && items.add(new Diagnostic(Diagnostic.Severity.ERROR, place(span), message))) {
      errors++;
    }
  }

  public void warning(SourceSpan span, String message) {
    items.add(new Diagnostic(Diagnostic.Severity.WARNING, place(span), message));
  }

  /**
   * The place a diagnostic is reported: the text itself, not the call that inlined it, so that a
   * mistake in a layer body called by two instances is reported once.
   */
  private static SourceSpan place(SourceSpan span) {
    return span.call() == null ? span : span.inlinedBy(null);
  }

  public boolean hasErrors() {
    return errors > 0;
  }

  public int errorCount() {
    return errors;
  }

  /** All diagnostics, sorted by file and position. */
  public List<Diagnostic> all() {
    List<Diagnostic> list = new ArrayList<>(items);
    list.sort(Comparator.comparing((Diagnostic d) -> d.span().file())
        .thenComparingInt(d -> d.span().line())
        .thenComparingInt(d -> d.span().column()));
    return Collections.unmodifiableList(list);
  }
}
