package dev.nnc.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nnc.compiler.Compiler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.maven.plugin.MojoExecutionException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Generated files are written atomically and only files nnc generated are replaced or deleted. */
class OutputFilesTest {
  private static final String GENERATED = Compiler.GENERATED_MARKER + "m.nn. Do not edit.\nclass F {}\n";

  @TempDir
  Path dir;

  Path main;
  IdeBuildContext context;
  OutputFiles files;

  @BeforeEach
  void setUp() throws Exception {
    main = Files.createDirectories(dir.resolve("main"));
    context = new IdeBuildContext();
    files = new OutputFiles(main, dir.resolve("test"), context);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private boolean mkfifo(Path p) throws Exception {
    try {
      return new ProcessBuilder("mkfifo", p.toString()).start().waitFor() == 0;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  @Test
  void writesNewFilesAndCreatesPackageFolders() throws Exception {
    assertTrue(files.write("main:p/q/F.java", bytes(GENERATED)));
    assertEquals(GENERATED, Files.readString(main.resolve("p/q/F.java")));
    assertEquals(List.of(main.resolve("p/q/F.java").toFile()), context.refreshed,
        "the IDE is told about the new file");
  }

  @Test
  void unchangedContentIsNotRewritten() throws Exception {
    files.write("main:F.java", bytes(GENERATED));
    context.refreshed.clear();
    assertFalse(files.write("main:F.java", bytes(GENERATED)));
    assertTrue(context.refreshed.isEmpty());
  }

  @Test
  void replacesAGeneratedFile() throws Exception {
    Files.writeString(main.resolve("F.java"), GENERATED);
    String next = GENERATED + "// changed\n";
    assertTrue(files.write("main:F.java", bytes(next)));
    assertEquals(next, Files.readString(main.resolve("F.java")));
  }

  @Test
  void refusesToOverwriteOrDeleteAFileWithoutTheMarker() throws Exception {
    Path mine = main.resolve("Neuron.java");
    Files.writeString(mine, "class Neuron {}\n");
    List<String> refused = files.refusals(Map.of("main:Neuron.java", bytes(GENERATED)),
        List.of("main:Neuron.java"));
    assertEquals(2, refused.size(), refused.toString());
    assertTrue(refused.get(0).startsWith("nnc: refusing to overwrite " + mine), refused.get(0));
    assertTrue(refused.get(1).startsWith("nnc: refusing to delete " + mine), refused.get(1));
    assertThrows(MojoExecutionException.class,
        () -> files.write("main:Neuron.java", bytes(GENERATED)));
    assertThrows(MojoExecutionException.class, () -> files.delete("main:Neuron.java"));
    assertEquals("class Neuron {}\n", Files.readString(mine));
  }

  @Test
  void aMarkerLaterInTheFileDoesNotCount() throws Exception {
    Files.writeString(main.resolve("F.java"), "// mine\n" + GENERATED);
    assertFalse(OutputFiles.isGenerated(main.resolve("F.java")));
    assertEquals(1, files.refusals(Map.of(), List.of("main:F.java")).size());
  }

  @Test
  void deletesOnlyWhatExistsAndSaysSo() throws Exception {
    Files.writeString(main.resolve("F.java"), GENERATED);
    assertTrue(files.delete("main:F.java"));
    assertFalse(Files.exists(main.resolve("F.java")));
    assertFalse(files.delete("main:F.java"), "already gone: not counted");
    assertEquals(List.of(main.resolve("F.java").toFile()), context.refreshed);
  }

  @Test
  void entriesOutsideTheOutputDirectoryAreRefusedOrIgnored() throws Exception {
    Path outside = dir.resolve("Outside.java");
    Files.writeString(outside, GENERATED);
    assertEquals(1, files.refusals(Map.of("main:../Outside.java", bytes(GENERATED)),
        List.of()).size());
    assertFalse(files.delete("main:../Outside.java"));
    assertFalse(files.delete("elsewhere:Outside.java"));
    assertFalse(files.delete("main:" + outside));
    assertTrue(Files.exists(outside));
  }

  @Test
  void writesThroughASymlinkToAGeneratedFile() throws Exception {
    Path real = dir.resolve("real.java");
    Files.writeString(real, GENERATED);
    Path link = Files.createSymbolicLink(main.resolve("F.java"), real);
    String next = GENERATED + "// changed\n";
    assertTrue(files.refusals(Map.of("main:F.java", bytes(next)), List.of()).isEmpty());
    files.write("main:F.java", bytes(next));
    assertTrue(Files.isSymbolicLink(link), "the link stays");
    assertEquals(next, Files.readString(real));
  }

  @Test
  void neverReadsOrReplacesAFifo() throws Exception {
    Path fifo = main.resolve("F.java");
    assumeTrue(mkfifo(fifo), "mkfifo is not available");
    assertFalse(OutputFiles.isGenerated(fifo), "not opened: opening a FIFO would block");
    List<String> refused = files.refusals(Map.of("main:F.java", bytes(GENERATED)),
        List.of("main:F.java"));
    assertEquals(2, refused.size());
    assertTrue(refused.get(0).contains("it is not a regular file"), refused.get(0));
    assertThrows(MojoExecutionException.class, () -> files.write("main:F.java", bytes(GENERATED)));
    assertTrue(Files.exists(fifo) && !Files.isRegularFile(fifo), "the FIFO is still there");
  }
}
