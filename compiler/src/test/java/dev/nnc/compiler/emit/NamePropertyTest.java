package dev.nnc.compiler.emit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.compiler.ir.ElementType;
import dev.nnc.runtime.Batch;
import dev.nnc.runtime.CompiledFunction;
import dev.nnc.runtime.GradientCheck;
import dev.nnc.runtime.Model;
import dev.nnc.runtime.Parameter;
import dev.nnc.runtime.optim.OptimizerSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.lang.model.SourceVersion;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;

/**
 * Every legal {@code .nn} name ({@code [A-Za-z_][A-Za-z0-9_]*}) yields generated Java that javac
 * accepts and that computes exactly what the same program with plain names computes: random
 * names, weighted towards the hostile ones (Java keywords and restricted identifiers, the
 * generated classes' own members, loop locals and temporaries, the types generated code uses,
 * names starting with an underscore and a digit), as functions, models, layers, layer instances,
 * parameters, inputs, labels, lets and outputs.
 */
class NamePropertyTest {
  /** Names the {@code .nn} grammar reserves. */
  private static final Set<String> NN_KEYWORDS = Set.of("class", "fn", "grad", "init", "input",
      "label", "layer", "let", "loss", "model", "optimizer", "output", "param", "return",
      "target");

  /** Built-in functions: a fn, layer or model may not take their names; values may. */
  private static final Set<String> BUILTINS = Set.of("exp", "log", "sqrt", "abs", "sin", "cos",
      "tan", "tanh", "sigmoid", "relu", "softplus", "sign", "floor", "leaky_relu", "max", "min",
      "where", "sum", "mean", "logsumexp", "softmax", "log_softmax", "cross_entropy", "hinge",
      "mse", "bce_with_logits", "argmax", "transpose", "gelu", "silu", "conv2d", "max_pool2d",
      "avg_pool2d", "flatten", "reshape", "dropout");

  /** Names that have broken or could break generated code. */
  private static final List<String> HOSTILE = Stream.of(
      // Java keywords, literals and restricted identifiers
      List.of("abstract", "assert", "boolean", "break", "byte", "case", "catch", "char", "const",
          "continue", "default", "do", "double", "else", "enum", "extends", "final", "finally",
          "float", "for", "goto", "if", "implements", "import", "instanceof", "int", "interface",
          "long", "native", "new", "package", "private", "protected", "public", "short",
          "static", "strictfp", "super", "switch", "synchronized", "this", "throw", "throws",
          "transient", "try", "void", "volatile", "while", "true", "false", "null", "var",
          "yield", "record", "sealed", "permits", "_", "__", "___"),
      // members and locals of generated classes
      List.of("value", "valueAndGradient", "name", "parameterNames", "parameterShape",
          "valueShape", "evaluate", "evaluateWithGradient", "singlePrecision", "args",
          "upstream", "gradients", "seed", "result", "parameters", "inputs", "outputs", "forward",
          "forwardBackward", "defaultOptimizer", "initialize", "trainStep", "batch", "predict",
          "prepare", "outputCopy", "ensureCapacity", "capacity", "batchSize", "INPUTS",
          "OUTPUTS", "PARAMETERS", "sgdRate", "sgdParameters", "rate", "computeLoss",
          "computeOutputs", "computeGradients", "computePredictions", "computeLoss0", "forward0",
          "backward0", "inUse", "b", "n", "i", "j", "k", "o", "p", "r", "best", "scale",
          "t1", "t2", "g1", "dx", "d", "dW", "dfc1_W", "x_", "f32", "f64", "fill", "nanMax"),
      // types generated code names, and package roots
      List.of("String", "Object", "Override", "System", "Math", "Integer", "Double", "Float",
          "IllegalArgumentException", "IllegalStateException", "IndexOutOfBoundsException",
          "Thread", "Record", "List", "Arrays", "Map", "AtomicBoolean", "CompiledFunction",
          "NnMath", "Model", "Parameter", "Initializer", "Slot", "Batch", "OptimizerSpec",
          "Optimizer", "Gemm", "GradientCheck", "Test", "java", "javax", "dev", "org", "gen"),
      // names whose Java class name would start with a digit, or be empty
      List.of("_1", "_9lives", "_0_", "_2x_3", "a_1", "x_1_2", "_a", "a__b"))
      .flatMap(List::stream).filter(n -> !NN_KEYWORDS.contains(n)).toList();

  @Provide
  Arbitrary<String> names() {
    Arbitrary<String> random = Combinators.combine(
        Arbitraries.strings().withCharRange('a', 'z').withCharRange('A', 'Z').withChars('_')
            .ofLength(1),
        Arbitraries.strings().withCharRange('a', 'z').withCharRange('A', 'Z')
            .withCharRange('0', '9').withChars('_').ofMaxLength(10))
        .as((first, rest) -> first + rest);
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, Arbitraries.of(HOSTILE)),
        net.jqwik.api.Tuple.of(2, random))
        .filter(n -> !NN_KEYWORDS.contains(n));
  }

  /** Distinct names; those that name declarations avoid the built-in functions. */
  @Provide
  Arbitrary<List<String>> functionNames() {
    return names().list().ofSize(12).uniqueElements()
        .filter(l -> l.subList(0, 3).stream().noneMatch(BUILTINS::contains));
  }

  @Provide
  Arbitrary<List<String>> modelNames() {
    return names().filter(n -> !BUILTINS.contains(n)).list().ofSize(16).uniqueElements();
  }

  // ---- functions ----

  /**
   * Three functions over names {@code v[0..]}: two short, one long enough to be split into chunk
   * methods (its scalars cross chunks through fields).
   */
  private static String functions(List<String> v) {
    String f = v.get(0);
    String g = v.get(1);
    String h = v.get(2);
    String a = v.get(3);
    String x = v.get(4);
    String w = v.get(5);
    String l1 = v.get(6);
    String l2 = v.get(7);
    String l3 = v.get(8);
    StringBuilder text = new StringBuilder();
    text.append("fn ").append(f).append("(").append(a).append(", ").append(x).append(": [3], ")
        .append(w).append(": [2, 3]) {\n")
        .append("  let ").append(l1).append(" = ").append(a).append(" * (").append(x).append(" @ ")
        .append(x).append(") + 1;\n")
        .append("  let ").append(l2).append(" = ").append(w).append(" @ ").append(x).append(" * ")
        .append(l1).append(";\n")
        .append("  return ").append(l2).append(" @ ").append(l2).append(" + ").append(l1)
        .append(" / (1 + ").append(a).append(" ^ 2);\n}\n");
    text.append("fn ").append(g).append("(").append(l1).append(", ").append(l2).append(": [2]) = ")
        .append(l2).append(" * ").append(l1).append(" - ").append(l2).append(" / 3;\n");
    text.append("fn ").append(h).append("(").append(a).append(", ").append(l3).append(") {\n");
    String previous = a;
    for (int i = 0; i < 50; i++) {
      String name = v.get(9 + i % 3) + "_" + i;
      text.append("  let ").append(name).append(" = ").append(previous).append(" * ").append(l3)
          .append(" + ").append(a).append(" / (1 + ").append(previous).append(" ^ 2);\n");
      previous = name;
    }
    text.append("  return ").append(previous).append(" * ").append(a).append(";\n}\n");
    return text.toString();
  }

  private static final List<String> PLAIN = List.of("f", "g", "h", "a", "x", "w", "l1", "l2",
      "l3", "s", "t", "u", "v1", "v2", "v3", "v4");

  private static Map<String, CompiledFunction> plainFunctions;

  private static synchronized Map<String, CompiledFunction> plainFunctions() {
    if (plainFunctions == null) {
      plainFunctions = compileFunctions(functions(PLAIN));
    }
    return plainFunctions;
  }

  /** The compiled functions of {@code text} in declaration order, or null on a name collision. */
  private static Map<String, CompiledFunction> compileFunctions(String text) {
    Map<String, String> sources = generate(text, ElementType.F32);
    if (sources == null) {
      return null;
    }
    Map<String, CompiledFunction> out = new LinkedHashMap<>();
    try {
      Map<String, Class<?>> classes = InMemoryJavaCompiler.compile(sources);
      for (String name : sources.keySet()) {
        CompiledFunction fn =
            (CompiledFunction) classes.get(name).getConstructor().newInstance();
        out.put(fn.name(), fn);
      }
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
    return out;
  }

  /** The generated sources, or null if two declarations would generate the same class. */
  private static Map<String, String> generate(String text, ElementType modelType) {
    Compiler.CheckResult checked = Compiler.check(new SourceFile("names.nn", text));
    assertTrue(checked.ok(), () -> "legal names must check:\n" + text + checked.render());
    Compiler.Generation generation = Compiler.generate(
        List.of(new Compiler.Unit(checked, "gen")), true, modelType);
    if (!generation.ok()) {
      assertTrue(generation.render().contains("would generate class"), generation.render());
      return null;
    }
    Map<String, String> sources = new LinkedHashMap<>();
    for (Compiler.GeneratedSource s : generation.sources()) {
      String simple = s.qualifiedName().substring("gen.".length());
      assertTrue(SourceVersion.isName(simple), simple);
      sources.put(s.qualifiedName(), s.code());
    }
    return sources;
  }

  @Property(tries = 12, seed = "20261203", shrinking = ShrinkingMode.OFF)
  void functionsWithAnyLegalNamesCompileAndComputeTheSame(
      @ForAll("functionNames") List<String> names) {
    Map<String, CompiledFunction> renamed = compileFunctions(functions(names));
    Assume.that(renamed != null);
    List<CompiledFunction> plain = new ArrayList<>(plainFunctions().values());
    List<CompiledFunction> got = new ArrayList<>(renamed.values());
    assertEquals(names.subList(0, 3), got.stream().map(CompiledFunction::name).toList());
    SplittableRandom random = new SplittableRandom(names.hashCode());
    for (int f = 0; f < plain.size(); f++) {
      CompiledFunction expected = plain.get(f);
      CompiledFunction actual = got.get(f);
      double[][] args = new double[expected.parameterNames().size()][];
      for (int p = 0; p < args.length; p++) {
        int size = 1;
        for (int d : expected.parameterShape(p)) {
          size *= d;
        }
        args[p] = random.doubles(size, 0.2, 1.2).toArray();
      }
      assertValueAndGradientEqual(expected, actual, args);
    }
  }

  private static void assertValueAndGradientEqual(CompiledFunction expected,
      CompiledFunction actual, double[][] args) {
    double[][] g1 = new double[args.length][];
    double[][] g2 = new double[args.length][];
    for (int p = 0; p < args.length; p++) {
      g1[p] = new double[args[p].length];
      g2[p] = new double[args[p].length];
    }
    assertArrayEquals(expected.evaluateWithGradient(args, null, g1),
        actual.evaluateWithGradient(args, null, g2), actual.name());
    for (int p = 0; p < args.length; p++) {
      assertArrayEquals(g1[p], g2[p], actual.name() + " d" + actual.parameterNames().get(p));
    }
    assertArrayEquals(expected.evaluate(args), actual.evaluate(args), actual.name());
  }

  // ---- models ----

  /** A model with a layer used twice, a parameter of its own, and two outputs. */
  private static String model(List<String> v) {
    return """
        layer %3$s(%4$s, %5$s)(%6$s: [%4$s]) {
          param %7$s: [%4$s, %5$s] init he;
          param %8$s: [%5$s] init zeros;
          return %6$s @ %7$s + %8$s;
        }
        model %1$s {
          input %9$s: [4];
          label %10$s: class(3);
          let %11$s = %3$s(4, 5);
          let %12$s = %3$s(5, 3);
          param %13$s: [3] init zeros;
          let %14$s = %12$s(relu(%11$s(%9$s))) + %13$s;
          output %15$s = softmax(%14$s);
          output %16$s = argmax(%14$s);
          loss cross_entropy(%14$s, %10$s) + 0.01 * sum(%11$s.%7$s ^ 2);
          optimizer sgd(lr: 0.1);
        }
        model %2$s {
          input %9$s: [3];
          target %10$s: [2];
          param %13$s: [3, 2] init zeros;
          let %14$s = %9$s @ %13$s;
          output %15$s = %14$s;
          loss mse(%14$s, %10$s);
        }
        """.formatted(v.subList(0, 16).toArray());
  }

  private static final List<String> PLAIN_MODEL = List.of("M", "R", "Dense", "n_in", "n_out",
      "x", "W", "c", "inp", "y", "fc1", "fc2", "m", "z", "probs", "pred");

  /** A parameter name of the plain model ({@code fc1.W}) as the renamed model spells it. */
  private static String renamed(String plainName, List<String> names) {
    List<String> parts = new ArrayList<>();
    for (String part : plainName.split("\\.")) {
      parts.add(names.get(PLAIN_MODEL.indexOf(part)));
    }
    return String.join(".", parts);
  }

  private static final Map<ElementType, Map<String, Model>> PLAIN_MODELS =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static Map<String, Model> compileModels(String text, ElementType type) {
    Map<String, String> sources = generate(text, type);
    if (sources == null) {
      return null;
    }
    Map<String, Model> out = new LinkedHashMap<>();
    try {
      Map<String, Class<?>> classes = InMemoryJavaCompiler.compile(sources);
      for (String name : sources.keySet()) {
        Model m = (Model) classes.get(name).getConstructor().newInstance();
        out.put(m.name(), m);
      }
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
    return out;
  }

  @Property(tries = 12, seed = "31415926", shrinking = ShrinkingMode.OFF)
  void modelsWithAnyLegalNamesCompileAndComputeTheSame(
      @ForAll("modelNames") List<String> names) {
    ElementType type = names.hashCode() % 2 == 0 ? ElementType.F32 : ElementType.F64;
    Map<String, Model> renamed = compileModels(model(names), type);
    Assume.that(renamed != null);
    Map<String, Model> plain = PLAIN_MODELS.computeIfAbsent(type,
        t -> compileModels(model(PLAIN_MODEL), t));
    assertEquals(names.subList(0, 2), new ArrayList<>(renamed.keySet()));
    for (int k = 0; k < 2; k++) {
      Model expected = plain.get(PLAIN_MODEL.get(k));
      Model actual = renamed.get(names.get(k));
      assertEquals(expected.parameters().size(), actual.parameters().size());
      for (int p = 0; p < expected.parameters().size(); p++) {
        Parameter a = expected.parameters().get(p);
        Parameter b = actual.parameters().get(p);
        assertEquals(renamed(a.name(), names), b.name());
        for (int i = 0; i < a.size(); i++) {
          double value = Math.sin(7.0 * i + p);
          a.set(i, value);
          b.set(i, value);
        }
      }
      Batch batch = GradientCheck.randomBatch(expected, 5, new SplittableRandom(k));
      assertEquals(expected.forward(batch), actual.forward(batch), actual.name());
      for (int o = 0; o < expected.outputs().size(); o++) {
        assertArrayEquals(expected.output(expected.outputs().get(o).name()),
            actual.output(actual.outputs().get(o).name()), actual.name());
      }
      assertEquals(expected.forwardBackward(batch), actual.forwardBackward(batch));
      for (int p = 0; p < expected.parameters().size(); p++) {
        for (int i = 0; i < expected.parameters().get(p).size(); i++) {
          assertEquals(expected.parameters().get(p).grad(i), actual.parameters().get(p).grad(i));
        }
      }
      expected.predict(batch);
      actual.predict(batch);
      assertArrayEquals(expected.output(expected.outputs().get(0).name()),
          actual.output(actual.outputs().get(0).name()));
      OptimizerSpec spec = expected.defaultOptimizer();
      assertEquals(String.valueOf(spec), String.valueOf(actual.defaultOptimizer()));
      if (spec != null) {
        assertEquals(expected.trainStep(batch, spec.create()),
            actual.trainStep(batch, spec.create()));
        for (int p = 0; p < expected.parameters().size(); p++) {
          for (int i = 0; i < expected.parameters().get(p).size(); i++) {
            assertEquals(expected.parameters().get(p).get(i), actual.parameters().get(p).get(i));
          }
        }
      }
    }
  }

  // ---- the class name policy ----

  @Example
  void classNamesAreValidAndReadable() {
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("softmax_loss", "SoftmaxLoss");
    expected.put("neuron", "Neuron");
    expected.put("_1", "_1");
    expected.put("_9lives", "_9lives");
    expected.put("_2x_3", "_2x3");
    expected.put("_", "Fn");
    expected.put("__", "Fn");
    expected.put("string", "StringFn");
    expected.put("List", "ListFn");
    expected.put("model", "ModelFn");
    expected.put("a_1", "A1");
    expected.put("Object", "ObjectFn");
    for (Map.Entry<String, String> e : expected.entrySet()) {
      assertEquals(e.getValue(), JavaNames.className(e.getKey()), e.getKey());
    }
  }

  @Property(tries = 2000, seed = "42")
  void everyLegalNameHasAValidClassName(@ForAll("names") String name) {
    String cls = JavaNames.className(name);
    assertTrue(SourceVersion.isName(cls) && !SourceVersion.isKeyword(cls)
        && !JavaNames.TYPES.contains(cls), name + " -> " + cls);
  }

  /** The helpers above must stay in step with the names a template uses. */
  @Example
  void templatesUseEveryName() {
    Set<String> used = new HashSet<>(PLAIN_MODEL);
    String text = model(PLAIN_MODEL);
    assertTrue(used.stream().allMatch(text::contains),
        used.stream().filter(n -> !text.contains(n)).collect(Collectors.joining(", ")));
  }
}
