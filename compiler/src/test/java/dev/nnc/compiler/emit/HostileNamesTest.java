package dev.nnc.compiler.emit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.GeneratedCode;
import dev.nnc.compiler.Numerics;
import dev.nnc.compiler.TestPrograms;
import dev.nnc.compiler.autodiff.DerivedFunction;
import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.runtime.CompiledFunction;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Names that are Java keywords or clash with what the emitter generates, and comments that try
 * to break out of the generated comments, must yield code that javac accepts with -Werror and
 * that computes the right gradients; generating twice gives identical output.
 */
class HostileNamesTest {

  /** Checks every fn of {@code text} in generated code (simplified and not) vs finite differences. */
  private static void assertCorrect(String text) {
    for (boolean simplify : new boolean[] {true, false}) {
      Map<String, CompiledFunction> fns = GeneratedCode.compile(text, simplify);
      for (var fn : TestPrograms.check(text).functions()) {
        CompiledFunction f = fns.get(fn.name());
        assertTrue(f != null, "no class for fn " + fn.name() + " among " + fns.keySet());
        assertEquals(fn.params().stream().map(p -> p.name()).toList(), f.parameterNames());
        Random random = new Random(fn.name().hashCode());
        double[][] args = new double[fn.params().size()][];
        for (int p = 0; p < args.length; p++) {
          args[p] = new double[fn.params().get(p).shape().size()];
          for (int e = 0; e < args[p].length; e++) {
            args[p][e] = 0.2 + random.nextDouble();
          }
        }
        double[][] got = GeneratedCode.valueAndGradient(f, Numerics.copy(args));
        List<double[]> expected = TestPrograms.valueAndGradient(
            DerivedFunction.derive(TestPrograms.function(text, fn.name()), false), args);
        boolean f32 = fn.elementType() == dev.nnc.compiler.ir.ElementType.F32;
        for (int i = 0; i < got.length; i++) {
          Numerics.assertClose(fn.name() + " part " + i + " (simplify " + simplify + ")",
              expected.get(i), got[i], f32 ? 1e-5 : 1e-12, f32 ? 1e-5 : 1e-12);
        }
        // and the interpreter itself against finite differences, for scalar-valued fns
        if (fn.value().shape().isScalar()) {
          double[][] fd = Numerics.finiteDifferences(fn, args, 1e-6);
          for (int p = 0; p < args.length; p++) {
            Numerics.assertClose(fn.name() + " d" + fn.params().get(p).name(), fd[p], got[p + 1],
                f32 ? 1e-4 : 1e-5, f32 ? 1e-4 : 1e-6);
          }
        }
      }
    }
  }

  @Test
  void javaKeywordsAsNames() {
    assertCorrect("""
        fn keywords(class, int, this) = class * int + sin(this) * class;
        fn more(new, param, static, void) {
          let public = new * param;
          let final = public + static * void;
          let null = final * final;
          return null + exp(public);
        }
        fn literals(true, false, goto, const, var, record, yield) =
          true * false + goto * const - var / (1 + record * yield);
        fn vec(double: [3], float: [2, 3], long) = sum(float @ double) * long + sum(double ^ 2);
        """);
  }

  @Test
  void namesThatClashWithGeneratedMembers() {
    assertCorrect("""
        fn grads(x, dx, d, ddx) = x * dx + d * x * ddx + sin(dx * d);
        fn members(value, sum, max, i, j, k, p, o, r, b, best) {
          let result = value * sum + max * i;
          let args = result * j + k * p + o * r + b * best;
          return result * args + exp(i);
        }
        fn methods(valueAndGradient, name, parameterNames, parameterShape, valueShape, evaluate,
            evaluateWithGradient, gradients, seed) =
          valueAndGradient * name + parameterNames * parameterShape + valueShape * evaluate
          + evaluateWithGradient * gradients * seed;
        fn tensors(upstream: [3], args: [3], result: [3], i: [3]) =
          sum(upstream * args) + sum(softmax(result) * i) + logsumexp(i) + max(args);
        fn seeded(x: [3], upstream: [3]) = x * upstream + exp(x);
        fn dnames(W: [2, 2], dW: [2, 2], x: [2]) = sum((W @ x) ^ 2) + sum(dW * W);
        """);
  }

  @Test
  void namesThatClashWithJavaTypes() {
    assertCorrect("""
        fn types(NnMath, List, Math, String, Override, Arrays, System, Double, Object,
            CompiledFunction, Float, Integer, java, dev) =
          exp(NnMath) * List + Math * log(String) + sigmoid(Override) * Arrays + System * Double
          + Object * softplus(CompiledFunction) + tanh(Float) + Integer * java * dev;
        fn typed_vec(Math: [3], Arrays: [3], System: [2, 3]) =
          sum(exp(Math) * Arrays) + sum(System @ Math) + sum(softmax(System)) + max(Arrays);
        fn consts(Double, Float, NaN, Infinity) =
          where(Double > 100, log(-1), Double) + where(Float > 100, exp(1000), Float * NaN)
          + where(Infinity > 100, -exp(1000), Infinity);
        fn f32s(Math, Arrays: [3], Double) : f32 =
          sum(exp(Arrays) * Math) + logsumexp(Arrays * Double) + sqrt(Math) + abs(Double)
          + sum(softmax(Arrays)) + where(Double > 100, log(-1), tanh(Double));
        fn funcs(exp, sigmoid, softplus, relu, step, pow, max, min, leakyRelu, gelu, silu) =
          exp * sigmoid + softplus * relu - step * pow ^ 2 + max * min * leakyRelu + gelu * silu;
        fn gradient_calls(normalCdf, signum, x) = gelu(x) * normalCdf + abs(x) * signum;
        fn underscores(_, __, _x, x_) = _ * __ + _x * x_;
        """);
  }

  @Test
  void functionNamesThatClashWithJavaTypes() {
    assertCorrect("""
        fn Math(x) = exp(x) + sqrt(x) + sin(x);
        fn List(x: [3]) = sum(softmax(x) * x);
        fn NnMath(x) = sigmoid(x) + softplus(x);
        fn Arrays(x: [3]) = sum(x * x);
        fn CompiledFunction(x) = x;
        fn Double(x) = relu(x) * 2 + log(x);
        fn Float(x: [2], W: [2, 2]) = sum(W @ x);
        fn Object(x) = x * 2;
        fn class(x) = x * 3;
        fn mathematics(x) = tan(x);
        fn dev(x) = x;
        fn java(x) = x;
        """);
  }

  @Test
  void functionNamesThatShadowJavaLangTypes() {
    assertCorrect("""
        fn String(x) = x * x;
        fn Override(x) = log(x);
        fn System(x: [3]) = sum(x * x);
        fn IndexOutOfBoundsException(x) = x;
        fn other(x: [2]) = sum(exp(x));
        """);
  }

  /** Names whose CamelCase would start with a digit (issue: "not a valid name: 1Fn_"). */
  @Test
  void namesThatWouldStartWithADigit() {
    assertCorrect("""
        fn _1(x) = x * 2;
        fn _9lives(_2, _3x: [3]) = sum(_3x * _2) + _2;
        fn _0_(x) = exp(x);
        """);
    String model = """
        model _1 {
          input _2: [3];
          label _3: class(2);
          param _4: [3, 2] init zeros;
          output _5 = softmax(_2 @ _4);
          loss cross_entropy(_2 @ _4, _3);
        }
        """;
    dev.nnc.runtime.Model m = dev.nnc.compiler.GeneratedModels.compile(model,
        dev.nnc.compiler.ir.ElementType.F32, true);
    assertEquals("_1", m.name());
    assertEquals("_1", m.getClass().getSimpleName());
    dev.nnc.runtime.GradientCheck.check(
        dev.nnc.compiler.GeneratedModels.compile(model, dev.nnc.compiler.ir.ElementType.F64, true),
        3);
  }

  /** Long enough to be split into chunk methods, where inputs and temporaries become fields. */
  private static String chunked(List<String> scalarNames, List<String> tensorNames) {
    StringBuilder body = new StringBuilder();
    body.append("fn chunky(").append(String.join(", ", scalarNames)).append(") {\n");
    String previous = scalarNames.get(0);
    for (int i = 0; i < 80; i++) {
      String name = scalarNames.get(i % scalarNames.size()) + "_" + i;
      body.append("  let ").append(name).append(" = sin(").append(previous).append(") * ")
          .append(scalarNames.get(1)).append(" + ").append(scalarNames.get(2)).append(" / (1 + ")
          .append(scalarNames.get(3)).append(" ^ 2);\n");
      previous = name;
    }
    body.append("  return ").append(previous).append(" + exp(").append(scalarNames.get(4))
        .append(");\n}\n");
    String a = tensorNames.get(0);
    String b = tensorNames.get(1);
    body.append("fn chunky_vec(").append(a).append(": [3], ").append(b).append(": [3]) {\n");
    previous = a;
    for (int i = 0; i < 60; i++) {
      String name = tensorNames.get(2 + i % (tensorNames.size() - 2));
      name = i < tensorNames.size() - 2 ? name : name + i;
      body.append("  let ").append(name).append(" = softmax(").append(previous).append(") * ")
          .append(a).append(" + ").append(b).append(";\n");
      previous = name;
    }
    body.append("  return sum(").append(previous).append(");\n}\n");
    return body.toString();
  }

  @Test
  void hostileNamesInAChunkedFunction() {
    assertCorrect(chunked(
        List.of("value", "sum", "max", "i", "upstream", "args", "result", "d", "dvalue", "class",
            "int", "this", "Math", "Double", "NnMath", "seed", "gradients", "forward0"),
        List.of("upstream", "args", "result", "value", "gradients", "i", "max", "Math", "backward0")));
  }

  @Test
  void javaTypeNamesAsFieldsAndParameters() {
    assertCorrect(chunked(List.of("List", "System", "Arrays", "CompiledFunction", "String"),
        List.of("Arrays", "System", "List", "CompiledFunction")));
    assertCorrect("""
        fn p(CompiledFunction, x: [3]) = sum(x) * CompiledFunction;
        fn q(y, x: [3]) {
          let List = x * y;
          let System = List * x;
          let Arrays = System + x;
          return Arrays;
        }
        """);
  }

  @Test
  void commentsCannotBreakOutOfGeneratedComments() {
    String text = """
        // a file comment with */ and \\u000a and } and " and \\u002a/ and é and \\
        fn f(x) /* } " \\u000a @ { */ = x * 2 + 1; // */ \\u000a } " class X { \\u000d
        /** javadoc-like { @code } */ fn g(x, y) { // "unterminated */ \\u000a
          let z = x * y; /* \\u000a " */
          /* } { */ let w = z + sin(x); // @Override */ \\u0022
          return w * z; // \\u000a System.exit(1);
        }
        fn h(a: [2]) = sum(exp(a)) /* \\*/;
        """;
    assertTrue(text.contains("\\u000a"), "the test text must contain a literal backslash-u escape");
    assertCorrect(text);
    for (Compiler.GeneratedSource source : generate(text)) {
      assertFalse(source.code().contains("\\u"), "a unicode escape reached " + source.qualifiedName());
      for (String line : source.code().lines().toList()) {
        String t = line.trim();
        if (t.contains("System.exit")) {
          assertTrue(t.startsWith("//") || t.startsWith("*"), "comment text became code: " + line);
        }
      }
    }
  }

  private static List<Compiler.GeneratedSource> generate(String text) {
    Compiler.CheckResult checked = Compiler.check(new SourceFile("test.nn", text));
    assertTrue(checked.ok(), checked.render());
    return Compiler.generate(checked, "gen", true);
  }

  @Test
  void generatingTwiceGivesIdenticalBytes() {
    String text = """
        fn f(x, y, z) = (x + y) * z;
        fn neuron(w0, w1, w2, x0, x1) {
          let s = w0*x0 + w1*x1 + w2;
          return 1 / (1 + exp(-s));
        }
        fn mlp(W1: [4, 3], b1: [4], W2: [2, 4], x: [3]) {
          let h = relu(W1 @ x + b1);
          let z = W2 @ h;
          return cross_entropy(z, 1) + 0.01 * sum(W1 ^ 2) + logsumexp(h) + max(z);
        }
        fn vec(x: [3], M: [2, 3]) = softmax(M) * x + where(M > 0, sqrt(M * M + 1), M.T.T);
        """;
    for (boolean simplify : new boolean[] {true, false}) {
      Map<String, String> first = sources(text, simplify);
      Map<String, byte[]> firstClasses = InMemoryJavaCompiler.compileToBytes(first);
      for (int round = 0; round < 2; round++) {
        Map<String, String> again = sources(text, simplify);
        assertEquals(first, again, "generated Java differs between runs");
        Map<String, byte[]> classes = InMemoryJavaCompiler.compileToBytes(again);
        assertEquals(firstClasses.keySet(), classes.keySet());
        for (String name : classes.keySet()) {
          assertArrayEquals(firstClasses.get(name), classes.get(name), name);
        }
      }
    }
  }

  private static Map<String, String> sources(String text, boolean simplify) {
    Compiler.CheckResult checked = Compiler.check(new SourceFile("test.nn", text));
    assertTrue(checked.ok(), checked.render());
    Map<String, String> out = new LinkedHashMap<>();
    for (Compiler.GeneratedSource s : Compiler.generate(checked, "gen", simplify)) {
      out.put(s.qualifiedName(), s.code());
    }
    return out;
  }

  /** Let names that look like the emitter's own temporaries (t1, g1) and gradient fields. */
  @Test
  void letNamesLikeGeneratedTemporaries() {
    StringBuilder text = new StringBuilder("fn f(x, t1, g1) {\n");
    String prev = "x";
    for (String n : new String[] {"t2", "g2", "d", "dx", "dt1", "dg1", "x_", "t3", "g3"}) {
      text.append("  let ").append(n).append(" = ").append(prev).append(" * t1 + sin(g1 * ")
          .append(prev).append(");\n");
      prev = n;
    }
    text.append("  return ").append(prev).append(";\n}\n");
    assertCorrect(text.toString());
  }
}
