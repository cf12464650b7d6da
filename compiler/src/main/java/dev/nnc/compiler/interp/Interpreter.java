package dev.nnc.compiler.interp;

import dev.nnc.compiler.ir.Dropout;
import dev.nnc.compiler.ir.GraphOrder;
import dev.nnc.compiler.ir.Node;
import dev.nnc.compiler.ir.Op;
import dev.nnc.compiler.ir.Shape;
import dev.nnc.runtime.DropoutMask;
import dev.nnc.runtime.NnMath;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reference interpreter: evaluates graph nodes on flat row-major {@code double[]} values.
 * It is the test oracle for generated code (both call {@link NnMath} for the scalar functions)
 * and the graph-walking baseline that generated code is measured against.
 */
public final class Interpreter {
  private final Map<Node, double[]> values = new IdentityHashMap<>();
  private final int batchSize;
  /** Whether dropouts draw masks (a training step), with the seed and step they draw from. */
  private boolean training;
  private long dropoutSeed;
  private long dropoutStep;

  /** An interpreter with the given variable values (flat, row-major), for unbatched graphs. */
  public Interpreter(Map<Node.Var, double[]> inputs) {
    this(inputs, 1);
  }

  /**
   * An interpreter for a batch of {@code batchSize} examples: a batched variable's value holds
   * the examples one after another.
   */
  public Interpreter(Map<Node.Var, double[]> inputs, int batchSize) {
    this.batchSize = batchSize;
    for (Map.Entry<Node.Var, double[]> e : inputs.entrySet()) {
      int expected = e.getKey().shape().size() * (e.getKey().batched() ? batchSize : 1);
      if (e.getValue().length != expected) {
        throw new IllegalArgumentException(e.getKey().name() + " needs " + expected
            + " values, got " + e.getValue().length);
      }
      values.put(e.getKey(), e.getValue());
    }
  }

  /**
   * Makes every dropout draw its mask as in training step {@code step} of a model initialized
   * with {@code seed} (as a generated model's {@code trainStep} does); without this call a
   * dropout is the identity.
   */
  public Interpreter training(long seed, long step) {
    this.training = true;
    this.dropoutSeed = seed;
    this.dropoutStep = step;
    return this;
  }

  /** Evaluates {@code roots} and everything they depend on; returns the roots' values. */
  public Map<Node, double[]> evaluate(List<Node> roots) {
    Map<Node, double[]> out = new HashMap<>();
    for (Node root : roots) {
      for (Node node : GraphOrder.reachable(root)) {
        value(node);
      }
      out.put(root, values.get(root));
    }
    return out;
  }

  /** The value of one node (its inputs must be evaluated or evaluable). */
  public double[] value(Node node) {
    double[] known = values.get(node);
    if (known != null) {
      return known;
    }
    double[] v;
    if (node instanceof Node.Const c) {
      v = new double[c.shape().size()];
      java.util.Arrays.fill(v, c.value());
    } else if (node instanceof Node.Var var) {
      throw new IllegalArgumentException("no value given for " + var.name());
    } else {
      Node.Apply a = (Node.Apply) node;
      double[][] in = new double[a.inputs().size()][];
      for (int i = 0; i < in.length; i++) {
        in[i] = value(a.input(i));
      }
      v = a.op() == Op.DROPOUT && training ? dropout(a, in[0])
          : a.batched() || a.op() == Op.BATCH_SUM ? applyBatched(a, in) : apply(a, in);
    }
    values.put(node, v);
    return v;
  }

  /**
   * A dropout in a training step: element j of the batch (examples one after another) is kept
   * and scaled, or zeroed, as {@link DropoutMask} draws it from the site, seed and step.
   */
  private double[] dropout(Node.Apply a, double[] x) {
    Dropout d = (Dropout) a.attributes();
    double[] out = new double[x.length];
    long stream = DropoutMask.stream(dropoutSeed, dropoutStep, d.site());
    for (int j = 0; j < x.length; j++) {
      out[j] = x[j] * DropoutMask.scale(stream, j, d.rate());
    }
    return out;
  }

  /** Applies a per-example op to each example of the batch (or moves values in or out of it). */
  private double[] applyBatched(Node.Apply a, double[][] in) {
    int size = a.shape().size();
    double[] out = new double[size * (a.batched() ? batchSize : 1)];
    if (a.op() == Op.BATCH_SUM) {
      for (int i = 0; i < in[0].length; i++) {
        out[i % size] += in[0][i];
      }
      return out;
    }
    if (a.op() == Op.BATCH_BROADCAST) {
      for (int i = 0; i < out.length; i++) {
        out[i] = in[0][i % size];
      }
      return out;
    }
    double[][] slice = new double[in.length][];
    for (int b = 0; b < batchSize; b++) {
      for (int k = 0; k < in.length; k++) {
        Node input = a.input(k);
        int n = input.shape().size();
        slice[k] = input.batched() ? java.util.Arrays.copyOfRange(in[k], b * n, (b + 1) * n) : in[k];
      }
      System.arraycopy(apply(a, slice), 0, out, b * size, size);
    }
    return out;
  }

  private static double[] apply(Node.Apply a, double[][] in) {
    return switch (a.op().kind()) {
      case UNARY, BINARY, COMPARISON, SELECT -> elementwise(a, in);
      case REDUCTION -> reduce(a.op(), in[0], a.input(0).shape(), a.attr(),
          new double[a.shape().size()]);
      case STRUCTURAL -> structural(a, in);
      // applyBatched moves values in and out of the batch
      case BATCH -> throw new IllegalStateException(a.op() + " outside a batch");
    };
  }

  /** An elementwise op: each output element from the inputs' (broadcast) elements. */
  private static double[] elementwise(Node.Apply a, double[][] in) {
    Op op = a.op();
    int n = a.shape().size();
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      double x = at(in[0], i);
      out[i] = switch (op.kind()) {
        case UNARY -> op.apply(x);
        case BINARY, COMPARISON -> op.apply(x, at(in[1], i));
        case SELECT -> x != 0 ? at(in[1], i) : at(in[2], i);
        case REDUCTION, STRUCTURAL, BATCH -> throw new IllegalStateException(op.toString());
      };
    }
    return out;
  }

  private static double[] structural(Node.Apply a, double[][] in) {
    Shape shape = a.shape();
    int n = shape.size();
    double[] out = new double[n];
    Op op = a.op();
    double[] x = in[0];
    Shape xs = a.input(0).shape();
    switch (op) {
      case MATMUL -> matmul(x, xs, in[1], a.input(1).shape(), out);
      case OUTER -> {
        int m = xs.size();
        int k = in[1].length;
        for (int i = 0; i < m; i++) {
          for (int j = 0; j < k; j++) {
            out[i * k + j] = x[i] * in[1][j];
          }
        }
      }
      case TRANSPOSE -> {
        int r = xs.dim(0);
        int c = xs.dim(1);
        for (int i = 0; i < r; i++) {
          for (int j = 0; j < c; j++) {
            out[j * r + i] = x[i * c + j];
          }
        }
      }
      case BROADCAST -> {
        if (a.attr() == -1) {
          for (int i = 0; i < n; i++) {
            out[i] = x[i % x.length];
          }
        } else {
          Axis ax = new Axis(shape, a.attr());
          for (int o = 0; o < ax.outer; o++) {
            for (int k = 0; k < ax.length; k++) {
              for (int b = 0; b < ax.inner; b++) {
                out[(o * ax.length + k) * ax.inner + b] = x[o * ax.inner + b];
              }
            }
          }
        }
      }
      case SUM_TO -> {
        for (int i = 0; i < x.length; i++) {
          out[i % n] += x[i];
        }
      }
      case ARGMAX_MASK -> {
        Axis ax = a.attr() == -1 ? new Axis(Shape.of(x.length), 0) : new Axis(xs, a.attr());
        for (int o = 0; o < ax.outer; o++) {
          for (int b = 0; b < ax.inner; b++) {
            int best = 0;
            for (int k = 1; k < ax.length; k++) {
              if (x[ax.at(o, k, b)] > x[ax.at(o, best, b)]) {
                best = k;
              }
            }
            out[ax.at(o, best, b)] = 1;
          }
        }
      }
      case SOFTMAX -> {
        int k = xs.dim(xs.rank() - 1);
        for (int r = 0; r < n / k; r++) {
          double max = Double.NEGATIVE_INFINITY;
          for (int j = 0; j < k; j++) {
            max = Math.max(max, x[r * k + j]);
          }
          double sum = 0;
          for (int j = 0; j < k; j++) {
            out[r * k + j] = Math.exp(x[r * k + j] - max);
            sum += out[r * k + j];
          }
          for (int j = 0; j < k; j++) {
            out[r * k + j] /= sum;
          }
        }
      }
      case ARGMAX -> {
        int k = xs.dim(xs.rank() - 1);
        for (int r = 0; r < n; r++) {
          int best = 0;
          for (int j = 1; j < k; j++) {
            if (x[r * k + j] > x[r * k + best]) {
              best = j;
            }
          }
          out[r] = best;
        }
      }
      case SLICE -> System.arraycopy(x, a.attr(), out, 0, n);
      case EMBED -> System.arraycopy(x, 0, out, a.attr(), x.length);
      case PICK -> out[0] = x[classIndex(a.input(1), in[1][0], x.length)];
      case ONEHOT -> out[classIndex(a.input(1), in[1][0], n)] = x[0];
      // a call with a stated derivative computes its inlined body
      case CUSTOM -> System.arraycopy(x, 0, out, 0, n);
      case CONV2D, CONV2D_INPUT_GRAD, CONV2D_WEIGHT_GRAD -> Convolutions.conv(a, in, out);
      case MAX_POOL2D, MAX_POOL2D_GRAD, MAX_POOL2D_PICK, AVG_POOL2D, AVG_POOL2D_GRAD ->
          Convolutions.pool(a, in, out);
      case RESHAPE -> System.arraycopy(x, 0, out, 0, n);
      // outside a training step (see #training) a dropout is the identity
      case DROPOUT -> System.arraycopy(x, 0, out, 0, n);
      default -> throw new IllegalStateException("no interpreter case for the structural op " + op);
    }
    return out;
  }

  /**
   * The class index {@code k} (the value of {@code node}) as an int, checked against the number
   * of classes exactly as generated code checks it, with the same message.
   */
  private static int classIndex(Node node, double k, int classes) {
    return NnMath.classIndex(k, classes, node instanceof Node.Var v ? v.name() : "label");
  }

  private static double at(double[] v, int i) {
    return v.length == 1 ? v[0] : v[i % v.length];
  }

  private static void matmul(double[] a, Shape sa, double[] b, Shape sb, double[] out) {
    int m = sa.rank() == 2 ? sa.dim(0) : 1;
    int k = sa.dim(sa.rank() - 1);
    int n = sb.rank() == 2 ? sb.dim(1) : 1;
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int p = 0; p < k; p++) {
          s += a[i * k + p] * b[p * n + j];
        }
        out[i * n + j] = s;
      }
    }
  }

  private static double[] reduce(Op op, double[] x, Shape xs, int axis, double[] out) {
    Axis ax = axis == -1 ? new Axis(Shape.of(x.length), 0) : new Axis(xs, axis);
    for (int o = 0; o < ax.outer; o++) {
      for (int b = 0; b < ax.inner; b++) {
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        for (int k = 0; k < ax.length; k++) {
          max = Math.max(max, x[ax.at(o, k, b)]);
          sum += x[ax.at(o, k, b)];
        }
        out[o * ax.inner + b] = switch (op) {
          case SUM -> sum;
          case MAX_REDUCE -> max;
          case LOGSUMEXP -> max + Math.log(sumExp(x, ax, o, b, max));
          default -> throw new IllegalStateException("no interpreter case for the reduction " + op);
        };
      }
    }
    return out;
  }

  /** sum(exp(x - max)) along one line of an axis: the stable part of logsumexp. */
  private static double sumExp(double[] x, Axis ax, int o, int b, double max) {
    double s = 0;
    for (int k = 0; k < ax.length; k++) {
      s += Math.exp(x[ax.at(o, k, b)] - max);
    }
    return s;
  }

  /** A shape seen as [outer, length, inner] around one axis. */
  private static final class Axis {
    final int outer;
    final int length;
    final int inner;

    Axis(Shape shape, int axis) {
      int o = 1;
      int in = 1;
      for (int i = 0; i < axis; i++) {
        o *= shape.dim(i);
      }
      for (int i = axis + 1; i < shape.rank(); i++) {
        in *= shape.dim(i);
      }
      outer = o;
      length = shape.dim(axis);
      inner = in;
    }

    int at(int o, int k, int b) {
      return (o * length + k) * inner + b;
    }
  }
}
