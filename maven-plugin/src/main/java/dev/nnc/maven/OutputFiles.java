package dev.nnc.maven;

import dev.nnc.compiler.Compiler;
import dev.nnc.runtime.NncException;
import dev.nnc.runtime.io.AtomicFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.maven.plugin.MojoExecutionException;
import org.sonatype.plexus.build.incremental.BuildContext;

/**
 * Writes and deletes generated files, only inside the two output directories and only files nnc
 * generated: a file is replaced or deleted only if its first line carries
 * {@link Compiler#GENERATED_MARKER}, so a hand-written class in the output directory (or one a
 * damaged build state names) is never touched. Entries are {@code main:pkg/Name.java} or
 * {@code test:pkg/NameGradientTest.java}. Writes are atomic ({@link AtomicFile}); a file whose
 * content is unchanged is not rewritten, so IDEs and javac see no change.
 */
final class OutputFiles {
  private static final byte[] MARKER = Compiler.GENERATED_MARKER.getBytes(StandardCharsets.UTF_8);

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

  /**
   * One line for every planned write or deletion that would touch a file nnc did not generate;
   * empty when the plan is safe to carry out. Checked before anything is written, so a refused
   * build changes nothing.
   */
  List<String> refusals(Map<String, byte[]> writes, Collection<String> deletions) {
    List<String> refused = new ArrayList<>();
    for (Map.Entry<String, byte[]> w : writes.entrySet()) {
      Path target = resolve(w.getKey());
      if (target == null) {
        refused.add("nnc: refusing to write outside the output directory: " + w.getKey());
      } else if (exists(target) && !isGenerated(target)) {
        refused.add("nnc: refusing to overwrite " + target + ": " + notGenerated(target)
            + "; move it away, or rename the .nn declaration or change packageName so that the"
            + " generated class gets another name");
      }
    }
    for (String d : deletions) {
      Path target = resolve(d);
      if (target != null && exists(target) && !isGenerated(target)) {
        refused.add("nnc: refusing to delete " + target + ": the build state lists it as"
            + " generated, but " + notGenerated(target) + "; move it away, or delete "
            + "target/nnc-maven-plugin (mvn clean) so that nnc forgets it");
      }
    }
    return refused;
  }

  /** Writes an entry unless it already holds {@code bytes}; true if the file changed. */
  boolean write(String entry, byte[] bytes) throws MojoExecutionException {
    Path target = resolve(entry);
    if (target == null) {
      throw new MojoExecutionException("nnc: refusing to write outside the output directory: "
          + entry);
    }
    try {
      if (Files.isRegularFile(target) && Arrays.equals(Files.readAllBytes(target), bytes)) {
        return false;
      }
      if (exists(target) && !isGenerated(target)) {
        throw new MojoExecutionException("nnc: refusing to overwrite " + target + ": "
            + notGenerated(target));
      }
      Files.createDirectories(target.getParent());
      AtomicFile.writeBytes(target, bytes);
    } catch (IOException e) {
      throw new MojoExecutionException("nnc: cannot write " + target + ": " + reason(e), e);
    } catch (NncException e) {
      throw new MojoExecutionException("nnc: " + e.getMessage(), e);
    }
    context.refresh(target.toFile());
    return true;
  }

  /** Deletes an entry nnc generated; true if a file was removed. */
  boolean delete(String entry) throws MojoExecutionException {
    Path target = resolve(entry);
    if (target == null || !exists(target)) {
      return false;
    }
    if (!isGenerated(target)) {
      throw new MojoExecutionException("nnc: refusing to delete " + target + ": "
          + notGenerated(target));
    }
    try {
      boolean removed = Files.deleteIfExists(target);
      if (removed) {
        context.refresh(target.toFile());
      }
      return removed;
    } catch (IOException e) {
      throw new MojoExecutionException("nnc: cannot delete " + target + ": " + reason(e), e);
    }
  }

  /**
   * Whether {@code file} is a regular file (through links) whose first bytes are the marker.
   * Only a regular file is read: opening a FIFO would block the build.
   */
  static boolean isGenerated(Path file) {
    if (!Files.isRegularFile(file)) {
      return false;
    }
    try (InputStream in = Files.newInputStream(file)) {
      return Arrays.equals(in.readNBytes(MARKER.length), MARKER);
    } catch (IOException e) {
      return false;
    }
  }

  private static String notGenerated(Path file) {
    return Files.isRegularFile(file)
        ? "it does not begin with \"" + Compiler.GENERATED_MARKER.strip()
            + "\", so nnc did not generate it"
        : "it is not a regular file";
  }

  private static boolean exists(Path p) {
    return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
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
    try {
      Path p = root.resolve(entry.substring(colon + 1)).normalize();
      return p.startsWith(root) && !p.equals(root) ? p : null;
    } catch (InvalidPathException e) {
      return null; // a damaged build state
    }
  }

  /** An I/O failure in words, without Java exception names. */
  static String reason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return e.getMessage() != null ? e.getMessage() : "input/output error";
  }
}
