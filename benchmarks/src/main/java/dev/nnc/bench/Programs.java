package dev.nnc.bench;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.autodiff.DerivedFunction;
import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.compiler.emit.InMemoryJavaCompiler;
import dev.nnc.compiler.ir.FunctionIr;
import dev.nnc.compiler.ir.ModelIr;
import dev.nnc.runtime.Batch;
import dev.nnc.runtime.Model;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** The {@code .nn} programs the benchmarks compile, and helpers to compile and feed them. */
final class Programs {
  private Programs() {}

  /**
   * The MLP of PyTorch's comparison script: Linear(784,256) → ReLU → Linear(256,10), softmax
   * cross-entropy, no L2 term (unlike the mnist.nn sample), He-initialized weights, zero biases.
   */
  static final String MLP = String.join("\n",
      "layer Dense(n_in, n_out)(x: [n_in]) {",
      "  param W: [n_in, n_out] init he;",
      "  param b: [n_out] init zeros;",
      "  return x @ W + b;",
      "}",
      "model BenchMlp {",
      "  input x: [784];",
      "  label y: class(10);",
      "  let fc1 = Dense(784, 256);",
      "  let fc2 = Dense(256, 10);",
      "  let logits = fc2(relu(fc1(x)));",
      "  loss cross_entropy(logits, y);",
      "  optimizer sgd(lr: 0.01);",
      "}",
      "");

  static final String F = "fn f(x, y, z) = (x + y) * z;\n";

  static final String NEURON = String.join("\n",
      "fn neuron(w0, w1, w2, x0, x1) {",
      "  let s = w0*x0 + w1*x1 + w2;",
      "  return 1 / (1 + exp(-s));",
      "}",
      "");

  /**
   * A function of 1,000 binary operations: 500 statements {@code a_i = a_(i-1) * p + q} over ten
   * parameters (a chain of products and sums, every step on the gradient path).
   */
  static String thousandOps() {
    StringBuilder s = new StringBuilder("fn chain1000(p0, p1, p2, p3, p4, p5, p6, p7, p8, p9) {\n");
    s.append("  let a0 = p0;\n");
    for (int i = 1; i < 500; i++) {
      s.append("  let a").append(i).append(" = a").append(i - 1).append(" * p").append(i % 10)
          .append(" + p").append((i + 3) % 10).append(";\n");
    }
    s.append("  return a499 * p1 + p2;\n}\n");
    return s.toString();
  }

  /**
   * Four functions of n operations each, as the compiler's LinearSizeTest writes them: a chain
   * sin(sin(...x)) (lets of at most 100 nested calls), a product x * x * ..., a dot product of
   * two [n] vectors, and a sum of n products of let-bound scalars.
   */
  /** sin(sin(...x)) n deep, as lets of at most 100 nested calls (the parser's nesting limit). */
  static String sinChain(int n) {
    String all = linearShapes(n);
    return all.substring(0, all.indexOf("fn power"));
  }

  static String linearShapes(int n) {
    StringBuilder s = new StringBuilder("fn chain(x) {\n  let s0 = x;\n");
    int lets = 0;
    for (int done = 0; done < n; done += 100) {
      int k = Math.min(100, n - done);
      s.append("  let s").append(lets + 1).append(" = ").append("sin(".repeat(k)).append('s')
          .append(lets).append(")".repeat(k)).append(";\n");
      lets++;
    }
    s.append("  return s").append(lets).append(";\n}\n");
    s.append("fn power(x) = x").append(" * x".repeat(n - 1)).append(";\n");
    StringBuilder dot = new StringBuilder();
    StringBuilder sp = new StringBuilder("fn sp(x, y) {\n");
    for (int i = 0; i < n; i++) {
      dot.append(i == 0 ? "" : " + ").append("a[").append(i).append("] * b[").append(i)
          .append(']');
      sp.append("  let a").append(i).append(" = x * ").append(i + 2).append(";\n  let b")
          .append(i).append(" = y - ").append(i + 1).append(";\n");
    }
    s.append("fn dot(a: [").append(n).append("], b: [").append(n).append("]) = ").append(dot)
        .append(";\n");
    sp.append("  return a0 * b0");
    for (int i = 1; i < n; i++) {
      sp.append(" + a").append(i).append(" * b").append(i);
    }
    return s.append(sp).append(";\n}\n").toString();
  }

  /** {@code steps} let-bound steps of three operations each ({@code sin(t) * y + x}). */
  static String letChain(int steps) {
    StringBuilder s = new StringBuilder("fn long_fn(x, y) {\n  let t0 = x;\n");
    for (int i = 1; i <= steps; i++) {
      s.append("  let t").append(i).append(" = sin(t").append(i - 1).append(") * y + x;\n");
    }
    return s.append("  return t").append(steps).append(";\n}\n").toString();
  }

  /** A model of 20 Dense layers of width 64 with ReLU between them and softmax cross-entropy. */
  static String twentyLayers() {
    StringBuilder s = new StringBuilder(String.join("\n",
        "layer Dense(n_in, n_out)(x: [n_in]) {",
        "  param W: [n_in, n_out] init he;",
        "  param b: [n_out] init zeros;",
        "  return x @ W + b;",
        "}",
        "model Deep20 {",
        "  input x: [64];",
        "  label y: class(64);",
        ""));
    for (int i = 1; i <= 20; i++) {
      s.append("  let l").append(i).append(" = Dense(64, 64);\n");
    }
    s.append("  let h1 = l1(x);\n");
    for (int i = 2; i <= 20; i++) {
      s.append("  let h").append(i).append(" = l").append(i).append("(relu(h").append(i - 1)
          .append("));\n");
    }
    s.append("  loss cross_entropy(h20, y);\n}\n");
    return s.toString();
  }

  static Compiler.CheckResult check(String name, String text) {
    Compiler.CheckResult result = Compiler.check(new SourceFile(name, text));
    if (!result.ok()) {
      throw new IllegalStateException("benchmark program does not check:\n" + result.render());
    }
    return result;
  }

  /** Check, derive, simplify and emit: the compiler's work up to Java source (no javac). */
  static List<Compiler.GeneratedSource> generate(String name, String text) {
    return Compiler.generate(check(name, text), "dev.nnc.bench.gen", true);
  }

  /** Compiles {@code text} with javac in memory and instantiates its only class. */
  static Object compileAndLoad(String name, String text) {
    Map<String, String> sources = new LinkedHashMap<>();
    for (Compiler.GeneratedSource g : generate(name, text)) {
      sources.put(g.qualifiedName(), g.code());
    }
    if (sources.size() != 1) {
      throw new IllegalStateException("expected one class, got " + sources.keySet());
    }
    try {
      Class<?> c = InMemoryJavaCompiler.compile(sources).values().iterator().next();
      return c.getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  static Model compileModel(String name, String text) {
    return (Model) compileAndLoad(name, text);
  }

  static FunctionIr function(String name, String text) {
    return check(name, text).program().functions().get(0);
  }

  static ModelIr model(String name, String text) {
    return check(name, text).program().models().get(0);
  }

  static DerivedFunction derive(String name, String text) {
    return DerivedFunction.derive(function(name, text), true);
  }

  /** Fills a batch of {@code n} examples: inputs ~ N(0, 1) (as torch.randn), labels uniform. */
  static Batch randomBatch(Model model, int n, long seed) {
    Batch batch = Batch.forModel(model, n);
    batch.setSize(n);
    SplittableRandom random = new SplittableRandom(seed);
    fill(batch.floats("x"), random);
    int[] y = batch.labels("y");
    for (int i = 0; i < n; i++) {
      y[i] = random.nextInt(10);
    }
    return batch;
  }

  static void fill(float[] a, SplittableRandom random) {
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) gaussian(random);
    }
  }

  static double gaussian(SplittableRandom random) {
    double u = random.nextDouble();
    double v = random.nextDouble();
    return Math.sqrt(-2 * Math.log1p(-u)) * Math.cos(2 * Math.PI * v);
  }
}
