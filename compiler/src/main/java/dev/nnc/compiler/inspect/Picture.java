package dev.nnc.compiler.inspect;

import java.util.List;

/**
 * A computational graph as a picture to draw, independent of how it is laid out or written:
 * boxes (inputs on the left, operations, outputs on the right), wires from a value to each of its
 * uses carrying the value (drawn above the wire) and the gradient flowing back along it (drawn
 * below), and groups of boxes (one per layer instance of a model). Every text is already
 * formatted, so each writer (SVG, DOT, HTML) draws exactly the same picture.
 *
 * @param title what the picture shows, e.g. {@code fn neuron} or {@code model Mnist}
 * @param boxes in a fixed order: the order of the graph's nodes
 * @param wires in a fixed order: by target box, then by input slot
 * @param groups the layer instances, in order of declaration
 * @param values whether wires carry values (and gradients): {@code --at} or weights were given
 */
public record Picture(String title, List<Box> boxes, List<Wire> wires, List<Group> groups,
    boolean values) {
  public Picture {
    boxes = List.copyOf(boxes);
    wires = List.copyOf(wires);
    groups = List.copyOf(groups);
  }

  /** What a box stands for, which decides how it is drawn. */
  public enum Kind {
    /** A parameter, model input, label or weight: a name on the left. */
    INPUT,
    /** An operation of the graph. */
    OP,
    /** A constant that is itself the result (a constant folded into an op is part of its label). */
    CONSTANT,
    /** Where a result leaves the graph: the function's value, a model's loss or an output. */
    OUTPUT
  }

  /**
   * One box.
   *
   * @param id unique and stable: {@code n} and the graph node's id, or {@code out} and a number
   * @param label the big text: an input's name, an op such as {@code +}, {@code *-1} or
   *     {@code exp}, an output's name
   * @param caption the small text under it: the line and {@code .nn} text of an operation; may
   *     be empty
   * @param shape the shape of the box's value ({@code [256]}, {@code class(10)} for a class
   *     label), empty for a scalar
   * @param line the {@code .nn} line the box comes from, 0 if none
   * @param group the id of the box's {@link Group}, or null
   */
  public record Box(String id, Kind kind, String label, String caption, String shape, int line,
      String group) {}

  /**
   * One wire: the value of box {@code from} used as input {@code slot} of box {@code to}.
   *
   * @param value the text above the wire: the let name of the value, then the value or, for a
   *     larger tensor, its mean and range; lines are separated by {@code \n}; may be empty
   * @param gradient the text below, formatted the same way: the gradient of the picture's result
   *     with respect to this use of the value, empty where no gradient flows
   */
  public record Wire(String from, String to, int slot, String value, String gradient) {}

  /** A group of boxes: a layer instance, labelled like {@code fc1 = Dense(784, 256)}. */
  public record Group(String id, String label, int line) {}

  /** The box with {@code id}, or null. */
  public Box box(String id) {
    for (Box b : boxes) {
      if (b.id().equals(id)) {
        return b;
      }
    }
    return null;
  }
}
