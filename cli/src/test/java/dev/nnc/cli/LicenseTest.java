package dev.nnc.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 15 item 23: the repository has a LICENSE and every module's pom declares it. */
class LicenseTest {
  @Test
  void apacheLicenseInTheRootAndEveryPom() throws IOException {
    Path root = CliRun.root();
    String license = Files.readString(root.resolve("LICENSE"));
    assertTrue(license.contains("Apache License") && license.contains("Version 2.0, January 2004")
        && license.contains("END OF TERMS AND CONDITIONS"), "the full Apache-2.0 text");
    for (String module : List.of("", "grammar/", "runtime/", "compiler/", "cli/",
        "generated-samples/", "maven-plugin/", "benchmarks/")) {
      String pom = Files.readString(root.resolve(module + "pom.xml"));
      assertTrue(pom.contains("<licenses>") && pom.contains("<name>Apache-2.0</name>"),
          module + "pom.xml declares Apache-2.0");
    }
  }
}
