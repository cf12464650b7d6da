package dev.nnc.runtime;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the shared data directory ({@code ../shared/data} relative to the repository root). */
public final class TestData {
  private TestData() {}

  /** {@code relative} under the shared data directory, found from {@code nnc.root} or the working directory upward. */
  public static Path file(String relative) {
    String root = System.getProperty("nnc.root", System.getProperty("user.dir"));
    for (Path p = Path.of(root).toAbsolutePath(); p != null; p = p.getParent()) {
      Path data = p.resolve("../shared/data").normalize();
      if (Files.isDirectory(data)) {
        return data.resolve(relative);
      }
    }
    throw new IllegalStateException("cannot find ../shared/data above " + root);
  }
}
