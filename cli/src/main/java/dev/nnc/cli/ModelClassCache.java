package dev.nnc.cli;

import dev.nnc.runtime.io.AtomicFile;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A cache of compiled model classes on disk, so that running the same model again skips
 * checking, generating and compiling it (javac alone took most of a warm {@code nnc train}'s
 * wall time). An entry is keyed by a SHA-256 digest of everything that determines the classes:
 * the source text and name, the options, nnc's version and its build (the jar's size and time,
 * or the newest class file when nnc runs from class directories), and the Java version.
 *
 * <p>Entries are written with {@link AtomicFile} (concurrent runs write the same bytes and one
 * rename wins) and carry a digest of their contents, checked on every load: a truncated or
 * corrupt entry is a miss, never an error. The cache lives in {@code $XDG_CACHE_HOME/nnc}, else
 * {@code ~/.cache/nnc}; the system property {@code nnc.cache.dir} moves it, and
 * {@code nnc.cache=off} (or the environment variable {@code NNC_CACHE=0}) turns it off. Any
 * failure to read or write it is silent: the cache only ever saves time.
 */
final class ModelClassCache {
  /**
   * What an entry holds: the diagnostics the check printed (warnings), the binary name of the
   * model's class, and every generated class file by binary name.
   */
  record Entry(String diagnostics, String modelClass, Map<String, byte[]> classes) {}

  private static final byte[] MAGIC = "nnc-model-classes-1\n".getBytes(StandardCharsets.US_ASCII);
  /** Entries kept; the least recently used beyond this are removed when one is added. */
  static final int MAX_ENTRIES = 64;

  private final Path dir;

  private ModelClassCache(Path dir) {
    this.dir = dir;
  }

  /**
   * The cache configured by the environment, or null when it is turned off, has no home, or
   * nnc's build cannot be identified (a stale entry must never be used).
   */
  static ModelClassCache open() {
    if ("off".equals(System.getProperty("nnc.cache")) || "0".equals(System.getenv("NNC_CACHE"))
        || BuildFingerprint.VALUE == null) {
      return null;
    }
    String configured = System.getProperty("nnc.cache.dir");
    Path root;
    if (configured != null && !configured.isBlank()) {
      root = Path.of(configured);
    } else {
      String xdg = System.getenv("XDG_CACHE_HOME");
      String home = System.getProperty("user.home");
      if (xdg != null && Path.of(xdg).isAbsolute()) {
        root = Path.of(xdg, "nnc");
      } else if (home != null && !home.isBlank() && !home.equals("?")) {
        root = Path.of(home, ".cache", "nnc");
      } else {
        return null;
      }
    }
    return new ModelClassCache(root.resolve("models"));
  }

  /** The directory holding the entries. */
  Path directory() {
    return dir;
  }

  /** The digest naming the entry for these inputs (hex). */
  static String key(String sourceName, String sourceText, String... options) {
    MessageDigest sha = sha256();
    List<String> parts = new ArrayList<>();
    parts.add("nnc " + Main.Version.number());
    parts.add(BuildFingerprint.VALUE);
    parts.add("java " + Runtime.version().feature());
    parts.add(sourceName);
    parts.addAll(Arrays.asList(options));
    parts.add(sourceText);
    for (String part : parts) {
      byte[] bytes = String.valueOf(part).getBytes(StandardCharsets.UTF_8);
      sha.update(intBytes(bytes.length));
      sha.update(bytes);
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  /** The entry for {@code key}, or null if there is none or it does not verify. */
  Entry get(String key) {
    Path file = dir.resolve(key + ".classes");
    try {
      byte[] all = Files.readAllBytes(file);
      Entry entry = decode(all);
      if (entry != null) {
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis()));
      }
      return entry;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Stores {@code entry} under {@code key}; failures are ignored. */
  void put(String key, Entry entry) {
    try {
      Files.createDirectories(dir);
      AtomicFile.writeBytes(dir.resolve(key + ".classes"), encode(entry));
      prune();
    } catch (IOException | RuntimeException e) {
      // a read-only or full disk: run without the cache
    }
  }

  /** Removes the least recently used entries beyond {@link #MAX_ENTRIES}. */
  private void prune() throws IOException {
    List<Path> entries = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.classes")) {
      files.forEach(entries::add);
    }
    if (entries.size() <= MAX_ENTRIES) {
      return;
    }
    Map<Path, Long> used = new LinkedHashMap<>();
    for (Path p : entries) {
      used.put(p, Files.getLastModifiedTime(p).toMillis());
    }
    entries.sort((a, b) -> Long.compare(used.get(a), used.get(b)));
    for (Path p : entries.subList(0, entries.size() - MAX_ENTRIES)) {
      Files.deleteIfExists(p);
    }
  }

  static byte[] encode(Entry entry) throws IOException {
    ByteArrayOutputStream payload = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(payload)) {
      writeString(out, entry.diagnostics());
      writeString(out, entry.modelClass());
      out.writeInt(entry.classes().size());
      for (Map.Entry<String, byte[]> c : entry.classes().entrySet()) {
        writeString(out, c.getKey());
        out.writeInt(c.getValue().length);
        out.write(c.getValue());
      }
    }
    byte[] body = payload.toByteArray();
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.write(MAGIC);
    all.write(sha256().digest(body));
    all.write(body);
    return all.toByteArray();
  }

  /** The entry in {@code all}, or null when it is not one or its digest does not match. */
  static Entry decode(byte[] all) throws IOException {
    int head = MAGIC.length + 32;
    if (all.length < head || !Arrays.equals(all, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      return null;
    }
    byte[] digest = sha256().digest(Arrays.copyOfRange(all, head, all.length));
    if (!Arrays.equals(digest, 0, 32, all, MAGIC.length, head)) {
      return null;
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(all, head,
        all.length - head))) {
      String diagnostics = readString(in);
      String modelClass = readString(in);
      int n = in.readInt();
      Map<String, byte[]> classes = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        String name = readString(in);
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        classes.put(name, bytes);
      }
      return new Entry(diagnostics, modelClass, classes);
    }
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  private static String readString(DataInputStream in) throws IOException {
    byte[] bytes = new byte[in.readInt()];
    in.readFully(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /** Big-endian int bytes, for length-prefixing the digested parts. */
  private static byte[] intBytes(int v) {
    return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
  }

  /**
   * Identifies the nnc build: the size and time of the jar nnc runs from, or, from class
   * directories (a development build), the newest class file's time and the number of files;
   * null when it cannot be found.
   */
  static final class BuildFingerprint {
    static final String VALUE = compute();

    private static String compute() {
      StringBuilder out = new StringBuilder("build");
      for (Class<?> c : new Class<?>[] {ModelClassCache.class,
          dev.nnc.compiler.Compiler.class, dev.nnc.runtime.Model.class}) {
        try {
          Path p = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
          out.append(File.pathSeparator).append(p);
          if (Files.isDirectory(p)) {
            long newest = 0;
            long count = 0;
            try (Stream<Path> files = Files.walk(p)) {
              for (Path f : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(f)) {
                  newest = Math.max(newest, Files.getLastModifiedTime(f).toMillis());
                  count++;
                }
              }
            }
            out.append(':').append(newest).append(':').append(count);
          } else {
            out.append(':').append(Files.size(p)).append(':')
                .append(Files.getLastModifiedTime(p).toMillis());
          }
        } catch (Exception e) {
          return null; // unknown code source: no cache
        }
      }
      return out.toString();
    }
  }
}
