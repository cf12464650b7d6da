package dev.nnc.compiler.diag;

/**
 * A range of source text: character offsets plus the 1-based line and column of its first and
 * last character.
 */
public record SourceSpan(
    String file, int start, int end, int line, int column, int endLine, int endColumn) {

  /** A span for code that has no source, such as rewritten or synthesized nodes. */
  public static final SourceSpan NONE = new SourceSpan("<none>", 0, 0, 0, 0, 0, 0);

  /** The smallest span covering both {@code this} and {@code other}. */
  public SourceSpan to(SourceSpan other) {
    if (this == NONE) {
      return other;
    }
    if (other == NONE) {
      return this;
    }
    SourceSpan first = start <= other.start ? this : other;
    SourceSpan last = end >= other.end ? this : other;
    return new SourceSpan(file, first.start, last.end, first.line, first.column, last.endLine,
        last.endColumn);
  }

  /** {@code file:line:col}. */
  public String position() {
    return file + ":" + line + ":" + column;
  }
}
