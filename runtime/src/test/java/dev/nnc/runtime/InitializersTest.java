package dev.nnc.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class InitializersTest {
  private static Parameter init(String name, int[] shape, Initializer init, long seed) {
    Parameter p = Parameter.f32(name, shape, init);
    init.apply(p, seed);
    return p;
  }

  @Test
  void sameSeedGivesBitwiseIdenticalWeights() {
    for (Initializer i : new Initializer[] {Initializer.he(), Initializer.xavier(), Initializer.normal(0.1),
        Initializer.uniform(-1, 2)}) {
      float[] a = init("fc1.W", new int[] {30, 20}, i, 42).f32();
      float[] b = init("fc1.W", new int[] {30, 20}, i, 42).f32();
      float[] c = init("fc1.W", new int[] {30, 20}, i, 43).f32();
      float[] d = init("fc2.W", new int[] {30, 20}, i, 42).f32();
      assertArrayEquals(a, b, i.toString());
      assertFalse(Arrays.equals(a, c), i + ": a different seed must change the weights");
      assertFalse(Arrays.equals(a, d), i + ": a different name must change the weights");
    }
  }

  @Test
  void valuesDoNotDependOnParameterOrder() {
    Parameter a1 = Parameter.f64("a", new int[] {5}, Initializer.he());
    Parameter b1 = Parameter.f64("b", new int[] {5}, Initializer.he());
    a1.initializer().apply(a1, 7);
    b1.initializer().apply(b1, 7);
    Parameter b2 = Parameter.f64("b", new int[] {5}, Initializer.he());
    b2.initializer().apply(b2, 7);
    assertArrayEquals(b1.f64(), b2.f64());
  }

  @Test
  void heHasTheRightSpread() {
    Parameter p = init("w", new int[] {200, 500}, Initializer.he(), 1);
    double sum = 0;
    double sq = 0;
    for (float v : p.f32()) {
      sum += v;
      sq += (double) v * v;
    }
    double mean = sum / p.size();
    double std = Math.sqrt(sq / p.size() - mean * mean);
    assertEquals(0, mean, 0.002);
    assertEquals(Math.sqrt(2.0 / 200), std, 0.002);
  }

  @Test
  void xavierAndUniformStayInBounds() {
    Parameter p = init("w", new int[] {10, 14}, Initializer.xavier(), 3);
    double limit = Math.sqrt(6.0 / 24);
    double max = 0;
    for (float v : p.f32()) {
      assertTrue(Math.abs(v) <= limit, "value " + v);
      max = Math.max(max, Math.abs(v));
    }
    assertTrue(max > 0.8 * limit, "values should spread over the range");
    for (float v : init("u", new int[] {1000}, Initializer.uniform(2, 3), 3).f32()) {
      assertTrue(v >= 2 && v <= 3, "value " + v);
    }
  }

  @Test
  void constantsAndFans() {
    for (float v : init("z", new int[] {4}, Initializer.ones(), 1).f32()) {
      assertEquals(1f, v);
    }
    assertEquals(784, Initializers.fanIn(new int[] {784, 256}));
    assertEquals(256, Initializers.fanOut(new int[] {784, 256}));
    assertEquals(10, Initializers.fanIn(new int[] {10}));
    assertEquals(10, Initializers.fanOut(new int[] {10}));
    assertEquals(1, Initializers.fanIn(new int[0]));
    // conv2d weights [c_out, c_in, kh, kw] count as PyTorch does: fan_in = c_in kh kw
    assertEquals(16 * 3 * 3, Initializers.fanIn(new int[] {32, 16, 3, 3}));
    assertEquals(32 * 3 * 3, Initializers.fanOut(new int[] {32, 16, 3, 3}));
    assertEquals(1 * 5 * 5, Initializers.fanIn(new int[] {6, 1, 5, 5}));
  }

  @Test
  void parseRejectsUnknownNamesAndArity() {
    assertEquals(Initializer.normal(0.5), Initializer.parse("normal", 0.5));
    assertEquals("uniform(-1.0, 1.0)", Initializer.uniform(-1, 1).toString());
    NncException e = assertThrows(NncException.class, () -> Initializer.parse("glorot"));
    assertEquals("unknown initializer 'glorot' (valid: zeros, ones, normal, uniform, xavier, he)", e.getMessage());
    assertThrows(NncException.class, () -> Initializer.parse("normal"));
    assertThrows(NncException.class, () -> Initializer.uniform(1, 0));
    assertEquals(java.util.List.of("zeros", "ones", "normal", "uniform", "xavier", "he"),
        java.util.List.copyOf(Initializer.arguments().keySet()));
    assertEquals(java.util.List.of("a", "b"), Initializer.arguments().get("uniform"));
  }
}
