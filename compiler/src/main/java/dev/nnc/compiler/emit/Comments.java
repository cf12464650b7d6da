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
 * A line of another file (code inlined from an imported file) is named with that file's name:
 * {@code nn.nn line 12: return x @ W + b;}.
 */
final class Comments {
  private final Graph graph;
  private final SourceFile source;
  private final Map<String, SourceFile> imported;
  private final String noLine;
  /** Each line's comment text, made once: a long line is cut and sanitized once, not per node. */
  private final Map<String, Map<Integer, String>> lines = new HashMap<>();

  /**
   * Comments for code generated from {@code source}; {@code imported} holds the files it
   * imports by display name. {@code noLine}: what a statement with no source line (one the
   * compiler added) says.
   */
  Comments(Graph graph, SourceFile source, Map<String, SourceFile> imported, String noLine) {
    this.graph = graph;
    this.source = source;
    this.imported = imported;
    this.noLine = noLine;
  }

  /** The comment text for statement {@code n} (without the leading {@code //}). */
  String of(Node n, boolean backward) {
    Graph.Note note = graph.noteOf(n);
    SourceSpan span = note != null ? note.origin() : n.origin();
    SourceFile file = span.file().equals(source.name()) ? source : imported.get(span.file());
    String where = span.line() > 0 && file != null
        ? lines.computeIfAbsent(file.name(), k -> new HashMap<>()).computeIfAbsent(span.line(),
            line -> (file == source ? "" : JavaNames.sanitize(JavaNames.fileName(file.name()))
                + " ") + "line " + line + ": " + JavaNames.sourceLine(file.line(line)))
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
