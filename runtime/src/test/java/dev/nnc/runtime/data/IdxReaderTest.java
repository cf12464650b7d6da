package dev.nnc.runtime.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.NncException;
import dev.nnc.runtime.TestData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
  @TempDir
  Path dir;

  private static byte[] idx(int magic, int[] dims, int dataBytes) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + dataBytes);
    b.putInt(magic);
    for (int d : dims) {
      b.putInt(d);
    }
    for (int i = 0; i < dataBytes; i++) {
      b.put((byte) (i * 37));
    }
    return b.array();
  }

  private static byte[] gzip(byte[] raw) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(raw);
    }
    return out.toByteArray();
  }

  @Test
  void mnistTestSetLoads() {
    Dataset d = IdxReader.read(TestData.file("mnist/t10k-images-idx3-ubyte.gz"),
        TestData.file("mnist/t10k-labels-idx1-ubyte.gz"));
    assertEquals(10000, d.rows());
    assertEquals(784, d.featureCount());
    assertEquals(10, d.classCount());
    assertEquals(7, d.labels()[0]); // the first MNIST test digit is a 7
    float min = Float.MAX_VALUE;
    float max = -Float.MAX_VALUE;
    for (float v : d.features()) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    assertEquals(0f, min);
    assertEquals(1f, max);
  }

  @Test
  void smallFilesPlainAndGzipped() throws IOException {
    Path images = Files.write(dir.resolve("img"), idx(0x803, new int[] {2, 2, 3}, 12));
    Path labels = Files.write(dir.resolve("lbl.gz"), gzip(idx(0x801, new int[] {2}, 2)));
    Dataset d = IdxReader.read(images, labels);
    assertEquals(2, d.rows());
    assertEquals(6, d.featureCount());
    assertEquals(37 / 255f, d.features()[1]);
    assertEquals(37, d.labels()[1]);
  }

  @Test
  void badMagicAndWrongKind() throws IOException {
    Path bad = Files.write(dir.resolve("bad"), idx(0x12345678, new int[0], 0));
    NncException e = assertThrows(NncException.class, () -> IdxReader.readLabels(bad));
    assertEquals(bad + ": not an IDX file (magic 0x12345678; expected 0x00000801 or 0x00000803)", e.getMessage());
    Path images = Files.write(dir.resolve("img"), idx(0x803, new int[] {1, 2, 2}, 4));
    e = assertThrows(NncException.class, () -> IdxReader.readLabels(images));
    assertTrue(e.getMessage().startsWith(images + ": expected a label file"), e.getMessage());
    Path floats = Files.write(dir.resolve("floats"), idx(0xD01, new int[] {1}, 4));
    e = assertThrows(NncException.class, () -> IdxReader.readLabels(floats));
    assertTrue(e.getMessage().contains("unsupported IDX element type 0xd"), e.getMessage());
  }

  @Test
  void truncatedFilesNameTheFile() throws IOException {
    byte[] full = idx(0x803, new int[] {3, 4, 4}, 48);
    Path cut = Files.write(dir.resolve("cut-images"), Arrays.copyOf(full, full.length - 5));
    NncException e = assertThrows(NncException.class, () -> IdxReader.readImages(cut));
    assertEquals(cut + ": truncated: the header promises 48 data bytes but only 43 follow", e.getMessage());
    Path header = Files.write(dir.resolve("cut-header"), Arrays.copyOf(full, 9));
    e = assertThrows(NncException.class, () -> IdxReader.readImages(header));
    assertEquals(header + ": truncated IDX header (9 bytes)", e.getMessage());
    byte[] gz = gzip(idx(0x803, new int[] {100, 28, 28}, 78400));
    Path cutGz = Files.write(dir.resolve("cut.gz"), Arrays.copyOf(gz, gz.length - 20));
    e = assertThrows(NncException.class, () -> IdxReader.readImages(cutGz));
    assertTrue(e.getMessage().startsWith(cutGz + ": "), e.getMessage());
    byte[] mnist = Files.readAllBytes(TestData.file("mnist/t10k-labels-idx1-ubyte.gz"));
    Path cutMnist = Files.write(dir.resolve("t10k-labels-idx1-ubyte.gz"), Arrays.copyOf(mnist, mnist.length / 3));
    e = assertThrows(NncException.class, () -> IdxReader.readLabels(cutMnist));
    assertEquals(cutMnist + ": truncated gzip data (the file ends early)", e.getMessage());
  }

  @Test
  void imageAndLabelCountsMustAgree() throws IOException {
    Path images = Files.write(dir.resolve("img"), idx(0x803, new int[] {2, 1, 1}, 2));
    Path labels = Files.write(dir.resolve("lbl"), idx(0x801, new int[] {3}, 3));
    NncException e = assertThrows(NncException.class, () -> IdxReader.read(images, labels));
    assertEquals(labels + ": has 3 labels but " + images + " has 2 images", e.getMessage());
  }
}
