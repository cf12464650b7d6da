package dev.nnc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands on files that import files: {@code check}, {@code compile}, {@code eval},
 * {@code grad}, {@code trace} and {@code train} read imports relative to the file, show
 * diagnostics in imported files with those files' lines, and see changes to imported files.
 */
class ImportCommandsTest {
  @TempDir
  Path dir;

  private String saved;

  @BeforeEach
  void useATemporaryCache() {
    saved = System.getProperty("nnc.cache.dir");
    System.setProperty("nnc.cache.dir", dir.resolve("cache").toString());
  }

  @AfterEach
  void restore() {
    if (saved == null) {
      System.clearProperty("nnc.cache.dir");
    } else {
      System.setProperty("nnc.cache.dir", saved);
    }
  }

  private Path file(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    return Files.writeString(file, text);
  }

  @Test
  void checkShowsAnErrorInAnImportedFileOnceWithItsLine() throws IOException {
    file("lib/shared.nn", "// shared\nfn half(x) = x / twoo;\n");
    Path a = file("a.nn", "import \"lib/shared.nn\";\nfn a(x) = half(x);\n");
    Path b = file("b.nn", "import \"lib/shared.nn\";\nfn b(x) = half(x) + 1;\n");
    CliRun r = CliRun.of("check", a.toString(), b.toString());
    assertEquals(1, r.exit());
    String expected = dir.resolve("lib/shared.nn") + ":2:18: error: undefined name 'twoo'\n"
        + "fn half(x) = x / twoo;\n"
        + "                 ^~~~\n";
    assertEquals(expected, r.err(), "once, although both files import it");
    file("lib/shared.nn", "// shared\nfn half(x) = x / 2;\n");
    CliRun.of("check", a.toString(), b.toString()).ok();
  }

  @Test
  void compileWritesOnlyTheGivenFilesClassesWithCommentsNamingImportedLines() throws IOException {
    file("layers.nn", "fn square(x) = x * x;\n");
    Path main = file("main.nn", "import \"layers.nn\";\n\nfn f(x) = square(x) + 1;\n");
    Path out = dir.resolve("out");
    CliRun r = CliRun.of("compile", main.toString(), "-d", out.toString()).ok();
    assertEquals("wrote 1 class to " + out + "\n", r.out());
    String f = Files.readString(out.resolve("F.java"));
    assertTrue(f.contains("// line 3: square(...) -> layers.nn line 1: fn square(x) = x * x;"), f);
    assertFalse(Files.exists(out.resolve("Square.java")));
  }

  @Test
  void evalGradAndTraceInlineImportedFunctions() throws IOException {
    file("helpers.nn", "// helpers\nfn cube(x) = x * x * x;\n");
    Path main = file("main.nn", "import \"helpers.nn\";\nfn f(x, y) = cube(x) * y;\n");
    CliRun eval = CliRun.of("eval", main.toString(), "--at", "x=2,y=3", "--json").ok();
    assertTrue(eval.out().contains("\"value\":24"), eval.out());
    assertTrue(eval.out().contains("\"x\":36"), eval.out());
    CliRun grad = CliRun.of("grad", main.toString()).ok();
    assertTrue(grad.out().contains("fn f(x, y)"), grad.out());
    CliRun trace = CliRun.of("trace", main.toString(), "--fn", "f", "--at", "x=2,y=3").ok();
    assertTrue(trace.out().contains("helpers.nn:2"), "an imported line names its file:\n"
        + trace.out());
  }

  @Test
  void trainSeesAChangeToAnImportedFile() throws IOException {
    Path layers = file("layers.nn", """
        layer Hidden(n_in, n_out)(x: [n_in]) {
          param W: [n_in, n_out] init he;
          param b: [n_out] init zeros;
          return relu(x @ W + b);
        }
        """);
    Path model = file("model.nn", """
        import nn;
        import "layers.nn";

        model Digits {
          input x: [64];
          label y: class(10);
          let hidden = Hidden(64, 32);
          let out = Dense(32, 10);
          let logits = out(hidden(x));
          output probs = softmax(logits);
          loss cross_entropy(logits, y);
          optimizer sgd(lr: 0.05, momentum: 0.9);
        }
        """);
    CliRun first = CliRun.of("train", model.toString(), "--epochs", "1").ok();
    assertTrue(accuracy(first) > 0.5, first.out());
    // the hidden layer now outputs zeros: the model cannot learn, and the cached classes of
    // the first run must not be used
    Files.writeString(layers, Files.readString(layers).replace("relu(x @ W + b)",
        "0 * relu(x @ W + b)"));
    CliRun second = CliRun.of("train", model.toString(), "--epochs", "1").ok();
    assertTrue(accuracy(second) < 0.3, second.out());
    assertEquals(2, cacheEntries(), "two different programs, two entries");
    Files.delete(layers);
    CliRun gone = CliRun.of("train", model.toString(), "--epochs", "1");
    assertEquals(1, gone.exit());
    assertTrue(gone.err().startsWith(model + ":2:8: error: cannot import \"layers.nn\": there is"
        + " no file " + layers), gone.err());
    gone.assertNoStackTrace();
  }

  private static double accuracy(CliRun r) {
    String line = r.out().lines().filter(l -> l.startsWith("final: test accuracy")).findFirst()
        .orElseThrow(() -> new AssertionError(r.out()));
    return Double.parseDouble(line.replaceAll("^final: test accuracy ([0-9.]+)%.*$", "$1")) / 100;
  }

  private long cacheEntries() throws IOException {
    Path models = ModelClassCache.open().directory();
    try (Stream<Path> files = Files.list(models)) {
      return files.count();
    }
  }

  @Test
  void theSamplesImportTheStandardLibrary() throws IOException {
    for (String sample : List.of("digits.nn", "mnist.nn", "wine_momentum.nn",
        "wine_regression.nn")) {
      String text = Files.readString(Path.of(CliRun.sample(sample)));
      assertTrue(text.contains("import nn;"), sample);
      assertFalse(text.matches("(?ms).*^layer .*"), sample + " declares no layer of its own");
      CliRun.of("check", CliRun.sample(sample)).ok();
    }
    assertNotEquals("", CliRun.of("compile", CliRun.sample("digits.nn"), "-d",
        dir.resolve("d").toString()).ok().out());
  }
}
