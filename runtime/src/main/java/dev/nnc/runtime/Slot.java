package dev.nnc.runtime;

/** A declared per-example input, label, target or output of a model, with its per-example shape. */
public final class Slot {
  /** What a slot carries. */
  public enum Kind { INPUT, LABEL, TARGET, OUTPUT }

  private final String name;
  private final Kind kind;
  private final int[] shape;
  private final int classes;

  private Slot(String name, Kind kind, int[] shape, int classes) {
    this.name = name;
    this.kind = kind;
    this.shape = shape.clone();
    this.classes = classes;
    Shapes.size(shape);
  }

  public static Slot input(String name, int... shape) {
    return new Slot(name, Kind.INPUT, shape, 0);
  }

  /** An integer class label in [0, classes); its per-example shape is {@code []}. */
  public static Slot label(String name, int classes) {
    if (classes < 1) {
      throw new NncException("label " + name + " needs at least one class, got " + classes);
    }
    return new Slot(name, Kind.LABEL, new int[0], classes);
  }

  public static Slot target(String name, int... shape) {
    return new Slot(name, Kind.TARGET, shape, 0);
  }

  public static Slot output(String name, int... shape) {
    return new Slot(name, Kind.OUTPUT, shape, 0);
  }

  public String name() {
    return name;
  }

  public Kind kind() {
    return kind;
  }

  public int[] shape() {
    return shape.clone();
  }

  /** Values per example (1 for a label or a scalar). */
  public int size() {
    return Shapes.size(shape);
  }

  /** The number of classes of a label slot, 0 for other kinds. */
  public int classes() {
    return classes;
  }

  @Override
  public String toString() {
    String k = kind.name().toLowerCase(java.util.Locale.ROOT);
    return k + " " + name + (kind == Kind.LABEL ? ": class(" + classes + ")" : ": " + Shapes.toString(shape));
  }
}
