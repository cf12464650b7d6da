package dev.nnc.compiler.emit;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.nnc.compiler.autodiff.DerivedFunction;
import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.compiler.ir.ElementType;
import dev.nnc.compiler.ir.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.lang.model.element.Modifier;

/**
 * Prints the Java class of one derived {@code fn} as its {@link FunctionPlan} says: a
 * {@code value} method, a {@code valueAndGradient} method that leaves each parameter's gradient
 * in a public field ({@code dx}, {@code dW}), and the generic {@code CompiledFunction} methods.
 * The code is straight-line for scalar math and constant-bound loops for tensors; temporaries
 * are named after the {@code .nn} names they come from; every step carries a comment with its
 * source line and derivative rule. Tensor temporaries are preallocated fields, so the typed
 * methods do not allocate. Long bodies are split into chunk methods to stay under HotSpot's JIT
 * size limit. The emitter makes no math decisions: it prints the schedule the simplifier left.
 */
public final class FunctionEmitter {
  private static final ClassName COMPILED_FUNCTION =
      ClassName.get("dev.nnc.runtime", "CompiledFunction");
  private static final ClassName NN_MATH = ClassName.get("dev.nnc.runtime", "NnMath");

  private final FunctionPlan plan;
  private final DerivedFunction derived;
  private final SourceFile source;
  private final ElementType type;
  private final Code code;
  private final Comments comments;

  private FunctionEmitter(FunctionPlan plan, SourceFile source,
      Map<String, SourceFile> imported) {
    this.plan = plan;
    this.derived = plan.derived;
    this.source = source;
    this.type = derived.function().elementType();
    this.code = new Code(type);
    this.comments = new Comments(plan.graph, source, imported, "derived");
  }

  /** The Java source of the class for {@code derived}, in package {@code packageName}. */
  public static JavaFile emit(DerivedFunction derived, String packageName, SourceFile source) {
    return emit(derived, packageName, source, JavaNames.className(derived.function().name()));
  }

  /**
   * As {@link #emit(DerivedFunction, String, SourceFile)}, with the class name given; throws
   * {@link IllegalArgumentException} if the class would be too large (see {@link SizeLimits}).
   */
  public static JavaFile emit(DerivedFunction derived, String packageName, SourceFile source,
      String className) {
    return emit(derived, packageName, source, className, problem -> {
      throw new IllegalArgumentException(problem);
    });
  }

  /**
   * The class, or null after passing to {@code tooLarge} why it would be larger than nnc
   * supports (see {@link SizeLimits}).
   */
  public static JavaFile emit(DerivedFunction derived, String packageName, SourceFile source,
      String className, Consumer<String> tooLarge) {
    return emit(derived, packageName, source, Map.of(), className, tooLarge);
  }

  /**
   * As {@link #emit(DerivedFunction, String, SourceFile, String, Consumer)}, for a function that
   * calls functions of the files {@code imported} (by display name): comments show their lines.
   */
  public static JavaFile emit(DerivedFunction derived, String packageName, SourceFile source,
      Map<String, SourceFile> imported, String className, Consumer<String> tooLarge) {
    FunctionPlan plan = new FunctionPlan(derived, className, fitsSecondOrder(derived));
    if (plan.secondOrder() && problem(plan) != null) {
      // Second derivatives are a bonus: a class too large with them is generated without them.
      plan = new FunctionPlan(derived, className, false);
    }
    String problem = problem(plan);
    if (problem != null) {
      tooLarge.accept(problem);
      return null;
    }
    return new FunctionEmitter(plan, source, imported).file(packageName, className);
  }

  /** JVM argument slots a method may take (255, less {@code this}). */
  private static final int MAX_SLOTS = 254;

  /**
   * Whether hvp, which takes every parameter twice (value and direction) and the upstream seed,
   * fits the JVM's argument slots (a double takes two, an array one).
   */
  private static boolean fitsSecondOrder(DerivedFunction derived) {
    int slots = derived.upstream() != null ? 1 : 0;
    for (Node.Var p : derived.function().params()) {
      slots += p.shape().isScalar() ? 4 : 2;
    }
    return slots <= MAX_SLOTS;
  }

  private static String problem(FunctionPlan plan) {
    return SizeLimits.check("fn " + plan.derived.function().name(), "its value and gradient",
        plan.statementCount(), SizeLimits.MAX_FUNCTION_STATEMENTS, plan.constantEstimate());
  }

  /** The Java class name for a {@code fn} or {@code model} name (see {@link JavaNames}). */
  public static String className(String name) {
    return JavaNames.className(name);
  }

  private JavaFile file(String packageName, String className) {
    TypeSpec.Builder cls = TypeSpec.classBuilder(className)
        .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
        .addSuperinterface(COMPILED_FUNCTION)
        .addJavadoc(classDoc(className));
    addFields(cls);
    if (plan.chunked()) {
      addChunks(cls, "forward", plan.forwardChunks(), plan.forwardChunkNames(), false);
      addChunks(cls, "backward", plan.backwardChunks(), plan.backwardChunkNames(), true);
      addChunks(cls, "second-order", plan.secondChunks(), plan.secondChunkNames(), true);
    }
    cls.addMethod(valueMethod(false));
    cls.addMethod(valueMethod(true));
    if (plan.secondOrder()) {
      SecondOrderMethods second = new SecondOrderMethods(plan, code, type, this::statements);
      cls.addMethod(second.hvp());
      cls.addMethod(second.jvp());
      cls.addMethod(second.hessian());
    }
    addGenericMethods(cls);
    return JavaFile.builder(packageName, cls.build())
        .addFileComment("Generated by nnc from $L. Do not edit: regenerate with nnc compile.",
            JavaNames.sanitize(JavaNames.fileName(source.name())))
        .addStaticImport(NN_MATH, "*")
        .skipJavaLangImports(true)
        .indent("  ")
        .build();
  }

  private TypeName elem() {
    return type == ElementType.F32 ? TypeName.FLOAT : TypeName.DOUBLE;
  }

  private TypeName typeOf(Node n) {
    return n.shape().isScalar() ? elem() : ArrayTypeName.of(elem());
  }

  // ---- class members ----

  private CodeBlock classDoc(String className) {
    List<Node.Var> params = plan.params();
    int line = IrFacts.line(derived.function());
    String fnLine = comments.line(line);
    if (fnLine.endsWith("{")) {
      fnLine = fnLine.substring(0, fnLine.length() - 1).trim();
    }
    CodeBlock.Builder doc = CodeBlock.builder()
        .add("Value and gradient of {@code $L} ($L line $L).\n\n", JavaNames.javadocSafe(fnLine),
            JavaNames.sanitize(JavaNames.fileName(source.name())), line)
        .add("<p>{@link #valueAndGradient} leaves the gradient with respect to each parameter in"
            + " the public field named {@code d} + the parameter's name");
    if (!params.isEmpty()) {
      doc.add(" (for example {@code $L})", plan.gradientField(params.get(0)));
    }
    doc.add(". Tensors are flat row-major arrays.\n\n<p>An instance reuses its buffers, so it is"
        + " not thread-safe: use one instance per thread. Creating one is cheap ({@code new $L()}"
        + " allocates only its buffers), and calls stay free of locks.\n", className);
    return doc.build();
  }

  private void addFields(TypeSpec.Builder cls) {
    for (Node.Var p : plan.params()) {
      String field = plan.gradientField(p);
      String doc = "Gradient of the value with respect to {@code " + JavaNames.javadocSafe(p.name())
          + "}" + (p.shape().isScalar() ? "" : " " + p.shape()) + ", set by valueAndGradient.\n";
      if (p.shape().isScalar()) {
        cls.addField(FieldSpec.builder(elem(), field, Modifier.PUBLIC).addJavadoc(doc).build());
      } else {
        cls.addField(FieldSpec.builder(ArrayTypeName.of(elem()), field, Modifier.PUBLIC,
            Modifier.FINAL).addJavadoc(doc)
            .initializer("new $T[$L]", elem(), p.shape().size()).build());
      }
    }
    for (Node n : plan.tensorFields()) {
      if (plan.inPlace(n)) {
        continue;
      }
      boolean isValue = n == derived.value();
      FieldSpec.Builder f = FieldSpec.builder(ArrayTypeName.of(elem()), plan.name(n),
          isValue ? Modifier.PUBLIC : Modifier.PRIVATE, Modifier.FINAL)
          .initializer("new $T[$L]", elem(), n.shape().size());
      if (isValue) {
        f.addJavadoc("The value " + n.shape() + " after value or valueAndGradient.\n");
      }
      cls.addField(f.build());
    }
    if (plan.valueCopy() != null) {
      cls.addField(FieldSpec.builder(ArrayTypeName.of(elem()), plan.valueCopy(), Modifier.PUBLIC,
          Modifier.FINAL).addJavadoc("The value " + derived.value().shape()
              + " after value or valueAndGradient.\n")
          .initializer("new $T[$L]", elem(), derived.value().shape().size()).build());
    }
    if (plan.secondOrder()) {
      SecondOrderMethods.addFields(cls, plan, elem());
    }
    if (plan.chunked()) {
      // Chunk methods share the inputs, and the scalars one computes and another reads, through
      // fields; every other scalar is a local of its chunk.
      for (Node.Var p : plan.inputs()) {
        cls.addField(typeOf(p), plan.name(p), Modifier.PRIVATE);
      }
      if (plan.secondOrder()) {
        for (Node.Var v : plan.directions()) {
          cls.addField(typeOf(v), plan.name(v), Modifier.PRIVATE);
        }
      }
      for (Node n : plan.scalarFields()) {
        cls.addField(elem(), plan.name(n), Modifier.PRIVATE);
      }
    }
  }

  private MethodSpec valueMethod(boolean withGradient) {
    MethodSpec.Builder m = MethodSpec.methodBuilder(withGradient ? "valueAndGradient" : "value")
        .addModifiers(Modifier.PUBLIC);
    Node value = derived.value();
    m.returns(value.shape().isScalar() ? elem() : ArrayTypeName.of(elem()));
    List<Node.Var> inputs = withGradient ? plan.inputs() : plan.params();
    for (Node.Var p : inputs) {
      m.addParameter(typeOf(p), plan.name(p));
    }
    m.addJavadoc(withGradient
        ? "Computes the value and stores the gradient with respect to every parameter in the d*"
            + " fields" + (derived.upstream() != null
            ? "; {@code upstream} weighs the value's elements (a vector-Jacobian product)" : "")
            + ".\n"
        : "Computes the value.\n");
    for (Node.Var p : inputs) {
      if (!p.shape().isScalar()) {
        m.addStatement("$T.checkLength($S, $L, $L)", COMPILED_FUNCTION, p.name().replace("$", ""),
            plan.name(p), p.shape().size());
      }
    }
    if (plan.chunked()) {
      for (Node.Var p : inputs) {
        m.addStatement("this.$L = $L", plan.name(p), plan.name(p));
      }
      for (String chunk : plan.forwardChunkNames()) {
        m.addStatement("$L()", chunk);
      }
      if (withGradient) {
        for (String chunk : plan.backwardChunkNames()) {
          m.addStatement("$L()", chunk);
        }
      }
    } else {
      m.addCode(statements(plan.forwardChunks().get(0), false));
      if (withGradient) {
        m.addCode(statements(plan.backwardChunks().get(0), true));
      }
    }
    if (withGradient) {
      m.addCode(gradientOutputs());
    }
    if (plan.valueCopy() != null) {
      m.beginControlFlow("for (int i = 0; i < $L; i++)", value.shape().size());
      m.addStatement("$L[i] = $L", plan.valueCopy(), code.at(value, "i", plan::name));
      m.endControlFlow();
    }
    m.addStatement("return $L", value.shape().isScalar() ? code.at(value, "0", plan::name)
        : plan.valueCopy() != null ? plan.valueCopy() : plan.name(value));
    return m.build();
  }

  private CodeBlock gradientOutputs() {
    CodeBlock.Builder out = CodeBlock.builder();
    List<Node.Var> params = plan.params();
    boolean commented = false;
    for (int i = 0; i < params.size(); i++) {
      Node.Var p = params.get(i);
      Node g = derived.gradients().get(i);
      String field = plan.gradientField(p);
      if (plan.inPlace(g, p)) {
        continue;
      }
      if (!commented) {
        out.add("// gradients that are not computed in place\n");
        commented = true;
      }
      if (p.shape().isScalar()) {
        out.addStatement("this.$L = $L", field, code.at(g, "0", plan::name));
      } else {
        out.beginControlFlow("for (int i = 0; i < $L; i++)", p.shape().size());
        out.addStatement("$L[i] = $L", field, code.at(g, "i", plan::name));
        out.endControlFlow();
      }
    }
    return out.build();
  }

  // ---- statements and chunks ----

  private void addChunks(TypeSpec.Builder cls, String phase, List<List<Fusion.Group>> chunks,
      List<String> chunkNames, boolean backward) {
    for (int c = 0; c < chunks.size(); c++) {
      cls.addMethod(MethodSpec.methodBuilder(chunkNames.get(c))
          .addModifiers(Modifier.PRIVATE)
          .addJavadoc("Part $L of the $L pass (split to keep methods small enough to JIT).\n",
              c + 1, phase)
          .addCode(statements(chunks.get(c), backward))
          .build());
    }
  }

  CodeBlock statements(List<Fusion.Group> groups, boolean backwardPass) {
    CodeBlock.Builder out = CodeBlock.builder();
    String lastComment = null;
    for (Fusion.Group g : groups) {
      Node n = g.nodes().get(0);
      String comment = comments.of(n, backwardPass);
      if (!comment.equals(lastComment)) {
        out.add("// $L\n", comment);
        lastComment = comment;
      }
      if (g.kind() == Fusion.Kind.SOFTMAX_LOGSUMEXP) {
        Node lse = g.nodes().get(1);
        String other = comments.of(lse, backwardPass);
        if (!other.equals(comment)) {
          out.add("// $L\n", other);
          lastComment = other;
        }
        out.add("// softmax and logsumexp of the same values share the max and the exponentials\n");
        out.add(code.softmaxWithLogsumexp((Node.Apply) n, (Node.Apply) lse, plan::name,
            plan.declaresLocal(lse)));
        continue;
      }
      out.add(code.statement((Node.Apply) n, plan::name, plan.declaresLocal(n),
          plan.tensorFields().contains(n) || plan.inPlace(n)));
    }
    return out.build();
  }

  // ---- generic access ----

  private void addGenericMethods(TypeSpec.Builder cls) {
    List<Node.Var> params = plan.params();
    cls.addMethod(MethodSpec.methodBuilder("name").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC).returns(String.class)
        .addStatement("return $S", derived.function().name()).build());
    CodeBlock.Builder list = CodeBlock.builder().add("return $T.of(", List.class);
    for (int i = 0; i < params.size(); i++) {
      list.add(i == 0 ? "$S" : ", $S", params.get(i).name());
    }
    cls.addMethod(MethodSpec.methodBuilder("parameterNames").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC)
        .returns(ParameterizedTypeName.get(List.class, String.class))
        .addStatement(list.add(")").build()).build());
    MethodSpec.Builder shape = MethodSpec.methodBuilder("parameterShape")
        .addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
        .returns(int[].class).addParameter(int.class, "i");
    shape.beginControlFlow("switch (i)");
    for (int i = 0; i < params.size(); i++) {
      shape.addStatement("case $L: return new int[] {$L}", i, dims(params.get(i)));
    }
    shape.addStatement("default: throw new $T($S + i)", IndexOutOfBoundsException.class,
        "no parameter ");
    shape.endControlFlow();
    cls.addMethod(shape.build());
    if (type == ElementType.F32) {
      cls.addMethod(MethodSpec.methodBuilder("singlePrecision").addAnnotation(Override.class)
          .addModifiers(Modifier.PUBLIC).returns(boolean.class).addStatement("return true")
          .build());
    }
    cls.addMethod(MethodSpec.methodBuilder("valueShape").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC).returns(int[].class)
        .addStatement("return new int[] {$L}", dims(derived.value())).build());

    cls.addMethod(MethodSpec.methodBuilder("evaluate").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC).returns(double[].class)
        .addParameter(double[][].class, "args")
        .addCode(wrapValue("value(" + genericArgs(false) + ")"))
        .build());
    MethodSpec.Builder withGrad = MethodSpec.methodBuilder("evaluateWithGradient")
        .addAnnotation(Override.class).addModifiers(Modifier.PUBLIC).returns(double[].class)
        .addParameter(double[][].class, "args").addParameter(double[].class, "upstream")
        .addParameter(double[][].class, "gradients");
    if (derived.upstream() != null) {
      withGrad.addStatement("double[] seed = upstream != null ? upstream : new double[$L]",
          derived.upstream().shape().size());
      withGrad.beginControlFlow("if (upstream == null)")
          .addStatement("$T.fill(seed, 1.0)", java.util.Arrays.class).endControlFlow();
    }
    withGrad.addCode(wrapValue("valueAndGradient(" + genericArgs(true) + ")"));
    cls.addMethod(withGrad.build());
    if (plan.secondOrder()) {
      addGenericSecondOrder(cls);
    }
  }

  /** evaluateHessian, evaluateHvp and evaluateJvp over the typed methods. */
  private void addGenericSecondOrder(TypeSpec.Builder cls) {
    List<Node.Var> params = plan.params();
    MethodSpec.Builder hessian = MethodSpec.methodBuilder("evaluateHessian")
        .addAnnotation(Override.class).addModifiers(Modifier.PUBLIC).returns(double[].class)
        .addParameter(double[][].class, "args").addParameter(double[].class, "upstream");
    seed(hessian);
    String call = "hessian(" + genericArgs(true) + ")";
    if (type == ElementType.F32) {
      hessian.addStatement("double[] result = new double[$L]",
          derived.hessianSize() * derived.hessianSize());
      hessian.addStatement("$T.copy($L, result)", COMPILED_FUNCTION, call);
      hessian.addStatement("return result");
    } else {
      hessian.addStatement("return $L.clone()", call);
    }
    cls.addMethod(hessian.build());

    MethodSpec.Builder hvp = MethodSpec.methodBuilder("evaluateHvp")
        .addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
        .addParameter(double[][].class, "args").addParameter(double[].class, "upstream")
        .addParameter(double[][].class, "direction").addParameter(double[][].class, "out");
    seed(hvp);
    hvp.addStatement("hvp($L)", genericArgs(true) + directionArgs());
    for (int i = 0; i < params.size(); i++) {
      String field = plan.hvpField(params.get(i));
      if (params.get(i).shape().isScalar()) {
        hvp.addStatement("out[$L][0] = $L", i, field);
      } else if (type == ElementType.F32) {
        hvp.addStatement("$T.copy($L, out[$L])", COMPILED_FUNCTION, field, i);
      } else {
        hvp.addStatement("System.arraycopy($L, 0, out[$L], 0, $L)", field, i,
            params.get(i).shape().size());
      }
    }
    cls.addMethod(hvp.build());

    MethodSpec.Builder jvp = MethodSpec.methodBuilder("evaluateJvp")
        .addAnnotation(Override.class).addModifiers(Modifier.PUBLIC).returns(double[].class)
        .addParameter(double[][].class, "args").addParameter(double[][].class, "direction");
    String jvpCall = "jvp(" + genericArgs(false) + directionArgs() + ")";
    if (derived.value().shape().isScalar()) {
      jvp.addStatement("return new double[] {$L}", jvpCall);
    } else if (type == ElementType.F32) {
      jvp.addStatement("double[] result = new double[$L]", derived.value().shape().size());
      jvp.addStatement("$T.copy($L, result)", COMPILED_FUNCTION, jvpCall);
      jvp.addStatement("return result");
    } else {
      jvp.addStatement("return $L.clone()", jvpCall);
    }
    cls.addMethod(jvp.build());
  }

  /** The upstream seed of a tensor-valued function: the given one, or all ones. */
  private void seed(MethodSpec.Builder m) {
    if (derived.upstream() != null) {
      m.addStatement("double[] seed = upstream != null ? upstream : new double[$L]",
          derived.upstream().shape().size());
      m.beginControlFlow("if (upstream == null)")
          .addStatement("$T.fill(seed, 1.0)", java.util.Arrays.class).endControlFlow();
    }
  }

  /** ", direction[0][0], direction[1]": the directions as typed arguments. */
  private String directionArgs() {
    StringBuilder out = new StringBuilder();
    List<Node.Var> params = plan.params();
    for (int i = 0; i < params.size(); i++) {
      out.append(", ").append(generic("direction[" + i + "]", params.get(i).shape().isScalar()));
    }
    return out.toString();
  }

  /** Converts the typed result into the generic result, copying gradients when asked. */
  private CodeBlock wrapValue(String call) {
    CodeBlock.Builder b = CodeBlock.builder();
    Node value = derived.value();
    boolean gradients = call.startsWith("valueAndGradient");
    if (value.shape().isScalar()) {
      b.addStatement("double result = $L", call);
    } else if (type == ElementType.F32) {
      b.addStatement("double[] result = new double[$L]", value.shape().size());
      b.addStatement("$T.copy($L, result)", COMPILED_FUNCTION, call);
    } else {
      b.addStatement("double[] result = $L.clone()", call);
    }
    if (gradients) {
      List<Node.Var> params = plan.params();
      for (int i = 0; i < params.size(); i++) {
        String field = plan.gradientField(params.get(i));
        if (params.get(i).shape().isScalar()) {
          b.addStatement("gradients[$L][0] = $L", i, field);
        } else if (type == ElementType.F32) {
          b.addStatement("$T.copy($L, gradients[$L])", COMPILED_FUNCTION, field, i);
        } else {
          b.addStatement("System.arraycopy($L, 0, gradients[$L], 0, $L)", field, i,
              params.get(i).shape().size());
        }
      }
    }
    b.addStatement(value.shape().isScalar() ? "return new double[] {result}" : "return result");
    return b.build();
  }

  private String genericArgs(boolean withUpstream) {
    List<String> args = new ArrayList<>();
    List<Node.Var> params = plan.params();
    for (int i = 0; i < params.size(); i++) {
      args.add(generic("args[" + i + "]", params.get(i).shape().isScalar()));
    }
    if (withUpstream && derived.upstream() != null) {
      args.add(generic("seed", false));
    }
    return String.join(", ", args);
  }

  private String generic(String array, boolean scalar) {
    if (scalar) {
      return type == ElementType.F32 ? "(float) " + array + "[0]" : array + "[0]";
    }
    return type == ElementType.F32 ? COMPILED_FUNCTION.simpleName() + ".toF32(" + array + ")" : array;
  }

  private static String dims(Node n) {
    List<String> d = new ArrayList<>();
    for (int x : n.shape().dims()) {
      d.add(Integer.toString(x));
    }
    return String.join(", ", d);
  }
}
