package dev.nnc.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.diag.SourceFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Compiler#read}, which every reader of {@code .nn} files uses: strict UTF-8, and a
 * leading byte order mark skipped.
 */
class SourceReadingTest {
  @TempDir
  Path dir;

  private Path write(String name, byte[] bytes) throws Exception {
    Path file = dir.resolve(name);
    Files.write(file, bytes);
    return file;
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aLeadingByteOrderMarkIsSkipped() throws Exception {
    SourceFile source = Compiler.read(write("bom.nn", utf8("\uFEFFfn f(x) = x * x;\n")), "bom.nn");
    assertEquals("fn f(x) = x * x;\n", source.text());
    assertEquals("bom.nn", source.name());
  }

  @Test
  void onlyTheFirstCharacterIsAMark() throws Exception {
    assertEquals("", Compiler.read(write("only.nn", utf8("\uFEFF")), "only.nn").text());
    assertEquals("", Compiler.read(write("empty.nn", new byte[0]), "empty.nn").text());
    // A second mark, or one later in the file, is text (which the parser then rejects).
    assertEquals("\uFEFFfn", Compiler.read(write("two.nn", utf8("\uFEFF\uFEFFfn")), "two.nn")
        .text());
    assertEquals("fn \uFEFF", Compiler.read(write("late.nn", utf8("fn \uFEFF")), "late.nn")
        .text());
  }

  @Test
  void invalidUtf8IsNotGuessedAt() throws Exception {
    assertNull(Compiler.read(write("latin1.nn", new byte[] {'f', 'n', ' ', (byte) 0xE9}),
        "latin1.nn"));
    // A byte order mark does not make the rest valid.
    assertNull(Compiler.read(write("bad.nn", new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF,
        (byte) 0xFF}), "bad.nn"));
  }

  @Test
  void aFileWithAMarkChecksGeneratesAndReportsPlacesWithoutIt() throws Exception {
    Path good = write("good.nn", utf8("\uFEFFfn f(x) = x * x;\n"));
    Compiler.CheckResult checked = Compiler.check(good, "good.nn");
    assertTrue(checked.ok(), checked.render());
    String code = Compiler.generate(checked, "p", true).get(0).code();
    assertTrue(code.contains("class F"), code);

    // Columns count from the first character after the mark, as an editor shows them.
    Path bad = write("bad.nn", utf8("\uFEFFfn f(x) = y;\n"));
    Compiler.CheckResult failed = Compiler.check(bad, "bad.nn");
    assertFalse(failed.ok());
    assertTrue(failed.render().startsWith("bad.nn:1:11: error:"), failed.render());
  }

  @Test
  void anImportedFileWithAMarkIsRead() throws Exception {
    write("lib.nn", utf8("\uFEFFfn sq(x) = x * x;\n"));
    Path main = write("main.nn", utf8("\uFEFFimport \"lib.nn\";\nfn f(x) = sq(x) + 1;\n"));
    Compiler.CheckResult checked = Compiler.check(main, main.toString());
    assertTrue(checked.ok(), checked.render());
  }
}
