package dev.nnc.compiler.diag;

/**
 * A range of source text: character offsets plus the 1-based line and column of its first and
 * last character, and, for code that the checker inlined from a layer or function body, the
 * {@link Call} that inlined it (null otherwise), like a debugger's "inlined at" location.
 */
public record SourceSpan(
    String file, int start, int end, int line, int column, int endLine, int endColumn,
    Call call) {

  /** A span for code that has no source, such as rewritten or synthesized nodes. */
  public static final SourceSpan NONE = new SourceSpan("<none>", 0, 0, 0, 0, 0, 0);

  /** A span of text that was not inlined. */
  public SourceSpan(String file, int start, int end, int line, int column, int endLine,
      int endColumn) {
    this(file, start, end, line, column, endLine, endColumn, null);
  }

  /**
   * The call through which a body was inlined: {@code callee} as the call names it (a layer
   * instance {@code fc2} or a function {@code sq}), the {@code declaration} it runs
   * ({@code Dense}, or the function's name), and the call's own {@code span}, which carries the
   * call that inlined the caller in turn, if any.
   */
  public record Call(String callee, String declaration, SourceSpan span) {}

  /** This span as the text of a body inlined by {@code call}. */
  public SourceSpan inlinedBy(Call call) {
    return this == NONE ? NONE
        : new SourceSpan(file, start, end, line, column, endLine, endColumn, call);
  }

  /** The smallest span covering both {@code this} and {@code other} (inlined like this). */
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
        last.endColumn, call);
  }

  /** {@code file:line:col}. */
  public String position() {
    return file + ":" + line + ":" + column;
  }
}
