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
}
