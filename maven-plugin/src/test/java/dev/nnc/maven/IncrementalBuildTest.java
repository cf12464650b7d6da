package dev.nnc.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.ir.ElementType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sonatype.plexus.build.incremental.BuildContext;
import org.sonatype.plexus.build.incremental.DefaultBuildContext;

/**
 * A build over a source directory: classes named by path, collisions as errors naming both
 * files (also when one of them is unchanged), and only generated files replaced or deleted.
 */
class IncrementalBuildTest {
  @TempDir
  Path dir;

  RecordingLog log;

  private Path src() {
    return dir.resolve("nn");
  }

  private Path out() {
    return dir.resolve("out");
  }

  private Path testOut() {
    return dir.resolve("test");
  }

  private void source(String key, String text) throws Exception {
    Path file = src().resolve(key);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }

  private IncrementalBuild.Result build(boolean tests) throws Exception {
    return build(tests, new DefaultBuildContext());
  }

  private IncrementalBuild.Result build(boolean tests, BuildContext context) throws Exception {
    log = new RecordingLog();
    IncrementalBuild.Options options = new IncrementalBuild.Options(src(), "p", ElementType.F32,
        tests, out(), testOut(), dir.resolve("state/state.properties"), "config|" + tests);
    return new IncrementalBuild(options, log, new DiagnosticReporter(log, context),
        new OutputFiles(out(), testOut(), context)).run();
  }

  private IncrementalBuild.Result build() throws Exception {
    return build(false);
  }

  private String generated(String relative) throws Exception {
    return Files.readString(out().resolve(relative));
  }

  @Test
  void subfoldersGiveSubpackagesSoSameNamesDoNotCollide() throws Exception {
    source("a/m.nn", "fn f(x) = x * x;\n");
    source("b/m.nn", "fn f(x) = x + 1;\n");
    source("c.nn", "fn f(x) = exp(x);\n");
    IncrementalBuild.Result r = build();
    assertEquals(new IncrementalBuild.Result(3, 3, 0, 0), r, log.text());
    assertTrue(generated("p/a/F.java").contains("package p.a;"));
    assertTrue(generated("p/b/F.java").contains("package p.b;"));
    assertTrue(generated("p/F.java").contains("package p;"));
    assertTrue(generated("p/a/F.java").startsWith(Compiler.GENERATED_MARKER));
  }

  @Test
  void twoFilesInOneFolderDefiningOneFunctionIsAnErrorNamingBoth() throws Exception {
    source("m.nn", "fn f(x) = x * x;\n");
    source("n.nn", "\nfn f(x) = x + 1;\n");
    IncrementalBuild.Result r = build();
    assertEquals(1, r.errors(), log.text());
    List<String> errors = log.at("[ERROR]");
    assertEquals(1, errors.size(), log.text());
    String error = errors.get(0);
    assertTrue(error.contains(src().resolve("n.nn") + ":2:4: error: fn f would generate class"
        + " p.F, which the declaration at " + src().resolve("m.nn") + ":1:4 already generates"),
        error);
    assertTrue(error.contains("\nfn f(x) = x + 1;\n   ^"), "source line and caret: " + error);
    assertFalse(Files.exists(out()), "nothing is written when classes collide");
  }

  @Test
  void aNewFileCollidingWithAnUnchangedOneIsStillAnError() throws Exception {
    source("m.nn", "fn f(x) = x * x;\n");
    assertEquals(1, build().regenerated());
    String before = generated("p/F.java");
    source("n.nn", "fn f(y) = y + 1;\n");
    IncrementalBuild.Result r = build();
    assertEquals(1, r.errors(), log.text());
    assertTrue(log.text().contains("n.nn:1:4: error: fn f would generate class p.F, which the"
        + " declaration at " + src().resolve("m.nn") + ":1:4 already generates"), log.text());
    assertEquals(before, generated("p/F.java"), "the unchanged file's class is kept");
  }

  @Test
  void anErrorPlacedInAnUnchangedFileIsClearedWhenTheOtherFileGoes() throws Exception {
    source("m.nn", "fn f(x) = x * x;\n");
    build();
    source("a.nn", "fn f(y) = y + 1;\n");
    IdeBuildContext ide = new IdeBuildContext();
    assertEquals(1, build(false, ide).errors());
    assertEquals(1, ide.messages.size(), ide.messages.toString());
    assertTrue(ide.messages.get(0).startsWith("m.nn:1:4:error:"),
        "the later declaration, in the unchanged file, has the error: " + ide.messages);
    Files.delete(src().resolve("a.nn"));
    ide = new IdeBuildContext();
    assertEquals(new IncrementalBuild.Result(1, 1, 0, 0), build(false, ide), log.text());
    assertEquals(List.of(src().resolve("m.nn").toFile()), ide.removed,
        "m.nn is checked again, so its marker goes");
    assertTrue(ide.messages.isEmpty());
  }

  @Test
  void aClassMovedFromADeletedFileToANewOneSurvives() throws Exception {
    source("m.nn", "fn f(x) = x * x;\n");
    build(true);
    Files.delete(src().resolve("m.nn"));
    source("n.nn", "fn f(x) = x * x * x;\n");
    IncrementalBuild.Result r = build(true);
    assertEquals(0, r.removed(), "nothing stale: n.nn generates what m.nn did; " + log.text());
    assertTrue(generated("p/F.java").contains("n.nn"), generated("p/F.java"));
    assertTrue(Files.exists(testOut().resolve("p/FGradientTest.java")));
  }

  @Test
  void deletingOneSourceRemovesOnlyItsOwnClasses() throws Exception {
    source("a/m.nn", "fn f(x) = x * x;\n");
    source("b/m.nn", "fn f(x) = x + 1;\n");
    build(true);
    Files.delete(src().resolve("a/m.nn"));
    IncrementalBuild.Result r = build(true);
    assertEquals(new IncrementalBuild.Result(1, 0, 2, 0), r, log.text());
    assertFalse(Files.exists(out().resolve("p/a/F.java")));
    assertFalse(Files.exists(testOut().resolve("p/a/FGradientTest.java")));
    assertTrue(Files.exists(out().resolve("p/b/F.java")));
    assertTrue(Files.exists(testOut().resolve("p/b/FGradientTest.java")));
  }

  @Test
  void anUnchangedBuildRegeneratesNothing() throws Exception {
    source("m.nn", "fn f(x) = x * x;\n");
    build();
    long modified = Files.getLastModifiedTime(out().resolve("p/F.java")).toMillis();
    assertEquals(new IncrementalBuild.Result(1, 0, 0, 0), build());
    assertEquals(modified, Files.getLastModifiedTime(out().resolve("p/F.java")).toMillis());
  }

  @Test
  void aHandWrittenClassIsNeverOverwritten() throws Exception {
    source("neuron.nn", "fn neuron(w, x, b) = sigmoid(w * x + b);\n");
    Path mine = out().resolve("p/Neuron.java");
    Files.createDirectories(mine.getParent());
    Files.writeString(mine, "package p;\n/** Mine. */\nclass Neuron {}\n");
    MojoFailureException e = assertThrows(MojoFailureException.class, this::build);
    assertTrue(e.getMessage().startsWith("nnc: refusing to overwrite " + mine + ": it does not"
        + " begin with \"// Generated by nnc from\""), e.getMessage());
    assertEquals("package p;\n/** Mine. */\nclass Neuron {}\n", Files.readString(mine));
  }

  @Test
  void aRefusedBuildWritesNothingAtAll() throws Exception {
    source("a.nn", "fn a(x) = x;\n");
    source("b.nn", "fn b(x) = x;\n");
    Path mine = out().resolve("p/B.java");
    Files.createDirectories(mine.getParent());
    Files.writeString(mine, "class B {}\n");
    assertThrows(MojoFailureException.class, this::build);
    assertFalse(Files.exists(out().resolve("p/A.java")), "checked before anything is written");
  }

  @Test
  void aCraftedStateCannotDeleteAUserFile() throws Exception {
    source("m.nn", "fn f(x) = x;\n");
    build();
    Path mine = out().resolve("p/Neuron.java");
    Files.writeString(mine, "class Neuron {}\n");
    Path state = dir.resolve("state/state.properties");
    Files.writeString(state, Files.readString(state)
        + "outputs.gone.nn=main\\:p/Neuron.java,main\\:../../escape.java,main\\:p/Absent.java\n"
        + "digest.gone.nn=00\n");
    MojoFailureException e = assertThrows(MojoFailureException.class, this::build);
    assertTrue(e.getMessage().contains("refusing to delete " + mine), e.getMessage());
    assertEquals("class Neuron {}\n", Files.readString(mine));
    assertTrue(Files.exists(out().resolve("p/F.java")));
  }

  @Test
  void theRemovedCountCountsOnlyFilesRemoved() throws Exception {
    source("m.nn", "fn f(x) = x;\n");
    source("n.nn", "fn g(x) = x;\n");
    build(true);
    Files.delete(out().resolve("p/G.java"));
    Files.delete(src().resolve("n.nn"));
    IncrementalBuild.Result r = build(true);
    assertEquals(1, r.removed(), "only GGradientTest.java was still there; " + log.text());
  }

  @Test
  void aGeneratedFileEditedByHandIsNotDeleted() throws Exception {
    source("m.nn", "fn f(x) = x;\n");
    build();
    Path f = out().resolve("p/F.java");
    Files.writeString(f, "// my own version now\nclass F {}\n");
    Files.delete(src().resolve("m.nn"));
    assertThrows(MojoFailureException.class, this::build);
    assertTrue(Files.exists(f));
  }

  @Test
  void errorsAreReportedOnceWithSourceLineAndCaretAndNothingIsWritten() throws Exception {
    source("broken.nn", "// two mistakes\nfn f(x) = x + ;\n");
    source("ok.nn", "fn g(x) = x;\n");
    IncrementalBuild.Result r = build();
    assertEquals(1, r.errors());
    assertEquals(List.of("[ERROR] " + src().resolve("broken.nn") + ":2:15: error: expected an"
        + " expression after '+', found ';'\nfn f(x) = x + ;\n              ^"), log.at("[ERROR]"));
    assertFalse(log.text().contains("[2:15]"), log.text());
    assertFalse(Files.exists(out().resolve("p/G.java")), "a build with errors writes nothing");
    source("broken.nn", "fn f(x) = x + 1;\n");
    assertEquals(new IncrementalBuild.Result(2, 2, 0, 0), build(), "fixed: both are generated");
  }

  @Test
  void testsFollowTheSwitchAndAreRemovedWhenItTurnsOff() throws Exception {
    source("m.nn", "fn f(x) = x;\n");
    build(true);
    Path test = testOut().resolve("p/FGradientTest.java");
    assertTrue(Files.readString(test).startsWith(Compiler.GENERATED_MARKER));
    IncrementalBuild.Result r = build(false);
    assertEquals(1, r.removed(), log.text());
    assertFalse(Files.exists(test));
  }

  @Test
  void followsASymlinkedSourceFolder() throws Exception {
    Path real = dir.resolve("shared");
    Files.createDirectories(real);
    Files.writeString(real.resolve("s.nn"), "fn s(x) = x;\n");
    Files.createDirectories(src());
    Files.createSymbolicLink(src().resolve("shared"), real);
    assertEquals(1, build().regenerated(), log.text());
    assertTrue(generated("p/shared/S.java").contains("package p.shared;"));
  }

  /** Issue 15 item 13: the command line skipped a byte order mark, the plugin rejected it. */
  @Test
  void aSourceStartingWithAByteOrderMarkGenerates() throws Exception {
    Path file = src().resolve("bom.nn");
    Files.createDirectories(src());
    Files.write(file, "\uFEFFimport \"lib.nn\";\nfn f(x) = sq(x) + 1;\n"
        .getBytes(StandardCharsets.UTF_8));
    Files.write(src().resolve("lib.nn"), "\uFEFFfn sq(x) = x * x;\n"
        .getBytes(StandardCharsets.UTF_8));
    IncrementalBuild.Result r = build(true);
    assertEquals(new IncrementalBuild.Result(2, 2, 0, 0), r, log.text());
    assertTrue(generated("p/F.java").startsWith(Compiler.GENERATED_MARKER), generated("p/F.java"));
    assertTrue(generated("p/F.java").contains("class F"), generated("p/F.java"));
    assertTrue(Files.exists(testOut().resolve("p/FGradientTest.java")));
  }

  /**
   * fn f's gradient test p.FGradientTest (a test source) and fn f_gradient_test's class
   * p.FGradientTest (a main source) are one class on the test class path, the test hiding the
   * other: an error naming both, also without tests, and also when one file is unchanged.
   */
  @Test
  void aClassNamedLikeAGradientTestClassIsAnErrorNamingBoth() throws Exception {
    source("m.nn", "fn f(x) = x * x;\n");
    source("n.nn", "\nfn f_gradient_test(x) = x;\n");
    for (boolean tests : new boolean[] {true, false}) {
      IncrementalBuild.Result r = build(tests);
      assertEquals(1, r.errors(), log.text());
      List<String> errors = log.at("[ERROR]");
      assertEquals(1, errors.size(), log.text());
      assertTrue(errors.get(0).contains(src().resolve("n.nn") + ":2:4: error: fn f_gradient_test"
          + " would generate class p.FGradientTest, which is the gradient test class of fn f at "
          + src().resolve("m.nn") + ":1:4"), errors.get(0));
      assertFalse(Files.exists(out()), "nothing is written");
      assertFalse(Files.exists(testOut()), "nothing is written");
    }
  }

  @Test
  void aNewFileCollidingWithAnUnchangedFilesGradientTestIsAnError() throws Exception {
    source("m.nn", "fn f(x) = x * x;\n");
    assertEquals(1, build(true).regenerated());
    source("n.nn", "fn f_gradient_test(x) = x;\n");
    IncrementalBuild.Result r = build(true);
    assertEquals(1, r.errors(), log.text());
    assertTrue(log.text().contains(src().resolve("n.nn") + ":1:4: error: fn f_gradient_test"
        + " would generate class p.FGradientTest, which is the gradient test class of fn f at "
        + src().resolve("m.nn") + ":1:4"), log.text());
    assertTrue(Files.exists(testOut().resolve("p/FGradientTest.java")), "the test is kept");
    assertFalse(Files.exists(out().resolve("p/FGradientTest.java")), "nothing is written");

    // The other way round: the unchanged file's class is the new file's test class.
    Files.delete(src().resolve("n.nn"));
    Files.delete(src().resolve("m.nn"));
    source("a.nn", "fn g_gradient_test(x) = x;\n");
    assertEquals(0, build(true).errors(), log.text());
    source("b.nn", "fn g(x) = 2 * x;\n");
    r = build(true);
    assertEquals(1, r.errors(), log.text());
    assertTrue(log.text().contains(src().resolve("b.nn") + ":1:4: error: fn g would have"
        + " gradient test class p.GGradientTest, which the declaration at "
        + src().resolve("a.nn") + ":1:4 generates"), log.text());
  }
}
