package dev.nnc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nnc check} through {@link Main#run}: exit codes, and what goes to stdout and stderr. */
class CheckCommandTest {
  @TempDir
  Path dir;

  /** The outcome of one command line. */
  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.run(args, new PrintWriter(out), new PrintWriter(err));
    return new Run(exit, out.toString(), err.toString());
  }

  private Path file(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
  }

  @Test
  void cleanFileExitsZeroSilently() throws IOException {
    Path ok = file("ok.nn", "fn f(x, y, z) = (x + y) * z;\n");
    Run r = run("check", ok.toString());
    assertEquals(0, r.exit(), r.err());
    assertEquals("", r.out());
    assertEquals("", r.err());
  }

  @Test
  void errorFileExitsOneWithPositionSourceLineAndCaret() throws IOException {
    Path bad = file("bad.nn", "fn f(x) = x;\nfn g(x: [784], W: [256, 10]) = sum(x @ W);\n");
    Run r = run("check", bad.toString());
    assertEquals(1, r.exit());
    assertEquals("", r.out());
    String[] lines = r.err().split("\n");
    assertEquals(3, lines.length, r.err());
    assertEquals(bad + ":2:36: error: cannot multiply [784] by [256, 10]: inner sizes 784 and"
        + " 256 differ", lines[0]);
    assertEquals("fn g(x: [784], W: [256, 10]) = sum(x @ W);", lines[1]);
    assertEquals(" ".repeat(35) + "^~~~~", lines[2]);
  }

  @Test
  void allErrorsOfAllFilesAreReported() throws IOException {
    Path a = file("a.nn", "fn f(x) = y;\nfn g(x) = x +;\n");
    Path b = file("b.nn", "fn h(x) = sigmod(x);\nfn k(x) = x * zz;\n");
    Path ok = file("ok.nn", "fn f(x) = x;\n");
    Run r = run("check", a.toString(), ok.toString(), b.toString());
    assertEquals(1, r.exit());
    // a.nn stops after its parse error; b.nn parses and reports both checker errors.
    assertTrue(r.err().contains(a + ":2:14: error: expected an expression after '+'"), r.err());
    assertTrue(r.err().contains(b + ":1:11: error: unknown function 'sigmod'; did you mean"
        + " 'sigmoid'?"), r.err());
    assertTrue(r.err().contains(b + ":2:15: error: undefined name 'zz'"), r.err());
    assertFalse(r.err().contains("ok.nn"), r.err());
    assertEquals(3, r.err().split(": error: ", -1).length - 1, r.err());
  }

  @Test
  void missingFileIsOneClearLine() {
    Path missing = dir.resolve("missing.nn");
    Run r = run("check", missing.toString());
    assertEquals(1, r.exit());
    assertEquals("", r.out());
    assertEquals("nnc: " + missing + ": no such file\n", r.err());
  }

  @Test
  void invalidUtf8IsADiagnosticNotAStackTrace() throws IOException {
    Path bad = Files.write(dir.resolve("latin1.nn"), new byte[] {'f', 'n', ' ', (byte) 0xe9});
    Run r = run("check", bad.toString());
    assertEquals(1, r.exit());
    assertTrue(r.err().startsWith(bad + ":1:1: error: file is not valid UTF-8"), r.err());
    assertFalse(r.err().contains("Exception"), r.err());
  }

  @Test
  void unknownFlagIsAUsageError() throws IOException {
    Path ok = file("ok.nn", "fn f(x) = x;\n");
    Run r = run("check", "--bogus", ok.toString());
    assertEquals(2, r.exit());
    assertEquals("nnc: unknown option '--bogus' (see 'nnc check --help')\n", r.err());
    assertEquals(2, run("--bogus").exit());
  }

  @Test
  void missingArgumentsAreUsageErrors() {
    Run none = run();
    assertEquals(2, none.exit());
    assertFalse(none.err().isEmpty());
    Run noFile = run("check");
    assertEquals(2, noFile.exit());
    assertTrue(noFile.err().contains("FILE"), noFile.err());
    assertEquals(2, run("frobnicate").exit());
  }

  @Test
  void helpAndVersionExitZero() {
    Run help = run("--help");
    assertEquals(0, help.exit());
    assertTrue(help.out().contains("Usage: nnc"), help.out());
    assertTrue(help.out().contains("check"), help.out());
    Run checkHelp = run("check", "--help");
    assertEquals(0, checkHelp.exit());
    assertTrue(checkHelp.out().contains("Usage: nnc check"), checkHelp.out());
    Run version = run("--version");
    assertEquals(0, version.exit());
    assertTrue(version.out().matches("nnc \\S+\\s*"), version.out());
  }
}
