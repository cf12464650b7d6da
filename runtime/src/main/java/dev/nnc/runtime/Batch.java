package dev.nnc.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * A reusable batch of up to {@link #capacity()} examples: a row-major array per input or target
 * slot (capacity × per-example size) and an {@code int[]} per label slot; only the first
 * {@link #size()} rows are meaningful. The arrays are {@code float[]} ({@link #floats}) in an
 * f32 batch and {@code double[]} ({@link #doubles}) in an f64 batch, which a model computing in
 * f64 gets from {@link #forModel}, so that its inputs are never rounded to f32.
 */
public final class Batch {
  private final List<Slot> slots;
  private final boolean f64;
  private final float[][] floats;
  private final double[][] doubles;
  private final int[][] labels;
  private final int capacity;
  private int size;

  /** An f32 batch. */
  public Batch(List<Slot> slots, int capacity) {
    this(slots, capacity, false);
  }

  /** An f64 batch if {@code f64}, else an f32 batch. */
  public Batch(List<Slot> slots, int capacity, boolean f64) {
    if (capacity < 1) {
      throw new NncException("batch size must be at least 1, got " + capacity);
    }
    this.slots = List.copyOf(slots);
    this.capacity = capacity;
    this.f64 = f64;
    this.floats = new float[slots.size()][];
    this.doubles = new double[slots.size()][];
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
        if (f64) {
          doubles[k] = new double[(int) n];
        } else {
          floats[k] = new float[(int) n];
        }
      }
    }
  }

  /**
   * A batch for the inputs, labels and targets of {@code model}: f64 when the model's parameters
   * are f64, else f32.
   */
  public static Batch forModel(Model model, int capacity) {
    boolean f64 = false;
    for (Parameter p : model.parameters()) {
      f64 |= p.isF64();
    }
    return new Batch(model.inputs(), capacity, f64);
  }

  /** Whether the input and target values are {@code double[]} ({@link #doubles}). */
  public boolean isF64() {
    return f64;
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

  /** The values of an input or target slot of an f32 batch (the backing array). */
  public float[] floats(int slotIndex) {
    if (floats[slotIndex] == null) {
      throw new NncException(labels[slotIndex] != null
          ? "slot " + slots.get(slotIndex).name() + " is a label: use labels()"
          : "this batch holds f64 values: use doubles()");
    }
    return floats[slotIndex];
  }

  public double[] doubles(String name) {
    return doubles(index(name));
  }

  /**
   * The values of an input or target slot as doubles: the backing array of an f64 batch; for an
   * f32 batch, a copy of its first {@link #size} rows widened to double (one array per slot, reused), so
   * that a model computing in f64 can also read an f32 batch.
   */
  public double[] doubles(int slotIndex) {
    if (labels[slotIndex] != null) {
      throw new NncException("slot " + slots.get(slotIndex).name() + " is a label: use labels()");
    }
    if (f64) {
      return doubles[slotIndex];
    }
    float[] from = floats[slotIndex];
    if (doubles[slotIndex] == null) {
      doubles[slotIndex] = new double[from.length];
    }
    double[] to = doubles[slotIndex];
    int n = size * slots.get(slotIndex).size();
    for (int i = 0; i < n; i++) {
      to[i] = from[i];
    }
    return to;
  }

  public int[] labels(String name) {
    return labels(index(name));
  }

  public int[] labels(int slotIndex) {
    if (labels[slotIndex] == null) {
      throw new NncException("slot " + slots.get(slotIndex).name() + " is not a label: use "
          + (f64 ? "doubles()" : "floats()"));
    }
    return labels[slotIndex];
  }
}
