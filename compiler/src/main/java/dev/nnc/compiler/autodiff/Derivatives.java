package dev.nnc.compiler.autodiff;

import dev.nnc.compiler.ir.CustomRule;
import dev.nnc.compiler.ir.Graph;
import dev.nnc.compiler.ir.GraphCopy;
import dev.nnc.compiler.ir.Node;
import dev.nnc.compiler.ir.Op;
import dev.nnc.compiler.ir.Shape;
import java.util.Collections;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one table of derivative rules: for each op, the gradient of each input given the upstream
 * gradient {@code g} of the node's output {@code y}. Contract: a rule returns a node with the
 * shape of the node's output or of the input (the sweep sums broadcast gradients down to the
 * input's shape), or null for an input that receives no gradient. Rules reuse forward values
 * ({@code y}) where the derivative can be written in terms of them.
 */
public final class Derivatives {
  /** The gradient of input {@code i} of {@code y = op(x...)} given upstream {@code g}. */
  public interface Rule {
    Node gradient(Graph graph, Node.Apply y, Node g, int i);
  }

  /** A rule with the name of its gate, used in comments of the generated code. */
  public record Entry(String gate, Rule rule) {}

  private static final Map<Op, Entry> TABLE = new EnumMap<>(Op.class);

  private static void rule(Op op, String gate, Rule rule) {
    TABLE.put(op, new Entry(gate, rule));
  }

  private static void forwardOnly(Op op) {
    TABLE.put(op, new Entry("no gradient", (graph, y, g, i) -> null));
  }

  static {
    // -x: dx = -g
    rule(Op.NEG, "neg gate", (G, y, g, i) -> G.neg(g));
    // e^x: dx = g * e^x = g * y
    rule(Op.EXP, "exp rule (reuses exp(x))", (G, y, g, i) -> G.mul(g, y));
    // log x: dx = g / x
    rule(Op.LOG, "log rule", (G, y, g, i) -> G.div(g, y.input(0)));
    // sqrt x: dx = g / (2 sqrt x) = g / (2y)
    rule(Op.SQRT, "sqrt rule (reuses sqrt(x))", (G, y, g, i) -> G.div(g, G.mul(G.scalar(2), y)));
    // |x|: dx = g * sign(x)
    rule(Op.ABS, "abs rule", (G, y, g, i) -> G.mul(g, G.unary(Op.SIGN, y.input(0))));
    // sin x: dx = g * cos x
    rule(Op.SIN, "sin rule", (G, y, g, i) -> G.mul(g, G.unary(Op.COS, y.input(0))));
    // cos x: dx = -g * sin x
    rule(Op.COS, "cos rule", (G, y, g, i) -> G.neg(G.mul(g, G.unary(Op.SIN, y.input(0)))));
    // tan x: dx = g * (1 + tan^2 x) = g * (1 + y*y)
    rule(Op.TAN, "tan rule (reuses tan(x))",
        (G, y, g, i) -> G.mul(g, G.add(G.scalar(1), G.mul(y, y))));
    // tanh x: dx = g * (1 - tanh^2 x) = g * (1 - y*y)
    rule(Op.TANH, "tanh rule (reuses tanh(x))",
        (G, y, g, i) -> G.mul(g, G.sub(G.scalar(1), G.mul(y, y))));
    // sigmoid x: dx = g * s(x)(1 - s(x)) = g * y * (1 - y)
    rule(Op.SIGMOID, "sigmoid rule (reuses sigmoid(x))",
        (G, y, g, i) -> G.mul(g, G.mul(y, G.sub(G.scalar(1), y))));
    // relu x: dx = g * [x > 0]
    rule(Op.RELU, "relu gate", (G, y, g, i) -> G.mul(g, G.unary(Op.STEP, y.input(0))));
    // softplus x = log(1 + e^x): dx = g * sigmoid(x)
    rule(Op.SOFTPLUS, "softplus rule", (G, y, g, i) -> G.mul(g, G.unary(Op.SIGMOID, y.input(0))));
    // gelu x = x Phi(x): dx = g * (Phi(x) + x phi(x)), phi the standard normal density
    rule(Op.GELU, "gelu rule", (G, y, g, i) -> G.mul(g, G.add(
        G.unary(Op.NORMAL_CDF, y.input(0)), G.mul(y.input(0), normalDensity(G, y.input(0))))));
    // Phi(x): dx = g * phi(x)
    rule(Op.NORMAL_CDF, "normal cdf rule", (G, y, g, i) -> G.mul(g, normalDensity(G, y.input(0))));
    // silu x = x s(x): dx = g * (s + x s (1 - s)) = g * (s + y (1 - s))  (reuses silu(x))
    rule(Op.SILU, "silu rule (reuses silu(x))", (G, y, g, i) -> {
      Node s = G.unary(Op.SIGMOID, y.input(0));
      return G.mul(g, G.add(s, G.mul(y, G.sub(G.scalar(1), s))));
    });
    forwardOnly(Op.SIGN);
    forwardOnly(Op.FLOOR);
    forwardOnly(Op.STEP);

    // a + b: da = g, db = g  (add distributes)
    rule(Op.ADD, "add gate", (G, y, g, i) -> g);
    // a - b: da = g, db = -g
    rule(Op.SUB, "sub gate", (G, y, g, i) -> i == 0 ? g : G.neg(g));
    // a * b: da = g * b, db = g * a  (mul swaps)
    rule(Op.MUL, "mul gate", (G, y, g, i) -> G.mul(g, y.input(1 - i)));
    // a / b: da = g / b, db = -g * a / b^2 = -g * y / b
    rule(Op.DIV, "div gate", (G, y, g, i) -> i == 0 ? G.div(g, y.input(1))
        : G.neg(G.div(G.mul(g, y), y.input(1))));
    // a ^ b: da = g * b * a^(b-1), db = g * log(a) * a^b = g * log(a) * y
    rule(Op.POW, "power rule", (G, y, g, i) -> {
      Node a = y.input(0);
      Node b = y.input(1);
      if (i == 0) {
        Node bMinus1 = G.sub(b, G.scalar(1));
        return G.mul(g, G.mul(b, G.apply(Op.POW, y.origin(), a, bMinus1)));
      }
      return G.mul(g, G.mul(G.unary(Op.LOG, a), y));
    });
    // max(a, b): da = g * [a >= b], db = g * [a < b]  (max routes to the larger input)
    rule(Op.MAX, "max gate", (G, y, g, i) -> G.mul(g,
        G.apply(i == 0 ? Op.GE : Op.LT, y.origin(), y.input(0), y.input(1))));
    // min(a, b): da = g * [a <= b], db = g * [a > b]
    rule(Op.MIN, "min gate", (G, y, g, i) -> G.mul(g,
        G.apply(i == 0 ? Op.LE : Op.GT, y.origin(), y.input(0), y.input(1))));
    // leaky_relu(x, a): dx = g * (x > 0 ? 1 : a), da = g * (x > 0 ? 0 : x)
    rule(Op.LEAKY_RELU, "leaky relu gate", (G, y, g, i) -> {
      Node x = y.input(0);
      Node positive = G.apply(Op.GT, y.origin(), x, G.scalar(0));
      return i == 0
          ? G.apply(Op.WHERE, y.origin(), positive, g, G.mul(g, y.input(1)))
          : G.apply(Op.WHERE, y.origin(), positive, G.scalar(0), G.mul(g, x));
    });
    for (Op cmp : new Op[] {Op.LT, Op.LE, Op.GT, Op.GE, Op.EQ, Op.NE}) {
      forwardOnly(cmp);
    }
    // where(c, a, b): da = where(c, g, 0), db = where(c, 0, g); the condition gets nothing.
    // The sweep keeps this guard through the branch's own rules (ReverseMode.contribution), so
    // that a branch not taken, NaN or infinite there, adds no NaN to the gradient.
    rule(Op.WHERE, "where gate", (G, y, g, i) -> i == 0 ? null
        : i == 1 ? G.apply(Op.WHERE, y.origin(), y.input(0), g, G.scalar(0))
        : G.apply(Op.WHERE, y.origin(), y.input(0), G.scalar(0), g));

    // A @ B: dA = g @ B^T, dB = A^T @ g, with the vector cases as outer products
    rule(Op.MATMUL, "matmul gate", Derivatives::matmul);
    // outer(a, b): da = g @ b, db = a @ g
    rule(Op.OUTER, "outer gate", (G, y, g, i) -> i == 0
        ? G.apply(Op.MATMUL, y.origin(), g, y.input(1))
        : G.apply(Op.MATMUL, y.origin(), y.input(0), g));
    // x^T: dx = g^T
    rule(Op.TRANSPOSE, "transpose gate", (G, y, g, i) -> G.unary(Op.TRANSPOSE, g));
    // broadcast(x): dx = g summed back over the repeated axes (fan-out sums)
    rule(Op.BROADCAST, "broadcast gate (fan-out sums)", (G, y, g, i) -> y.attr() == -1
        ? G.sumTo(g, y.input(0).shape())
        : G.apply(Op.SUM, y.attr(), null, y.origin(), g));
    // sum_to(x): dx = g repeated to x's shape
    rule(Op.SUM_TO, "sum gate", (G, y, g, i) -> G.broadcast(g, y.input(0).shape()));
    // sum(x, axis): dx = g repeated along the summed axis
    rule(Op.SUM, "sum gate", (G, y, g, i) -> G.broadcastAxis(g, y.attr(), y.input(0).shape()));
    // max(x, axis): dx = g routed to the first maximum
    rule(Op.MAX_REDUCE, "max gate (routes to the maximum)", (G, y, g, i) -> G.mul(
        G.broadcastAxis(g, y.attr(), y.input(0).shape()),
        G.apply(Op.ARGMAX_MASK, y.attr(), null, y.origin(), y.input(0))));
    // logsumexp(x): dx = g * exp(x - y) = g * softmax(x)  (reuses the forward value)
    rule(Op.LOGSUMEXP, "logsumexp rule (reuses logsumexp(x))", (G, y, g, i) -> {
      Shape shape = y.input(0).shape();
      Node p = G.unary(Op.EXP, G.sub(y.input(0), G.broadcastAxis(y, y.attr(), shape)));
      return G.mul(G.broadcastAxis(g, y.attr(), shape), p);
    });
    // softmax(x) = p: dx = p * (g - sum(g * p)) along the last axis
    rule(Op.SOFTMAX, "softmax rule (reuses softmax(x))", (G, y, g, i) -> {
      Shape shape = y.shape();
      int axis = shape.rank() == 1 ? -1 : shape.rank() - 1;
      Node dot = G.apply(Op.SUM, axis, null, y.origin(), G.mul(g, y));
      return G.mul(y, G.sub(g, G.broadcastAxis(dot, axis, shape)));
    });
    forwardOnly(Op.ARGMAX_MASK);
    forwardOnly(Op.ARGMAX);
    // x[offset...]: dx = g placed back at the offset, zeros elsewhere
    rule(Op.SLICE, "index gate", (G, y, g, i) ->
        G.apply(Op.EMBED, y.attr(), y.input(0).shape(), y.origin(), g));
    // embed(x): dx = the block of g at the offset
    rule(Op.EMBED, "embed gate", (G, y, g, i) ->
        G.apply(Op.SLICE, y.attr(), y.input(0).shape(), y.origin(), g));
    // pick(x, k) = x[k]: dx = onehot(g, k); the class index gets nothing
    rule(Op.PICK, "pick gate", (G, y, g, i) -> i == 1 ? null
        : G.apply(Op.ONEHOT, 0, y.input(0).shape(), y.origin(), g, y.input(1)));
    // batch_sum(x) = sum over examples of x: dx = g, the same for every example
    rule(Op.BATCH_SUM, "batch sum gate (every example gets the gradient)", (G, y, g, i) ->
        G.apply(Op.BATCH_BROADCAST, y.origin(), g));
    // batch_broadcast(x): dx = sum over examples of g (fan-out over the batch sums)
    rule(Op.BATCH_BROADCAST, "batch fan-out (gradients of the examples add)", (G, y, g, i) ->
        g.batched() ? G.apply(Op.BATCH_SUM, y.origin(), g) : g);
    // a call with a stated derivative: the stated rule, instantiated at the call's arguments
    // and upstream gradient; the inlined body receives nothing
    rule(Op.CUSTOM, "custom rule", Derivatives::custom);
    // onehot(v, k): dv = g[k]
    rule(Op.ONEHOT, "onehot gate", (G, y, g, i) -> i == 1 ? null
        : G.apply(Op.PICK, y.origin(), g, y.input(1)));

    // conv2d(x, W, b) is bilinear in x and W: dx = conv2d_input_grad(g, W),
    // dW = conv2d_weight_grad(x, g), db = g summed over each channel's positions
    rule(Op.CONV2D, "conv2d gate", Derivatives::conv2d);
    // conv2d_input_grad(g, W), bilinear, <IG(g, W), h> = <conv2d(h, W), g>:
    // dg = conv2d(h, W) (no bias), dW = conv2d_weight_grad(h, g)
    rule(Op.CONV2D_INPUT_GRAD, "conv2d input-gradient gate", (G, y, g, i) -> i == 0
        ? convolve(G, y, g, y.input(1))
        : G.apply(Op.CONV2D_WEIGHT_GRAD, 0, y.attributes(), y.input(1).shape(), y.origin(), g,
            y.input(0)));
    // conv2d_weight_grad(x, g), bilinear, <WG(x, g), h> = <conv2d(x, h), g>:
    // dx = conv2d_input_grad(g, h), dg = conv2d(x, h) (no bias)
    rule(Op.CONV2D_WEIGHT_GRAD, "conv2d weight-gradient gate", (G, y, g, i) -> i == 0
        ? G.apply(Op.CONV2D_INPUT_GRAD, 0, y.attributes(), y.input(0).shape(), y.origin(),
            y.input(1), g)
        : convolve(G, y, y.input(0), g));
    // max_pool2d(x): dx = g routed to each window's first maximum
    rule(Op.MAX_POOL2D, "max-pool gate (routes to the maximum)", (G, y, g, i) ->
        G.apply(Op.MAX_POOL2D_GRAD, 0, y.attributes(), null, y.origin(), y.input(0), g));
    // max_pool2d_grad(x, g) is linear in g, <grad(x, g), h> = <g, pick(x, h)>:
    // dg = max_pool2d_pick(x, h); the routing is piecewise constant in x, which gets nothing
    rule(Op.MAX_POOL2D_GRAD, "max-pool routing gate", (G, y, g, i) -> i == 0 ? null
        : G.apply(Op.MAX_POOL2D_PICK, 0, y.attributes(), null, y.origin(), y.input(0), g));
    // max_pool2d_pick(x, h) is linear in h: dh = max_pool2d_grad(x, g); x gets nothing
    rule(Op.MAX_POOL2D_PICK, "max-pool pick gate", (G, y, g, i) -> i == 0 ? null
        : G.apply(Op.MAX_POOL2D_GRAD, 0, y.attributes(), null, y.origin(), y.input(0), g));
    // avg_pool2d(x): dx = g / size^2 spread evenly over each window
    rule(Op.AVG_POOL2D, "avg-pool gate (spreads evenly)", (G, y, g, i) ->
        G.apply(Op.AVG_POOL2D_GRAD, 0, y.attributes(), y.input(0).shape(), y.origin(), g));
    // avg_pool2d_grad(g) is linear and the adjoint of avg_pool2d: dg = avg_pool2d(h)
    rule(Op.AVG_POOL2D_GRAD, "avg-pool spreading gate", (G, y, g, i) ->
        G.apply(Op.AVG_POOL2D, 0, y.attributes(), null, y.origin(), g));
    // reshape(x): dx = g reshaped back to x's shape (both views: nothing is copied)
    rule(Op.RESHAPE, "reshape gate", (G, y, g, i) -> G.reshape(g, y.input(0).shape()));
    // dropout(x) = x * mask / (1 - rate): dx = dropout(g), the same mask (same site and step)
    rule(Op.DROPOUT, "dropout gate (the same mask)", (G, y, g, i) ->
        G.apply(Op.DROPOUT, 0, y.attributes(), null, y.origin(), g));
  }

  /** phi(x) = exp(-x^2 / 2) / sqrt(2 pi); exactly 0 far out, never NaN for a finite x. */
  private static Node normalDensity(Graph G, Node x) {
    return G.mul(G.scalar(0.3989422804014327), G.unary(Op.EXP, G.mul(G.scalar(-0.5), G.mul(x, x))));
  }

  private static Node matmul(Graph G, Node.Apply y, Node g, int i) {
    Node a = y.input(0);
    Node b = y.input(1);
    int ra = a.shape().rank();
    int rb = b.shape().rank();
    if (ra == 1 && rb == 1) {
      // a . b: da = g * b, db = g * a
      return G.mul(g, i == 0 ? b : a);
    }
    if (ra == 2 && rb == 2) {
      return i == 0 ? G.apply(Op.MATMUL, y.origin(), g, G.unary(Op.TRANSPOSE, b))
          : G.apply(Op.MATMUL, y.origin(), G.unary(Op.TRANSPOSE, a), g);
    }
    if (ra == 2) {
      // A @ x: dA = outer(g, x), dx = A^T @ g = g @ A
      return i == 0 ? G.apply(Op.OUTER, y.origin(), g, b) : G.apply(Op.MATMUL, y.origin(), g, a);
    }
    // x @ B: dx = B @ g, dB = outer(x, g)
    return i == 0 ? G.apply(Op.MATMUL, y.origin(), b, g) : G.apply(Op.OUTER, y.origin(), a, g);
  }

  /**
   * The stated rule of a call ({@link Op#CUSTOM}): the template's gradient for argument
   * {@code i - 1}, copied into the graph with the template's variables replaced by the arguments
   * and the upstream gradient. Differentiating the result again differentiates the stated
   * expression itself.
   */
  private static Node custom(Graph G, Node.Apply y, Node g, int i) {
    if (i == 0) {
      return null;
    }
    CustomRule rule = (CustomRule) y.attributes();
    Map<Node, Node> given = new IdentityHashMap<>();
    for (int k = 0; k < rule.params().size(); k++) {
      given.put(rule.params().get(k), y.input(k + 1));
    }
    given.put(rule.upstream(), g);
    return GraphCopy.copy(rule.template(), G, List.of(rule.gradients().get(i - 1)), given, null)
        .get(0);
  }

  /** The gradients of conv2d(x, W, b) with respect to x, W and b. */
  private static Node conv2d(Graph G, Node.Apply y, Node g, int i) {
    Node x = y.input(0);
    Node w = y.input(1);
    return switch (i) {
      case 0 -> G.apply(Op.CONV2D_INPUT_GRAD, 0, y.attributes(), x.shape(), y.origin(), g, w);
      case 1 -> G.apply(Op.CONV2D_WEIGHT_GRAD, 0, y.attributes(), w.shape(), y.origin(), x, g);
      default -> {
        // db[c] = sum over positions of g[c, ., .]: g seen as [C, OH * OW], summed along axis 1
        Shape s = g.shape();
        Node rows = G.reshape(g, Shape.of(s.dim(0), s.dim(1) * s.dim(2)));
        yield G.apply(Op.SUM, 1, null, y.origin(), rows);
      }
    };
  }

  /** conv2d(x, w) without bias, with the settings of the convolution op {@code like}. */
  private static Node convolve(Graph G, Node.Apply like, Node x, Node w) {
    Node zero = G.constant(0, Shape.of(w.shape().dim(0)));
    return G.apply(Op.CONV2D, 0, like.attributes(), null, like.origin(), x, w, zero);
  }

  private Derivatives() {}

  /** The name of the rule differentiating {@code y}, for comments: its op's, or a stated one. */
  public static String gate(Node.Apply y) {
    return y.attributes() instanceof CustomRule rule ? rule.gate() : of(y.op()).gate();
  }

  /** The rule for {@code op}; every op has one (forward-only ops have a rule giving nothing). */
  public static Entry of(Op op) {
    Entry entry = TABLE.get(op);
    if (entry == null) {
      throw new IllegalStateException("no derivative rule for " + op);
    }
    return entry;
  }

  /** The whole table, for tests. */
  public static Map<Op, Entry> table() {
    return Collections.unmodifiableMap(TABLE);
  }
}
