package dev.nnc.compiler.emit;

import com.palantir.javapoet.CodeBlock;
import dev.nnc.compiler.ir.ElementType;
import dev.nnc.compiler.ir.Node;
import dev.nnc.compiler.ir.Op;
import dev.nnc.compiler.ir.Shape;
import java.util.function.Function;

/**
 * The Java text of each op: element expressions for elementwise ops, and loops with constant
 * bounds for structural ops. Transposes, broadcasts and constant slices are views: they are never
 * materialized, their consumers index the underlying array in the needed order.
 */
final class Code {
  private final ElementType type;
  private final java.util.Set<Node> intVars;
  /** Values held in a local variable of a fused loop, for the loop's current element. */
  private final java.util.Set<Node> locals;
  /** The kernels of a model's convolutions and poolings; null in functions. */
  private final ConvKernels kernels;
  /** The convolution and pooling ops' text. */
  private final ConvCode conv;

  Code(ElementType type) {
    this(type, java.util.Set.of());
  }

  /** {@code intVars}: variables stored as int (class labels), read as indices without a cast. */
  Code(ElementType type, java.util.Set<Node> intVars) {
    this(type, intVars, java.util.Set.of(), null);
  }

  private Code(ElementType type, java.util.Set<Node> intVars, java.util.Set<Node> locals,
      ConvKernels kernels) {
    this.type = type;
    this.intVars = intVars;
    this.locals = locals;
    this.kernels = kernels;
    this.conv = new ConvCode(this, kernels);
  }

  /** The same code, reading {@code locals} as local variables (inside a fused loop). */
  Code withLocals(java.util.Set<Node> locals) {
    return new Code(type, intVars, locals, kernels);
  }

  /**
   * The same code for a model's statements, calling the runtime kernels {@code kernels} chose
   * for its convolutions and poolings (and drawing dropout masks in its training steps).
   */
  Code withKernels(ConvKernels kernels) {
    return new Code(type, intVars, locals, kernels);
  }

  /** Ops that are index remappings of their input and get no storage of their own. */
  static boolean isView(Op op) {
    return op == Op.TRANSPOSE || op == Op.BROADCAST || op == Op.SLICE || op == Op.BATCH_BROADCAST
        || op == Op.RESHAPE;
  }

  /**
   * Views and, inside a batch, outer products and convolution weight gradients: the batch sum
   * that reads one computes it (a kernel call, or an outer product read element by element).
   */
  static boolean isView(Node.Apply a) {
    return isView(a.op()) || (a.op() == Op.OUTER || a.op() == Op.CONV2D_WEIGHT_GRAD)
        && a.batched();
  }

  private String t() {
    return type.javaName();
  }

  /** The Java element type, {@code float} or {@code double}. */
  String elementType() {
    return type.javaName();
  }

  /** A literal of the element type. */
  String lit(double v) {
    // NaN and infinities as constant expressions: a .nn name Double or Float would obscure
    // Double.NaN
    if (Double.isNaN(v)) {
      return type == ElementType.F32 ? "(0.0f / 0.0f)" : "(0.0 / 0.0)";
    }
    if (Double.isInfinite(v)) {
      String one = type == ElementType.F32 ? "1.0f" : "1.0";
      String zero = type == ElementType.F32 ? "0.0f" : "0.0";
      return "(" + (v > 0 ? "" : "-") + one + " / " + zero + ")";
    }
    String text = type == ElementType.F32 ? Float.toString((float) v) + "f" : Double.toString(v);
    return v < 0 || (v == 0 && 1 / v < 0) ? "(" + text + ")" : text;
  }

  /** Element {@code index} of node {@code n}, following views down to stored arrays. */
  String at(Node n, String index, Function<Node, String> name) {
    if (n instanceof Node.Const c) {
      return lit(c.value());
    }
    if (n instanceof Node.Apply a && isView(a)) {
      Node x = a.input(0);
      switch (a.op()) {
        case BATCH_BROADCAST:
        case RESHAPE:
          return at(x, index, name);
        case CONV2D_WEIGHT_GRAD:
          throw new IllegalStateException("a batched weight gradient is read by its batch sum");
        case OUTER: {
          int cols = a.input(1).shape().size();
          return "(" + at(x, Ix.div(index, cols), name) + " * "
              + at(a.input(1), Ix.mod(index, cols), name) + ")";
        }
        case TRANSPOSE: {
          int rows = x.shape().dim(0);
          int cols = x.shape().dim(1);
          // result [cols, rows]: element (r, c) is x[c, r]
          String r = Ix.div(index, rows);
          String c = Ix.mod(index, rows);
          return at(x, Ix.add(Ix.mul(c, cols), r), name);
        }
        case BROADCAST: {
          if (a.attr() == -1) {
            return at(x, x.shape().size() == 1 ? "0" : Ix.mod(index, x.shape().size()), name);
          }
          int[] aks = axis(a.shape(), a.attr());
          String outer = Ix.div(index, aks[1] * aks[2]);
          return at(x, Ix.add(Ix.mul(outer, aks[2]), Ix.mod(index, aks[2])), name);
        }
        default:
          return at(x, Ix.add(Ix.of(a.attr()), index), name);
      }
    }
    if (locals.contains(n)) {
      return name.apply(n);
    }
    return ref(n, name.apply(n), index);
  }

  /**
   * Element {@code index} of stored node {@code n} called {@code name}: inside the batch loop a
   * batched node's example {@code b} starts at {@code b * size}. A scalar is its name (for a
   * batched scalar the name function already says {@code name[b]}).
   */
  static String ref(Node n, String name, String index) {
    if (n.shape().isScalar()) {
      return name;
    }
    return name + "[" + (n.batched() ? Ix.add(Ix.mul("b", n.shape().size()), index) : index) + "]";
  }

  /** Fills node {@code n}'s storage (this example's part, when batched) with zeros. */
  void zero(CodeBlock.Builder b, Node n, String out) {
    if (n.batched()) {
      int size = n.shape().size();
      b.addStatement("fill($L, $L, $L, $L)", out, Ix.mul("b", size),
          Ix.mul(Ix.add("b", "1"), size), lit(0));
    } else {
      b.addStatement("fill($L, $L)", out, lit(0));
    }
  }

  /** Element (row, col) of a matrix node, reading transposes in place. */
  String at2(Node n, String row, String col, Function<Node, String> name) {
    if (n instanceof Node.Apply a && a.op() == Op.TRANSPOSE) {
      return at2(a.input(0), col, row, name);
    }
    int cols = n.shape().dim(1);
    return at(n, Ix.add(Ix.mul(row, cols), col), name);
  }

  /** [outer, length, inner] sizes around {@code axis}; axis -1 means all elements. */
  static int[] axis(Shape shape, int axis) {
    if (axis == -1) {
      return new int[] {1, shape.size(), 1};
    }
    int outer = 1;
    int inner = 1;
    for (int i = 0; i < axis; i++) {
      outer *= shape.dim(i);
    }
    for (int i = axis + 1; i < shape.rank(); i++) {
      inner *= shape.dim(i);
    }
    return new int[] {outer, shape.dim(axis), inner};
  }

  /**
   * The statements computing node {@code a}. {@code declare}: the node is a scalar local to be
   * declared here; otherwise it is assigned (a field or an array element).
   */
  CodeBlock statement(Node.Apply a, Function<Node, String> name, boolean declare, boolean array) {
    if (!a.batched() && a.op() != Op.BATCH_SUM) {
      return perExample(a, name, declare);
    }
    CodeBlock.Builder b = CodeBlock.builder();
    CodeBlock kernel = conv.batch(a, name);
    if (kernel == null) {
      kernel = gemm(a, name);
    }
    if (kernel != null) {
      return kernel;
    }
    if (a.op() == Op.BATCH_SUM) {
      batchSum(b, a, name);
      return b.build();
    }
    b.beginControlFlow("for (int b = 0; b < n; b++)");
    b.add(perExample(a, name, false));
    b.endControlFlow();
    return b.build();
  }

  private static final com.palantir.javapoet.ClassName GEMM =
      com.palantir.javapoet.ClassName.get("dev.nnc.runtime.kernels", "Gemm");

  /**
   * A node whose values sit in one array from index 0 (not a view, or a reshape of such a node):
   * a kernel can read it.
   */
  private static boolean stored(Node n) {
    return ConvKernels.storage(n) != null;
  }

  /** The array holding a {@link #stored} node's values. */
  private static String array(Node n, Function<Node, String> name) {
    return name.apply(ConvKernels.storage(n));
  }

  /**
   * A matrix product over the whole batch as one call of the runtime's f32 kernels, or null:
   * {@code x @ W} is {@code X·W}, {@code g @ Wᵀ} is {@code G·Wᵀ}, {@code W @ x} is {@code X·Wᵀ},
   * and the weight gradient {@code batch_sum(outer(x, g))} is {@code Xᵀ·G}.
   */
  private CodeBlock gemm(Node.Apply a, Function<Node, String> name) {
    if (type != ElementType.F32) {
      return null;
    }
    String out = name.apply(a);
    if (a.op() == Op.MATMUL && a.batched()) {
      Node l = a.input(0);
      Node r = a.input(1);
      if (l.batched() && l.shape().rank() == 1 && !r.batched() && r.shape().rank() == 2) {
        int k = r.shape().dim(0);
        int cols = r.shape().dim(1);
        if (stored(l) && stored(r)) {
          return CodeBlock.builder().addStatement("$T.nn(n, $L, $L, $L, 0, $L, 0, $L, 0, false)",
              GEMM, cols, k, array(l, name), array(r, name), out).build();
        }
        if (stored(l) && r instanceof Node.Apply t && t.op() == Op.TRANSPOSE && stored(t.input(0))) {
          return CodeBlock.builder().addStatement("$T.nt(n, $L, $L, $L, 0, $L, 0, $L, 0, false)",
              GEMM, cols, k, array(l, name), array(t.input(0), name), out).build();
        }
      }
      if (!l.batched() && l.shape().rank() == 2 && r.batched() && r.shape().rank() == 1
          && stored(l) && stored(r)) {
        int rows = l.shape().dim(0);
        int k = l.shape().dim(1);
        return CodeBlock.builder().addStatement("$T.nt(n, $L, $L, $L, 0, $L, 0, $L, 0, false)",
            GEMM, rows, k, array(r, name), array(l, name), out).build();
      }
    }
    if (isWeightGradient(a)) {
      Node.Apply o = (Node.Apply) a.input(0);
      int rows = o.input(0).shape().size();
      int cols = o.input(1).shape().size();
      return CodeBlock.builder().addStatement("$T.tn($L, $L, n, $L, 0, $L, 0, $L, 0, false)",
          GEMM, rows, cols, array(o.input(0), name), array(o.input(1), name), out).build();
    }
    return null;
  }

  /** A weight gradient {@code batch_sum(outer(x, g))} that {@link #gemm} computes as Xᵀ·G. */
  boolean isWeightGradient(Node n) {
    if (conv.isWeightGradient(n)) {
      return true;
    }
    return type == ElementType.F32 && n instanceof Node.Apply a && a.op() == Op.BATCH_SUM
        && a.input(0) instanceof Node.Apply o && o.op() == Op.OUTER && stored(o.input(0))
        && stored(o.input(1)) && o.input(0).batched() && o.input(1).batched();
  }

  /**
   * The plain SGD step {@code weights += −rate · Xᵀ·G} for a node {@link #isWeightGradient}: the
   * product that would compute the gradient updates the weights instead.
   */
  CodeBlock sgdStep(Node.Apply a, Function<Node, String> name, String weights, String rate) {
    if (conv.isWeightGradient(a)) {
      return conv.sgdStep(a, name, weights, rate);
    }
    Node.Apply o = (Node.Apply) a.input(0);
    return CodeBlock.builder().addStatement("$T.tnUpdate($L, $L, n, $L, 0, $L, 0, $L, 0, -$L)",
        GEMM, o.input(0).shape().size(), o.input(1).shape().size(), array(o.input(0), name),
        array(o.input(1), name), weights, rate).build();
  }

  /** sum over the batch: out[i] = sum_b x[b][i]; an outer product is summed without storing it. */
  private void batchSum(CodeBlock.Builder b, Node.Apply a, Function<Node, String> name) {
    Node x = a.input(0);
    String out = name.apply(a);
    int size = a.shape().size();
    if (a.shape().isScalar()) {
      b.addStatement("$L = $L", out, lit(0));
    } else {
      b.addStatement("fill($L, $L)", out, lit(0));
    }
    b.beginControlFlow("for (int b = 0; b < n; b++)");
    if (x instanceof Node.Apply w && w.op() == Op.CONV2D_WEIGHT_GRAD) {
      conv.loops(b, w, out, name, true);
    } else if (x instanceof Node.Apply o && o.op() == Op.OUTER) {
      int rows = o.input(0).shape().size();
      int cols = o.input(1).shape().size();
      b.beginControlFlow("for (int i = 0; i < $L; i++)", rows);
      b.addStatement("$L scale = $L", t(), at(o.input(0), "i", name));
      b.beginControlFlow("for (int j = 0; j < $L; j++)", cols);
      b.addStatement("$L[i * $L + j] += scale * $L", out, cols, at(o.input(1), "j", name));
      b.endControlFlow();
      b.endControlFlow();
    } else if (a.shape().isScalar()) {
      b.addStatement("$L += $L", out, at(x, "0", name));
    } else {
      b.beginControlFlow("for (int i = 0; i < $L; i++)", size);
      b.addStatement("$L[i] += $L", out, at(x, "i", name));
      b.endControlFlow();
    }
    b.endControlFlow();
  }

  /** The statements computing one example of node {@code a} (or all of it, when unbatched). */
  private CodeBlock perExample(Node.Apply a, Function<Node, String> name, boolean declare) {
    CodeBlock.Builder b = CodeBlock.builder();
    String out = name.apply(a);
    String decl = declare ? t() + " " + out : out;
    Op op = a.op();
    switch (op.kind()) {
      case UNARY, BINARY, COMPARISON, SELECT -> elementLoop(b, a, decl, out, name);
      case REDUCTION -> reduce(b, a, decl, out, name);
      case STRUCTURAL -> structural(b, a, decl, out, name);
      // statement() computes a batch sum over all examples; a batch broadcast is a view
      case BATCH -> throw new IllegalStateException(op + " is not computed per example");
    }
    return b.build();
  }

  /** One element expression per element of {@code a} (a loop unless it is a scalar). */
  private void elementLoop(CodeBlock.Builder b, Node.Apply a, String decl, String out,
      Function<Node, String> name) {
    if (a.shape().isScalar()) {
      b.addStatement("$L = $L", decl, element(a, "0", name));
    } else {
      b.beginControlFlow("for (int i = 0; i < $L; i++)", a.shape().size());
      b.addStatement("$L = $L", ref(a, out, "i"), element(a, "i", name));
      b.endControlFlow();
    }
  }

  private void structural(CodeBlock.Builder b, Node.Apply a, String decl, String out,
      Function<Node, String> name) {
    Op op = a.op();
    switch (op) {
      case PICK -> elementLoop(b, a, decl, out, name);
      case MATMUL -> matmul(b, a, decl, out, name);
      case OUTER -> {
        int m = a.input(0).shape().size();
        int k = a.input(1).shape().size();
        b.beginControlFlow("for (int i = 0; i < $L; i++)", m);
        b.beginControlFlow("for (int j = 0; j < $L; j++)", k);
        b.addStatement("$L = $L * $L", ref(a, out, "i * " + k + " + j"), at(a.input(0), "i", name),
            at(a.input(1), "j", name));
        b.endControlFlow();
        b.endControlFlow();
      }
      case SUM_TO -> {
        int n = a.shape().size();
        zero(b, a, out);
        b.beginControlFlow("for (int i = 0; i < $L; i++)", a.input(0).shape().size());
        b.addStatement("$L += $L", ref(a, out, Ix.mod("i", n)), at(a.input(0), "i", name));
        b.endControlFlow();
      }
      case ARGMAX_MASK -> {
        int[] s = axis(a.shape(), a.attr());
        zero(b, a, out);
        b.beginControlFlow("for (int o = 0; o < $L; o++)", s[0]);
        b.beginControlFlow("for (int j = 0; j < $L; j++)", s[2]);
        b.addStatement("int best = 0");
        b.beginControlFlow("for (int k = 1; k < $L; k++)", s[1]);
        b.beginControlFlow("if ($L > $L)", at(a.input(0), flat(s, "o", "k", "j"), name),
            at(a.input(0), flat(s, "o", "best", "j"), name));
        b.addStatement("best = k");
        b.endControlFlow();
        b.endControlFlow();
        b.addStatement("$L = $L", ref(a, out, flat(s, "o", "best", "j")), lit(1));
        b.endControlFlow();
        b.endControlFlow();
      }
      case SOFTMAX -> softmax(b, a, out, name);
      case ARGMAX -> {
        Shape xs = a.input(0).shape();
        int k = xs.dim(xs.rank() - 1);
        int rows = xs.size() / k;
        String target = ref(a, out, "r");
        if (a.shape().isScalar() && !decl.equals(out)) {
          b.addStatement("$L", decl);
        }
        if (rows > 1) {
          b.beginControlFlow("for (int r = 0; r < $L; r++)", rows);
        } else {
          openBlock(b);
        }
        b.addStatement("int best = 0");
        String row = rows == 1 ? "0" : "r * " + k;
        b.beginControlFlow("for (int k = 1; k < $L; k++)", k);
        b.beginControlFlow("if ($L > $L)", at(a.input(0), Ix.add(row, "k"), name),
            at(a.input(0), Ix.add(row, "best"), name));
        b.addStatement("best = k");
        b.endControlFlow();
        b.endControlFlow();
        b.addStatement("$L = best", target);
        if (rows > 1) {
          b.endControlFlow();
        } else {
          closeBlock(b);
        }
      }
      case EMBED -> {
        zero(b, a, out);
        int n = a.input(0).shape().size();
        if (n == 1) {
          b.addStatement("$L = $L", ref(a, out, Ix.of(a.attr())), at(a.input(0), "0", name));
        } else {
          b.beginControlFlow("for (int i = 0; i < $L; i++)", n);
          b.addStatement("$L = $L", ref(a, out, Ix.add(Ix.of(a.attr()), "i")), at(a.input(0), "i", name));
          b.endControlFlow();
        }
      }
      case ONEHOT -> {
        zero(b, a, out);
        b.addStatement("$L = $L", ref(a, out, classIndex(a.input(1), a.shape().size(), name)),
            at(a.input(0), "0", name));
      }
      case DROPOUT -> {
        if (kernels == null && a.shape().isScalar()) {
          // a function never trains: its dropout is the identity
          b.addStatement("$L = $L", decl, at(a.input(0), "0", name));
        } else {
          conv.loops(b, a, out, name, false);
        }
      }
      default -> {
        if (!ConvCode.handles(op)) {
          throw new IllegalStateException("no code for the structural op " + op);
        }
        conv.loops(b, a, out, name, false);
      }
    }
  }

  /**
   * The element expression of an elementwise op (or pick) at flat index {@code i}: the op's
   * Java operator or a call of its NnMath method (static import, never {@code Math.fn}: a .nn name
   * {@code Math} becomes a Java variable that would obscure the class; NnMath overloads each
   * function for float, so f32 code needs no cast).
   */
  String element(Node.Apply a, String i, Function<Node, String> name) {
    Op op = a.op();
    if (op == Op.PICK) {
      return at(a.input(0), classIndex(a.input(1), a.input(0).shape().size(), name), name);
    }
    String x = operand(a, 0, i, name);
    return switch (op.kind()) {
      case UNARY -> op.javaOperator() ? op.java() + x : op.java() + "(" + x + ")";
      case BINARY -> op.javaOperator() ? x + " " + op.java() + " " + operand(a, 1, i, name)
          : op.java() + "(" + x + ", " + operand(a, 1, i, name) + ")";
      case COMPARISON -> x + " " + op.java() + " " + operand(a, 1, i, name) + " ? " + lit(1)
          + " : " + lit(0);
      case SELECT -> x + " != " + lit(0) + " ? " + operand(a, 1, i, name) + " : "
          + operand(a, 2, i, name);
      case REDUCTION, STRUCTURAL, BATCH -> throw new IllegalStateException("not elementwise: " + op);
    };
  }

  /** Input {@code k} of an elementwise node at flat index i, with broadcasting. */
  private String operand(Node.Apply a, int k, String i, Function<Node, String> name) {
    Node in = a.input(k);
    int size = in.shape().size();
    int outSize = a.shape().size();
    String index = size == outSize ? i : size == 1 ? "0" : Ix.mod(i, size);
    return at(in, index, name);
  }

  private void matmul(CodeBlock.Builder b, Node.Apply a, String decl, String out,
      Function<Node, String> name) {
    Node l = a.input(0);
    Node r = a.input(1);
    int k = l.shape().dim(l.shape().rank() - 1);
    String zero = lit(0);
    if (l.shape().rank() == 1 && r.shape().rank() == 1) {
      if (!decl.equals(out)) {
        b.addStatement("$L", decl);
      }
      openBlock(b);
      b.addStatement("$L $L = $L", t(), "sum", zero);
      b.beginControlFlow("for (int p = 0; p < $L; p++)", k);
      b.addStatement("sum += $L * $L", at(l, "p", name), at(r, "p", name));
      b.endControlFlow();
      b.addStatement("$L = sum", out);
      closeBlock(b);
      return;
    }
    boolean rightTransposed = r instanceof Node.Apply ra && ra.op() == Op.TRANSPOSE;
    boolean leftTransposed = l instanceof Node.Apply la && la.op() == Op.TRANSPOSE;
    if (l.shape().rank() == 1) {
      // [k] @ [k, n]
      int n = r.shape().dim(1);
      if (rightTransposed) {
        dotLoops(b, a, out, n, k, "j", null, at(l, "p", name), at2(r, "p", "j", name));
      } else {
        axpyLoops(b, a, out, null, n, k, "j", at(l, "p", name), at2(r, "p", "j", name));
      }
    } else if (r.shape().rank() == 1) {
      // [m, k] @ [k]
      int m = l.shape().dim(0);
      if (leftTransposed) {
        axpyLoops(b, a, out, null, m, k, "i", at(r, "p", name), at2(l, "i", "p", name));
      } else {
        dotLoops(b, a, out, m, k, "i", null, at2(l, "i", "p", name), at(r, "p", name));
      }
    } else {
      // [m, k] @ [k, n]
      int m = l.shape().dim(0);
      int n = r.shape().dim(1);
      b.beginControlFlow("for (int i = 0; i < $L; i++)", m);
      if (rightTransposed) {
        dotLoops(b, a, out, n, k, Ix.add(Ix.mul("i", n), "j"), "j", at2(l, "i", "p", name),
            at2(r, "p", "j", name));
      } else {
        axpyLoops(b, a, out, Ix.mul("i", n), n, k, "j", at2(l, "i", "p", name),
            at2(r, "p", "j", name));
      }
      b.endControlFlow();
    }
  }

  /** out[index(j)] = sum over p of left * right, for j below count: dot products. */
  private void dotLoops(CodeBlock.Builder b, Node.Apply a, String out, int count, int k,
      String index, String loopVar, String left, String right) {
    String j = loopVar == null ? (index.equals("i") ? "i" : "j") : loopVar;
    b.beginControlFlow("for (int $L = 0; $L < $L; $L++)", j, j, count, j);
    b.addStatement("$L sum = $L", t(), lit(0));
    b.beginControlFlow("for (int p = 0; p < $L; p++)", k);
    b.addStatement("sum += $L * $L", left, right);
    b.endControlFlow();
    b.addStatement("$L = sum", ref(a, out, index));
    b.endControlFlow();
  }

  /**
   * out[row + j] = sum over p of scale(p) * right(p, j), computed as scaled row additions so the
   * inner loop runs along contiguous memory.
   */
  private void axpyLoops(CodeBlock.Builder b, Node.Apply a, String out, String row, int count,
      int k, String j, String scale, String right) {
    String base = row == null ? "0" : row;
    b.beginControlFlow("for (int $L = 0; $L < $L; $L++)", j, j, count, j);
    b.addStatement("$L = $L", ref(a, out, Ix.add(base, j)), lit(0));
    b.endControlFlow();
    b.beginControlFlow("for (int p = 0; p < $L; p++)", k);
    b.addStatement("$L scale = $L", t(), scale);
    b.beginControlFlow("for (int $L = 0; $L < $L; $L++)", j, j, count, j);
    b.addStatement("$L += scale * $L", ref(a, out, Ix.add(base, j)), right);
    b.endControlFlow();
    b.endControlFlow();
  }

  private static String flat(int[] s, String o, String k, String j) {
    return Ix.add(Ix.mul(Ix.add(Ix.mul(o, s[1]), k), s[2]), j);
  }

  private void reduce(CodeBlock.Builder b, Node.Apply a, String decl, String out,
      Function<Node, String> name) {
    Node x = a.input(0);
    int[] s = axis(x.shape(), a.attr());
    boolean scalar = a.shape().isScalar();
    boolean loopsOuter = s[0] > 1 || s[2] > 1;
    if (loopsOuter) {
      b.beginControlFlow("for (int o = 0; o < $L; o++)", s[0]);
      b.beginControlFlow("for (int j = 0; j < $L; j++)", s[2]);
    }
    String o = loopsOuter ? "o" : "0";
    String j = loopsOuter ? "j" : "0";
    String elem = at(x, flat(s, o, "k", j), name);
    String target = ref(a, out, Ix.add(Ix.mul(o, s[2]), j));
    if (scalar) {
      // A block keeps the accumulators local, so several reductions can share a method.
      if (!decl.equals(out)) {
        b.addStatement("$L", decl);
      }
      openBlock(b);
    }
    switch (a.op()) {
      case SUM -> {
        b.addStatement("$L sum = $L", t(), lit(0));
        b.beginControlFlow("for (int k = 0; k < $L; k++)", s[1]);
        b.addStatement("sum += $L", elem);
        b.endControlFlow();
        b.addStatement("$L = sum", target);
      }
      case MAX_REDUCE -> {
        b.addStatement("$L max = $L", t(), at(x, flat(s, o, "0", j), name));
        b.beginControlFlow("for (int k = 1; k < $L; k++)", s[1]);
        b.addStatement("max = max($L, max)", elem);
        b.endControlFlow();
        b.addStatement("$L = max", target);
      }
      case LOGSUMEXP -> {
        // logsumexp = max + log(sum(exp(x - max))): stable for large inputs
        b.addStatement("$L max = $L", t(), at(x, flat(s, o, "0", j), name));
        b.beginControlFlow("for (int k = 1; k < $L; k++)", s[1]);
        b.addStatement("max = nanMax(max, $L)", elem);
        b.endControlFlow();
        b.addStatement("$L sum = $L", t(), lit(0));
        b.beginControlFlow("for (int k = 0; k < $L; k++)", s[1]);
        b.addStatement("sum += $L", "exp(" + elem + " - max)");
        b.endControlFlow();
        b.addStatement("$L = max + $L", target, "log(sum)");
      }
      default -> throw new IllegalStateException("no code for the reduction " + a.op());
    }
    if (loopsOuter) {
      b.endControlFlow();
      b.endControlFlow();
    }
    if (scalar) {
      closeBlock(b);
    }
  }

  private void softmax(CodeBlock.Builder b, Node.Apply a, String out, Function<Node, String> name) {
    Node x = a.input(0);
    int k = x.shape().dim(x.shape().rank() - 1);
    int rows = x.shape().size() / k;
    // softmax = exp(x - max) / sum(exp(x - max)): stable for large inputs
    if (rows > 1) {
      b.beginControlFlow("for (int r = 0; r < $L; r++)", rows);
    } else {
      openBlock(b);
    }
    String row = rows > 1 ? "r * " + k : "0";
    b.addStatement("$L max = $L", t(), at(x, row, name));
    b.beginControlFlow("for (int k = 1; k < $L; k++)", k);
    b.addStatement("max = nanMax(max, $L)", at(x, Ix.add(row, "k"), name));
    b.endControlFlow();
    b.addStatement("$L sum = $L", t(), lit(0));
    b.beginControlFlow("for (int k = 0; k < $L; k++)", k);
    b.addStatement("$L = $L", ref(a, out, Ix.add(row, "k")), "exp(" + at(x, Ix.add(row, "k"), name) + " - max)");
    b.addStatement("sum += $L", ref(a, out, Ix.add(row, "k")));
    b.endControlFlow();
    b.beginControlFlow("for (int k = 0; k < $L; k++)", k);
    b.addStatement("$L /= sum", ref(a, out, Ix.add(row, "k")));
    b.endControlFlow();
    if (rows > 1) {
      b.endControlFlow();
    } else {
      closeBlock(b);
    }
  }

  /**
   * {@code softmax(x)} and {@code logsumexp(x)} over the same rows in one pass, for every example
   * when batched: the max and the exponentials are computed once, the logsumexp is
   * {@code max + log(sum)} before the exponentials are divided by the sum. Each value is what
   * its own statement computes, bit for bit. {@code declare}: the logsumexp is a scalar local
   * to be declared here.
   */
  CodeBlock softmaxWithLogsumexp(Node.Apply softmax, Node.Apply logsumexp,
      Function<Node, String> name, boolean declare) {
    CodeBlock.Builder b = CodeBlock.builder();
    String lse = name.apply(logsumexp);
    if (declare) {
      b.addStatement("$L $L", t(), lse);
    }
    if (softmax.batched()) {
      b.beginControlFlow("for (int b = 0; b < n; b++)");
    }
    Node x = softmax.input(0);
    int k = x.shape().dim(x.shape().rank() - 1);
    int rows = x.shape().size() / k;
    String out = name.apply(softmax);
    if (rows > 1) {
      b.beginControlFlow("for (int r = 0; r < $L; r++)", rows);
    } else {
      openBlock(b);
    }
    String row = rows > 1 ? "r * " + k : "0";
    b.addStatement("$L max = $L", t(), at(x, row, name));
    b.beginControlFlow("for (int k = 1; k < $L; k++)", k);
    b.addStatement("max = nanMax(max, $L)", at(x, Ix.add(row, "k"), name));
    b.endControlFlow();
    b.addStatement("$L sum = $L", t(), lit(0));
    b.beginControlFlow("for (int k = 0; k < $L; k++)", k);
    b.addStatement("$L = $L", ref(softmax, out, Ix.add(row, "k")),
        "exp(" + at(x, Ix.add(row, "k"), name) + " - max)");
    b.addStatement("sum += $L", ref(softmax, out, Ix.add(row, "k")));
    b.endControlFlow();
    b.addStatement("$L = max + $L", ref(logsumexp, lse, rows > 1 ? "r" : "0"), "log(sum)");
    b.beginControlFlow("for (int k = 0; k < $L; k++)", k);
    b.addStatement("$L /= sum", ref(softmax, out, Ix.add(row, "k")));
    b.endControlFlow();
    if (rows > 1) {
      b.endControlFlow();
    } else {
      closeBlock(b);
    }
    if (softmax.batched()) {
      b.endControlFlow();
    }
    return b.build();
  }

  /** A bare block, so that accumulators such as sum and max stay local to one step. */
  private static void openBlock(CodeBlock.Builder b) {
    b.add("{\n").indent();
  }

  private static void closeBlock(CodeBlock.Builder b) {
    b.unindent().add("}\n");
  }

  /** A class index operand as Java int: a literal when constant. */
  /**
   * The class index {@code k} of a pick or onehot among {@code classes}: a checked constant as
   * written, else a call that rejects a value that is no integer in range with a message naming
   * the argument (a .nn parameter or label, by its name).
   */
  private String classIndex(Node k, int classes, Function<Node, String> name) {
    if (k instanceof Node.Const c) {
      return Integer.toString((int) c.value());
    }
    String what = k instanceof Node.Var v ? v.name() : "label";
    return "classIndex(" + at(k, "0", name) + ", " + classes + ", "
        + com.palantir.javapoet.CodeBlock.of("$S", JavaNames.sanitize(what)) + ")";
  }
}
