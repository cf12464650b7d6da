package dev.nnc.compiler.emit;

import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.compiler.diag.SourceSpan;
import dev.nnc.compiler.ir.Graph;
import dev.nnc.compiler.ir.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The comment over each generated statement: the {@code .nn} line it comes from and, in a
 * backward pass, the derivative rule that made it ({@code line 4: let s = ...; -- mul gate}). A
 * step inlined from a layer or function body names the call and the body's line,
 * {@code line 15: fc2(...) -> Dense line 7: return x @ W + b;}; a line of another file (code
 * inlined from an imported file) is named with that file's name,
 * {@code line 15: fc2(...) -> Dense nn.nn line 12: return x @ W + b;}.
 */
final class Comments {
  /**
   * Calls shown for a step inlined through a longer chain: the outermost ones, then "..." and
   * the innermost one, so that a deep chain of calls does not make a comment of kilobytes.
   */
  private static final int MAX_CALLS_SHOWN = 4;

  private final Graph graph;
  private final SourceFile source;
  private final Map<String, SourceFile> imported;
  private final String noLine;
  /** Each place's comment text, made once: a long line is cut and sanitized once, not per node. */
  private final Map<SourceSpan, String> places = new HashMap<>();

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

  /**
   * The comment text for statement {@code n} (without the leading {@code //}): in a forward pass
   * the place of the operation; in a backward pass, the place of the forward operation whose
   * derivative rule made it.
   */
  String of(Node n, boolean backward) {
    Graph.Note note = backward ? graph.noteOf(n) : null;
    SourceSpan span = note != null ? note.origin() : n.origin();
    String where = span.line() > 0 && fileOf(span) != null
        ? places.computeIfAbsent(lineOnly(span), this::place) : noLine;
    if (!backward) {
      return where;
    }
    return where + " -- " + (note != null ? note.rule() : "recomputed forward value");
  }

  /** The text of source line {@code line}, made safe for a comment. */
  String line(int line) {
    return JavaNames.sourceLine(source.line(line));
  }

  /**
   * {@code line 7: return x @ W + b;}, preceded by each call that inlined it, outermost first:
   * {@code line 15: fc2(...) -> Dense line 7: ...}.
   */
  private String place(SourceSpan span) {
    List<SourceSpan.Call> calls = new ArrayList<>();
    for (SourceSpan.Call c = span.call(); c != null; c = c.span().call()) {
      calls.add(0, c);
    }
    StringBuilder text = new StringBuilder();
    String declaration = null;
    for (int i = 0; i < calls.size(); i++) {
      if (calls.size() > MAX_CALLS_SHOWN && i == MAX_CALLS_SHOWN - 1) {
        text.append("... -> ");
        i = calls.size() - 1;
        declaration = declaration(calls.get(i - 1));
      }
      SourceSpan.Call c = calls.get(i);
      text.append(declaration == null ? "" : declaration + " ").append(lineOf(c.span()))
          .append(": ").append(JavaNames.sanitize(c.callee()))
          .append("(...) -> ");
      declaration = declaration(c);
    }
    return text.append(declaration == null ? "" : declaration + " ").append(lineOf(span))
        .append(": ").append(sourceText(span)).toString();
  }

  /** {@code line 7}, or {@code nn.nn line 7} for a line of an imported file. */
  private String lineOf(SourceSpan span) {
    SourceFile file = fileOf(span);
    return (file == source || file == null ? ""
        : JavaNames.sanitize(JavaNames.fileName(file.name())) + " ") + "line " + span.line();
  }

  /** The text of the line {@code span} is on, in its own file, made safe for a comment. */
  private String sourceText(SourceSpan span) {
    SourceFile file = fileOf(span);
    return file == null ? "" : JavaNames.sourceLine(file.line(span.line()));
  }

  private SourceFile fileOf(SourceSpan span) {
    return span.file().equals(source.name()) ? source : imported.get(span.file());
  }

  /**
   * The declaration a call runs, when it is not the callee's own name: a layer's name tells what
   * an instance runs ({@code Dense} for {@code fc2}); a function's is the call's.
   */
  private static String declaration(SourceSpan.Call call) {
    return call.declaration().equals(call.callee()) ? null
        : JavaNames.sanitize(call.declaration());
  }

  /** The parts of {@code span} its comment depends on: its line and, recursively, its calls. */
  private static SourceSpan lineOnly(SourceSpan span) {
    SourceSpan.Call call = span.call() == null ? null : new SourceSpan.Call(span.call().callee(),
        span.call().declaration(), lineOnly(span.call().span()));
    return new SourceSpan(span.file(), 0, 0, span.line(), 0, 0, 0, call);
  }
}
