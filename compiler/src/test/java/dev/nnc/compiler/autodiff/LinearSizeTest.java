package dev.nnc.compiler.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.GeneratedCode;
import dev.nnc.compiler.Numerics;
import dev.nnc.compiler.TestPrograms;
import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.compiler.emit.InMemoryJavaCompiler;
import dev.nnc.compiler.ir.FunctionIr;
import dev.nnc.compiler.ir.GraphOrder;
import dev.nnc.compiler.ir.Node;
import dev.nnc.runtime.CompiledFunction;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Reverse mode costs a constant factor over the forward computation: for functions of n
 * operations the derivative graph and the emitted Java are O(n), and long functions are split
 * into methods small enough for HotSpot to JIT (under 8000 bytes of bytecode each). Sizes are
 * counted, never timed (a test must not depend on the machine's speed): the compile times of
 * these programs are rows of the benchmarks' {@code CompileBench}.
 */
class LinearSizeTest {
  private static final int N = 300;
  /** HotSpot does not compile methods with more bytecode than this (-XX:HugeMethodLimit). */
  private static final int HUGE_METHOD_LIMIT = 8000;

  /**
   * sin(sin(...x)) n deep. The parser limits nesting to 256 levels, so the chain is written as
   * lets of at most 100 nested calls each; the graph is the same n-deep chain.
   */
  static String sinChain(int n) {
    StringBuilder out = new StringBuilder("fn chain(x) {\n  let s0 = x;\n");
    int lets = 0;
    for (int done = 0; done < n; done += 100) {
      int k = Math.min(100, n - done);
      out.append("  let s").append(lets + 1).append(" = ").append("sin(".repeat(k)).append('s')
          .append(lets).append(")".repeat(k)).append(";\n");
      lets++;
    }
    return out.append("  return s").append(lets).append(";\n}\n").toString();
  }

  static String power(int n) {
    List<String> factors = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      factors.add("x");
    }
    return "fn power(x) = " + String.join(" * ", factors) + ";\n";
  }

  static String sumOfProducts(int n) {
    List<String> terms = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      terms.add("a[" + i + "] * b[" + i + "]");
    }
    return "fn dot(a: [" + n + "], b: [" + n + "]) = " + String.join(" + ", terms) + ";\n";
  }

  /**
   * A sum of n products of distinct scalars. The scalars are let-bound from two parameters:
   * 2n scalar parameters would exceed the JVM's 255 argument slots, which the checker reports.
   */
  static String scalarSumOfProducts(int n) {
    StringBuilder body = new StringBuilder("fn sp(x, y) {\n");
    List<String> terms = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      body.append("  let a").append(i).append(" = x * ").append(i + 2).append(";\n");
      body.append("  let b").append(i).append(" = y - ").append(i + 1).append(";\n");
      terms.add("a" + i + " * b" + i);
    }
    return body.append("  return ").append(String.join(" + ", terms)).append(";\n}\n").toString();
  }

  /** n let-bound steps of three operations each, over two scalars. */
  static String letChain(int steps) {
    StringBuilder out = new StringBuilder("fn long_fn(x, y) {\n  let t0 = x;\n");
    for (int i = 1; i <= steps; i++) {
      out.append("  let t").append(i).append(" = sin(t").append(i - 1).append(") * y + x;\n");
    }
    return out.append("  return t").append(steps).append(";\n}\n").toString();
  }

  /** Graph size and emitted statement count for one fn of n operations. */
  private static void assertLinear(String text, String name, int n) {
    Compiler.CheckResult checked = Compiler.check(new SourceFile("big.nn", text));
    assertTrue(checked.ok(), checked.render());
    List<Compiler.GeneratedSource> sources = Compiler.generate(checked, "gen", true);

    // the class: value, gradient, and the Hessian-vector and Jacobian-vector products
    String code = sources.get(0).code();
    long statements = code.lines().filter(l -> l.contains(";")).count();
    assertTrue(statements <= 30L * n, name + ": " + statements + " statements for n = " + n);

    FunctionIr fn = TestPrograms.function(text, name);
    DerivedFunction derived = DerivedFunction.derive(fn, true);
    // every node made: value, gradient, simplification, and the second sweep
    int made = fn.graph().size();
    assertTrue(made <= 40 * n, name + ": " + made + " graph nodes for n = " + n);
    Set<Node> live = new HashSet<>(GraphOrder.reachable(derived.value()));
    for (Node g : derived.gradients()) {
      live.addAll(GraphOrder.reachable(g));
    }
    assertTrue(live.size() <= 10 * n, name + ": " + live.size() + " live nodes for n = " + n);
  }

  /** Statements of the second-order chunk methods ({@code secondK}) of a chunked class. */
  private static long secondOrderStatements(String code) {
    long count = 0;
    boolean inside = false;
    for (String line : code.split("\n")) {
      if (line.matches("  private void second\\d+\\(\\) \\{")) {
        inside = true;
      } else if (inside && line.equals("  }")) {
        inside = false;
      } else if (inside && line.contains(";")) {
        count++;
      }
    }
    return count;
  }

  /**
   * The Hessian-vector product of a 300-deep chain is one more sweep: its own statements, its
   * live nodes and the whole class grow linearly (twice the depth, about twice the statements).
   */
  @Test
  void hessianVectorProductOfADeepChainIsLinear() {
    long[] statements = new long[2];
    for (int k = 0; k < 2; k++) {
      int n = N * (k + 1);
      String text = sinChain(n);
      Compiler.CheckResult checked = Compiler.check(new SourceFile("big.nn", text));
      assertTrue(checked.ok(), checked.render());
      String code = Compiler.generate(checked, "gen", true).get(0).code();
      assertTrue(code.contains("public void hvp("), "the class has hvp");
      statements[k] = secondOrderStatements(code);
      assertTrue(statements[k] > n && statements[k] <= 10L * n,
          statements[k] + " second-order statements for n = " + n);
      long all = code.lines().filter(l -> l.contains(";")).count();
      assertTrue(all <= 30L * n, all + " statements in the class for n = " + n);
      FunctionIr fn = TestPrograms.function(text, "chain");
      DerivedFunction derived = DerivedFunction.derive(fn, true);
      Set<Node> live = new HashSet<>();
      for (Node h : derived.hvp()) {
        live.addAll(GraphOrder.reachable(h));
      }
      live.addAll(GraphOrder.reachable(derived.jvp()));
      assertTrue(live.size() <= 15 * n, live.size() + " live second-order nodes for n = " + n);
    }
    assertTrue(statements[1] <= 2 * statements[0] + 10,
        "doubling the depth more than doubles the statements: " + statements[0] + " then "
            + statements[1]);
  }

  @Test
  void deepSinChainIsLinear() {
    assertLinear(sinChain(N), "chain", N);
  }

  @Test
  void longProductIsLinear() {
    assertLinear(power(N), "power", N);
  }

  @Test
  void sumOfProductsIsLinear() {
    assertLinear(sumOfProducts(N), "dot", N);
  }

  @Test
  void sumOfProductsOfScalarsIsLinearToEmit() {
    // 600 distinct scalars: derivation and emission stay linear
    assertLinear(scalarSumOfProducts(N), "sp", N);
  }

  /** The three 300-op functions compute the interpreter's value and gradient when compiled. */
  @Test
  void linearFunctionsComputeTheRightGradient() {
    String text = sinChain(N) + power(N) + sumOfProducts(N);
    Map<String, CompiledFunction> fns = GeneratedCode.compile(text, true);
    Random random = new Random(7);
    double[] a = new double[N];
    double[] b = new double[N];
    for (int i = 0; i < N; i++) {
      a[i] = random.nextDouble() - 0.5;
      b[i] = random.nextDouble() - 0.5;
    }
    Map<String, double[][]> cases = new LinkedHashMap<>();
    cases.put("chain", new double[][] {{0.7}});
    cases.put("power", new double[][] {{1.001}});
    cases.put("dot", new double[][] {a, b});
    for (Map.Entry<String, double[][]> c : cases.entrySet()) {
      double[][] args = c.getValue();
      List<double[]> expected = TestPrograms.valueAndGradient(
          DerivedFunction.derive(TestPrograms.function(text, c.getKey()), false), args);
      double[][] got = GeneratedCode.valueAndGradient(fns.get(c.getKey()), Numerics.copy(args));
      for (int i = 0; i < got.length; i++) {
        Numerics.assertClose(c.getKey() + " part " + i, expected.get(i), got[i], 1e-10, 1e-12);
      }
    }
    // known closed forms
    assertEquals(Math.pow(1.001, N), fns.get("power").evaluate(new double[][] {{1.001}})[0],
        1e-9);
    double dot = 0;
    for (int i = 0; i < N; i++) {
      dot += a[i] * b[i];
    }
    assertEquals(dot, fns.get("dot").evaluate(new double[][] {a, b})[0], 1e-12);
  }

  /**
   * A 5,000-operation function: every method of the emitted class stays under HotSpot's huge
   * method limit, and the class computes the interpreter's value and gradient.
   */
  @Test
  void fiveThousandOpsStayUnderTheHugeMethodLimit() throws IOException {
    int steps = 1700; // three operations per step: sin, *, +
    String text = letChain(steps);
    Compiler.CheckResult checked = Compiler.check(new SourceFile("big.nn", text));
    assertTrue(checked.ok(), checked.render());
    List<Compiler.GeneratedSource> sources = Compiler.generate(checked, "gen", true);
    Map<String, String> byName = new LinkedHashMap<>();
    for (Compiler.GeneratedSource s : sources) {
      byName.put(s.qualifiedName(), s.code());
    }
    Map<String, byte[]> classes = InMemoryJavaCompiler.compileToBytes(byName);
    assertTrue(!classes.isEmpty());
    int methods = 0;
    for (Map.Entry<String, byte[]> c : classes.entrySet()) {
      for (Map.Entry<String, Integer> m : codeLengths(c.getValue()).entrySet()) {
        methods++;
        assertTrue(m.getValue() < HUGE_METHOD_LIMIT, c.getKey() + "." + m.getKey() + " has "
            + m.getValue() + " bytes of bytecode");
      }
    }
    assertTrue(methods > 10, "a 5,000-op function should be split into many methods: " + methods);

    CompiledFunction f = load(classes, byName.keySet().iterator().next());
    double[][] args = {{0.3}, {0.9}};
    List<double[]> expected = TestPrograms.valueAndGradient(
        DerivedFunction.derive(TestPrograms.function(text, "long_fn"), true), args);
    double[][] got = GeneratedCode.valueAndGradient(f, Numerics.copy(args));
    for (int i = 0; i < got.length; i++) {
      Numerics.assertClose("long_fn part " + i, expected.get(i), got[i], 1e-12, 1e-12);
    }
    // and the value is the recurrence itself
    double t = 0.3;
    for (int i = 0; i < steps; i++) {
      t = Math.sin(t) * 0.9 + 0.3;
    }
    assertEquals(t, got[0][0], 1e-12);
  }

  /** Defines {@code classes} in a fresh loader and instantiates {@code name}. */
  static CompiledFunction load(Map<String, byte[]> classes, String name) {
    ClassLoader loader = new ClassLoader(LinearSizeTest.class.getClassLoader()) {
      @Override
      protected Class<?> findClass(String n) throws ClassNotFoundException {
        byte[] b = classes.get(n);
        if (b == null) {
          throw new ClassNotFoundException(n);
        }
        return defineClass(n, b, 0, b.length);
      }
    };
    try {
      return (CompiledFunction) loader.loadClass(name).getConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void classFileReaderReadsCodeLengths() throws IOException {
    Map<String, byte[]> classes = InMemoryJavaCompiler.compileToBytes(Map.of("p.K", """
        package p;
        public class K {
          public int one() { return 1; }
          public static long loop(int n) { long s = 0; for (int i = 0; i < n; i++) { s += i; } return s; }
          public double constants() { return 1.5 + 1e300 + "x".length() + 7L; }
        }
        """));
    Map<String, Integer> lengths = codeLengths(classes.get("p.K"));
    assertEquals(Set.of("<init>", "one", "loop", "constants"), lengths.keySet());
    assertEquals(2, lengths.get("one")); // iconst_1, ireturn
    assertEquals(5, lengths.get("<init>")); // aload_0, invokespecial #, return
    assertTrue(lengths.get("loop") > 10);
  }

  /**
   * A minimal class-file reader: the {@code code_length} of each method's {@code Code}
   * attribute, by method name (overloads are not expected in generated classes).
   */
  static Map<String, Integer> codeLengths(byte[] classFile) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
    if (in.readInt() != 0xCAFEBABE) {
      throw new IOException("not a class file");
    }
    in.readUnsignedShort(); // minor
    in.readUnsignedShort(); // major
    int poolCount = in.readUnsignedShort();
    String[] utf8 = new String[poolCount];
    for (int i = 1; i < poolCount; i++) {
      int tag = in.readUnsignedByte();
      switch (tag) {
        case 1 -> utf8[i] = in.readUTF();
        case 3, 4 -> in.skipNBytes(4); // Integer, Float
        case 5, 6 -> { // Long, Double take two slots
          in.skipNBytes(8);
          i++;
        }
        case 7, 8, 16, 19, 20 -> in.skipNBytes(2); // Class, String, MethodType, Module, Package
        case 9, 10, 11, 12, 17, 18 -> in.skipNBytes(4); // refs, NameAndType, (Invoke)Dynamic
        case 15 -> in.skipNBytes(3); // MethodHandle
        default -> throw new IOException("unknown constant pool tag " + tag + " at " + i);
      }
    }
    in.readUnsignedShort(); // access flags
    in.readUnsignedShort(); // this class
    in.readUnsignedShort(); // super class
    in.skipNBytes(2L * in.readUnsignedShort()); // interfaces
    int fields = in.readUnsignedShort();
    for (int f = 0; f < fields; f++) {
      in.skipNBytes(6); // access, name, descriptor
      skipAttributes(in);
    }
    Map<String, Integer> out = new LinkedHashMap<>();
    int methods = in.readUnsignedShort();
    for (int m = 0; m < methods; m++) {
      in.readUnsignedShort(); // access
      String name = utf8[in.readUnsignedShort()];
      in.readUnsignedShort(); // descriptor
      int attributes = in.readUnsignedShort();
      for (int a = 0; a < attributes; a++) {
        String attribute = utf8[in.readUnsignedShort()];
        int length = in.readInt();
        if (attribute.equals("Code")) {
          in.readUnsignedShort(); // max_stack
          in.readUnsignedShort(); // max_locals
          int codeLength = in.readInt();
          out.merge(name, codeLength, Math::max);
          in.skipNBytes(length - 8L);
        } else {
          in.skipNBytes(length);
        }
      }
    }
    return out;
  }

  private static void skipAttributes(DataInputStream in) throws IOException {
    int count = in.readUnsignedShort();
    for (int a = 0; a < count; a++) {
      in.readUnsignedShort();
      in.skipNBytes(in.readInt() & 0xFFFFFFFFL);
    }
  }
}
