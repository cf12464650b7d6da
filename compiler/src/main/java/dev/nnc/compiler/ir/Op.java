package dev.nnc.compiler.ir;

import dev.nnc.runtime.NnMath;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * The operations of the derivative graph, each with its own description: its {@link Kind}, arity,
 * the name a {@code .nn} program calls it by, which inputs receive a gradient, and for elementwise
 * ops the scalar function that computes one element (generated code calls the {@link NnMath}
 * method of that name, the interpreter the same method through a reference, so both agree to the
 * bit). The checker's built-in table, the emitter and the interpreter derive the elementwise case
 * from this description; see docs/adding-an-op.md. Elementwise binary operations broadcast a
 * scalar or a trailing shape against the other operand. {@code attr} of a node carries an axis or
 * an offset where the operation says so.
 */
public enum Op {
  // ---- elementwise, one input ----
  NEG(prefix("-", x -> -x)),
  EXP(call("exp", NnMath::exp)),
  LOG(call("log", NnMath::log)),
  SQRT(call("sqrt", NnMath::sqrt)),
  ABS(call("abs", NnMath::abs)),
  SIN(call("sin", NnMath::sin)),
  COS(call("cos", NnMath::cos)),
  TAN(call("tan", NnMath::tan)),
  TANH(call("tanh", NnMath::tanh)),
  SIGMOID(call("sigmoid", NnMath::sigmoid)),
  RELU(call("relu", NnMath::relu)),
  SOFTPLUS(call("softplus", NnMath::softplus)),
  /** gelu(x) = x * Phi(x), Phi the standard normal distribution function (the exact form). */
  GELU(call("gelu", NnMath::gelu)),
  /** Phi(x), the standard normal distribution function: in the derivative of gelu. */
  NORMAL_CDF(call("normal_cdf", NnMath::normalCdf).java("normalCdf").internal()),
  /** silu(x) = x * sigmoid(x), also called swish. */
  SILU(call("silu", NnMath::silu)),
  /** Forward-only: -1, 0 or 1. */
  SIGN(call("sign", NnMath::signum).java("signum").forwardOnly()),
  /** Forward-only. */
  FLOOR(call("floor", NnMath::floor).forwardOnly()),
  /** 1 where x > 0, else 0: the derivative of relu. Forward-only; not callable from .nn. */
  STEP(call("step", NnMath::step).internal().forwardOnly()),

  // ---- elementwise, two inputs (broadcasting) ----
  ADD(infix("+", (x, y) -> x + y)),
  SUB(infix("-", (x, y) -> x - y)),
  MUL(infix("*", (x, y) -> x * y)),
  DIV(infix("/", (x, y) -> x / y)),
  POW(binary("^", "pow", NnMath::pow)),
  MAX(binary("max", "max", NnMath::max)),
  MIN(binary("min", "min", NnMath::min)),
  /** leaky_relu(x, alpha) = x if x > 0 else alpha * x. */
  LEAKY_RELU(binary("leaky_relu", "leakyRelu", NnMath::leakyRelu)),

  // ---- comparisons: 1 or 0, no gradient ----
  LT(comparison("<", (x, y) -> x < y ? 1 : 0)),
  LE(comparison("<=", (x, y) -> x <= y ? 1 : 0)),
  GT(comparison(">", (x, y) -> x > y ? 1 : 0)),
  GE(comparison(">=", (x, y) -> x >= y ? 1 : 0)),
  EQ(comparison("==", (x, y) -> x == y ? 1 : 0)),
  NE(comparison("!=", (x, y) -> x != y ? 1 : 0)),
  /** where(c, a, b): a where c is nonzero, else b. The condition receives no gradient. */
  WHERE(new Spec(Kind.SELECT, "where", 3).noGradientTo(0)),

  // ---- reductions over axis {@code attr}, or over everything when attr is -1 ----
  /** Sum over axis {@code attr}, or over everything when attr is -1. */
  SUM(reduction("sum")),
  /** Max over axis {@code attr} (or everything); the gradient goes to the first maximum. */
  MAX_REDUCE(reduction("max")),
  /** Stable log(sum(exp(x))) over axis {@code attr} (or everything). */
  LOGSUMEXP(reduction("logsumexp")),

  // ---- structure ----
  /** Matrix product with the four rank cases of LANGUAGE.md. */
  MATMUL(structural("@", 2)),
  /** outer(a, b)[i, j] = a[i] * b[j]: the gradient of a matrix-vector product. */
  OUTER(structural("outer", 2)),
  /** Transpose of a matrix. */
  TRANSPOSE(structural("transpose", 1)),
  /**
   * Repeats the input to the node's shape: attr -1 when the input's shape is a trailing part of
   * it, attr k when the input lacks axis k.
   */
  BROADCAST(structural("broadcast", 1)),
  /** Sums the input down to the node's shape (the inverse of BROADCAST). */
  SUM_TO(structural("sum_to", 1)),
  /** Stable softmax over the last axis. */
  SOFTMAX(structural("softmax", 1)),
  /** 1 at the first maximum along axis {@code attr} (or of everything), 0 elsewhere. */
  ARGMAX_MASK(structural("argmax_mask", 1).forwardOnly()),
  /** Index of the maximum over the last axis. Forward-only. */
  ARGMAX(structural("argmax", 1).forwardOnly()),
  /** The contiguous block at flat offset {@code attr} with the node's shape: constant indexing. */
  SLICE(structural("slice", 1)),
  /** Zeros of the node's shape with the input placed at flat offset {@code attr}. */
  EMBED(structural("embed", 1)),
  /** pick(x, k): element k (a runtime class index) of the vector x; k receives no gradient. */
  PICK(structural("pick", 2).noGradientTo(1)),
  /** onehot(g, k): zeros of the node's shape with g at index k; k receives no gradient. */
  ONEHOT(structural("onehot", 2).noGradientTo(1)),
  /**
   * A call of a function whose derivative the user stated ({@code grad(g) = ...}): input 0 is
   * the inlined body (its value is the node's value, and it receives no gradient), inputs 1..n
   * are the arguments, and the {@link CustomRule} attributes hold the stated rule. Any number of
   * inputs; not callable from {@code .nn}. The derivative phase replaces it by its body once
   * every derivative is taken.
   */
  CUSTOM(structural("custom", -1).noGradientTo(0).attributes(CustomRule.class)),

  // ---- convolutional networks: per-example images [C, H, W], channels first ----
  /**
   * conv2d(x, W, b): the cross-correlation of x [C_in, H, W] with W [C_out, C_in, kh, kw] plus
   * b [C_out] per output channel (a zero constant when the call has no bias), with the
   * {@link Conv} stride and padding: [C_out, OH, OW].
   */
  CONV2D(structural("conv2d", 3).attributes(Conv.class)),
  /**
   * conv2d_input_grad(g, W): the gradient of conv2d with respect to x for the upstream g, of the
   * node's shape (x's, which the floor in the output size does not determine).
   */
  CONV2D_INPUT_GRAD(structural("conv2d_input_grad", 2).attributes(Conv.class)),
  /**
   * conv2d_weight_grad(x, g): the gradient of conv2d with respect to W for one example, of the
   * node's shape (W's). In a model it is summed over the batch by one kernel call.
   */
  CONV2D_WEIGHT_GRAD(structural("conv2d_weight_grad", 2).attributes(Conv.class)),
  /** max_pool2d(x): the maximum of each {@link Pooling} window of each channel. */
  MAX_POOL2D(structural("max_pool2d", 1).attributes(Pooling.class)),
  /**
   * max_pool2d_grad(x, g): zeros of x's shape with each window's g added at the window's first
   * maximum in row-major order (the gradient of max_pool2d); x receives no gradient.
   */
  MAX_POOL2D_GRAD(structural("max_pool2d_grad", 2).attributes(Pooling.class).noGradientTo(0)),
  /**
   * max_pool2d_pick(x, h): for each window of x, the element of h (x's shape) at the window's
   * first maximum: the adjoint of max_pool2d_grad, for second derivatives; x receives none.
   */
  MAX_POOL2D_PICK(structural("max_pool2d_pick", 2).attributes(Pooling.class).noGradientTo(0)),
  /** avg_pool2d(x): the mean of each {@link Pooling} window of each channel. */
  AVG_POOL2D(structural("avg_pool2d", 1).attributes(Pooling.class)),
  /**
   * avg_pool2d_grad(g): zeros of the node's shape (the pooled input's) with each window's g
   * divided by size^2 added over the window: the gradient (and adjoint) of avg_pool2d.
   */
  AVG_POOL2D_GRAD(structural("avg_pool2d_grad", 1).attributes(Pooling.class)),
  /** The same elements in the same row-major order with the node's shape: flatten and reshape. */
  RESHAPE(structural("reshape", 1)),
  /**
   * dropout(x): in a training step, each element zeroed with probability rate and the others
   * scaled by 1 / (1 - rate), the mask drawn from the {@link Dropout} site, the training seed
   * and the step; the identity otherwise. Linear in x, so its gradient is itself.
   */
  DROPOUT(structural("dropout", 1).attributes(Dropout.class)),

  // ---- in and out of the batch ----
  /** The sum over the examples of a batch: batched input, unbatched result of the same shape. */
  BATCH_SUM(new Spec(Kind.BATCH, "batch_sum", 1)),
  /** The same value for every example: unbatched input, batched result (BATCH_SUM's inverse). */
  BATCH_BROADCAST(new Spec(Kind.BATCH, "batch_broadcast", 1));

  /** What an op computes, which decides how every phase treats it. */
  public enum Kind {
    /** Elementwise with one input: {@link #apply(double)}. */
    UNARY,
    /** Elementwise with two inputs, broadcasting: {@link #apply(double, double)}. */
    BINARY,
    /** Elementwise comparison giving 1 or 0 ({@link #apply(double, double)}); no gradient. */
    COMPARISON,
    /** Elementwise choice of {@code where}. */
    SELECT,
    /** A reduction over the axis {@code attr}, or over everything when attr is -1. */
    REDUCTION,
    /** Anything that moves, combines or indexes elements (matrix products, views, indexing). */
    STRUCTURAL,
    /** Leaves or enters the batch of examples. */
    BATCH
  }

  private final Spec spec;

  Op(Spec spec) {
    this.spec = spec;
  }

  public Kind kind() {
    return spec.kind;
  }

  /** How the op is written in {@code .nn} or in {@code nnc grad} output. */
  public String symbol() {
    return spec.symbol;
  }

  /** The number of inputs, or -1 for an op taking any number ({@link #CUSTOM}). */
  public int arity() {
    return spec.arity;
  }

  /**
   * The name of the built-in function that is exactly this op, called with {@link #arity()}
   * positional arguments and no options ({@code exp}, {@code gelu}); null for ops reached
   * otherwise (operators, internal ops, built-ins with defaults, axes or several forms).
   */
  public String builtin() {
    return spec.builtin;
  }

  /** False for forward-only ops, whose inputs receive no gradient. */
  public boolean differentiable() {
    return spec.differentiable;
  }

  /** Whether input {@code i} receives a gradient (not a where condition or a class index). */
  public boolean carriesGradient(int i) {
    return spec.differentiable && (spec.noGradient & (1 << i)) == 0;
  }

  /** Elementwise ops compute each output element from the inputs' elements at that index. */
  public boolean isElementwise() {
    return switch (spec.kind) {
      case UNARY, BINARY, COMPARISON, SELECT -> true;
      case REDUCTION, STRUCTURAL, BATCH -> false;
    };
  }

  /** Written between its operands in {@code .nn} ({@code a + b}, {@code A @ B}, {@code a < b}). */
  public boolean isInfix() {
    return spec.arity == 2 && !Character.isLetter(spec.symbol.charAt(0));
  }

  /**
   * For a unary or binary elementwise op, how generated code computes one element: the name of
   * the {@link NnMath} method it calls, or the Java operator when {@link #javaOperator()}.
   */
  public String java() {
    return spec.java;
  }

  /** True when {@link #java()} is a Java operator ({@code -x}, {@code x + y}), not a method. */
  public boolean javaOperator() {
    return spec.operator;
  }

  /** One element of a {@link Kind#UNARY} op, as generated code computes it. */
  public double apply(double x) {
    return spec.unary.applyAsDouble(x);
  }

  /** One element of a {@link Kind#BINARY} or {@link Kind#COMPARISON} op. */
  public double apply(double x, double y) {
    return spec.binary.applyAsDouble(x, y);
  }

  /** The type of this op's {@link Attributes} ({@link Attributes.None} for most ops). */
  public Class<? extends Attributes> attributes() {
    return spec.attributes;
  }

  // ---- the description of each op, built by the small factories below ----

  /** An op's description; the wither methods adjust one property for the constants above. */
  private record Spec(Kind kind, String symbol, int arity, String builtin, String java,
      boolean operator, DoubleUnaryOperator unary, DoubleBinaryOperator binary,
      boolean differentiable, int noGradient, Class<? extends Attributes> attributes) {
    Spec(Kind kind, String symbol, int arity) {
      this(kind, symbol, arity, null, null, false, null, null, true, 0, Attributes.None.class);
    }

    /** Forward-only: no input receives a gradient. */
    Spec forwardOnly() {
      return new Spec(kind, symbol, arity, builtin, java, operator, unary, binary, false,
          noGradient, attributes);
    }

    /** Input {@code i} receives no gradient. */
    Spec noGradientTo(int i) {
      return new Spec(kind, symbol, arity, builtin, java, operator, unary, binary, differentiable,
          noGradient | 1 << i, attributes);
    }

    /** Not callable from {@code .nn} (made by derivative rules only). */
    Spec internal() {
      return new Spec(kind, symbol, arity, null, java, operator, unary, binary, differentiable,
          noGradient, attributes);
    }

    /** Callable from {@code .nn} by its symbol with {@link #arity} positional arguments. */
    Spec callable() {
      return new Spec(kind, symbol, arity, symbol, java, operator, unary, binary, differentiable,
          noGradient, attributes);
    }

    /** Nodes of this op carry settings of record type {@code type}. */
    Spec attributes(Class<? extends Attributes> type) {
      return new Spec(kind, symbol, arity, builtin, java, operator, unary, binary, differentiable,
          noGradient, type);
    }

    /** Generated code calls the NnMath method {@code name}, not the one named as the op. */
    Spec java(String name) {
      return new Spec(kind, symbol, arity, builtin, name, operator, unary, binary, differentiable,
          noGradient, attributes);
    }
  }

  /** A unary built-in {@code name(x)} computed by the NnMath method of the same name. */
  private static Spec call(String name, DoubleUnaryOperator f) {
    return new Spec(Kind.UNARY, name, 1, name, name, false, f, null, true, 0,
        Attributes.None.class);
  }

  /** A unary operator written before its operand. */
  private static Spec prefix(String operator, DoubleUnaryOperator f) {
    return new Spec(Kind.UNARY, operator, 1, null, operator, true, f, null, true, 0,
        Attributes.None.class);
  }

  /** A binary operator, written the same in {@code .nn} and Java. */
  private static Spec infix(String operator, DoubleBinaryOperator f) {
    return new Spec(Kind.BINARY, operator, 2, null, operator, true, null, f, true, 0,
        Attributes.None.class);
  }

  /** A binary op written {@code symbol} in {@code .nn}, computed by NnMath's {@code java}. */
  private static Spec binary(String symbol, String java, DoubleBinaryOperator f) {
    return new Spec(Kind.BINARY, symbol, 2, null, java, false, null, f, true, 0,
        Attributes.None.class);
  }

  /** A comparison, written the same in {@code .nn} and Java; forward-only. */
  private static Spec comparison(String operator, DoubleBinaryOperator f) {
    return new Spec(Kind.COMPARISON, operator, 2, null, operator, true, null, f, false, 0,
        Attributes.None.class);
  }

  private static Spec reduction(String symbol) {
    return new Spec(Kind.REDUCTION, symbol, 1);
  }

  private static Spec structural(String symbol, int arity) {
    return new Spec(Kind.STRUCTURAL, symbol, arity);
  }
}
