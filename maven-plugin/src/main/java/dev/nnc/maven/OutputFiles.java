package dev.nnc.maven;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.maven.plugin.MojoExecutionException;
import org.sonatype.plexus.build.incremental.BuildContext;

/**
 * Writes and deletes generated files, only inside the two output directories. Entries are
 * {@code main:pkg/Name.java} or {@code test:pkg/NameGradientTest.java}. A file whose content is
 * unchanged is not rewritten, so IDEs and javac see no change.
 */
final class OutputFiles {
  private final Path main;
  private final Path test;
  private final BuildContext context;

  OutputFiles(Path main, Path test, BuildContext context) {
    this.main = main;
    this.test = test;
    this.context = context;
  }

  boolean allExist(List<String> entries) {
    for (String e : entries) {
      Path p = resolve(e);
      if (p == null || !Files.isRegularFile(p)) {
        return false;
      }
    }
    return true;
  }

  void write(boolean isTest, String relative, String content) throws MojoExecutionException {
    Path target = resolve((isTest ? "test:" : "main:") + relative);
    if (target == null) {
      throw new MojoExecutionException("nnc: refusing to write outside the output directory: "
          + relative);
    }
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    try {
      if (Files.isRegularFile(target) && java.util.Arrays.equals(Files.readAllBytes(target), bytes)) {
        return;
      }
      Files.createDirectories(target.getParent());
      try (OutputStream out = context.newFileOutputStream(target.toFile())) {
        out.write(bytes);
      }
    } catch (IOException e) {
      throw new MojoExecutionException("nnc: cannot write " + target + ": " + e.getMessage(), e);
    }
  }

  void delete(String entry) throws MojoExecutionException {
    Path target = resolve(entry);
    if (target == null) {
      return;
    }
    try {
      if (Files.deleteIfExists(target)) {
        context.refresh(target.toFile());
      }
    } catch (IOException e) {
      throw new MojoExecutionException("nnc: cannot delete " + target + ": " + e.getMessage(), e);
    }
  }

  /** The path of an entry, or null if it would leave its output directory. */
  private Path resolve(String entry) {
    int colon = entry.indexOf(':');
    if (colon < 0) {
      return null;
    }
    Path root = entry.startsWith("test:") ? test : entry.startsWith("main:") ? main : null;
    if (root == null) {
      return null;
    }
    Path p = root.resolve(entry.substring(colon + 1)).normalize();
    return p.startsWith(root) && !p.equals(root) ? p : null;
  }
}
