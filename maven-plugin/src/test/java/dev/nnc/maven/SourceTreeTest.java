package dev.nnc.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding {@code .nn} files: subfolders give packages, symbolic links are followed, loops are not. */
class SourceTreeTest {
  @TempDir
  Path dir;

  private static void write(Path file) throws Exception {
    Files.createDirectories(file.getParent());
    Files.writeString(file, "fn f(x) = x;\n");
  }

  private static List<String> describe(List<SourceTree.Source> sources) {
    return sources.stream().map(s -> s.key() + " " + s.packageName()).toList();
  }

  @Test
  void subfoldersBecomeSubpackages() throws Exception {
    Path root = dir.resolve("nn");
    write(root.resolve("c.nn"));
    write(root.resolve("a/m.nn"));
    write(root.resolve("b/my-models/m.nn"));
    Files.writeString(root.resolve("notes.txt"), "not a source");
    List<String> warnings = new ArrayList<>();
    assertEquals(List.of("a/m.nn p.a", "b/my-models/m.nn p.b.my_models", "c.nn p"),
        describe(SourceTree.scan(root, "p", warnings::add)));
    assertTrue(warnings.isEmpty(), warnings.toString());
  }

  @Test
  void missingDirectoryHasNoSources() throws Exception {
    assertEquals(List.of(), SourceTree.scan(dir.resolve("absent"), "p", w -> {}));
  }

  @Test
  void followsASymlinkedSourceDirectory() throws Exception {
    Path real = dir.resolve("models");
    write(real.resolve("m.nn"));
    write(real.resolve("sub/n.nn"));
    Path link = Files.createSymbolicLink(dir.resolve("nn"), real);
    List<SourceTree.Source> found = SourceTree.scan(link, "p", w -> {});
    assertEquals(List.of("m.nn p", "sub/n.nn p.sub"), describe(found));
    assertTrue(found.get(0).path().startsWith(link), "paths go through the link: " + found);
  }

  @Test
  void followsSymlinkedSubfoldersAndFiles() throws Exception {
    Path root = dir.resolve("nn");
    write(dir.resolve("shared/s.nn"));
    write(dir.resolve("elsewhere/e.nn"));
    Files.createDirectories(root);
    Files.createSymbolicLink(root.resolve("shared"), dir.resolve("shared"));
    Files.createSymbolicLink(root.resolve("e.nn"), dir.resolve("elsewhere/e.nn"));
    assertEquals(List.of("e.nn p", "shared/s.nn p.shared"),
        describe(SourceTree.scan(root, "p", w -> {})));
  }

  @Test
  void aLinkToAnEnclosingFolderIsSkippedWithAWarning() throws Exception {
    Path root = dir.resolve("nn");
    write(root.resolve("a/m.nn"));
    Files.createSymbolicLink(root.resolve("a/loop"), root);
    List<String> warnings = new ArrayList<>();
    assertEquals(List.of("a/m.nn p.a"), describe(SourceTree.scan(root, "p", warnings::add)));
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("a/loop") && warnings.get(0).contains("loop"),
        warnings.get(0));
  }

  @Test
  void aDanglingLinkIsReported() throws Exception {
    Path root = dir.resolve("nn");
    write(root.resolve("m.nn"));
    Files.createSymbolicLink(root.resolve("gone.nn"), dir.resolve("missing.nn"));
    List<String> warnings = new ArrayList<>();
    assertEquals(List.of("m.nn p"), describe(SourceTree.scan(root, "p", warnings::add)));
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("gone.nn"), warnings.get(0));
  }
}
