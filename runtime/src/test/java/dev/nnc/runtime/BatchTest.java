package dev.nnc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class BatchTest {
  @Test
  void allocatesPerSlotStorage() {
    Batch b = new Batch(List.of(Slot.input("x", 2, 3), Slot.label("y", 4), Slot.target("t", 2)), 5);
    assertEquals(5, b.capacity());
    assertEquals(30, b.floats("x").length);
    assertEquals(5, b.labels("y").length);
    assertEquals(10, b.floats(2).length);
    assertSame(b.floats("x"), b.floats(0));
    b.setSize(3);
    assertEquals(3, b.size());
    assertThrows(NncException.class, () -> b.setSize(6));
    assertThrows(NncException.class, () -> b.labels("x"));
    NncException e = assertThrows(NncException.class, () -> b.floats("z"));
    assertEquals("batch has no slot 'z' (slots: x, y, t)", e.getMessage());
  }

  @Test
  void rejectsOutputsAndZeroCapacity() {
    assertThrows(NncException.class, () -> new Batch(List.of(Slot.output("p", 2)), 1));
    assertThrows(NncException.class, () -> new Batch(List.of(Slot.input("x", 2)), 0));
  }

  /** An f64 batch keeps inputs as doubles (issue 15 item 14: eval --f64 rounded them to f32). */
  @Test
  void anF64BatchHoldsDoubles() {
    Batch b = new Batch(List.of(Slot.input("x", 2), Slot.label("y", 4)), 3, true);
    assertEquals(true, b.isF64());
    b.doubles("x")[1] = 0.1;
    assertEquals(0.1, b.doubles(0)[1]); // not 0.10000000149011612
    NncException e = assertThrows(NncException.class, () -> b.floats("x"));
    assertEquals("this batch holds f64 values: use doubles()", e.getMessage());
    assertThrows(NncException.class, () -> b.doubles("y"));
  }

  @Test
  void anF32BatchReadsAsWidenedDoubles() {
    Batch b = new Batch(List.of(Slot.input("x", 2)), 3);
    b.setSize(1);
    b.floats("x")[1] = 0.5f;
    b.floats("x")[2] = 7f; // row 2: beyond the size, not copied
    double[] d = b.doubles("x");
    assertEquals(0.5, d[1]);
    assertEquals(0, d[2]);
    assertSame(d, b.doubles("x"), "one array per slot, reused");
  }
}
