package dev.nnc.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.ir.ElementType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sonatype.plexus.build.incremental.BuildContext;
import org.sonatype.plexus.build.incremental.DefaultBuildContext;

/**
 * Builds of source directories whose files import each other: the incremental state follows
 * imports (a file is compiled again when a file it imports changes or goes), imports stay inside
 * the source directory, and an error in an imported file is reported once.
 */
class IncrementalImportsTest {
  @TempDir
  Path dir;

  RecordingLog log;

  private Path src() {
    return dir.resolve("nn");
  }

  private Path out() {
    return dir.resolve("out");
  }

  private void source(String key, String text) throws Exception {
    Path file = src().resolve(key);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }

  private IncrementalBuild.Result build() throws Exception {
    return build(new DefaultBuildContext());
  }

  private IncrementalBuild.Result build(BuildContext context) throws Exception {
    log = new RecordingLog();
    IncrementalBuild.Options options = new IncrementalBuild.Options(src(), "p", ElementType.F32,
        false, out(), dir.resolve("test"), dir.resolve("state/state.properties"), "config");
    return new IncrementalBuild(options, log, new DiagnosticReporter(log, context),
        new OutputFiles(out(), dir.resolve("test"), context)).run();
  }

  private String generated(String relative) throws Exception {
    return Files.readString(out().resolve(relative));
  }

  private static final String LAYERS = """
      // shared layers
      layer Scale(n)(x: [n]) {
        param s: [n] init ones;
        return s * x;
      }

      fn square(x) = x * x;
      """;

  private static final String MODEL = """
      import nn;
      import "layers.nn";

      model Net {
        input x: [3];
        target t: [2];
        let fc = Dense(3, 2);
        let scale = Scale(2);
        loss mse(scale(fc(x)), t) + square(sum(fc.b));
      }
      """;

  private void project() throws Exception {
    source("layers.nn", LAYERS);
    source("net.nn", MODEL);
    source("other.nn", "fn other(x) = x + 1;\n");
    source("sub/uses.nn", "import \"../layers.nn\";\n\nfn uses(x) = 2 * square(x);\n");
  }

  @Test
  void changingAnImportedFileRecompilesTheFilesThatImportIt() throws Exception {
    project();
    assertEquals(new IncrementalBuild.Result(4, 4, 0, 0), build(), log.text());
    String net = generated("p/Net.java");
    assertTrue(net.contains(" layers.nn line 4: return s * x;"), "imported line named: " + net);
    assertTrue(net.contains(" nn.nn line "), "the standard library's lines: " + net);
    assertEquals(0, build().regenerated(), "nothing changed: " + log.text());

    // the layer moves down two lines: the importers' comments change with it
    source("layers.nn", "\n\n" + LAYERS);
    IncrementalBuild.Result r = build();
    assertEquals(3, r.regenerated(), "layers.nn, net.nn and sub/uses.nn: " + log.text());
    assertTrue(generated("p/Net.java").contains(" layers.nn line 6: return s * x;"));
    assertEquals(0, build().regenerated(), log.text());
  }

  @Test
  void changingAFileImportedIndirectlyRecompilesTheWholeChain() throws Exception {
    source("c.nn", "fn c(x) = x * 3;\n");
    source("b.nn", "import \"c.nn\";\nfn b(x) = c(x) + 1;\n");
    source("a.nn", "import \"b.nn\";\nfn a(x) = b(x) * 2;\n");
    source("z.nn", "fn z(x) = x;\n");
    assertEquals(4, build().regenerated(), log.text());
    source("c.nn", "fn c(x) = x * 4;\n");
    assertEquals(3, build().regenerated(), log.text());
    assertTrue(generated("p/A.java").contains("4.0"), generated("p/A.java"));
  }

  @Test
  void deletingAnImportedFileIsAnErrorInTheImporterAndDeletesNothing() throws Exception {
    project();
    build();
    Files.delete(src().resolve("layers.nn"));
    IncrementalBuild.Result r = build();
    assertEquals(2, r.errors(), log.text());
    List<String> errors = log.at("[ERROR]");
    assertTrue(errors.get(0).contains(src().resolve("net.nn") + ":2:8: error: cannot import"
        + " \"layers.nn\": there is no file " + src().resolve("layers.nn")), errors.get(0));
    assertTrue(errors.get(1).contains(src().resolve("sub/uses.nn") + ":1:8: error: cannot"
        + " import \"../layers.nn\""), errors.get(1));
    assertTrue(Files.isRegularFile(out().resolve("p/Square.java")),
        "a failed build deletes nothing, not even the deleted file's classes");
    // put back, it builds again; and the next build is clean
    source("layers.nn", LAYERS);
    assertEquals(0, build().errors(), log.text());
    assertEquals(0, build().regenerated(), log.text());
  }

  @Test
  void importsMustStayInsideTheSourceDirectory() throws Exception {
    Files.writeString(dir.resolve("outside.nn"), "fn outside(x) = x;\n");
    source("m.nn", "import \"../outside.nn\";\nfn m(x) = outside(x);\n");
    IncrementalBuild.Result r = build();
    assertEquals(1, r.errors(), log.text());
    assertTrue(log.text().contains("m.nn:1:8: error: cannot import \"../outside.nn\": "
        + dir.resolve("outside.nn") + " is outside the source folder " + src()), log.text());
    assertFalse(Files.exists(out()));
  }

  @Test
  void anErrorInAnImportedFileIsReportedOnceAndMarkedOnThatFile() throws Exception {
    project();
    build();
    source("layers.nn", LAYERS.replace("fn square(x) = x * x;", "fn square(x) = x * y;"));
    IdeBuildContext ide = new IdeBuildContext();
    IncrementalBuild.Result r = build(ide);
    assertEquals(1, r.errors(), log.text());
    assertEquals(List.of("layers.nn:7:20:error:undefined name 'y'"),
        ide.messages.stream().filter(m -> m.contains(":error:")).toList());
    assertEquals(1, log.text().split("layers.nn:7:20: error", -1).length - 1, log.text());
    // fixed in the imported file alone: the files that import it build again
    source("layers.nn", LAYERS);
    ide = new IdeBuildContext();
    assertEquals(0, build(ide).errors(), log.text());
    assertTrue(ide.messages.stream().noneMatch(m -> m.contains(":error:")),
        ide.messages.toString());
    assertTrue(ide.removed.contains(src().resolve("net.nn").toFile()), "markers cleared");
  }
}
