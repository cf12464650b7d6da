package dev.nnc.compiler.ir;

/** The result shape of each op given its inputs, and the consistency checks behind it. */
final class ShapeRules {
  private ShapeRules() {}

  /**
   * The shape of {@code op} applied to {@code in}; {@code attributes} are the settings of the
   * structural ops whose shape depends on them (stride, padding, window).
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
      case STRUCTURAL -> structural(op, attr, attributes, given, in);
    };
  }

  private static Shape structural(Op op, int attr, Attributes attributes, Shape given,
      Node[] in) {
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
      case CONV2D:
      case CONV2D_INPUT_GRAD:
      case CONV2D_WEIGHT_GRAD:
        return conv(op, (Conv) attributes, given, in);
      case MAX_POOL2D:
      case AVG_POOL2D:
        return pooled(x, (Pooling) attributes, op, in);
      case MAX_POOL2D_GRAD:
        // x [C, H, W] and g of the pooled shape give x's shape
        if (!in[1].shape().equals(pooled(x, (Pooling) attributes, op, in))) {
          throw bad(op, in);
        }
        return x;
      case MAX_POOL2D_PICK:
        if (!in[1].shape().equals(x)) {
          throw bad(op, in);
        }
        return pooled(x, (Pooling) attributes, op, in);
      case AVG_POOL2D_GRAD:
        if (given == null || !x.equals(pooled(given, (Pooling) attributes, op, in))) {
          throw bad(op, in);
        }
        return given;
      case RESHAPE:
        if (given == null || given.size() != x.size()) {
          throw bad(op, in);
        }
        return given;
      case DROPOUT:
      case CUSTOM:
        // the value of a call with a stated derivative is the value of its inlined body
        return x;
      default:
        throw new IllegalStateException("no shape rule for the structural op " + op);
    }
  }

  /**
   * conv2d(x [C, H, W], W [O, C, kh, kw], b [O]) is [O, OH, OW]; its input gradient (g, W) has
   * the given shape of x, its weight gradient (x, g) the given shape of W, each consistent with
   * the convolution it comes from.
   */
  private static Shape conv(Op op, Conv conv, Shape given, Node[] in) {
    Shape x;
    Shape w;
    Shape y;
    switch (op) {
      case CONV2D -> {
        x = in[0].shape();
        w = in[1].shape();
        y = null;
        if (!in[2].shape().equals(w.rank() == 4 ? Shape.of(w.dim(0)) : null)) {
          throw bad(op, in);
        }
      }
      case CONV2D_INPUT_GRAD -> {
        x = given;
        w = in[1].shape();
        y = in[0].shape();
      }
      default -> {
        x = in[0].shape();
        w = given;
        y = in[1].shape();
      }
    }
    if (x == null || w == null || x.rank() != 3 || w.rank() != 4 || x.dim(0) != w.dim(1)) {
      throw bad(op, in);
    }
    int oh = conv.outSize(x.dim(1), w.dim(2));
    int ow = conv.outSize(x.dim(2), w.dim(3));
    if (oh < 1 || ow < 1) {
      throw bad(op, in);
    }
    Shape out = Shape.of(w.dim(0), oh, ow);
    if (y != null && !y.equals(out)) {
      throw bad(op, in);
    }
    return op == Op.CONV2D ? out : op == Op.CONV2D_INPUT_GRAD ? x : w;
  }

  /** The pooled shape of x [C, H, W]: [C, OH, OW]. */
  private static Shape pooled(Shape x, Pooling p, Op op, Node[] in) {
    if (x.rank() != 3 || p.outSize(x.dim(1)) < 1 || p.outSize(x.dim(2)) < 1) {
      throw bad(op, in);
    }
    return Shape.of(x.dim(0), p.outSize(x.dim(1)), p.outSize(x.dim(2)));
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
