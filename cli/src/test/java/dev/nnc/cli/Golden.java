package dev.nnc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Compares output with a checked-in file; {@code -Dnnc.refreshGolden=true} rewrites the file
 * instead (review the diff: a golden change must be intended).
 */
final class Golden {
  private Golden() {}

  static final String REFRESH = "mvn -B -pl cli -am test -Dtest='GraphCommandTest,DocsImageTest'"
      + " -Dsurefire.failIfNoSpecifiedTests=false -Dnnc.refreshGolden=true";

  /** {@code relative} is from the repository root. */
  static void compare(String relative, String actual) throws IOException {
    Path file = CliRun.root().resolve(relative);
    if (Boolean.getBoolean("nnc.refreshGolden")) {
      Files.createDirectories(file.getParent());
      Files.writeString(file, actual, StandardCharsets.UTF_8);
      return;
    }
    String expected = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    assertEquals(expected, actual, relative + " is stale; refresh it with: " + REFRESH);
  }
}
