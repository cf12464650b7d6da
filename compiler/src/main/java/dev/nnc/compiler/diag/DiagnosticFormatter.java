package dev.nnc.compiler.diag;

/**
 * Renders a diagnostic as {@code FILE:LINE:COL: error: MESSAGE}, then the source line and a
 * caret under the column ({@code ^~~~} under the rest of the span when it stays on that line).
 */
public final class DiagnosticFormatter {
  /** Source lines longer than this are shown as a window around the column. */
  private static final int MAX_SHOWN = 160;

  private DiagnosticFormatter() {}

  public static String format(Diagnostic diagnostic, SourceFile source) {
    StringBuilder out = new StringBuilder(diagnostic.headline()).append('\n');
    SourceSpan span = diagnostic.span();
    if (source == null || span.line() < 1 || span.line() > source.lineCount()) {
      return out.toString();
    }
    String line = source.line(span.line());
    int col = Math.max(1, span.column());
    int width = span.endLine() == span.line() ? Math.max(1, span.endColumn() - col + 1) : 1;
    int from = 0;
    if (line.length() > MAX_SHOWN) {
      from = Math.max(0, Math.min(col - 1 - MAX_SHOWN / 2, line.length() - MAX_SHOWN));
      line = line.substring(from, Math.min(line.length(), from + MAX_SHOWN));
    }
    StringBuilder shown = new StringBuilder();
    StringBuilder marker = new StringBuilder();
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      shown.append(c == '\t' ? ' ' : Character.isISOControl(c) ? '?' : c);
    }
    int caret = col - 1 - from;
    for (int i = 0; i < caret && i < shown.length(); i++) {
      marker.append(' ');
    }
    marker.append('^');
    for (int i = 1; i < width && caret + i < shown.length(); i++) {
      marker.append('~');
    }
    out.append(shown).append('\n').append(marker).append('\n');
    return out.toString();
  }
}
