package dev.nnc.runtime.io;

import dev.nnc.runtime.NncException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file so that readers see either the old content or the new, never half of it: the
 * bytes go to a temporary file beside the target, are flushed to disk, and the temporary file is
 * renamed over the target; then the directory is flushed too. The rules every nnc command and
 * the Maven plugin follow:
 *
 * <ul>
 *   <li>a symbolic link is written through: its final destination gets the new content and the
 *       link stays;
 *   <li>an existing target that is not a regular file (a directory, a FIFO, a device) is never
 *       replaced: the write is refused with a one-line message;
 *   <li>a new file gets the permissions the user's umask gives any new file; a replaced file
 *       keeps its permissions;
 *   <li>failures are {@link NncException}s naming the path, without Java exception names.
 * </ul>
 */
public final class AtomicFile {
  /** Writes the content to a stream; the stream is closed by the caller. */
  public interface Body {
    void writeTo(OutputStream out) throws IOException;
  }

  /** Longest file name, in bytes, that common file systems accept. */
  private static final int MAX_NAME_BYTES = 255;

  private AtomicFile() {}

  /** Writes {@code text} as UTF-8 to {@code target}. */
  public static void writeString(Path target, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    write(target, out -> out.write(bytes));
  }

  /** Writes {@code bytes} to {@code target}. */
  public static void writeBytes(Path target, byte[] bytes) {
    write(target, out -> out.write(bytes));
  }

  /** Writes what {@code body} produces to {@code target}, atomically. */
  public static void write(Path target, Body body) {
    Path destination = checkWritable(target);
    Path dir = destination.getParent();
    Path temp = null;
    try {
      temp = newTempFile(dir);
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        OutputStream out = Channels.newOutputStream(channel);
        body.writeTo(out);
        out.flush();
        channel.force(true);
      }
      keepPermissions(destination, temp);
      try {
        Files.move(temp, destination, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, destination, StandardCopyOption.REPLACE_EXISTING);
      }
      temp = null;
      syncDirectory(dir);
    } catch (IOException e) {
      throw failure(target, e);
    } finally {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException ignored) {
          // the write already failed; a leftover hidden temporary file is harmless
        }
      }
    }
  }

  /**
   * Checks, without writing it, that {@code target} can be written: its directory exists and
   * is writable, its name is not too long, and it is not a directory or special file. Commands
   * call this before long work (training) so that a bad output path fails at once. Returns the
   * path the content will be written to (the destination of a symbolic link).
   */
  public static Path checkWritable(Path target) {
    Path destination = destination(target);
    Path name = destination.getFileName();
    if (name == null) {
      throw new NncException(target + ": cannot write: not a file name");
    }
    if (name.toString().getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
      throw new NncException(target + ": cannot write: the file name is longer than "
          + MAX_NAME_BYTES + " bytes");
    }
    if (Files.exists(destination, LinkOption.NOFOLLOW_LINKS)
        && !Files.isRegularFile(destination, LinkOption.NOFOLLOW_LINKS)) {
      throw new NncException(target + ": cannot write: it is " + kind(destination)
          + ", not a regular file; refusing to replace it");
    }
    Path dir = destination.getParent();
    if (!Files.isDirectory(dir)) {
      throw new NncException(target + ": cannot write: directory " + dir + " does not exist");
    }
    if (!Files.isWritable(dir)) {
      throw new NncException(target + ": cannot write: directory " + dir + " is not writable");
    }
    return destination;
  }

  /** The absolute path the content goes to: symbolic links followed to their last target. */
  private static Path destination(Path target) {
    Path path = target.toAbsolutePath().normalize();
    for (int hops = 0; Files.isSymbolicLink(path); hops++) {
      if (hops == 40) {
        throw new NncException(target + ": cannot write: too many levels of symbolic links");
      }
      try {
        Path link = Files.readSymbolicLink(path);
        path = path.resolveSibling(link).toAbsolutePath().normalize();
      } catch (IOException e) {
        throw failure(target, e);
      }
    }
    return path;
  }

  private static String kind(Path p) {
    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      return "a directory";
    }
    return "a special file (a device, FIFO or socket)";
  }

  /** A new empty file with the default permissions (not the 0600 of createTempFile). */
  private static Path newTempFile(Path dir) throws IOException {
    for (int attempt = 0; ; attempt++) {
      Path temp = dir.resolve(".nnc-" + Long.toHexString(ThreadLocalRandom.current().nextLong())
          + ".tmp");
      try {
        Files.newByteChannel(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)
            .close();
        return temp;
      } catch (FileAlreadyExistsException e) {
        if (attempt == 10) {
          throw e;
        }
      }
    }
  }

  private static void keepPermissions(Path destination, Path temp) throws IOException {
    if (!Files.isRegularFile(destination, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    PosixFileAttributeView from = Files.getFileAttributeView(destination,
        PosixFileAttributeView.class);
    if (from != null) {
      Set<PosixFilePermission> permissions = from.readAttributes().permissions();
      Files.setPosixFilePermissions(temp, permissions);
    }
  }

  /** Flushes the directory entry of the rename; not every platform can, which is harmless. */
  private static void syncDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Windows cannot open a directory; the rename itself is still atomic there.
    }
  }

  /** A one-line message without Java exception names. */
  private static NncException failure(Path target, IOException e) {
    String reason;
    if (e instanceof AccessDeniedException) {
      reason = "permission denied";
    } else if (e instanceof NoSuchFileException) {
      reason = "no such file or directory";
    } else if (e instanceof FileSystemException
        && ((FileSystemException) e).getReason() != null) {
      reason = ((FileSystemException) e).getReason();
    } else {
      reason = e.getMessage() != null ? e.getMessage() : "input/output error";
    }
    return new NncException(target + ": cannot write: " + reason, e);
  }
}
