package dev.nnc.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.Model;
import dev.nnc.runtime.NncException;
import dev.nnc.runtime.Parameter;
import dev.nnc.runtime.SoftmaxRegression;
import dev.nnc.runtime.Tensor;
import dev.nnc.runtime.optim.Optimizer;
import dev.nnc.runtime.optim.OptimizerSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
  @TempDir
  Path dir;

  private static SoftmaxRegression model(boolean f64, long seed) {
    SoftmaxRegression m = new SoftmaxRegression(4, 3, f64);
    m.initialize(seed);
    for (Parameter p : m.parameters()) {
      for (int i = 0; i < p.size(); i++) {
        p.set(i, p.get(i) + 0.25 * i); // make biases non-zero too
      }
    }
    return m;
  }

  private static List<double[]> snapshot(Model m) {
    List<double[]> out = new ArrayList<>();
    for (Parameter p : m.parameters()) {
      double[] v = new double[p.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = p.get(i);
      }
      out.add(v);
    }
    return out;
  }

  private static void assertSameParameters(List<double[]> expected, Model m) {
    List<double[]> actual = snapshot(m);
    for (int k = 0; k < expected.size(); k++) {
      assertArrayEquals(expected.get(k), actual.get(k));
    }
  }

  @Test
  void roundTripF32AndF64WithMetadataAndOptimizerState() {
    for (boolean f64 : new boolean[] {false, true}) {
      SoftmaxRegression a = model(f64, 1);
      Optimizer opt = OptimizerSpec.parse("adam", Map.of()).create();
      for (Parameter p : a.parameters()) {
        p.setGrad(0, 0.5);
      }
      opt.step(a.parameters());
      Path file = dir.resolve("m" + f64 + ".safetensors");
      SafeTensors.save(file, a, Map.of("epoch", "3"), opt.exportState());
      SoftmaxRegression b = model(f64, 2);
      Checkpoint c = SafeTensors.load(file, b);
      assertSameParameters(snapshot(a), b);
      assertEquals("3", c.metadata().get("epoch"));
      assertEquals("SoftmaxRegression", c.metadata().get("model"));
      assertEquals(opt.exportState(), c.optimizerState());
      Optimizer restored = OptimizerSpec.parse("adam", Map.of()).create();
      restored.importState(b.parameters(), c.optimizerState());
      assertEquals(1, restored.steps());
    }
  }

  @Test
  void identicalInputGivesIdenticalBytes() throws IOException {
    Path x = dir.resolve("x.safetensors");
    Path y = dir.resolve("y.safetensors");
    SafeTensors.save(x, model(false, 5), Map.of("b", "2", "a", "1"), null);
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("a", "1");
    meta.put("b", "2");
    SafeTensors.save(y, model(false, 5), meta, null);
    assertArrayEquals(Files.readAllBytes(x), Files.readAllBytes(y));
    SafeTensors.save(y, model(false, 6), meta, null); // overwrite in place
    assertEquals(Files.size(x), Files.size(y));
    try (var files = Files.list(dir)) {
      assertEquals(2, files.count(), "no temp files may be left behind");
    }
  }

  @Test
  void arbitraryTensorsIncludingIntegers() {
    Map<String, Tensor> t = new TreeMap<>();
    t.put("x", Tensor.f32(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
    t.put("y", Tensor.i32(new int[] {3, -1}, 2));
    t.put("z", Tensor.i64(new long[] {Long.MAX_VALUE}, 1));
    t.put("s", Tensor.f64(new double[] {Math.PI}));
    t.put("empty", Tensor.f32(new float[0], 0, 5));
    Path p = dir.resolve("inputs.safetensors");
    SafeTensors.write(p, t, Map.of());
    TensorFile f = SafeTensors.read(p);
    assertEquals(t, f.tensors());
    assertEquals(Map.of(), f.metadata());
  }

  @Test
  void exactBytesOfASmallFile() throws IOException {
    Path p = dir.resolve("w.safetensors");
    SafeTensors.write(p, Map.of("w", Tensor.f32(new float[] {1f, -2f}, 2)), Map.of("k", "v"));
    String header = "{\"__metadata__\":{\"k\":\"v\"},\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
    while (header.length() % 8 != 0) {
      header += " ";
    }
    ByteBuffer expected = ByteBuffer.allocate(8 + header.length() + 8).order(ByteOrder.LITTLE_ENDIAN);
    expected.putLong(header.length()).put(header.getBytes(StandardCharsets.US_ASCII)).putFloat(1f).putFloat(-2f);
    assertArrayEquals(expected.array(), Files.readAllBytes(p));
  }

  @Test
  void readsAHandAssembledFileAsNumpyWouldWriteIt() throws IOException {
    // Key order, whitespace and metadata position as other writers produce them.
    String header = "{\n  \"b\": {\"shape\": [1, 1], \"dtype\": \"I64\", \"data_offsets\": [8, 16]},\n"
        + "  \"a\": {\"dtype\": \"F32\", \"data_offsets\": [0, 8], \"shape\": [2]},\n"
        + "  \"__metadata__\": {\"format\": \"pt\"}\n}";
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    byte[] bytes = new byte[8 + h.length + 16];
    bytes[0] = (byte) h.length; // little-endian length, < 256
    System.arraycopy(h, 0, bytes, 8, h.length);
    int d = 8 + h.length;
    byte[] data = {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, (byte) 0xc0, 7, 0, 0, 0, 0, 0, 0, 0};
    System.arraycopy(data, 0, bytes, d, 16);
    Path p = Files.write(dir.resolve("hand.safetensors"), bytes);
    TensorFile f = SafeTensors.read(p);
    assertEquals(Tensor.f32(new float[] {1f, -2f}, 2), f.tensors().get("a"));
    assertEquals(Tensor.i64(new long[] {7}, 1, 1), f.tensors().get("b"));
    assertEquals("pt", f.metadata().get("format"));
  }

  private Path saved(String name) {
    Path p = dir.resolve(name);
    SafeTensors.save(p, model(false, 1), Map.of("epoch", "1"), null);
    return p;
  }

  private void assertRejected(Path p, String messagePart) {
    SoftmaxRegression m = model(false, 9);
    List<double[]> before = snapshot(m);
    NncException e = assertThrows(NncException.class, () -> SafeTensors.load(p, m));
    assertTrue(e.getMessage().startsWith(p + ": "), e.getMessage());
    assertTrue(e.getMessage().contains(messagePart), e.getMessage());
    assertSameParameters(before, m);
  }

  @Test
  void truncationAtAnyPointIsAClearError() throws IOException {
    Path p = saved("full.safetensors");
    byte[] full = Files.readAllBytes(p);
    long headerEnd = 8 + ByteBuffer.wrap(full).order(ByteOrder.LITTLE_ENDIAN).getLong();
    int[] cuts = {0, 5, 8, 20, (int) headerEnd - 1, (int) headerEnd, (int) headerEnd + 3, full.length - 1};
    String[] expected = {"too short", "too short", "exceeds the file size", "exceeds the file size",
        "exceeds the file size", "truncated", "truncated", "truncated"};
    for (int k = 0; k < cuts.length; k++) {
      Path cut = Files.write(dir.resolve("cut" + k + ".safetensors"), java.util.Arrays.copyOf(full, cuts[k]));
      assertRejected(cut, expected[k]);
    }
  }

  @Test
  void flippedHeaderBytesNeverLoadGarbage() throws IOException {
    Path p = saved("flip.safetensors");
    byte[] full = Files.readAllBytes(p);
    int headerEnd = 8 + (int) ByteBuffer.wrap(full).order(ByteOrder.LITTLE_ENDIAN).getLong();
    SoftmaxRegression original = model(false, 1);
    int rejected = 0;
    for (int i = 0; i < headerEnd; i++) {
      byte[] b = full.clone();
      b[i] ^= 0x04;
      Path q = Files.write(dir.resolve("flip" + i), b);
      SoftmaxRegression m = model(false, 9);
      List<double[]> before = snapshot(m);
      try {
        SafeTensors.load(q, m);
        assertSameParameters(snapshot(original), m); // e.g. a flip inside a metadata string
      } catch (NncException e) {
        assertTrue(e.getMessage().startsWith(q + ": "), e.getMessage());
        assertSameParameters(before, m);
        rejected++;
      }
    }
    assertTrue(rejected > headerEnd / 2, "most flips must be detected, got " + rejected + " of " + headerEnd);
    byte[] b = full.clone();
    b[8] = '[';
    assertRejected(Files.write(dir.resolve("bracket"), b), "header is not valid JSON");
  }

  @Test
  void mismatchesWithTheModelAreNamed() {
    Path p = dir.resolve("odd.safetensors");
    SoftmaxRegression m = model(false, 1);
    Map<String, Tensor> t = new TreeMap<>();
    t.put("fc.W", Tensor.f32(m.parameters().get(0).f32(), 3, 4));
    t.put("fc.b", Tensor.f32(m.parameters().get(1).f32(), 3));
    SafeTensors.write(p, t, null);
    assertRejected(p, "tensor fc.W is F32 [3, 4] but the model's parameter is F32 [4, 3]");
    t.put("fc.W", Tensor.f64(new double[12], 4, 3));
    SafeTensors.write(p, t, null);
    assertRejected(p, "tensor fc.W is F64 [4, 3] but the model's parameter is F32 [4, 3]");
    t.remove("fc.W");
    SafeTensors.write(p, t, null);
    assertRejected(p, "missing tensor fc.W");
    t.put("fc.W", Tensor.f32(new float[12], 4, 3));
    t.put("fc2.W", Tensor.f32(new float[1], 1));
    SafeTensors.write(p, t, null);
    assertRejected(p, "unexpected tensor(s) fc2.W not in model SoftmaxRegression");
  }

  @Test
  void malformedLayoutsAreRejected() throws IOException {
    String[] headers = {
      "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
      "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}",
      "{\"a\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[0,8]}}",
      "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
      "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"extra\":1}}",
      "{\"__metadata__\":{\"epoch\":3}}",
      "[]",
    };
    String[] messages = {"overlap", "its data_offsets span 8 bytes", "unsupported dtype \"BF16\"",
        "belong to no tensor", "unknown field \"extra\"", "is not a string", "not a JSON object"};
    for (int k = 0; k < headers.length; k++) {
      byte[] h = headers[k].getBytes(StandardCharsets.UTF_8);
      ByteBuffer b = ByteBuffer.allocate(8 + h.length + 8).order(ByteOrder.LITTLE_ENDIAN);
      b.putLong(h.length).put(h);
      Path p = Files.write(dir.resolve("bad" + k), b.array());
      NncException e = assertThrows(NncException.class, () -> SafeTensors.read(p), headers[k]);
      assertTrue(e.getMessage().startsWith(p + ": ") && e.getMessage().contains(messages[k]), e.getMessage());
    }
    Path missing = dir.resolve("missing.safetensors");
    assertEquals(missing + ": no such file", assertThrows(NncException.class, () -> SafeTensors.read(missing)).getMessage());
  }

  /** Issue 15 item 4: a diverged model is never saved; the old file stays. */
  @Test
  void refusesToSaveNonFiniteWeights() throws IOException {
    Path p = dir.resolve("w.safetensors");
    SafeTensors.save(p, model(false, 1), null, null);
    byte[] before = Files.readAllBytes(p);
    SoftmaxRegression diverged = model(false, 2);
    diverged.parameters().get(1).set(2, Double.NaN);
    NncException e = assertThrows(NncException.class, () -> SafeTensors.save(p, diverged, null, null));
    assertEquals(p + ": not saved: parameter fc.b holds NaN (at index 2): the model diverged", e.getMessage());
    assertArrayEquals(before, Files.readAllBytes(p));
  }

  /** Issue 15 item 3: checkpoints go through AtomicFile (a link is written through, a FIFO refused). */
  @Test
  void writesThroughALinkAndRefusesSpecialFiles() throws Exception {
    Path real = dir.resolve("real.safetensors");
    Files.writeString(real, "old");
    Path link = Files.createSymbolicLink(dir.resolve("link.safetensors"), real.getFileName());
    SafeTensors.save(link, model(false, 1), null, null);
    assertTrue(Files.isSymbolicLink(link));
    assertEquals("SoftmaxRegression", SafeTensors.read(real).metadata().get("model"));
    Path fifo = dir.resolve("fifo.safetensors");
    try {
      if (new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() != 0) {
        return;
      }
    } catch (IOException noMkfifo) {
      return; // no mkfifo on this system
    }
    NncException e = assertThrows(NncException.class, () -> SafeTensors.save(fifo, model(false, 1), null, null));
    assertTrue(e.getMessage().contains("not a regular file; refusing to replace it"), e.getMessage());
    assertTrue(Files.exists(fifo) && !Files.isRegularFile(fifo), "the FIFO is still there");
    e = assertThrows(NncException.class, () -> SafeTensors.read(dir));
    assertEquals(dir + ": is a directory, not a file", e.getMessage());
  }
}
