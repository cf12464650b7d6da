package dev.nnc.cli;

import static dev.nnc.cli.CliRun.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Messages without Java internals, one line each (issue 15 item 13): each case printed an
 * exception name, a misleading reason, two lines, kilobytes of echoed input, or nothing.
 */
class MessagesTest {
  @TempDir
  Path dir;

  @Test
  void aDirectoryIsCalledADirectory() throws IOException {
    Path adir = Files.createDirectory(dir.resolve("adir"));
    for (String command : new String[] {"check", "grad", "train"}) {
      CliRun.of(command, adir.toString()).userError(1, adir + ": is a directory, not a file");
    }
    CliRun.of("eval", sample("digits.nn"), "--weights", adir.toString(), "--inputs",
        adir.toString()).userError(1, adir + ": is a directory, not a file");
    CliRun.of("predict", sample("digits.nn"), "--weights", adir.toString())
        .userError(1, adir + ": is a directory, not a file");
  }

  @Test
  void aByteOrderMarkIsAccepted() throws IOException {
    Path bom = dir.resolve("bom.nn");
    Files.write(bom, "\uFEFFfn f(x) = x * x;\n".getBytes(StandardCharsets.UTF_8));
    CliRun.of("check", bom.toString()).ok();
    CliRun r = CliRun.of("eval", bom.toString(), "--at", "x=3").ok();
    assertEquals("f = 9\n  df/dx = 6\n", r.out());
  }

  @Test
  void aTwentyDigitIntegerIsANumber() {
    CliRun r = CliRun.of("eval", sample("neuron.nn"), "--at",
        "w0=12345678901234567890,w1=1,w2=1,x0=0,x1=1", "--json").ok();
    assertTrue(r.out().contains("\"value\""), r.out());
  }

  @Test
  void aHugeValueIsNotEchoed() {
    String huge = "1".repeat(120_000) + "x";
    CliRun r = CliRun.of("eval", sample("neuron.nn"), "--at", "w0=" + huge)
        .userError(2, "the value of w0", "(120001 characters)");
    assertTrue(r.err().length() < 300, r.err().length() + " characters");
    CliRun e = CliRun.of("train", sample("digits.nn"), "--epochs", huge).userError(2, "--epochs");
    assertTrue(e.err().length() < 300, e.err());
  }

  @Test
  void usageErrorsAreOneLine() {
    CliRun.of("train").userError(2, "Missing required parameter: 'MODEL.nn'",
        "(see 'nnc train --help')");
    CliRun.of("compile", sample("neuron.nn")).userError(2, "Missing required option: '-d=DIR'");
    CliRun.of("frobnicate").userError(2);
  }

  @Test
  void aMisspelledOptionSuggestsTheRightOne() {
    CliRun.of("train", "--epoch", "3", sample("digits.nn"))
        .userError(2, "unknown option '--epoch'; did you mean --epochs?");
    CliRun.of("eval", sample("neuron.nn"), "--at=x0=1", "--jsn")
        .userError(2, "unknown option '--jsn'; did you mean --json?");
    CliRun.of("check", "--frobnicate", sample("neuron.nn"))
        .userError(2, "unknown option '--frobnicate' (see 'nnc check --help')");
  }

  @Test
  void everyCommandPrintsTheVersion() {
    for (String command : new String[] {"check", "compile", "grad", "eval", "trace", "train",
        "predict"}) {
      CliRun r = CliRun.of(command, "--version").ok();
      assertTrue(r.out().matches("nnc \\S+\\s*"), command + ": '" + r.out() + "'");
    }
  }

  /** Two fns whose classes differ only in case (F.java, f.java) threw from generate. */
  @Test
  void aClassNameCollisionIsADiagnosticInEveryCommand() throws IOException {
    Path both = dir.resolve("both.nn");
    Files.writeString(both, "fn f(x) = x;\nfn F(x) = 2 * x;\n" + Files.readString(
        Path.of(sample("digits.nn"))), StandardCharsets.UTF_8);
    CliRun eval = CliRun.of("eval", both.toString(), "--fn", "f", "--at", "x=1");
    CliRun train = CliRun.of("train", both.toString(), "--epochs", "1");
    for (CliRun r : new CliRun[] {eval, train}) {
      assertEquals(1, r.exit(), r.err());
      assertTrue(r.err().startsWith(both + ":2:4: error: fn F would generate class "), r.err());
      assertTrue(r.err().contains("F, which the declaration at " + both + ":1:4 already"
          + " generates"), r.err());
      r.assertNoStackTrace();
    }
  }
}
