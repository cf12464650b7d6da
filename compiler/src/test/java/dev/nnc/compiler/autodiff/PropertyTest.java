package dev.nnc.compiler.autodiff;

import dev.nnc.compiler.GeneratedCode;
import dev.nnc.compiler.Numerics;
import dev.nnc.compiler.TestPrograms;
import dev.nnc.compiler.ir.FunctionIr;
import dev.nnc.runtime.CompiledFunction;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.constraints.IntRange;

/**
 * Properties of random functions from {@link ExpressionGrammar} at random points in [-1.5, 1.5]:
 * generated code agrees with the interpreter, simplification does not change values or
 * gradients, and gradients agree with finite differences. The functions come from a fixed pool,
 * compiled {@value #BATCH} per javac call; jqwik (with a fixed seed) picks a function and a point.
 */
class PropertyTest {
  private static final long POOL_SEED = 20_260_101L;
  private static final int POOL = 200;
  private static final int BATCH = 50;
  private static final int SMOOTH = POOL / 4 * 3;

  private static final Map<Integer, ExpressionGrammar.Fn> FNS = new ConcurrentHashMap<>();
  private static final Map<Integer, Map<String, CompiledFunction>> COMPILED =
      new ConcurrentHashMap<>();

  /** Pool function {@code i}: three in four are smooth. */
  static ExpressionGrammar.Fn fn(int i) {
    return FNS.computeIfAbsent(i, k -> ExpressionGrammar.function(POOL_SEED, k, k % 4 != 3));
  }

  /** The compiled (simplified) pool function {@code i}, compiling its whole batch at once. */
  static CompiledFunction compiled(int i) {
    Map<String, CompiledFunction> batch = COMPILED.computeIfAbsent(i / BATCH, b -> {
      StringBuilder text = new StringBuilder();
      for (int k = b * BATCH; k < Math.min(POOL, (b + 1) * BATCH); k++) {
        text.append(fn(k).text());
      }
      return GeneratedCode.compile(text.toString(), true);
    });
    return batch.get(fn(i).name());
  }

  @Provide
  Arbitrary<List<Double>> points() {
    return Arbitraries.doubles().between(-1.5, 1.5).list().ofSize(12);
  }

  /** The parameters of {@code fn} filled from {@code point}. */
  static double[][] args(ExpressionGrammar.Fn fn, List<Double> point) {
    double[][] args = new double[fn.sizes().size()][];
    int next = 0;
    for (int p = 0; p < args.length; p++) {
      args[p] = new double[fn.sizes().get(p)];
      for (int e = 0; e < args[p].length; e++) {
        args[p][e] = point.get(next++);
      }
    }
    return args;
  }

  static List<double[]> interpret(ExpressionGrammar.Fn fn, boolean simplify, double[][] args) {
    FunctionIr ir = TestPrograms.function(fn.text(), fn.name());
    return TestPrograms.valueAndGradient(DerivedFunction.derive(ir, simplify), args);
  }

  static void assertAll(String what, List<double[]> expected, List<double[]> actual, double rtol,
      double atol) {
    if (expected.size() != actual.size()) {
      throw new AssertionError(what + ": " + expected.size() + " vs " + actual.size() + " parts");
    }
    for (int i = 0; i < expected.size(); i++) {
      Numerics.assertClose(what + (i == 0 ? ": value" : ": gradient " + i), expected.get(i),
          actual.get(i), rtol, atol);
    }
  }

  private static String describe(ExpressionGrammar.Fn fn, double[][] args) {
    return "\n" + fn.text() + "at " + java.util.Arrays.deepToString(args) + "\n";
  }

  /** (a) Generated Java computes what the interpreter computes on the same derived graph. */
  @Property(tries = 200, seed = "8675309", shrinking = ShrinkingMode.OFF)
  void generatedCodeMatchesTheInterpreter(@ForAll @IntRange(min = 0, max = POOL - 1) int index,
      @ForAll("points") List<Double> point) {
    ExpressionGrammar.Fn fn = fn(index);
    double[][] args = args(fn, point);
    List<double[]> expected = interpret(fn, true, args);
    List<double[]> actual = List.of(GeneratedCode.valueAndGradient(compiled(index),
        Numerics.copy(args)));
    assertAll("generated vs interpreter" + describe(fn, args), expected, actual, 1e-12, 1e-12);
  }

  /** (b) The simplifier changes neither values nor gradients. */
  @Property(tries = 200, seed = "5551212", shrinking = ShrinkingMode.OFF)
  void simplifiedMatchesUnsimplified(@ForAll @IntRange(min = 0, max = POOL - 1) int index,
      @ForAll("points") List<Double> point) {
    ExpressionGrammar.Fn fn = fn(index);
    double[][] args = args(fn, point);
    assertAll("simplified vs unsimplified" + describe(fn, args), interpret(fn, false, args),
        interpret(fn, true, args), 1e-9, 1e-9);
  }

  /** (c) Gradients of smooth functions (generated code) match central finite differences. */
  @Property(tries = 200, seed = "1234567", shrinking = ShrinkingMode.OFF)
  void gradientMatchesFiniteDifferences(@ForAll @IntRange(min = 0, max = SMOOTH - 1) int k,
      @ForAll("points") List<Double> point) {
    int index = k / 3 * 4 + k % 3;
    ExpressionGrammar.Fn fn = fn(index);
    if (!fn.smooth()) {
      throw new AssertionError("pool function " + index + " is not smooth");
    }
    double[][] args = args(fn, point);
    FunctionIr ir = TestPrograms.function(fn.text(), fn.name());
    double[][] fd = sumFiniteDifferences(ir, args);
    double[][] got = GeneratedCode.valueAndGradient(compiled(index), Numerics.copy(args));
    for (int p = 0; p < args.length; p++) {
      Numerics.assertClose("gradient vs finite differences" + describe(fn, args) + "parameter "
          + fn.params().get(p), fd[p], got[p + 1], 1e-4, 1e-5);
    }
  }

  /** A direction for {@code args}, from the tail of the point (reversed, so it differs). */
  static double[][] direction(double[][] args, List<Double> point) {
    double[][] v = new double[args.length][];
    int next = point.size() - 1;
    for (int p = 0; p < args.length; p++) {
      v[p] = new double[args[p].length];
      for (int e = 0; e < v[p].length; e++) {
        v[p][e] = point.get(next--);
      }
    }
    return v;
  }

  private static double[][] zerosLike(double[][] args) {
    double[][] out = new double[args.length][];
    for (int i = 0; i < args.length; i++) {
      out[i] = new double[args[i].length];
    }
    return out;
  }

  private static double[] flatten(double[][] parts) {
    int size = 0;
    for (double[] p : parts) {
      size += p.length;
    }
    double[] out = new double[size];
    int at = 0;
    for (double[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  /** (d) The generated Hessian is the finite differences of the generated gradient. */
  @Property(tries = 100, seed = "2718281", shrinking = ShrinkingMode.OFF)
  void hessianMatchesFiniteDifferencesOfTheGradient(
      @ForAll @IntRange(min = 0, max = SMOOTH - 1) int k, @ForAll("points") List<Double> point) {
    int index = k / 3 * 4 + k % 3;
    ExpressionGrammar.Fn fn = fn(index);
    double[][] args = args(fn, point);
    CompiledFunction f = compiled(index);
    double[] hessian = f.evaluateHessian(Numerics.copy(args), null);
    int size = flatten(args).length;
    int column = 0;
    for (int p = 0; p < args.length; p++) {
      for (int e = 0; e < args[p].length; e++, column++) {
        double x = args[p][e];
        double h = 1e-5 * Math.max(1, Math.abs(x));
        double[][] plus = Numerics.copy(args);
        double[][] minus = Numerics.copy(args);
        plus[p][e] = x + h;
        minus[p][e] = x - h;
        double[][] gp = zerosLike(args);
        double[][] gm = zerosLike(args);
        f.evaluateWithGradient(plus, null, gp);
        f.evaluateWithGradient(minus, null, gm);
        double[] a = flatten(gp);
        double[] b = flatten(gm);
        double[] fd = new double[size];
        double[] got = new double[size];
        for (int r = 0; r < size; r++) {
          fd[r] = (a[r] - b[r]) / (plus[p][e] - minus[p][e]);
          got[r] = hessian[r * size + column];
        }
        Numerics.assertClose("hessian column " + column + " vs finite differences of the"
            + " gradient" + describe(fn, args), fd, got, 1e-4, 1e-5);
      }
    }
  }

  /** (e) hvp is the Hessian times v, and jvp the gradient along v (generated code). */
  @Property(tries = 100, seed = "1414213", shrinking = ShrinkingMode.OFF)
  void hvpIsHessianTimesVAndJvpIsGradientAlongV(
      @ForAll @IntRange(min = 0, max = POOL - 1) int index, @ForAll("points") List<Double> point) {
    ExpressionGrammar.Fn fn = fn(index);
    double[][] args = args(fn, point);
    double[][] v = direction(args, point);
    CompiledFunction f = compiled(index);
    double[] hessian = f.evaluateHessian(Numerics.copy(args), null);
    double[] flatV = flatten(v);
    int size = flatV.length;
    double[] hv = new double[size];
    for (int r = 0; r < size; r++) {
      for (int c = 0; c < size; c++) {
        hv[r] += hessian[r * size + c] * flatV[c];
      }
    }
    double[][] out = zerosLike(args);
    f.evaluateHvp(Numerics.copy(args), null, v, out);
    Numerics.assertClose("hvp vs hessian v" + describe(fn, args), hv, flatten(out), 1e-9, 1e-9);
    double[][] grads = zerosLike(args);
    f.evaluateWithGradient(Numerics.copy(args), null, grads);
    double[] jvp = f.evaluateJvp(Numerics.copy(args), v);
    if (jvp.length == 1) {
      double gv = 0;
      double[] g = flatten(grads);
      for (int i = 0; i < size; i++) {
        gv += g[i] * flatV[i];
      }
      Numerics.assertClose("jvp vs gradient v" + describe(fn, args), new double[] {gv}, jvp,
          1e-9, 1e-9);
    }
  }

  /** (f) jvp of smooth functions matches central differences of the value along v. */
  @Property(tries = 100, seed = "1732050", shrinking = ShrinkingMode.OFF)
  void jvpMatchesFiniteDifferencesAlongV(@ForAll @IntRange(min = 0, max = SMOOTH - 1) int k,
      @ForAll("points") List<Double> point) {
    int index = k / 3 * 4 + k % 3;
    ExpressionGrammar.Fn fn = fn(index);
    double[][] args = args(fn, point);
    double[][] v = direction(args, point);
    FunctionIr ir = TestPrograms.function(fn.text(), fn.name());
    double h = 1e-6;
    double[][] plus = Numerics.copy(args);
    double[][] minus = Numerics.copy(args);
    for (int p = 0; p < args.length; p++) {
      for (int e = 0; e < args[p].length; e++) {
        plus[p][e] += h * v[p][e];
        minus[p][e] -= h * v[p][e];
      }
    }
    double[] a = Numerics.value(ir, plus);
    double[] b = Numerics.value(ir, minus);
    double[] fd = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      fd[i] = (a[i] - b[i]) / (2 * h);
    }
    Numerics.assertClose("jvp vs finite differences" + describe(fn, args), fd,
        compiled(index).evaluateJvp(Numerics.copy(args), v), 1e-4, 1e-5);
  }

  /**
   * (g) Generated hvp and jvp compute what the interpreter computes, and simplification changes
   * neither.
   */
  @Property(tries = 100, seed = "3141592", shrinking = ShrinkingMode.OFF)
  void secondOrderGeneratedMatchesInterpreterAndUnsimplified(
      @ForAll @IntRange(min = 0, max = POOL - 1) int index, @ForAll("points") List<Double> point) {
    ExpressionGrammar.Fn fn = fn(index);
    double[][] args = args(fn, point);
    double[][] v = direction(args, point);
    FunctionIr ir = TestPrograms.function(fn.text(), fn.name());
    DerivedFunction simplified = DerivedFunction.derive(ir, true);
    DerivedFunction plain = DerivedFunction.derive(
        TestPrograms.function(fn.text(), fn.name()), false);
    double[][] out = zerosLike(args);
    compiled(index).evaluateHvp(Numerics.copy(args), null, v, out);
    List<double[]> interpreted = TestPrograms.hvp(simplified, args, v);
    List<double[]> unsimplified = TestPrograms.hvp(plain, args, v);
    for (int p = 0; p < args.length; p++) {
      Numerics.assertClose("generated hvp vs interpreter" + describe(fn, args), interpreted.get(p),
          out[p], 1e-12, 1e-12);
      Numerics.assertClose("simplified hvp vs unsimplified" + describe(fn, args),
          unsimplified.get(p), interpreted.get(p), 1e-9, 1e-9);
    }
    double[] jvp = TestPrograms.jvp(simplified, args, v);
    Numerics.assertClose("generated jvp vs interpreter" + describe(fn, args), jvp,
        compiled(index).evaluateJvp(Numerics.copy(args), v), 1e-12, 1e-12);
    Numerics.assertClose("simplified jvp vs unsimplified" + describe(fn, args),
        TestPrograms.jvp(plain, args, v), jvp, 1e-9, 1e-9);
  }

  /** Central differences of the sum of the value's elements (the seed of all ones). */
  private static double[][] sumFiniteDifferences(FunctionIr fn, double[][] args) {
    double[][] grads = new double[args.length][];
    for (int p = 0; p < args.length; p++) {
      grads[p] = new double[args[p].length];
      for (int e = 0; e < args[p].length; e++) {
        double x = args[p][e];
        double h = 1e-6 * Math.max(1, Math.abs(x));
        double[][] plus = Numerics.copy(args);
        double[][] minus = Numerics.copy(args);
        plus[p][e] = x + h;
        minus[p][e] = x - h;
        grads[p][e] = (sum(Numerics.value(fn, plus)) - sum(Numerics.value(fn, minus)))
            / (plus[p][e] - minus[p][e]);
      }
    }
    return grads;
  }

  private static double sum(double[] values) {
    double s = 0;
    for (double v : values) {
      s += v;
    }
    return s;
  }
}
