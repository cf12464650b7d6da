package dev.nnc.cli;

import static dev.nnc.cli.CliRun.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.io.SafeTensors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where commands write (issue 15 items 1, 3 and 9): {@code --save}, {@code --output} and
 * {@code -d} go through the runtime's atomic writer; a bad target fails before any work; two
 * sources generating one class write nothing.
 */
class OutputTargetsTest {
  @TempDir
  Path dir;

  private Path file(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
  }

  private Path fifo(String name) throws Exception {
    Path fifo = dir.resolve(name);
    try {
      Assumptions.assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0);
    } catch (IOException noMkfifo) {
      Assumptions.abort("no mkfifo here");
    }
    return fifo;
  }

  /** One epoch on one batch of the digits sample: the quickest real training run. */
  private static CliRun trainOnce(String... extra) {
    String[] base = {"train", sample("digits.nn"), "--epochs", "1", "--batch", "100000"};
    String[] args = new String[base.length + extra.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    return CliRun.of(args);
  }

  @Test
  void saveWritesThroughASymbolicLinkWithTheUsualPermissions() throws IOException {
    Path real = file("real.safetensors", "old");
    Path link = Files.createSymbolicLink(dir.resolve("link.safetensors"), real.getFileName());
    trainOnce("--save", link.toString()).ok();
    assertTrue(Files.isSymbolicLink(link), "the link stays a link");
    assertEquals("Digits", SafeTensors.read(real).metadata().get("model"));

    // a new checkpoint gets the permissions any new file gets here (the umask), not 0600
    Path fresh = dir.resolve("fresh.safetensors");
    trainOnce("--save", fresh.toString()).ok();
    Set<PosixFilePermission> usual = Files.getPosixFilePermissions(
        Files.createFile(dir.resolve("plain")));
    assertEquals(usual, Files.getPosixFilePermissions(fresh));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(0, files.filter(p -> p.getFileName().toString().startsWith(".")).count(),
          "no temporary files are left");
    }
  }

  @Test
  void specialFilesAreRefusedBeforeTraining() throws Exception {
    Path fifo = fifo("fifo.safetensors");
    CliRun r = trainOnce("--save", fifo.toString()).userError(1, fifo.toString(),
        "not a regular file; refusing to replace it");
    assertFalse(r.out().contains("epoch 1"), "refused before training:\n" + r.out());
    assertTrue(Files.exists(fifo, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(fifo));
    // a device node is never replaced (run as root, --save /dev/full did)
    Path full = Path.of("/dev/full");
    if (Files.exists(full)) {
      trainOnce("--save", full.toString()).userError(1, "/dev/full", "refusing to replace it");
      assertFalse(Files.isRegularFile(full));
    }
    CliRun.of("predict", sample("digits.nn"), "--weights", dir.resolve("none").toString(),
        "--output", fifo.toString()).userError(1, "refusing to replace it");
  }

  @Test
  void aTooLongSaveNameFailsBeforeTraining() {
    Path longName = dir.resolve("x".repeat(300) + ".safetensors");
    CliRun r = trainOnce("--save", longName.toString())
        .userError(1, "the file name is longer than 255 bytes");
    assertFalse(r.out().contains("epoch 1"), r.out());
    r.assertNoStackTrace();
  }

  /** A bare relative name has no parent directory: it crashed with a NullPointerException. */
  @Test
  void predictWritesToABareRelativeName() throws IOException {
    Path save = dir.resolve("w.safetensors");
    trainOnce("--save", save.toString()).ok();
    String bare = "nnc-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".csv";
    Path written = Path.of(bare).toAbsolutePath();
    try {
      CliRun r = CliRun.of("predict", sample("digits.nn"), "--weights", save.toString(),
          "--output", bare).ok();
      assertEquals("wrote 1797 predictions to " + bare, r.out().strip());
      assertEquals(1798, Files.readAllLines(written).size());
    } finally {
      Files.deleteIfExists(written);
    }
  }

  @Test
  void anEmptyOutputDirectoryIsAUsageError() {
    CliRun.of("compile", sample("neuron.nn"), "-d", "").userError(2,
        "-d: the output directory is empty");
  }

  @Test
  void compileCreatesMissingDirectoriesAndRefusesFilesInTheWay() throws IOException {
    Path out = dir.resolve("a/b");
    CliRun.of("compile", sample("neuron.nn"), "-d", out.toString(), "--package", "p.q").ok();
    assertTrue(Files.isRegularFile(out.resolve("p/q/Neuron.java")));
    file("blocker", "x");
    CliRun.of("compile", sample("neuron.nn"), "-d", dir.resolve("blocker").toString(),
        "--package", "p").userError(1, "cannot write", "is not a directory");
  }

  /** Issue 15 item 1: it printed "wrote 2 classes" and kept one F.java. */
  @Test
  void twoSourcesGeneratingOneClassWriteNothing() throws IOException {
    Path a = file("a.nn", "fn f(x) = x * x;\n");
    Path b = file("b.nn", "// another\nfn g(x) = x;\nfn f(y) = 2 * y;\n");
    Path out = dir.resolve("out");
    CliRun r = CliRun.of("compile", a.toString(), b.toString(), "-d", out.toString());
    assertEquals(1, r.exit(), r.err());
    assertTrue(r.err().startsWith(b + ":3:4: error: fn f would generate class F, which the"
        + " declaration at " + a + ":1:4 already generates"), r.err());
    r.assertNoStackTrace();
    assertEquals("", r.out());
    assertFalse(Files.exists(out), "nothing is written");
  }

  /**
   * fn f's gradient test class is FGradientTest, the class of fn f_gradient_test: the Maven
   * plugin would put both in one package. compile does not write tests, but reports the clash
   * too, so that a file compiles in every tool or in none.
   */
  @Test
  void aClassNamedLikeAGradientTestClassWritesNothing() throws IOException {
    Path a = file("a.nn", "fn f(x) = x * x;\n");
    Path b = file("b.nn", "\nfn f_gradient_test(x) = x;\n");
    Path out = dir.resolve("out");
    CliRun r = CliRun.of("compile", a.toString(), b.toString(), "-d", out.toString(),
        "--package", "p");
    assertEquals(1, r.exit(), r.err());
    assertTrue(r.err().startsWith(b + ":2:4: error: fn f_gradient_test would generate class"
        + " p.FGradientTest, which is the gradient test class of fn f at " + a + ":1:4"), r.err());
    assertTrue(r.err().contains("fn f_gradient_test(x) = x;\n   ^"), r.err());
    r.assertNoStackTrace();
    assertFalse(Files.exists(out), "nothing is written");
  }

  /** F.java and f.java are one file on a case-insensitive file system. */
  @Test
  void namesThatDifferOnlyInCaseAcrossFilesWriteNothing() throws IOException {
    Path a = file("a.nn", "fn foo(x) = x;\n");
    Path b = file("b.nn", "fn Foo(x) = 2 * x;\n");
    Path out = dir.resolve("out");
    CliRun r = CliRun.of("compile", a.toString(), b.toString(), "-d", out.toString());
    assertEquals(1, r.exit(), r.err());
    assertTrue(r.err().startsWith(b + ":1:4: error: fn Foo would generate class Foo, which the"
        + " declaration at " + a + ":1:4 already generates"), r.err());
    assertFalse(Files.exists(out), "nothing is written");
  }
}
