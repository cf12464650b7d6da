package dev.nnc.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ParameterTest {
  @Test
  void f32StorageIsBacking() {
    Parameter p = Parameter.f32("fc1.W", new int[] {3, 2}, Initializer.he());
    assertEquals("fc1.W", p.name());
    assertArrayEquals(new int[] {3, 2}, p.shape());
    assertEquals(6, p.size());
    assertFalse(p.isF64());
    assertEquals(DType.F32, p.dtype());
    p.set(4, 2.5);
    assertEquals(2.5f, p.f32()[4]);
    p.gradF32()[1] = 7f;
    assertEquals(7.0, p.grad(1));
    p.zeroGrad();
    assertEquals(0.0, p.grad(1));
    assertEquals(Initializer.he(), p.initializer());
    NncException e = assertThrows(NncException.class, p::f64);
    assertEquals("parameter fc1.W is f32, not f64", e.getMessage());
  }

  @Test
  void f64StorageKeepsDoublePrecision() {
    Parameter p = Parameter.f64("w", new int[] {2}, null);
    assertTrue(p.isF64());
    p.set(0, 0.1);
    assertEquals(0.1, p.f64()[0]);
    p.setGrad(1, 1e-300);
    assertEquals(1e-300, p.gradF64()[1]);
    assertEquals(Initializer.zeros(), p.initializer());
    assertThrows(NncException.class, p::gradF32);
  }

  @Test
  void negativeShapeIsRejected() {
    NncException e = assertThrows(NncException.class, () -> Parameter.f32("w", new int[] {2, -1}, null));
    assertTrue(e.getMessage().contains("[2, -1]"), e.getMessage());
  }

  @Test
  void slotsDescribeThemselves() {
    Slot y = Slot.label("y", 10);
    assertEquals(Slot.Kind.LABEL, y.kind());
    assertEquals(10, y.classes());
    assertEquals(1, y.size());
    assertEquals("label y: class(10)", y.toString());
    assertEquals(784, Slot.input("x", 28, 28).size());
    assertEquals(0, Slot.target("t", 3).classes());
    assertThrows(NncException.class, () -> Slot.label("y", 0));
  }

  @Test
  void tensorChecksLengthAndDtype() {
    Tensor t = Tensor.i64(new long[] {1, 2, 3, 4, 5, 6}, 2, 3);
    assertEquals(6, t.size());
    assertEquals(5.0, t.getDouble(4));
    assertThrows(NncException.class, t::floats);
    NncException e = assertThrows(NncException.class, () -> Tensor.f32(new float[5], 2, 3));
    assertEquals("tensor of shape [2, 3] needs 6 values but got 5", e.getMessage());
    assertEquals(Tensor.f32(new float[] {1, 2}, 2), Tensor.f32(new float[] {1, 2}, 2));
    assertFalse(Tensor.f32(new float[] {1, 2}, 2).equals(Tensor.f32(new float[] {1, 2}, 1, 2)));
  }
}
