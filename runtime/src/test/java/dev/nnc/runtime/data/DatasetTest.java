package dev.nnc.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.nnc.runtime.Batch;
import dev.nnc.runtime.NncException;
import dev.nnc.runtime.Slot;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DatasetTest {
  /** Row i has features [i, 10 i] and label i % 3. */
  private static Dataset counting(int n) {
    float[] x = new float[2 * n];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      x[2 * i] = i;
      x[2 * i + 1] = 10 * i;
      y[i] = i % 3;
    }
    return Dataset.classification("counting", x, n, 2, y);
  }

  @Test
  void splitIsSeededAndDisjoint() {
    Dataset d = counting(100);
    Split a = d.split(0.8, 5);
    Split b = d.split(0.8, 5);
    assertEquals(80, a.train().rows());
    assertEquals(20, a.test().rows());
    assertArrayEquals(a.train().features(), b.train().features());
    assertFalse(Arrays.equals(a.train().features(), d.split(0.8, 6).train().features()));
    Set<Float> seen = new HashSet<>();
    for (Dataset part : List.of(a.train(), a.test())) {
      for (int r = 0; r < part.rows(); r++) {
        float id = part.features()[2 * r];
        assertEquals(10 * id, part.features()[2 * r + 1]);
        assertEquals((int) id % 3, part.labels()[r]);
        seen.add(id);
      }
    }
    assertEquals(100, seen.size());
    assertThrows(NncException.class, () -> d.split(1.0, 1));
  }

  @Test
  void shuffleIsAPermutation() {
    Dataset s = counting(50).shuffled(3);
    assertArrayEquals(s.features(), counting(50).shuffled(3).features());
    float[] ids = new float[50];
    for (int r = 0; r < 50; r++) {
      ids[r] = s.features()[2 * r];
    }
    Arrays.sort(ids);
    for (int r = 0; r < 50; r++) {
      assertEquals(r, ids[r]);
    }
  }

  @Test
  void standardizeUsesTrainingStatistics() {
    Dataset train = Dataset.classification("t", new float[] {1, 5, 3, 5}, 2, 2, new int[] {0, 1});
    Normalizer n = Normalizer.standardize(train);
    assertArrayEquals(new double[] {2, 5}, n.offsets());
    assertArrayEquals(new double[] {1, 1}, n.scales()); // std 1 and a constant column
    Dataset test = Dataset.classification("u", new float[] {4, 7}, 1, 2, new int[] {1});
    assertArrayEquals(new float[] {2, 2}, n.apply(test).features());
    assertArrayEquals(new float[] {4, 7}, test.features(), "apply must not change its input");
    assertArrayEquals(new int[] {1}, n.apply(test).labels());
  }

  @Test
  void minMaxScalesToUnitRange() {
    Dataset train = Dataset.unlabeled("t", new float[] {0, 10, 4, 30, 2, 20}, 3, 2);
    Normalizer n = Normalizer.minMax(train);
    assertArrayEquals(new float[] {0, 0, 1, 1, 0.5f, 0.5f}, n.apply(train).features());
    NncException e = assertThrows(NncException.class, () -> n.apply(Dataset.unlabeled("w", new float[3], 1, 3)));
    assertEquals("w: has 3 features but the normalizer was fitted on 2", e.getMessage());
  }

  @Test
  void batcherFillsAndChecks() {
    Dataset d = counting(5);
    Batch batch = new Batch(List.of(Slot.input("x", 2), Slot.label("y", 3)), 2);
    Batcher b = new Batcher(d, batch);
    assertEquals(3, b.batchCount());
    b.fill(2);
    assertEquals(1, batch.size());
    assertEquals(4f, batch.floats(0)[0]);
    assertEquals(1, batch.labels(1)[0]);
    b.shuffle(9);
    Set<Integer> rows = new HashSet<>();
    for (int k = 0; k < 3; k++) {
      b.fill(k);
      for (int i = 0; i < batch.size(); i++) {
        rows.add((int) batch.floats(0)[2 * i]);
      }
    }
    assertEquals(Set.of(0, 1, 2, 3, 4), rows);
    NncException e = assertThrows(NncException.class,
        () -> new Batcher(d, new Batch(List.of(Slot.input("x", 64), Slot.label("y", 3)), 2)));
    assertEquals("model input x has 64 values per example but the data (counting) has 2 features", e.getMessage());
    e = assertThrows(NncException.class,
        () -> new Batcher(d, new Batch(List.of(Slot.input("x", 2), Slot.label("y", 2)), 2)));
    assertEquals("row 3 of counting has label 2 but model label y has 2 classes (0..1)", e.getMessage());
    e = assertThrows(NncException.class,
        () -> new Batcher(d, new Batch(List.of(Slot.input("x", 2), Slot.target("t", 1)), 2)));
    assertEquals("model target t needs real-valued targets but the data (counting) has none (read it in regression mode)",
        e.getMessage());
  }
}
