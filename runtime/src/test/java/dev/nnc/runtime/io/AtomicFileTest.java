package dev.nnc.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.NncException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest {
  @TempDir
  Path dir;

  private long leftovers() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().startsWith(".nnc-")).count();
    }
  }

  @Test
  void writesAndReplaces() throws IOException {
    Path f = dir.resolve("out.txt");
    AtomicFile.writeString(f, "one");
    AtomicFile.writeString(f, "two");
    assertEquals("two", Files.readString(f));
    assertEquals(0, leftovers());
  }

  @Test
  void writesThroughASymbolicLinkAndKeepsTheLink() throws IOException {
    Path real = dir.resolve("real.txt");
    Files.writeString(real, "old");
    Path link = Files.createSymbolicLink(dir.resolve("link.txt"), real.getFileName());
    AtomicFile.writeString(link, "new");
    assertTrue(Files.isSymbolicLink(link), "the link is not replaced");
    assertEquals("new", Files.readString(real));
  }

  @Test
  void refusesDirectoriesAndSpecialFiles() throws Exception {
    Path sub = Files.createDirectory(dir.resolve("sub"));
    NncException e = assertThrows(NncException.class, () -> AtomicFile.writeString(sub, "x"));
    assertTrue(e.getMessage().contains("is a directory, not a regular file"), e.getMessage());
    assertTrue(Files.isDirectory(sub));
    Path fifo = dir.resolve("fifo");
    Process mkfifo;
    try {
      mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    } catch (IOException noMkfifo) {
      Assumptions.abort("no mkfifo here");
      return;
    }
    Assumptions.assumeTrue(mkfifo.waitFor() == 0);
    e = assertThrows(NncException.class, () -> AtomicFile.writeString(fifo, "x"));
    assertTrue(e.getMessage().contains("special file"), e.getMessage());
    assertTrue(Files.exists(fifo) && !Files.isRegularFile(fifo), "the FIFO is left alone");
    assertEquals(0, leftovers());
  }

  @Test
  void aBareRelativeNameIsWrittenInTheWorkingDirectory() {
    Path destination = AtomicFile.checkWritable(Path.of("bare-name.csv"));
    assertEquals(Path.of("").toAbsolutePath().resolve("bare-name.csv"), destination);
  }

  @Test
  void missingDirectoryAndLongNamesFailWithOneLine() {
    NncException e = assertThrows(NncException.class,
        () -> AtomicFile.writeString(dir.resolve("none").resolve("f.txt"), "x"));
    assertTrue(e.getMessage().endsWith("does not exist"), e.getMessage());
    e = assertThrows(NncException.class,
        () -> AtomicFile.checkWritable(dir.resolve("n".repeat(300))));
    assertTrue(e.getMessage().contains("longer than 255 bytes"), e.getMessage());
    assertFalse(e.getMessage().contains("Exception"), e.getMessage());
  }

  @Test
  void newFilesGetDefaultPermissionsAndReplacedFilesKeepTheirs() throws IOException {
    Assumptions.assumeTrue(Files.getFileStore(dir).supportsFileAttributeView("posix"));
    Path fresh = dir.resolve("fresh.txt");
    AtomicFile.writeString(fresh, "x");
    Path plain = Files.createFile(dir.resolve("plain.txt"));
    assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(fresh),
        "a new file gets what the umask gives any new file, not 0600");
    Set<PosixFilePermission> custom = PosixFilePermissions.fromString("rw-r-----");
    Files.setPosixFilePermissions(plain, custom);
    AtomicFile.writeString(plain, "y");
    assertEquals(custom, Files.getPosixFilePermissions(plain));
  }
}
