package dev.nnc.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * A reusable batch of up to {@link #capacity()} examples: a row-major {@code float[]} per input or
 * target slot (capacity × per-example size) and an {@code int[]} per label slot; only the first
 * {@link #size()} rows are meaningful.
 */
public final class Batch {
  private final List<Slot> slots;
  private final float[][] floats;
  private final int[][] labels;
  private final int capacity;
  private int size;

  public Batch(List<Slot> slots, int capacity) {
    if (capacity < 1) {
      throw new NncException("batch size must be at least 1, got " + capacity);
    }
    this.slots = List.copyOf(slots);
    this.capacity = capacity;
    this.floats = new float[slots.size()][];
    this.labels = new int[slots.size()][];
    for (int k = 0; k < slots.size(); k++) {
      Slot s = slots.get(k);
      if (s.kind() == Slot.Kind.LABEL) {
        labels[k] = new int[capacity];
      } else if (s.kind() == Slot.Kind.OUTPUT) {
        throw new NncException("a batch holds inputs, labels and targets, not output " + s.name());
      } else {
        long n = (long) capacity * s.size();
        if (n > Integer.MAX_VALUE - 8) {
          throw new NncException("a batch of " + capacity + " examples is too large for " + s.name()
              + " (" + s.size() + " values per example)");
        }
        floats[k] = new float[(int) n];
      }
    }
  }

  /** A batch for the inputs, labels and targets of {@code model}. */
  public static Batch forModel(Model model, int capacity) {
    return new Batch(model.inputs(), capacity);
  }

  public int size() {
    return size;
  }

  public void setSize(int size) {
    if (size < 0 || size > capacity) {
      throw new NncException("batch size " + size + " outside [0, " + capacity + "]");
    }
    this.size = size;
  }

  public int capacity() {
    return capacity;
  }

  public List<Slot> slots() {
    return slots;
  }

  /** The position of the slot called {@code name}. */
  public int index(String name) {
    for (int k = 0; k < slots.size(); k++) {
      if (slots.get(k).name().equals(name)) {
        return k;
      }
    }
    List<String> names = new ArrayList<>();
    for (Slot s : slots) {
      names.add(s.name());
    }
    throw new NncException("batch has no slot '" + name + "' (slots: " + String.join(", ", names) + ")");
  }

  public float[] floats(String name) {
    return floats(index(name));
  }

  public float[] floats(int slotIndex) {
    if (floats[slotIndex] == null) {
      throw new NncException("slot " + slots.get(slotIndex).name() + " is a label: use labels()");
    }
    return floats[slotIndex];
  }

  public int[] labels(String name) {
    return labels(index(name));
  }

  public int[] labels(int slotIndex) {
    if (labels[slotIndex] == null) {
      throw new NncException("slot " + slots.get(slotIndex).name() + " is not a label: use floats()");
    }
    return labels[slotIndex];
  }
}
