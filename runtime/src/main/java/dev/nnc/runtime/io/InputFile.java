package dev.nnc.runtime.io;

import dev.nnc.runtime.NncException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads a whole input file (a checkpoint, a data file, a {@code .nn} source), failing with one
 * line that names the file and says what is wrong in words (no such file, a directory,
 * permission denied) instead of a Java exception name.
 */
public final class InputFile {
  /** Files larger than this are refused before reading: a Java array holds at most 2 GB. */
  private static final long MAX_BYTES = Integer.MAX_VALUE - 8;

  private InputFile() {}

  /** The bytes of {@code path}. */
  public static byte[] readAllBytes(Path path) {
    check(path);
    try {
      if (Files.size(path) > MAX_BYTES) {
        throw new NncException(path + ": cannot read: larger than 2 GB");
      }
      return Files.readAllBytes(path);
    } catch (IOException e) {
      throw failure(path, e);
    } catch (OutOfMemoryError e) {
      throw new NncException(path + ": cannot read: not enough memory for the whole file");
    }
  }

  /**
   * Checks that {@code path} names a readable regular file (a symbolic link to one is fine);
   * otherwise a one-line {@link NncException}: no such file, a directory, not a regular file.
   */
  public static void check(Path path) {
    if (Files.isDirectory(path)) {
      throw new NncException(path + ": is a directory, not a file");
    }
    if (!Files.exists(path)) {
      throw new NncException(path + ": no such file");
    }
    if (!Files.isRegularFile(path)) {
      throw new NncException(path + ": is not a regular file (a device, FIFO or socket)");
    }
    if (!Files.isReadable(path)) {
      throw new NncException(path + ": cannot read: permission denied");
    }
  }

  /** A one-line message without Java exception names. */
  static NncException failure(Path path, IOException e) {
    String reason;
    if (e instanceof NoSuchFileException) {
      return new NncException(path + ": no such file", e);
    } else if (e instanceof AccessDeniedException) {
      reason = "permission denied";
    } else if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
      reason = ((FileSystemException) e).getReason();
    } else {
      reason = e.getMessage() != null ? e.getMessage() : "input/output error";
    }
    return new NncException(path + ": cannot read: " + reason, e);
  }
}
