package dev.nnc.cli;

import static dev.nnc.cli.CliRun.sample;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The compiled-model cache (issue 15 item 22): keyed, verified on load, safe to share. */
class ModelClassCacheTest {
  @TempDir
  Path dir;

  private String saved;

  @BeforeEach
  void useATemporaryCache() {
    saved = System.getProperty("nnc.cache.dir");
    System.setProperty("nnc.cache.dir", dir.resolve("cache").toString());
  }

  @AfterEach
  void restore() {
    if (saved == null) {
      System.clearProperty("nnc.cache.dir");
    } else {
      System.setProperty("nnc.cache.dir", saved);
    }
  }

  private static ModelClassCache.Entry entry(String diagnostics, int size) {
    Map<String, byte[]> classes = new LinkedHashMap<>();
    classes.put("a.B", new byte[size]);
    classes.put("a.C", "text".getBytes(StandardCharsets.UTF_8));
    return new ModelClassCache.Entry(diagnostics, "a.B", classes);
  }

  private List<Path> entries() throws IOException {
    Path models = ModelClassCache.open().directory();
    if (!Files.isDirectory(models)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(models)) {
      return files.toList();
    }
  }

  @Test
  void theKeyCoversSourceNameAndOptions() {
    String k = ModelClassCache.key("m.nn", "model M {}", "F32");
    assertEquals(64, k.length());
    assertEquals(k, ModelClassCache.key("m.nn", "model M {}", "F32"));
    assertNotEquals(k, ModelClassCache.key("m.nn", "model M { }", "F32"));
    assertNotEquals(k, ModelClassCache.key("n.nn", "model M {}", "F32"));
    assertNotEquals(k, ModelClassCache.key("m.nn", "model M {}", "F64"));
    // parts are length-prefixed: moving a boundary changes the key
    assertNotEquals(ModelClassCache.key("ab", "c"), ModelClassCache.key("a", "bc"));
  }

  @Test
  void entriesRoundTripAndCorruptOnesAreMisses() throws IOException {
    ModelClassCache cache = ModelClassCache.open();
    String key = ModelClassCache.key("m.nn", "text");
    assertNull(cache.get(key));
    cache.put(key, entry("warning\n", 1000));
    ModelClassCache.Entry back = cache.get(key);
    assertEquals("warning\n", back.diagnostics());
    assertEquals("a.B", back.modelClass());
    assertArrayEquals(new byte[1000], back.classes().get("a.B"));
    Path file = entries().get(0);
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 3] ^= 1;
    Files.write(file, bytes);
    assertNull(cache.get(key), "a flipped bit is a miss");
    Files.write(file, java.util.Arrays.copyOf(bytes, 40));
    assertNull(cache.get(key), "a truncated entry is a miss");
    Files.writeString(file, "garbage");
    assertNull(cache.get(key));
  }

  @Test
  void concurrentWritersAndReadersNeverSeeHalfAnEntry() throws Exception {
    ModelClassCache cache = ModelClassCache.open();
    String key = ModelClassCache.key("shared.nn", "text");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> work = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        boolean writer = t % 2 == 0;
        work.add(pool.submit(() -> {
          for (int i = 0; i < 30; i++) {
            if (writer) {
              cache.put(key, entry("w", 200_000));
            } else {
              ModelClassCache.Entry e = cache.get(key);
              assertTrue(e == null || e.classes().get("a.B").length == 200_000);
            }
          }
          return null;
        }));
      }
      for (Future<?> f : work) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    assertNotNull(cache.get(key));
    assertEquals(1, entries().size(), "no temporary files are left");
  }

  @Test
  void oldEntriesArePruned() throws IOException {
    ModelClassCache cache = ModelClassCache.open();
    for (int i = 0; i < ModelClassCache.MAX_ENTRIES + 5; i++) {
      cache.put(ModelClassCache.key("f" + i, "x"), entry("", 1));
    }
    assertEquals(ModelClassCache.MAX_ENTRIES, entries().size());
  }

  @Test
  void trainingUsesTheCache() throws IOException {
    CliRun first = CliRun.of("train", sample("digits.nn"), "--epochs", "1");
    assertEquals(0, first.exit(), first.err());
    List<Path> after = entries();
    assertEquals(1, after.size(), "one entry for the digits model");

    // a valid entry with other diagnostics proves the second run reads it
    ModelClassCache cache = ModelClassCache.open();
    Path file = after.get(0);
    String key = file.getFileName().toString().replace(".classes", "");
    ModelClassCache.Entry cached = cache.get(key);
    cache.put(key, new ModelClassCache.Entry("(from the cache)\n", cached.modelClass(),
        cached.classes()));
    CliRun second = CliRun.of("train", sample("digits.nn"), "--epochs", "1");
    assertEquals("(from the cache)\n", second.err());
    assertEquals(finalAccuracy(first), finalAccuracy(second));

    // an entry naming a class it does not hold is ignored, and replaced
    cache.put(key, new ModelClassCache.Entry("", "nnc.models.Nothing", cached.classes()));
    CliRun.of("train", sample("digits.nn"), "--epochs", "1").ok();
    assertEquals(cached.modelClass(), cache.get(key).modelClass());
  }

  private static String finalAccuracy(CliRun r) {
    return r.out().lines().filter(l -> l.startsWith("final: test accuracy")).findFirst()
        .orElseThrow().replaceAll(", [0-9.]+ s$", "");
  }

  @Test
  void warningsArePrintedOnEveryRun() throws IOException {
    Path model = dir.resolve("warn.nn");
    String digits = Files.readString(Path.of(sample("digits.nn")));
    Files.writeString(model, digits.replaceFirst("model Digits \\{",
        "model Digits {\n  let never_read = 1;"), StandardCharsets.UTF_8);
    CliRun first = CliRun.of("train", model.toString(), "--epochs", "1");
    assertEquals(0, first.exit(), first.err());
    assertTrue(first.err().contains("warning"), first.err());
    CliRun second = CliRun.of("train", model.toString(), "--epochs", "1");
    assertEquals(first.err(), second.err());
  }

  @Test
  void itCanBeTurnedOff() throws IOException {
    System.setProperty("nnc.cache", "off");
    try {
      assertNull(ModelClassCache.open());
      CliRun.of("train", sample("digits.nn"), "--epochs", "1").ok();
    } finally {
      System.clearProperty("nnc.cache");
    }
    assertEquals(0, entries().size());
  }
}
