package dev.nnc.compiler.emit;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.nnc.compiler.ir.Conv;
import dev.nnc.compiler.ir.Dropout;
import dev.nnc.compiler.ir.Node;
import dev.nnc.compiler.ir.Op;
import dev.nnc.compiler.ir.Pooling;
import dev.nnc.compiler.ir.Shape;
import java.util.function.Function;

/**
 * The Java text of the convolutional-network ops: in an f32 model, one call of a runtime kernel
 * for the whole batch where {@link ConvKernels} chose one; elsewhere (f64 models, functions,
 * tensors that are not whole arrays) plain loops over one example that follow the definitions,
 * as the interpreter does. A max pooling's window maximum is its first in row-major order (or
 * its last NaN), in the loops and the kernels alike. A dropout draws its mask only in a model's
 * training step ({@code training}, {@code dropoutSeed}, {@code dropoutStep} are fields of a model
 * with dropout); in functions it is the identity.
 */
final class ConvCode {
  static final ClassName DROPOUT_MASK = ClassName.get("dev.nnc.runtime", "DropoutMask");
  static final ClassName CONV2D = ClassName.get("dev.nnc.runtime.kernels", "Conv2d");
  static final ClassName POOL2D = ClassName.get("dev.nnc.runtime.kernels", "Pool2d");

  /** The model's fields that a dropout reads (see {@link ModelEmitter}). */
  static final String TRAINING = "training";
  static final String SEED = "dropoutSeed";
  static final String STEP = "dropoutStep";

  private final Code code;
  /** The kernels of a model's statements; null in functions. */
  private final ConvKernels kernels;

  ConvCode(Code code, ConvKernels kernels) {
    this.code = code;
    this.kernels = kernels;
  }

  /** Whether {@code op} is one of the ops this class writes. */
  static boolean handles(Op op) {
    return switch (op) {
      case CONV2D, CONV2D_INPUT_GRAD, CONV2D_WEIGHT_GRAD, MAX_POOL2D, MAX_POOL2D_GRAD,
          MAX_POOL2D_PICK, AVG_POOL2D, AVG_POOL2D_GRAD, DROPOUT -> true;
      default -> false;
    };
  }

  // ---- whole-batch kernel calls (f32 models) ----

  /** The kernel call computing statement {@code a} for the whole batch, or null. */
  CodeBlock batch(Node.Apply a, Function<Node, String> name) {
    ConvKernels.Kernel k = kernels == null ? null : kernels.of(a);
    if (k == null) {
      return null;
    }
    String out = name.apply(a);
    CodeBlock.Builder b = CodeBlock.builder();
    switch (a.op()) {
      case CONV2D -> b.addStatement("$L.forward(n, $L, 0, $L, 0, $L, 0, $L, 0, $L)", k.field(),
          array(a.input(0), name), array(a.input(1), name), bias(a.input(2), name), out,
          kernels.scratch());
      case CONV2D_INPUT_GRAD -> b.addStatement("$L.backwardInput(n, $L, 0, $L, 0, $L, 0, $L)",
          k.field(), array(a.input(0), name), array(a.input(1), name), out, kernels.scratch());
      case BATCH_SUM -> {
        Node.Apply w = (Node.Apply) a.input(0);
        b.addStatement("$L.backwardWeights(n, $L, 0, $L, 0, $L, 0, null, 0, $L)", k.field(),
            array(w.input(0), name), array(w.input(1), name), out, kernels.scratch());
      }
      case MAX_POOL2D -> b.addStatement("$L.maxForward(n, $L, 0, $L, 0, $L, 0)", k.field(),
          array(a.input(0), name), out, kernels.argmax(a).field());
      case MAX_POOL2D_GRAD -> b.addStatement("$L.maxBackward(n, $L, 0, $L, 0, $L, 0)",
          k.field(), array(a.input(1), name), kernels.argmax(a).field(), out);
      case AVG_POOL2D -> b.addStatement("$L.avgForward(n, $L, 0, $L, 0)", k.field(),
          array(a.input(0), name), out);
      case AVG_POOL2D_GRAD -> b.addStatement("$L.avgBackward(n, $L, 0, $L, 0)", k.field(),
          array(a.input(0), name), out);
      default -> throw new IllegalStateException("no kernel for " + a.op());
    }
    return b.build();
  }

  /**
   * A weight gradient summed over the batch, {@code batch_sum(conv2d_weight_grad(x, g))}, that
   * runs on a kernel: the product that would compute it can update the weights instead.
   */
  boolean isWeightGradient(Node n) {
    return kernels != null && n instanceof Node.Apply a && a.op() == Op.BATCH_SUM
        && kernels.of(a) != null;
  }

  /** The plain SGD step {@code weights += -rate * dW} inside the weight-gradient kernel. */
  CodeBlock sgdStep(Node.Apply a, Function<Node, String> name, String weights, String rate) {
    Node.Apply w = (Node.Apply) a.input(0);
    return CodeBlock.builder().addStatement(
        "$L.updateWeights(n, $L, 0, $L, 0, $L, 0, null, 0, -$L, $L)", kernels.of(a).field(),
        array(w.input(0), name), array(w.input(1), name), weights, rate, kernels.scratch())
        .build();
  }

  private static String array(Node n, Function<Node, String> name) {
    return name.apply(ConvKernels.storage(n));
  }

  private static String bias(Node b, Function<Node, String> name) {
    return b instanceof Node.Const ? "null" : array(b, name);
  }

  // ---- loops over one example ----

  /**
   * The loops computing one example of {@code a} (all of it when unbatched) into {@code out};
   * {@code accumulate}: add a weight gradient into {@code out} instead of overwriting it (the
   * sum over a batch).
   */
  void loops(CodeBlock.Builder b, Node.Apply a, String out, Function<Node, String> name,
      boolean accumulate) {
    switch (a.op()) {
      case CONV2D, CONV2D_INPUT_GRAD, CONV2D_WEIGHT_GRAD -> conv(b, a, out, name, accumulate);
      case DROPOUT -> dropout(b, a, out, name);
      default -> pool(b, a, out, name);
    }
  }

  /** conv2d, its input gradient or its weight gradient: the definition's six loops. */
  private void conv(CodeBlock.Builder b, Node.Apply a, String out, Function<Node, String> name,
      boolean accumulate) {
    Conv conv = (Conv) a.attributes();
    Shape xs = a.op() == Op.CONV2D_INPUT_GRAD ? a.shape() : a.input(0).shape();
    Shape ws = a.op() == Op.CONV2D_WEIGHT_GRAD ? a.shape() : a.input(1).shape();
    int channels = xs.dim(0);
    int height = xs.dim(1);
    int width = xs.dim(2);
    int kh = ws.dim(2);
    int kw = ws.dim(3);
    int oh = conv.outSize(height, kh);
    int ow = conv.outSize(width, kw);
    String yi = Ix.add(Ix.mul(Ix.add(Ix.mul("co", oh), "oy"), ow), "ox");
    String xi = Ix.add(Ix.mul(Ix.add(Ix.mul("ci", height), "iy"), width), "ix");
    String wi = Ix.add(Ix.mul(Ix.add(Ix.mul(Ix.add(Ix.mul("co", channels), "ci"), kh), "ky"),
        kw), "kx");
    if (a.op() != Op.CONV2D && !accumulate) {
      code.zero(b, a, out);
    }
    b.beginControlFlow("for (int co = 0; co < $L; co++)", ws.dim(0));
    b.beginControlFlow("for (int oy = 0; oy < $L; oy++)", oh);
    b.beginControlFlow("for (int ox = 0; ox < $L; ox++)", ow);
    if (a.op() == Op.CONV2D) {
      b.addStatement("$L sum = $L", code.elementType(), code.at(a.input(2), "co", name));
    }
    b.beginControlFlow("for (int ci = 0; ci < $L; ci++)", channels);
    b.beginControlFlow("for (int ky = 0; ky < $L; ky++)", kh);
    b.addStatement("int iy = $L", position("oy", "ky", conv));
    if (conv.padding() > 0) {
      b.beginControlFlow("if (iy < 0 || iy >= $L)", height).addStatement("continue")
          .endControlFlow();
    }
    b.beginControlFlow("for (int kx = 0; kx < $L; kx++)", kw);
    b.addStatement("int ix = $L", position("ox", "kx", conv));
    if (conv.padding() > 0) {
      b.beginControlFlow("if (ix < 0 || ix >= $L)", width).addStatement("continue")
          .endControlFlow();
    }
    switch (a.op()) {
      case CONV2D -> b.addStatement("sum += $L * $L", code.at(a.input(0), xi, name),
          code.at(a.input(1), wi, name));
      case CONV2D_INPUT_GRAD -> b.addStatement("$L += $L * $L", Code.ref(a, out, xi),
          code.at(a.input(0), yi, name), code.at(a.input(1), wi, name));
      // the sum over a batch adds every example's gradient into the one array
      default -> b.addStatement("$L += $L * $L", accumulate ? out + "[" + wi + "]"
          : Code.ref(a, out, wi), code.at(a.input(1), yi, name), code.at(a.input(0), xi, name));
    }
    b.endControlFlow();
    b.endControlFlow();
    b.endControlFlow();
    if (a.op() == Op.CONV2D) {
      b.addStatement("$L = sum", Code.ref(a, out, yi));
    }
    b.endControlFlow();
    b.endControlFlow();
    b.endControlFlow();
  }

  /** The input row or column a kernel tap reads: {@code oy * stride + ky - padding}. */
  private static String position(String output, String tap, Conv conv) {
    String at = Ix.add(Ix.mul(output, conv.stride()), tap);
    return conv.padding() == 0 ? at : at + " - " + conv.padding();
  }

  /**
   * A pooling op or one of its gradients: a loop over the windows; max pooling finds each
   * window's first maximum (a NaN counts as larger, so the last NaN wins, as in the kernels).
   */
  private void pool(CodeBlock.Builder b, Node.Apply a, String out, Function<Node, String> name) {
    Pooling p = (Pooling) a.attributes();
    Shape xs = a.op() == Op.AVG_POOL2D_GRAD ? a.shape() : a.input(0).shape();
    int height = xs.dim(1);
    int width = xs.dim(2);
    int oh = p.outSize(height);
    int ow = p.outSize(width);
    boolean scatters = a.op() == Op.MAX_POOL2D_GRAD || a.op() == Op.AVG_POOL2D_GRAD;
    if (scatters) {
      code.zero(b, a, out);
    }
    String j = Ix.add(Ix.mul(Ix.add(Ix.mul("ci", oh), "oy"), ow), "ox");
    String area = code.lit((double) p.size() * p.size());
    b.beginControlFlow("for (int ci = 0; ci < $L; ci++)", xs.dim(0));
    b.beginControlFlow("for (int oy = 0; oy < $L; oy++)", oh);
    b.beginControlFlow("for (int ox = 0; ox < $L; ox++)", ow);
    b.addStatement("int first = $L", Ix.add(Ix.mul(Ix.add(Ix.mul("ci", height),
        Ix.mul("oy", p.stride())), width), Ix.mul("ox", p.stride())));
    String tap = Ix.add(Ix.add("first", Ix.mul("ky", width)), "kx");
    if (a.op() == Op.AVG_POOL2D || a.op() == Op.AVG_POOL2D_GRAD) {
      if (a.op() == Op.AVG_POOL2D) {
        b.addStatement("$L sum = $L", code.elementType(), code.lit(0));
      }
      b.beginControlFlow("for (int ky = 0; ky < $L; ky++)", p.size());
      b.beginControlFlow("for (int kx = 0; kx < $L; kx++)", p.size());
      if (a.op() == Op.AVG_POOL2D) {
        b.addStatement("sum += $L", code.at(a.input(0), tap, name));
      } else {
        b.addStatement("$L += $L / $L", Code.ref(a, out, tap), code.at(a.input(0), j, name),
            area);
      }
      b.endControlFlow();
      b.endControlFlow();
      if (a.op() == Op.AVG_POOL2D) {
        b.addStatement("$L = sum / $L", Code.ref(a, out, j), area);
      }
    } else {
      Node x = a.input(0);
      b.addStatement("int best = first");
      b.beginControlFlow("for (int ky = 0; ky < $L; ky++)", p.size());
      b.beginControlFlow("for (int kx = 0; kx < $L; kx++)", p.size());
      b.addStatement("int k = $L", tap);
      String xk = code.at(x, "k", name);
      b.beginControlFlow("if ($L > $L || Double.isNaN($L))", xk, code.at(x, "best", name), xk);
      b.addStatement("best = k");
      b.endControlFlow();
      b.endControlFlow();
      b.endControlFlow();
      switch (a.op()) {
        case MAX_POOL2D -> b.addStatement("$L = $L", Code.ref(a, out, j), code.at(x, "best", name));
        case MAX_POOL2D_GRAD -> b.addStatement("$L += $L", Code.ref(a, out, "best"),
            code.at(a.input(1), j, name));
        default -> b.addStatement("$L = $L", Code.ref(a, out, j),
            code.at(a.input(1), "best", name));
      }
    }
    b.endControlFlow();
    b.endControlFlow();
    b.endControlFlow();
  }

  /**
   * A dropout: in a model's training step each element times its mask's scale, drawn from the
   * site's stream at its index in the batch (the same index in the forward and the backward
   * pass); otherwise, and always in functions, a copy.
   */
  private void dropout(CodeBlock.Builder b, Node.Apply a, String out,
      Function<Node, String> name) {
    Dropout d = (Dropout) a.attributes();
    int size = a.shape().size();
    Node x = a.input(0);
    String element = a.batched() ? Ix.add(Ix.mul("b", size), "i") : "i";
    if (kernels != null) {
      b.beginControlFlow("if ($L)", TRAINING);
      b.addStatement("long stream = $T.stream($L, $L, $L)", DROPOUT_MASK, SEED, STEP, d.site());
      b.beginControlFlow("for (int i = 0; i < $L; i++)", size);
      String scale = CodeBlock.of("$T.scale(stream, $L, $L)", DROPOUT_MASK, element,
          Double.toString(d.rate())).toString();
      b.addStatement("$L = $L * $L", Code.ref(a, out, "i"), code.at(x, "i", name),
          code.elementType().equals("float") ? "(float) " + scale : scale);
      b.endControlFlow();
      b.nextControlFlow("else");
    }
    b.beginControlFlow("for (int i = 0; i < $L; i++)", size);
    b.addStatement("$L = $L", Code.ref(a, out, "i"), code.at(x, "i", name));
    b.endControlFlow();
    if (kernels != null) {
      b.endControlFlow();
    }
  }
}
