package dev.nnc.compiler.ir;

import dev.nnc.compiler.diag.SourceSpan;
import java.util.List;

/**
 * A node of the derivative graph. Nodes are created only by {@link Graph}, which interns them:
 * structurally equal nodes are one object, so equality is identity and {@link #id()} orders
 * nodes by creation (inputs before users).
 */
public sealed interface Node permits Node.Const, Node.Var, Node.Apply {

  int id();

  Shape shape();

  /** Where in the {@code .nn} source the node first came from (for comments and errors). */
  SourceSpan origin();

  /**
   * True if the node has one value per example of a batch (model inputs and everything computed
   * from them); its {@link #shape()} is then the per-example shape. Unbatched nodes (constants,
   * weights) are shared by all examples.
   */
  boolean batched();

  /** A constant filling its shape. */
  record Const(double value, Shape shape, int id, SourceSpan origin) implements Node {
    @Override
    public boolean batched() {
      return false;
    }

    @Override
    public boolean equals(Object o) {
      return this == o;
    }

    @Override
    public int hashCode() {
      return id;
    }
  }

  /**
   * An input of the function: a parameter, a model input, label or weight. {@code index} is its
   * position among the inputs; a class-index label is not differentiable.
   */
  record Var(String name, Shape shape, int index, boolean differentiable, boolean batched, int id,
      SourceSpan origin) implements Node {
    @Override
    public boolean equals(Object o) {
      return this == o;
    }

    @Override
    public int hashCode() {
      return id;
    }
  }

  /**
   * An operation applied to input nodes; {@code attr} is the op's axis or offset, else 0, and
   * {@code attributes} its further settings ({@link Attributes#NONE} for most ops).
   */
  record Apply(Op op, List<Node> inputs, Shape shape, int attr, Attributes attributes,
      boolean batched, int id, SourceSpan origin) implements Node {
    public Apply {
      inputs = List.copyOf(inputs);
    }

    public Node input(int i) {
      return inputs.get(i);
    }

    @Override
    public boolean equals(Object o) {
      return this == o;
    }

    @Override
    public int hashCode() {
      return id;
    }
  }
}
