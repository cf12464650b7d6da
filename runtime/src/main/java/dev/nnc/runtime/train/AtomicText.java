package dev.nnc.runtime.train;

import dev.nnc.runtime.NncException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes a text file atomically: a temporary file beside it, flushed to disk, then renamed over
 * it, so a reader (a browser refreshing a report during training) never sees half a file. A
 * target that exists but is not a regular file is refused, never replaced.
 */
final class AtomicText {
  private AtomicText() {}

  /** Fails unless {@code path} can be written: its directory exists and it is not a directory. */
  static void checkWritable(Path path) {
    Path abs = path.toAbsolutePath();
    if (Files.exists(abs) && !Files.isRegularFile(abs)) {
      throw new NncException(path + ": not a regular file; refusing to replace it");
    }
    Path dir = abs.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new NncException(path + ": directory " + dir + " does not exist");
    }
  }

  static void write(Path path, String text) {
    checkWritable(path);
    Path abs = path.toAbsolutePath();
    Path tmp = null;
    try {
      tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".tmp");
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
          ch.write(bytes);
        }
        ch.force(true);
      }
      try {
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
      }
      tmp = null;
    } catch (IOException e) {
      throw new NncException(path + ": cannot write: " + e.getMessage(), e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // the write already failed; that is the error to report
        }
      }
    }
  }
}
