package dev.nnc.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.NncException;
import dev.nnc.runtime.TestData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvReaderTest {
  @TempDir
  Path dir;

  private Path write(String name, String text) throws IOException {
    return Files.write(dir.resolve(name), text.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] gzip(byte[] raw) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(raw);
    }
    return out.toByteArray();
  }

  @Test
  void digitsHasNoHeader() {
    Dataset d = CsvReader.readClassification(TestData.file("uci/digits.csv.gz"));
    assertEquals(1797, d.rows());
    assertEquals(64, d.featureCount());
    assertEquals(10, d.classCount());
    assertEquals("digits.csv.gz", d.name());
    assertEquals(0, d.labels()[0]);
    assertEquals(5f, d.features()[2]); // first row: 0,0,5,13,...
    assertEquals(0, Arrays.stream(d.labels()).min().getAsInt());
  }

  @Test
  void uciHeadersAreSkipped() {
    Dataset iris = CsvReader.readClassification(TestData.file("uci/iris.csv.gz"));
    assertEquals(150, iris.rows());
    assertEquals(4, iris.featureCount());
    assertEquals(3, iris.classCount());
    assertArrayEquals(new float[] {5.1f, 3.5f, 1.4f, 0.2f}, Arrays.copyOf(iris.features(), 4));
    Dataset cancer = CsvReader.readClassification(TestData.file("uci/breast_cancer.csv.gz"));
    assertEquals(569, cancer.rows());
    assertEquals(30, cancer.featureCount());
    assertEquals(2, cancer.classCount());
    Dataset wine = CsvReader.readClassification(TestData.file("uci/wine_data.csv.gz"));
    assertEquals(178, wine.rows());
    assertEquals(13, wine.featureCount());
  }

  @Test
  void numericUciHeaderIsRecognizedByItsCounts() throws IOException {
    Dataset d = CsvReader.readClassification(write("t.csv", "3,2,0,1\n1,2,0\n3,4,1\n5,6,1\n"));
    assertEquals(3, d.rows());
    assertEquals(2, d.featureCount());
    Dataset noHeader = CsvReader.readClassification(write("u.csv", "1,2,0\n3,4,1\n"));
    assertEquals(2, noHeader.rows());
  }

  @Test
  void uciHeaderCountsAreChecked() throws IOException {
    Path p = write("short.csv", "4,2,a,b\n1,2,0\n3,4,1\n5,6,1\n");
    NncException e = assertThrows(NncException.class, () -> CsvReader.readClassification(p));
    assertEquals(p + ":1: header says 4 rows of 2 features but the file has 3 rows of 2", e.getMessage());
  }

  @Test
  void gzipIsDetectedByMagicNotExtension() throws IOException {
    Path p = dir.resolve("plain-name.csv");
    Files.write(p, gzip("x,y,label\n1,2,0\n3,4,1\n".getBytes(StandardCharsets.UTF_8)));
    Dataset d = CsvReader.readClassification(p);
    assertEquals(2, d.rows());
    assertArrayEquals(new int[] {0, 1}, d.labels());
    Dataset plain = CsvReader.readClassification(write("looks.csv.gz", "1,2,0\r\n\r\n3,4,1\r\n"));
    assertEquals(2, plain.rows());
  }

  @Test
  void labelColumnAndRegression() throws IOException {
    Path p = write("t.csv", "2,1.5,7\n0,2.5,8\n");
    Dataset first = new CsvReader().labelColumn(0).read(p);
    assertArrayEquals(new int[] {2, 0}, first.labels());
    assertArrayEquals(new float[] {1.5f, 7, 2.5f, 8}, first.features());
    Dataset reg = new CsvReader().targetColumn(1).read(p);
    assertNull(reg.labels());
    assertArrayEquals(new float[] {1.5f, 2.5f}, reg.targets());
    assertEquals(1, reg.targetSize());
    Dataset all = new CsvReader().unlabeled().read(p);
    assertEquals(3, all.featureCount());
    assertFalse(all.hasLabels());
    NncException e = assertThrows(NncException.class, () -> new CsvReader().labelColumn(5).read(p));
    assertEquals(p + ":1: label column 5 does not exist: rows have 3 columns", e.getMessage());
  }

  @Test
  void raggedRowNamesTheLine() throws IOException {
    Path p = write("ragged.csv", "a,b,c\n1,2,0\n\n3,4\n");
    NncException e = assertThrows(NncException.class, () -> CsvReader.readClassification(p));
    assertEquals(p + ":4: expected 3 fields (like line 2) but found 2", e.getMessage());
  }

  @Test
  void nonNumericCellNamesLineAndColumn() throws IOException {
    Path p = write("bad.csv", "1,2,0\n1.5,abc,1\n");
    NncException e = assertThrows(NncException.class, () -> CsvReader.readClassification(p));
    assertEquals(p + ":2:5: field 2 is not a finite number: 'abc'", e.getMessage());
    Path q = write("nan.csv", "1,2,0\nNaN,1,1\n");
    assertThrows(NncException.class, () -> CsvReader.readClassification(q));
  }

  @Test
  void badLabelNamesThePlace() throws IOException {
    Path p = write("label.csv", "1,2,0\n3,4,1.5\n");
    NncException e = assertThrows(NncException.class, () -> CsvReader.readClassification(p));
    assertEquals(p + ":2:5: label must be a non-negative integer, got '1.5'", e.getMessage());
    Path q = write("neg.csv", "1,2,0\n3,4,-1\n");
    assertTrue(assertThrows(NncException.class, () -> CsvReader.readClassification(q)).getMessage().contains(":2:5:"));
  }

  @Test
  void missingEmptyAndCorruptFiles() throws IOException {
    Path missing = dir.resolve("nope.csv");
    assertEquals(missing + ": no such file",
        assertThrows(NncException.class, () -> CsvReader.readClassification(missing)).getMessage());
    Path empty = write("empty.csv", "\n\n");
    assertEquals(empty + ": the file has no data rows",
        assertThrows(NncException.class, () -> CsvReader.readClassification(empty)).getMessage());
    byte[] gz = gzip("1,2,0\n3,4,1\n".repeat(200).getBytes(StandardCharsets.UTF_8));
    Path truncated = dir.resolve("truncated.csv.gz");
    Files.write(truncated, Arrays.copyOf(gz, gz.length / 2));
    assertEquals(truncated + ": truncated gzip data (the file ends early)",
        assertThrows(NncException.class, () -> CsvReader.readClassification(truncated)).getMessage());
    byte[] flipped = gz.clone();
    flipped[gz.length - 6] ^= 0x55; // inside the CRC32 trailer
    Path corrupt = Files.write(dir.resolve("corrupt.csv.gz"), flipped);
    NncException e = assertThrows(NncException.class, () -> CsvReader.readClassification(corrupt));
    assertTrue(e.getMessage().startsWith(corrupt + ": corrupt gzip data"), e.getMessage());
  }

  /** Issue 15 item 12: 1e39 is a finite double but an infinite float: name the file and line. */
  @Test
  void aCellBeyondTheFloatRangeNamesItsLine() throws IOException {
    Path p = write("big.csv", "1,2,0\n\n3,1e39,1\n");
    NncException e = assertThrows(NncException.class, () -> CsvReader.readClassification(p));
    assertEquals(p + ":3:3: field 2 is '1e39', beyond the largest float (3.4e38)", e.getMessage());
  }

  @Test
  void aByteOrderMarkIsSkipped() throws IOException {
    Path p = write("bom.csv", "\uFEFF1,2,0\n3,4,1\n");
    Dataset d = CsvReader.readClassification(p);
    assertEquals(2, d.rows());
    assertEquals(1f, d.features()[0]);
  }

  /**
   * Issue 15 item 12: a label out of range is reported by the file's line, the same for every
   * seed, not by its row in a shuffled split.
   */
  @Test
  void rowsRememberTheirLineThroughSplits() throws IOException {
    StringBuilder text = new StringBuilder("a,b,label\n");
    for (int i = 0; i < 50; i++) {
      text.append(i).append(',').append(i).append(',').append(i == 30 ? 7 : i % 2).append('\n');
    }
    Path p = write("labels.csv", text.toString());
    for (long seed : new long[] {1, 2, 3}) {
      Split split = CsvReader.readClassification(p).split(0.8, seed);
      Dataset part = split.train().rows() > 0 && hasLabel(split.train(), 7) ? split.train() : split.test();
      NncException e = assertThrows(NncException.class, () -> new Batcher(part,
          new dev.nnc.runtime.Batch(java.util.List.of(dev.nnc.runtime.Slot.input("x", 2),
              dev.nnc.runtime.Slot.label("y", 2)), 4)));
      assertEquals(p + ":32: label 7 but model label y has 2 classes (0..1)", e.getMessage());
    }
  }

  private static boolean hasLabel(Dataset d, int label) {
    return Arrays.stream(d.labels()).anyMatch(y -> y == label);
  }
}
