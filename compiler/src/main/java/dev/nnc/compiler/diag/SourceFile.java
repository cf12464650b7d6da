package dev.nnc.compiler.diag;

import java.util.Arrays;

/** The text of one {@code .nn} file with its display name and an index of line starts. */
public final class SourceFile {
  private final String name;
  private final String text;
  private final int[] lineStarts;

  public SourceFile(String name, String text) {
    this.name = name;
    this.text = text;
    int[] starts = new int[16];
    int count = 0;
    starts[count++] = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        if (count == starts.length) {
          starts = Arrays.copyOf(starts, count * 2);
        }
        starts[count++] = i + 1;
      }
    }
    this.lineStarts = Arrays.copyOf(starts, count);
  }

  public String name() {
    return name;
  }

  public String text() {
    return text;
  }

  public int lineCount() {
    return lineStarts.length;
  }

  /** The text of 1-based line {@code line}, without its line terminator. */
  public String line(int line) {
    if (line < 1 || line > lineStarts.length) {
      return "";
    }
    return text.substring(lineStarts[line - 1], lineEnd(line));
  }

  /** The offset just past the text of 1-based line {@code line} (before its terminator). */
  private int lineEnd(int line) {
    int start = lineStarts[line - 1];
    int end = line < lineStarts.length ? lineStarts[line] - 1 : text.length();
    if (end > start && text.charAt(end - 1) == '\r') {
      end--;
    }
    return Math.max(start, end);
  }

  /** A span from character offset {@code start} (inclusive) to {@code end} (exclusive). */
  public SourceSpan span(int start, int end) {
    start = Math.max(0, Math.min(start, text.length()));
    end = Math.max(start, Math.min(end, text.length()));
    int line = lineOf(start);
    int endLine = lineOf(Math.max(start, end - 1));
    return new SourceSpan(name, start, end, line, column(line, start), endLine,
        column(endLine, Math.max(start, end - 1)));
  }

  /**
   * The 1-based column of {@code offset} on {@code line}; an offset on the line's terminator
   * (its '\n', or the '\r' of "\r\n") is just past the line's text.
   */
  private int column(int line, int offset) {
    // the line's length without copying it: a span on a megabyte line costs no more
    return Math.min(offset - lineStarts[line - 1], lineEnd(line) - lineStarts[line - 1]) + 1;
  }

  private int lineOf(int offset) {
    int index = Arrays.binarySearch(lineStarts, offset);
    return index >= 0 ? index + 1 : -index - 1;
  }
}
