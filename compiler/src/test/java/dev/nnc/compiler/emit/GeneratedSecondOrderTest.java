package dev.nnc.compiler.emit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.GeneratedCode;
import dev.nnc.compiler.Numerics;
import dev.nnc.compiler.TestPrograms;
import dev.nnc.compiler.autodiff.DerivedFunction;
import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.runtime.CompiledFunction;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The generated hessian, hvp and jvp methods compute what the interpreter computes on the same
 * derivative graph, in plain and split (chunked) bodies, for scalar and tensor values.
 */
class GeneratedSecondOrderTest {
  private static final String PROGRAM = """
      fn f(x, y, z) = (x + y) * z;
      fn neuron(w0, w1, w2, x0, x1) = sigmoid(w0*x0 + w1*x1 + w2);
      fn quad(W: [2, 3], x: [3]) = sum((W @ x)^2);
      fn dense(W: [2, 3], x: [3], b: [2]) = tanh(W @ x + b);
      fn small(x) : f32 = x * x * x;
      """;

  @Test
  void generatedCodeMatchesTheInterpreter() {
    Map<String, CompiledFunction> compiled = GeneratedCode.compile(PROGRAM, true);
    double[][][] args = {
        {{-2}, {5}, {-4}},
        {{2}, {-3}, {-3}, {-1}, {-2}},
        {{0.5, -1, 2, 1.5, 0.25, -0.75}, {1, -2, 0.5}},
        {{0.5, -1, 2, 1.5, 0.25, -0.75}, {1, -2, 0.5}, {0.1, -0.2}},
    };
    String[] names = {"f", "neuron", "quad", "dense"};
    for (int k = 0; k < names.length; k++) {
      compare(compiled.get(names[k]), names[k], args[k]);
    }
  }

  private static void compare(CompiledFunction f, String name, double[][] args) {
    DerivedFunction d = DerivedFunction.derive(TestPrograms.function(PROGRAM, name), true);
    double[][] expected = TestPrograms.hessian(d, args);
    double[] actual = f.evaluateHessian(args, null);
    int size = expected.length;
    for (int i = 0; i < size; i++) {
      Numerics.assertClose(name + " hessian row " + i, expected[i],
          java.util.Arrays.copyOfRange(actual, i * size, (i + 1) * size), 1e-12, 1e-12);
    }
    double[][] v = new double[args.length][];
    for (int i = 0; i < args.length; i++) {
      v[i] = new double[args[i].length];
      for (int e = 0; e < v[i].length; e++) {
        v[i][e] = 0.5 - 0.25 * (i + e);
      }
    }
    double[][] out = new double[args.length][];
    for (int i = 0; i < args.length; i++) {
      out[i] = new double[args[i].length];
    }
    f.evaluateHvp(args, null, v, out);
    List<double[]> hv = TestPrograms.hvp(d, args, v);
    for (int i = 0; i < args.length; i++) {
      Numerics.assertClose(name + " hvp " + i, hv.get(i), out[i], 1e-12, 1e-12);
    }
    Numerics.assertClose(name + " jvp", TestPrograms.jvp(d, args, v), f.evaluateJvp(args, v),
        1e-12, 1e-12);
  }

  @Test
  void singlePrecisionFunctionsHaveSecondDerivativesToo() {
    CompiledFunction f = GeneratedCode.compile(PROGRAM, true).get("small");
    double[] h = f.evaluateHessian(new double[][] {{1.5}}, null);
    // d2/dx2 x^3 = 6x
    assertTrue(Math.abs(h[0] - 9) < 1e-5, "hessian " + h[0]);
    double[] jv = f.evaluateJvp(new double[][] {{1.5}}, new double[][] {{2}});
    assertTrue(Math.abs(jv[0] - 2 * 3 * 2.25) < 1e-5, "jvp " + jv[0]);
  }

  @Test
  void dumpForReading() throws Exception {
    Compiler.CheckResult checked = Compiler.check(new SourceFile("test.nn", PROGRAM));
    StringBuilder all = new StringBuilder();
    for (Compiler.GeneratedSource s : Compiler.generate(checked, "gen", true)) {
      all.append(s.code());
    }
    java.nio.file.Files.writeString(java.nio.file.Path.of("/tmp/hod/gen.java"), all);
  }
}
