package dev.nnc.compiler.emit;

import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.compiler.diag.SourceSpan;
import dev.nnc.compiler.ir.Graph;
import dev.nnc.compiler.ir.Node;
import java.util.HashMap;
import java.util.Map;

/**
 * The comment over each generated statement: the {@code .nn} line it comes from and, in a
 * backward pass, the derivative rule that made it ({@code line 4: let s = ...; -- mul gate}).
 */
final class Comments {
  private final Graph graph;
  private final SourceFile source;
  private final String noLine;
  /** Each line's comment text, made once: a long line is cut and sanitized once, not per node. */
  private final Map<Integer, String> lines = new HashMap<>();

  /** {@code noLine}: what a statement with no source line (one the compiler added) says. */
  Comments(Graph graph, SourceFile source, String noLine) {
    this.graph = graph;
    this.source = source;
    this.noLine = noLine;
  }

  /** The comment text for statement {@code n} (without the leading {@code //}). */
  String of(Node n, boolean backward) {
    Graph.Note note = graph.noteOf(n);
    SourceSpan span = note != null ? note.origin() : n.origin();
    String where = span.line() > 0
        ? lines.computeIfAbsent(span.line(),
            line -> "line " + line + ": " + JavaNames.sourceLine(source.line(line)))
        : noLine;
    if (!backward) {
      return where;
    }
    return where + " -- " + (note != null ? note.rule() : "recomputed forward value");
  }

  /** The text of source line {@code line}, made safe for a comment. */
  String line(int line) {
    return JavaNames.sourceLine(source.line(line));
  }
}
