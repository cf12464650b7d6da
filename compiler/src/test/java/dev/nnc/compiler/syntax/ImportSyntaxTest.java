package dev.nnc.compiler.syntax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.nnc.compiler.ast.Import;
import dev.nnc.compiler.ast.Program;
import dev.nnc.compiler.diag.Diagnostic;
import dev.nnc.compiler.diag.Diagnostics;
import dev.nnc.compiler.diag.SourceFile;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Import declarations: their AST, their places, and the messages for malformed ones. */
class ImportSyntaxTest {
  private static Program parse(String text, Diagnostics diagnostics) {
    return SyntaxParser.parse(new SourceFile("t.nn", text), diagnostics);
  }

  private static List<String> errors(String text) {
    Diagnostics d = new Diagnostics();
    assertNull(parse(text, d), "expected errors for: " + text);
    return d.all().stream().map(Diagnostic::headline).toList();
  }

  @Test
  void filesAndLibrariesAnywhereAmongTheDeclarations() {
    Diagnostics d = new Diagnostics();
    Program p = parse("import nn;\nfn f(x) = x;\nimport \"../a b/c.nn\" ;\n", d);
    assertNotNull(p, d.all().toString());
    assertEquals(2, p.imports().size());
    assertEquals(1, p.decls().size());
    Import library = p.imports().get(0);
    assertEquals(Import.Kind.LIBRARY, library.kind());
    assertEquals("nn", library.target());
    assertEquals("t.nn:1:8", library.targetSpan().position());
    Import file = p.imports().get(1);
    assertEquals(Import.Kind.FILE, file.kind());
    assertEquals("../a b/c.nn", file.target(), "the path without its quotes, spaces kept");
    assertEquals("t.nn:3:8", file.targetSpan().position());
    assertEquals(20, file.targetSpan().endColumn(), "the span covers the quotes");
    assertEquals(1, file.span().column());
  }

  @Test
  void importIsAnOrdinaryNameElsewhere() {
    Diagnostics d = new Diagnostics();
    assertNotNull(parse("fn import(import) = import * 2;\n", d), d.all().toString());
  }

  @Test
  void malformedImportsAreSentences() {
    assertEquals(List.of("t.nn:1:7: error: expected a file in quotes (import \"layers.nn\";) or a"
        + " library name (import nn;) after 'import', found ';'"), errors("import;\n"));
    assertEquals(List.of("t.nn:1:14: error: expected ';' after '\"a.nn\"', found end of file"),
        errors("import \"a.nn\""));
    assertEquals(List.of("t.nn:1:8: error: unterminated string: '\"' has no closing '\"' on its"
        + " line"), errors("import \"a.nn;\nfn f(x) = x;\n"));
    assertEquals(List.of("t.nn:1:8: error: unexpected character '''"), errors("import 'a.nn';"));
    assertEquals(List.of("t.nn:1:11: error: expected an expression after '=', found '\"x\"'"),
        errors("fn f(x) = \"x\";"));
  }
}
