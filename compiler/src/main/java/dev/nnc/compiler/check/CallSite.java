package dev.nnc.compiler.check;

import dev.nnc.compiler.diag.Diagnostics;
import dev.nnc.compiler.diag.SourceSpan;
import dev.nnc.compiler.ir.Conv;
import dev.nnc.compiler.ir.Dropout;
import dev.nnc.compiler.ir.Graph;
import dev.nnc.compiler.ir.Node;
import dev.nnc.compiler.ir.Op;
import dev.nnc.compiler.ir.Pooling;
import dev.nnc.compiler.ir.Shape;

/**
 * Builds graph nodes for one source construct, checking shapes first and reporting a mismatch
 * at the construct's span with both shapes named. Every method returns null after an error.
 */
final class CallSite {
  private final Graph graph;
  private final Diagnostics diagnostics;
  private final SourceSpan span;
  private final String what;

  /** The number of classes of a label variable (0 for anything else). */
  private final java.util.function.ToIntFunction<Node> classesOf;

  CallSite(Graph graph, Diagnostics diagnostics, SourceSpan span, String what) {
    this(graph, diagnostics, span, what, node -> 0);
  }

  CallSite(Graph graph, Diagnostics diagnostics, SourceSpan span, String what,
      java.util.function.ToIntFunction<Node> classesOf) {
    this.graph = graph;
    this.diagnostics = diagnostics;
    this.span = span;
    this.what = what;
    this.classesOf = classesOf;
  }

  Graph graph() {
    return graph;
  }

  Node error(String message) {
    diagnostics.error(span, message);
    return null;
  }

  Node apply(Op op, Node x) {
    return graph.apply(op, span, x);
  }

  /** An op called by its built-in name: elementwise ops check that the shapes broadcast. */
  Node op(Op op, java.util.List<Node> args) {
    return switch (op.kind()) {
      case UNARY -> apply(op, args.get(0));
      case BINARY, COMPARISON -> binary(op, args.get(0), args.get(1));
      case SELECT -> where(args.get(0), args.get(1), args.get(2));
      case REDUCTION, STRUCTURAL, BATCH ->
          throw new IllegalStateException(op + " needs its own entry in Builtins");
    };
  }

  /** An elementwise binary op with broadcasting. */
  Node binary(Op op, Node a, Node b) {
    if (Shape.broadcast(a.shape(), b.shape()) == null) {
      return error(switch (op) {
        case ADD -> "cannot add " + a.shape() + " and " + b.shape();
        case SUB -> "cannot subtract " + b.shape() + " from " + a.shape();
        case MUL -> "cannot multiply " + a.shape() + " and " + b.shape() + " elementwise";
        case DIV -> "cannot divide " + a.shape() + " by " + b.shape();
        case POW -> "cannot raise " + a.shape() + " to the power " + b.shape();
        default -> what + " cannot combine " + a.shape() + " and " + b.shape()
            + ": shapes must be equal, a scalar, or a trailing part of the other";
      });
    }
    return graph.apply(op, span, a, b);
  }

  Node matmul(Node a, Node b) {
    Shape sa = a.shape();
    Shape sb = b.shape();
    if (sa.rank() < 1 || sa.rank() > 2 || sb.rank() < 1 || sb.rank() > 2) {
      return error("cannot multiply " + sa + " by " + sb
          + ": '@' needs vectors or matrices (use '*' for a scalar)");
    }
    if (Shape.matmul(sa, sb) == null) {
      int inner = sa.dim(sa.rank() - 1);
      int other = sb.dim(0);
      return error("cannot multiply " + sa + " by " + sb + ": inner sizes " + inner + " and "
          + other + " differ");
    }
    return graph.apply(Op.MATMUL, span, a, b);
  }

  Node where(Node c, Node a, Node b) {
    Shape ab = Shape.broadcast(a.shape(), b.shape());
    if (ab == null) {
      return error("where(...) branches have shapes " + a.shape() + " and " + b.shape()
          + ", which do not broadcast");
    }
    if (Shape.broadcast(c.shape(), ab) == null) {
      return error("where(...) condition has shape " + c.shape() + " but the branches have "
          + ab);
    }
    return graph.apply(Op.WHERE, span, c, a, b);
  }

  Node transpose(Node x) {
    if (x.shape().rank() != 2) {
      return error("transpose needs a matrix, got " + x.shape());
    }
    return graph.apply(Op.TRANSPOSE, span, x);
  }

  /** A reduction over {@code axis}, or everything when axis is -1. */
  Node reduce(Op op, Node x, int axis) {
    if (axis != -1 && (x.shape().isScalar() || axis >= x.shape().rank())) {
      return error(what + ": axis " + axis + " is out of range for shape " + x.shape());
    }
    return graph.apply(op, axis, null, span, x);
  }

  Node mean(Node x, int axis) {
    Node sum = reduce(Op.SUM, x, axis);
    if (sum == null) {
      return null;
    }
    int count = axis == -1 ? x.shape().size() : x.shape().dim(axis);
    return graph.apply(Op.DIV, span, sum, graph.scalar(count));
  }

  /** An op over the last axis of a vector or matrix (softmax, argmax). */
  Node vectorOp(Op op, Node x) {
    if (x.shape().isScalar()) {
      return error(what + " needs a vector or matrix, got a scalar");
    }
    return graph.apply(op, span, x);
  }

  /** log_softmax(z) = z - logsumexp(z) over the last axis. */
  Node logSoftmax(Node z) {
    if (z.shape().isScalar()) {
      return error(what + " needs a vector or matrix, got a scalar");
    }
    int last = z.shape().rank() - 1;
    Node lse = graph.apply(Op.LOGSUMEXP, z.shape().rank() == 1 ? -1 : last, null, span, z);
    return graph.apply(Op.SUB, span, z, graph.broadcastAxis(lse, z.shape().rank() == 1 ? -1 : last,
        z.shape()));
  }

  /**
   * cross_entropy(z, k) = logsumexp(z) - z[k] for a class index k; for a probability vector y,
   * sum(y) * logsumexp(z) - sum(y * z). Its gradient is the fused softmax(z) - y.
   */
  Node crossEntropy(Node z, Node label) {
    if (z.shape().rank() != 1) {
      return error("cross_entropy needs a vector of logits, got " + z.shape());
    }
    Node lse = graph.apply(Op.LOGSUMEXP, -1, null, span, z);
    if (label.shape().isScalar()) {
      if (!checkClass(label, z.shape().dim(0))) {
        return null;
      }
      return graph.apply(Op.SUB, span, lse, graph.apply(Op.PICK, span, z, label));
    }
    if (!label.shape().equals(z.shape())) {
      return error("cross_entropy: logits " + z.shape() + " and target " + label.shape()
          + " differ; the target must be a class index or a vector of the same size");
    }
    Node total = graph.apply(Op.SUM, -1, null, span, label);
    Node dot = graph.apply(Op.SUM, -1, null, span, graph.apply(Op.MUL, span, label, z));
    return graph.apply(Op.SUB, span, graph.apply(Op.MUL, span, total, lse), dot);
  }

  /**
   * Multiclass SVM loss with margin 1: sum over j != y of max(0, s_j - s_y + 1). For a class
   * index k this is sum(max(0, s - s[k] + 1)) - 1 (the j = k term is exactly 1).
   */
  Node hinge(Node s, Node label) {
    if (s.shape().rank() != 1) {
      return error("hinge needs a vector of scores, got " + s.shape());
    }
    Node one = graph.scalar(1);
    Node zero = graph.scalar(0);
    if (label.shape().isScalar()) {
      if (!checkClass(label, s.shape().dim(0))) {
        return null;
      }
      Node sy = graph.apply(Op.PICK, span, s, label);
      Node margins = graph.apply(Op.MAX, span, zero,
          graph.apply(Op.ADD, span, graph.apply(Op.SUB, span, s, sy), one));
      return graph.apply(Op.SUB, span, graph.apply(Op.SUM, -1, null, span, margins), one);
    }
    if (!label.shape().equals(s.shape())) {
      return error("hinge: scores " + s.shape() + " and target " + label.shape()
          + " differ; the target must be a class index or a one-hot vector of the same size");
    }
    Node sy = graph.apply(Op.SUM, -1, null, span, graph.apply(Op.MUL, span, s, label));
    Node margins = graph.apply(Op.MAX, span, zero,
        graph.apply(Op.ADD, span, graph.apply(Op.SUB, span, s, sy), one));
    Node others = graph.apply(Op.MUL, span, margins, graph.apply(Op.SUB, span, one, label));
    return graph.apply(Op.SUM, -1, null, span, others);
  }

  /** mse(p, t) = mean((p - t)^2). */
  Node mse(Node p, Node t) {
    if (!p.shape().equals(t.shape()) && Shape.broadcast(p.shape(), t.shape()) == null) {
      return error("mse: prediction " + p.shape() + " and target " + t.shape() + " differ");
    }
    Node d = graph.apply(Op.SUB, span, p, t);
    Node sq = graph.apply(Op.MUL, span, d, d);
    return mean(sq, -1);
  }

  /** bce_with_logits(x, t) = softplus(x) - x * t, elementwise and stable. */
  Node bceWithLogits(Node x, Node t) {
    if (Shape.broadcast(x.shape(), t.shape()) == null) {
      return error("bce_with_logits: logits " + x.shape() + " and target " + t.shape()
          + " do not broadcast");
    }
    return graph.apply(Op.SUB, span, graph.apply(Op.SOFTPLUS, span, x),
        graph.apply(Op.MUL, span, x, t));
  }

  /**
   * The value of a scalar computed from constants alone ({@code -1}, {@code 2 - 3}), as the
   * simplifier would fold it; null if it depends on a variable.
   */
  private static Double constantValue(Node node) {
    if (node instanceof Node.Const c) {
      return c.value();
    }
    if (!(node instanceof Node.Apply a) || !a.shape().isScalar()) {
      return null;
    }
    if (a.op().kind() == Op.Kind.UNARY) {
      Double x = constantValue(a.input(0));
      return x == null ? null : a.op().apply(x);
    }
    if (a.op().kind() == Op.Kind.BINARY) {
      Double x = constantValue(a.input(0));
      Double y = x == null ? null : constantValue(a.input(1));
      return y == null ? null : a.op().apply(x, y);
    }
    return null;
  }

  /**
   * conv2d(x, W[, b], stride:, padding:): x [C_in, H, W], W [C_out, C_in, kh, kw], b [C_out];
   * an absent bias is a zero constant (no gradient, no work).
   */
  Node conv2d(Node x, Node w, Node b, int stride, int padding) {
    Shape xs = x.shape();
    Shape ws = w.shape();
    if (xs.rank() != 3) {
      return error("conv2d needs an input of shape [channels, height, width], got " + xs);
    }
    if (ws.rank() != 4) {
      return error("conv2d needs weights of shape [out_channels, in_channels, kernel_height,"
          + " kernel_width], got " + ws);
    }
    if (xs.dim(0) != ws.dim(1)) {
      return error("conv2d: the input " + xs + " has " + xs.dim(0) + " channel"
          + (xs.dim(0) == 1 ? "" : "s") + " but the weights " + ws + " take " + ws.dim(1));
    }
    Shape bias = Shape.of(ws.dim(0));
    if (b != null && !b.shape().equals(bias)) {
      return error("conv2d: the bias " + b.shape() + " does not match the weights " + ws
          + ": expected " + bias + ", one per output channel");
    }
    int h = xs.dim(1) + 2 * padding;
    int wd = xs.dim(2) + 2 * padding;
    if (ws.dim(2) > h || ws.dim(3) > wd) {
      return error("conv2d: the kernel " + ws.dim(2) + "x" + ws.dim(3) + " of the weights " + ws
          + " is larger than the input " + xs + (padding == 0 ? " (" + h + "x" + wd + ")"
          : " padded by " + padding + " (" + h + "x" + wd + ")"));
    }
    if (w.batched()) {
      return error("conv2d: the weights " + ws + " must be the same for every example, but"
          + " these are computed from the model's inputs");
    }
    Node bias0 = b != null ? b : graph.constant(0, bias);
    return graph.apply(Op.CONV2D, 0, new Conv(stride, padding), null, span, x, w, bias0);
  }

  /** max_pool2d or avg_pool2d(x, size:[, stride:]) of x [C, H, W]; stride defaults to size. */
  Node pool(Op op, Node x, CallArguments args) {
    if (!args.has("size")) {
      return error(what + " needs the window size, e.g. " + what + "(x, size: 2)");
    }
    int size = args.option("size", 1);
    int stride = args.option("stride", size);
    Shape xs = x.shape();
    if (xs.rank() != 3) {
      return error(what + " needs an input of shape [channels, height, width], got " + xs);
    }
    if (size > xs.dim(1) || size > xs.dim(2)) {
      return error(what + ": the window " + size + "x" + size + " is larger than the input "
          + xs + " (" + xs.dim(1) + "x" + xs.dim(2) + ")");
    }
    return graph.apply(op, 0, new Pooling(size, stride), null, span, x);
  }

  /** flatten and reshape: the same elements, row-major, in {@code shape}. */
  Node reshape(Node x, Shape shape) {
    if (shape.size() != x.shape().size()) {
      return error(what + ": cannot reshape " + x.shape() + " (" + x.shape().size() + " element"
          + (x.shape().size() == 1 ? "" : "s") + ") to " + shape + " (" + shape.size()
          + " element" + (shape.size() == 1 ? "" : "s") + ")");
    }
    return graph.reshape(x, shape);
  }

  /**
   * dropout(x, rate:): each call is its own site (numbered by the graph's size when it is made),
   * so that two dropouts draw different masks.
   */
  Node dropout(Node x, CallArguments args) {
    if (!args.has("rate")) {
      return error("dropout needs the probability of zeroing an element, e.g."
          + " dropout(x, rate: 0.5)");
    }
    double rate = args.real("rate", 0);
    return rate == 0 ? x
        : graph.apply(Op.DROPOUT, 0, new Dropout(rate, graph.size()), null, span, x);
  }

  private boolean checkClass(Node label, int classes) {
    int declared = classesOf.applyAsInt(label);
    if (declared > 0 && declared != classes) {
      error(what + ": the label has " + declared + " classes but the scores have " + classes
          + " entries");
      return false;
    }
    Double constant = constantValue(label);
    if (constant != null) {
      double k = constant;
      if (k != Math.rint(k) || k < 0 || k >= classes) {
        String shown = k == Math.rint(k) && Math.abs(k) < 1e15 ? Long.toString((long) k)
            : Double.toString(k);
        error(what + ": class index " + shown + " is not an integer in [0, " + classes + ")");
        return false;
      }
    }
    return true;
  }
}
