package dev.nnc.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
  void imagesGetOneRangeForAllPixels() {
    // two 2-pixel "images" with values 0..16 like the digits table; a constant pixel is scaled
    // like the others, not divided by its zero spread
    Dataset train = Dataset.unlabeled("t", new float[] {0, 4, 16, 4}, 2, 2);
    Normalizer n = Normalization.AUTO.fit(train, true);
    assertEquals("range", n.method());
    assertArrayEquals(new float[] {0, 0.25f, 1, 0.25f}, n.apply(train).features());
    assertEquals(null, Normalization.AUTO.fit(Dataset.unlabeled("u", new float[] {0, 0.5f}, 1, 2),
        true), "pixels already in [0, 1] stay as they are");
    assertEquals("standardize", Normalization.AUTO.fit(train, false).method());
    Normalizer back = Normalizer.fromJson(n.toJson());
    assertArrayEquals(n.offsets(), back.offsets());
    assertArrayEquals(n.scales(), back.scales());
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
    assertEquals("counting example 3: label 2 but model label y has 2 classes (0..1)", e.getMessage());
    e = assertThrows(NncException.class,
        () -> new Batcher(d, new Batch(List.of(Slot.input("x", 2), Slot.target("t", 1)), 2)));
    assertEquals("model target t needs real-valued targets but the data (counting) has none (read it in regression mode)",
        e.getMessage());
  }

  @Test
  void normalizerJsonRoundTripsExactly() {
    Dataset train = Dataset.classification("t", new float[] {1, 5, 3.3f, 5, 0.1f, 2}, 3, 2, new int[] {0, 1, 0});
    for (Normalizer n : new Normalizer[] {Normalizer.standardize(train), Normalizer.minMax(train)}) {
      Normalizer back = Normalizer.fromJson(n.toJson());
      assertEquals(n.method(), back.method());
      assertArrayEquals(n.offsets(), back.offsets());
      assertArrayEquals(n.scales(), back.scales());
    }
    assertTrue(Normalizer.standardize(train).toJson().startsWith("{\"method\":\"standardize\",\"offsets\":["));
  }

  @Test
  void normalizersRejectWhatWouldBreakPredictions() {
    String[][] cases = {
        {"{\"offsets\":[0],\"scales\":[0]}", "normalizer scale 0 is 0.0, not a positive finite number"},
        {"{\"offsets\":[0],\"scales\":[-2]}", "normalizer scale 0 is -2.0, not a positive finite number"},
        {"{\"offsets\":[1e400],\"scales\":[1]}", "normalizer offset 0 is Infinity, not a finite number"},
        {"{\"offsets\":[0]}", "normalizer scales is not a list of numbers"},
        {"[1, 2]", "normalizer is not a JSON object with offsets and scales"},
        {"{\"offsets\":[0],\"scales\":[1],\"shift\":3}", "normalizer has an unknown entry \"shift\""},
    };
    for (String[] c : cases) {
      NncException e = assertThrows(NncException.class, () -> Normalizer.fromJson(c[0]), c[0]);
      assertEquals(c[1], e.getMessage());
    }
  }

  @Test
  void autoNormalizationLeavesUnitRangeDataAlone() {
    Dataset pixels = Dataset.unlabeled("p", new float[] {0, 0.5f, 1, 0.25f}, 2, 2);
    assertEquals(null, Normalization.AUTO.fit(pixels));
    Dataset table = Dataset.unlabeled("t", new float[] {0, 16, 3, 2}, 2, 2);
    assertEquals("standardize", Normalization.AUTO.fit(table).method());
    assertEquals("minmax", Normalization.parse("minmax").fit(pixels).method());
    assertEquals(null, Normalization.parse("none").fit(table));
    NncException e = assertThrows(NncException.class, () -> Normalization.parse("log"));
    assertEquals("unknown normalization 'log' (valid: auto, standardize, minmax, none)", e.getMessage());
  }
}
