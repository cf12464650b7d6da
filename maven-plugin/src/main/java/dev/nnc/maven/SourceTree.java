package dev.nnc.maven;

import java.io.File;
import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Consumer;
import org.apache.maven.plugin.MojoExecutionException;

/**
 * The {@code .nn} files under a source directory, each with its key (the path relative to the
 * directory, with {@code /}) and its Java package. Symbolic links are followed, the directory
 * itself included, so a linked folder of models is compiled like a real one; a link back to an
 * enclosing folder is skipped with a warning instead of looping.
 */
final class SourceTree {
  /** One {@code .nn} file found under the source directory. */
  record Source(Path path, String key, String packageName) {}

  private SourceTree() {}

  /**
   * The {@code .nn} files under {@code root}, sorted by key; none if {@code root} is not a
   * directory. {@code warn} receives one line per skipped link.
   */
  static List<Source> scan(Path root, String basePackage, Consumer<String> warn)
      throws MojoExecutionException {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    List<Source> found = new ArrayList<>();
    try {
      Files.walkFileTree(root, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              if (!file.getFileName().toString().endsWith(".nn")) {
                return FileVisitResult.CONTINUE;
              }
              if (attrs.isRegularFile()) {
                found.add(source(root, file, basePackage));
              } else if (attrs.isSymbolicLink()) {
                // The walker reports a link it could not follow with the link's own attributes.
                warn.accept("nnc: skipping " + file + ": it is a symbolic link to a missing file");
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
              if (e instanceof FileSystemLoopException) {
                warn.accept("nnc: skipping " + file + ": a symbolic link to a folder that"
                    + " contains it (following it would loop)");
                return FileVisitResult.CONTINUE;
              }
              throw e;
            }
          });
    } catch (IOException e) {
      throw new MojoExecutionException("nnc: cannot list " + root + ": " + OutputFiles.reason(e),
          e);
    }
    found.sort(Comparator.comparing(Source::key));
    return found;
  }

  private static Source source(Path root, Path file, String basePackage) {
    Path relative = root.relativize(file);
    List<String> folders = new ArrayList<>();
    for (int i = 0; i < relative.getNameCount() - 1; i++) {
      folders.add(relative.getName(i).toString());
    }
    String key = relative.toString().replace(File.separatorChar, '/');
    return new Source(file, key, PackageNames.of(basePackage, folders));
  }
}
