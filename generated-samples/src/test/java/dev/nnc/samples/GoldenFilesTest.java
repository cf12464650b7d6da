package dev.nnc.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.emit.InMemoryJavaCompiler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The checked-in generated Java of the samples is exactly what the nnc Maven plugin generated in
 * this build (into target/nnc-golden) and what the compiler emits directly. Refresh with the
 * command in {@link #REFRESH} after a deliberate change to the emitter, and review the diff.
 */
class GoldenFilesTest {
  static final Path NN = Path.of("src/main/nn");
  static final Path JAVA = Path.of("src/main/java/dev/nnc/samples");
  static final Path PLUGIN_OUTPUT = Path.of("target/nnc-golden/dev/nnc/samples");
  static final String PACKAGE = "dev.nnc.samples";
  static final String REFRESH = "mvn -pl generated-samples -am verify -Dnnc.refreshGolden=true"
      + " -Dtest=GoldenFilesTest -Dsurefire.failIfNoSpecifiedTests=false -Dinvoker.skip=true";

  static Map<String, String> generateAll() throws IOException {
    Map<String, String> out = new TreeMap<>();
    List<Path> files;
    try (Stream<Path> s = Files.list(NN)) {
      files = s.filter(p -> p.toString().endsWith(".nn")).sorted().toList();
    }
    for (Path file : files) {
      Compiler.CheckResult checked = Compiler.check(file, file.getFileName().toString());
      assertTrue(checked.ok(), () -> "sample does not check:\n" + checked.render());
      for (Compiler.GeneratedSource s : Compiler.generate(checked, PACKAGE, true)) {
        String simple = s.qualifiedName().substring(PACKAGE.length() + 1);
        if (out.put(simple, s.code()) != null) {
          fail("two samples generate class " + simple);
        }
      }
    }
    return out;
  }

  @Test
  void checkedInCodeIsCurrent() throws IOException {
    // The plugin's output when the build ran it; the compiler's otherwise (an IDE run).
    Map<String, String> expected = Files.isDirectory(PLUGIN_OUTPUT) ? pluginOutput() : generateAll();
    boolean refresh = Boolean.getBoolean("nnc.refreshGolden");
    List<String> stale = new ArrayList<>();
    for (Map.Entry<String, String> e : expected.entrySet()) {
      Path file = JAVA.resolve(e.getKey() + ".java");
      String actual = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
      if (!e.getValue().equals(actual)) {
        if (refresh) {
          Files.createDirectories(JAVA);
          Files.writeString(file, e.getValue(), StandardCharsets.UTF_8);
        } else {
          stale.add(e.getKey() + ".java");
        }
      }
    }
    TreeSet<String> present = new TreeSet<>();
    try (Stream<Path> s = Files.list(JAVA)) {
      s.forEach(p -> present.add(p.getFileName().toString().replace(".java", "")));
    }
    present.removeAll(expected.keySet());
    for (String orphan : present) {
      if (refresh) {
        Files.delete(JAVA.resolve(orphan + ".java"));
      } else {
        stale.add(orphan + ".java (no sample generates it)");
      }
    }
    assertEquals(List.of(), stale, "generated-samples is stale; refresh with: " + REFRESH);
  }

  /** What the plugin wrote in this build, by simple class name. */
  static Map<String, String> pluginOutput() throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.list(PLUGIN_OUTPUT)) {
      for (Path p : s.sorted().toList()) {
        out.put(p.getFileName().toString().replace(".java", ""),
            Files.readString(p, StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  @Test
  void pluginOutputMatchesTheCompiler() throws IOException {
    assertTrue(Files.isDirectory(PLUGIN_OUTPUT),
        "the nnc Maven plugin did not run: no " + PLUGIN_OUTPUT);
    assertEquals(generateAll(), pluginOutput());
  }

  @Test
  void generationIsDeterministic() throws IOException {
    assertEquals(generateAll(), generateAll());
  }

  @Test
  void goldenCodeCompilesWithJava11AndNoWarnings() throws IOException {
    Map<String, String> sources = new TreeMap<>();
    generateAll().forEach((k, v) -> sources.put(PACKAGE + "." + k, v));
    assertEquals(sources.size(), InMemoryJavaCompiler.compile(sources).size());
  }
}
