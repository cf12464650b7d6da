package dev.nnc.compiler.ir;

/**
 * The operations of the derivative graph. Elementwise binary operations broadcast a scalar or a
 * trailing shape against the other operand. {@code attr} of a node carries an axis or an offset
 * where the operation says so.
 */
public enum Op {
  // elementwise, one input
  NEG("-", 1, true),
  EXP("exp", 1, true),
  LOG("log", 1, true),
  SQRT("sqrt", 1, true),
  ABS("abs", 1, true),
  SIN("sin", 1, true),
  COS("cos", 1, true),
  TAN("tan", 1, true),
  TANH("tanh", 1, true),
  SIGMOID("sigmoid", 1, true),
  RELU("relu", 1, true),
  SOFTPLUS("softplus", 1, true),
  /** Forward-only: -1, 0 or 1. */
  SIGN("sign", 1, false),
  /** Forward-only. */
  FLOOR("floor", 1, false),
  /** 1 where x > 0, else 0: the derivative of relu. Forward-only. */
  STEP("step", 1, false),

  // elementwise, two inputs (broadcasting)
  ADD("+", 2, true),
  SUB("-", 2, true),
  MUL("*", 2, true),
  DIV("/", 2, true),
  POW("^", 2, true),
  MAX("max", 2, true),
  MIN("min", 2, true),
  /** leaky_relu(x, alpha) = x if x > 0 else alpha * x. */
  LEAKY_RELU("leaky_relu", 2, true),
  // comparisons: 1 or 0, no gradient
  LT("<", 2, false),
  LE("<=", 2, false),
  GT(">", 2, false),
  GE(">=", 2, false),
  EQ("==", 2, false),
  NE("!=", 2, false),
  /** where(c, a, b): a where c is nonzero, else b. */
  WHERE("where", 3, true),

  // structure
  /** Matrix product with the four rank cases of LANGUAGE.md. */
  MATMUL("@", 2, true),
  /** outer(a, b)[i, j] = a[i] * b[j]: the gradient of a matrix-vector product. */
  OUTER("outer", 2, true),
  /** Transpose of a matrix. */
  TRANSPOSE("transpose", 1, true),
  /**
   * Repeats the input to the node's shape: attr -1 when the input's shape is a trailing part of
   * it, attr k when the input lacks axis k.
   */
  BROADCAST("broadcast", 1, true),
  /** Sums the input down to the node's shape (the inverse of BROADCAST). */
  SUM_TO("sum_to", 1, true),
  /** Sum over axis {@code attr}, or over everything when attr is -1. */
  SUM("sum", 1, true),
  /** Max over axis {@code attr} (or everything); the gradient goes to the first maximum. */
  MAX_REDUCE("max", 1, true),
  /** Stable log(sum(exp(x))) over axis {@code attr} (or everything). */
  LOGSUMEXP("logsumexp", 1, true),
  /** Stable softmax over the last axis. */
  SOFTMAX("softmax", 1, true),
  /** 1 at the first maximum along axis {@code attr} (or of everything), 0 elsewhere. */
  ARGMAX_MASK("argmax_mask", 1, false),
  /** Index of the maximum over the last axis. Forward-only. */
  ARGMAX("argmax", 1, false),
  /** The contiguous block at flat offset {@code attr} with the node's shape: constant indexing. */
  SLICE("slice", 1, true),
  /** Zeros of the node's shape with the input placed at flat offset {@code attr}. */
  EMBED("embed", 1, true),
  /** pick(x, k): element k (a runtime class index) of the vector x. */
  PICK("pick", 2, true),
  /** onehot(g, k): zeros of the node's shape with g at index k. */
  ONEHOT("onehot", 2, true),
  /** The sum over the examples of a batch: batched input, unbatched result of the same shape. */
  BATCH_SUM("batch_sum", 1, true),
  /** The same value for every example: unbatched input, batched result (the inverse of BATCH_SUM). */
  BATCH_BROADCAST("batch_broadcast", 1, true);

  private final String symbol;
  private final int arity;
  private final boolean differentiable;

  Op(String symbol, int arity, boolean differentiable) {
    this.symbol = symbol;
    this.arity = arity;
    this.differentiable = differentiable;
  }

  /** How the op is written in {@code .nn} or in {@code nnc grad} output. */
  public String symbol() {
    return symbol;
  }

  public int arity() {
    return arity;
  }

  /** False for forward-only ops, whose inputs receive no gradient. */
  public boolean differentiable() {
    return differentiable;
  }

  /** Whether input {@code i} receives a gradient (not a where condition or a class index). */
  public boolean carriesGradient(int i) {
    return switch (this) {
      case WHERE -> i > 0;
      case PICK, ONEHOT -> i == 0;
      default -> differentiable;
    };
  }

  public boolean isElementwise() {
    return ordinal() <= WHERE.ordinal();
  }

  public boolean isInfix() {
    return this == ADD || this == SUB || this == MUL || this == DIV || this == POW
        || this == MATMUL || (ordinal() >= LT.ordinal() && ordinal() <= NE.ordinal());
  }
}
