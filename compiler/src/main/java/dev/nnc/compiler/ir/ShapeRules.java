package dev.nnc.compiler.ir;

/** The result shape of each op given its inputs, and the consistency checks behind it. */
final class ShapeRules {
  private ShapeRules() {}

  /**
   * The shape of {@code op} applied to {@code in}; {@code attributes} is unused by today's ops
   * and is there for the structural ops whose shape depends on settings (stride, window).
   */
  static Shape infer(Op op, int attr, Attributes attributes, Shape given, Node[] in) {
    Shape x = in[0].shape();
    return switch (op.kind()) {
      case UNARY -> x;
      case BINARY, COMPARISON -> require(Shape.broadcast(x, in[1].shape()), op, in);
      case SELECT -> require(Shape.broadcast(x,
          require(Shape.broadcast(in[1].shape(), in[2].shape()), op, in)), op, in);
      case REDUCTION -> {
        if (attr == -1) {
          yield Shape.SCALAR;
        }
        if (attr < 0 || attr >= x.rank()) {
          throw bad(op, in);
        }
        yield x.drop(attr);
      }
      case BATCH -> {
        // BATCH_SUM leaves the batch, BATCH_BROADCAST enters it; the per-example shape stays
        if (in[0].batched() != (op == Op.BATCH_SUM)) {
          throw bad(op, in);
        }
        yield x;
      }
      case STRUCTURAL -> structural(op, attr, given, in);
    };
  }

  private static Shape structural(Op op, int attr, Shape given, Node[] in) {
    Shape x = in[0].shape();
    switch (op) {
      case MATMUL:
        return require(Shape.matmul(x, in[1].shape()), op, in);
      case OUTER:
        if (x.rank() != 1 || in[1].shape().rank() != 1) {
          throw bad(op, in);
        }
        return Shape.of(x.dim(0), in[1].shape().dim(0));
      case TRANSPOSE:
        if (x.rank() != 2) {
          throw bad(op, in);
        }
        return Shape.of(x.dim(1), x.dim(0));
      case BROADCAST:
        // attr -1: x is a trailing part of the result; attr k >= 0: the result inserts axis k.
        if (given == null || (attr == -1 ? !given.endsWith(x)
            : attr >= given.rank() || !given.drop(attr).equals(x))) {
          throw bad(op, in);
        }
        return given;
      case SUM_TO:
        // Summing down to a scalar is SUM over everything (Graph.sumTo makes that choice).
        if (given == null || given.isScalar() || !x.endsWith(given)) {
          throw bad(op, in);
        }
        return given;
      case SOFTMAX:
        if (x.isScalar()) {
          throw bad(op, in);
        }
        return x;
      case ARGMAX_MASK:
        if (attr < -1 || attr >= Math.max(1, x.rank())) {
          throw bad(op, in);
        }
        return x;
      case ARGMAX:
        if (x.isScalar()) {
          throw bad(op, in);
        }
        return x.drop(x.rank() - 1);
      case SLICE:
        if (given == null || attr < 0 || attr + given.size() > x.size()) {
          throw bad(op, in);
        }
        return given;
      case EMBED:
        if (given == null || attr < 0 || attr + x.size() > given.size()) {
          throw bad(op, in);
        }
        return given;
      case PICK:
        if (x.rank() != 1 || !in[1].shape().isScalar()) {
          throw bad(op, in);
        }
        return Shape.SCALAR;
      case ONEHOT:
        if (given == null || given.rank() != 1 || !x.isScalar() || !in[1].shape().isScalar()) {
          throw bad(op, in);
        }
        return given;
      case CUSTOM:
        // the value of a call with a stated derivative is the value of its inlined body
        return x;
      default:
        throw new IllegalStateException("no shape rule for the structural op " + op);
    }
  }

  private static Shape require(Shape shape, Op op, Node[] in) {
    if (shape == null) {
      throw bad(op, in);
    }
    return shape;
  }

  private static IllegalArgumentException bad(Op op, Node[] in) {
    StringBuilder shapes = new StringBuilder();
    for (Node n : in) {
      shapes.append(' ').append(n.shape());
    }
    return new IllegalArgumentException("ill-shaped " + op + ":" + shapes);
  }
}
