package dev.nnc.compiler.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.Compiler;
import org.junit.jupiter.api.Test;

/** Lines and columns of spans, with Unix and Windows line endings. */
class SourceFileTest {
  @Test
  void lineTerminatorsAreJustPastTheLinesText() {
    SourceFile crlf = new SourceFile("a.nn", "ab\r\ncd\r\n");
    assertEquals("ab", crlf.line(1));
    assertEquals(3, crlf.lineCount());
    SourceSpan r = crlf.span(2, 3);
    assertEquals(1, r.line());
    assertEquals(3, r.column());
    SourceSpan n = crlf.span(3, 4);
    assertEquals(1, n.line());
    assertEquals(3, n.column());
    SourceSpan c = crlf.span(4, 6);
    assertEquals(2, c.line());
    assertEquals(1, c.column());
    SourceSpan lf = new SourceFile("b.nn", "ab\ncd\n").span(2, 3);
    assertEquals(1, lf.line());
    assertEquals(3, lf.column());
  }

  @Test
  void endOfFileErrorInAWindowsFileStaysOnItsLine() {
    // The unfinished model ends with "\r\n": the error at the end of the file points just past
    // the last line's text, not past its '\r'.
    String text = "model M {\r\n  input x: [4];\r\n";
    Compiler.CheckResult result = Compiler.check(new SourceFile("w.nn", text));
    assertFalse(result.ok());
    SourceFile source = result.source();
    assertFalse(result.diagnostics().isEmpty());
    for (Diagnostic d : result.diagnostics()) {
      int line = d.span().line();
      assertTrue(d.span().column() <= source.line(line).length() + 1, d.headline());
    }
  }
}
