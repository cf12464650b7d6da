package dev.nnc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

/** Runs {@link Main#run} and holds what it printed; helpers shared by the command tests. */
record CliRun(int exit, String out, String err) {
  static CliRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.run(args, new PrintWriter(out), new PrintWriter(err));
    return new CliRun(exit, out.toString(), err.toString());
  }

  /** The repository root (surefire passes {@code nnc.root}). */
  static Path root() {
    return Path.of(System.getProperty("nnc.root", System.getProperty("user.dir") + "/.."))
        .toAbsolutePath().normalize();
  }

  static String sample(String name) {
    return root().resolve("generated-samples/src/main/nn").resolve(name).toString();
  }

  /** {@code relative} under the shared data directory: {@code ../shared/data} from the root or above. */
  static String data(String relative) {
    for (Path p = root(); p != null; p = p.getParent()) {
      Path data = p.resolve("../shared/data").normalize();
      if (java.nio.file.Files.isDirectory(data)) {
        return data.resolve(relative).toString();
      }
    }
    throw new IllegalStateException("cannot find ../shared/data above " + root());
  }

  /** Exit 0 and nothing on stderr. */
  CliRun ok() {
    assertEquals(0, exit, "exit code; stderr:\n" + err);
    assertEquals("", err, "stderr");
    return this;
  }

  /**
   * A user mistake: exit {@code code}, nothing on stdout that looks like a result, exactly one
   * line on stderr, starting with "nnc: ", containing {@code fragments}, and no stack trace.
   */
  CliRun userError(int code, String... fragments) {
    assertNotEquals(0, exit, "exit code; stdout:\n" + out);
    assertEquals(code, exit, "exit code; stderr:\n" + err);
    assertNoStackTrace();
    String[] lines = err.split("\n");
    assertEquals(1, lines.length, "one line on stderr:\n" + err);
    assertTrue(lines[0].startsWith("nnc: "), err);
    for (String f : fragments) {
      assertTrue(err.contains(f), "stderr should contain '" + f + "':\n" + err);
    }
    return this;
  }

  void assertNoStackTrace() {
    for (String s : new String[] {out, err}) {
      assertFalse(s.contains("\tat "), s);
      assertFalse(s.contains("Exception"), s);
      assertFalse(java.util.regex.Pattern.compile("[A-Z]\\w*Error\\b").matcher(s).find(), s);
    }
  }
}
