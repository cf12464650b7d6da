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
import dev.nnc.compiler.autodiff.DerivedModel;
import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.compiler.ir.ElementType;
import dev.nnc.compiler.ir.ModelIr;
import dev.nnc.compiler.ir.Node;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import javax.lang.model.element.Modifier;

/**
 * Prints the Java class of a {@code model} as its {@link ModelPlan} says: it implements the
 * runtime's {@code Model}, holds the parameters with their gradients as flat primitive arrays,
 * preallocates every activation and gradient buffer (regrown only when a larger batch arrives),
 * and computes the loss (the batch mean), the outputs and the parameter gradients with no
 * allocation once warm. Per-example operations run inside a loop over the examples of the
 * batch; operations on weights alone run once per batch.
 */
public final class ModelEmitter {
  private static final String RUNTIME = "dev.nnc.runtime";
  private static final ClassName MODEL = ClassName.get(RUNTIME, "Model");
  private static final ClassName PARAMETER = ClassName.get(RUNTIME, "Parameter");
  private static final ClassName INITIALIZER = ClassName.get(RUNTIME, "Initializer");
  private static final ClassName SLOT = ClassName.get(RUNTIME, "Slot");
  private static final ClassName BATCH = ClassName.get(RUNTIME, "Batch");
  private static final ClassName OPTIMIZER_SPEC = ClassName.get(RUNTIME + ".optim", "OptimizerSpec");
  private static final ClassName OPTIMIZER = ClassName.get(RUNTIME + ".optim", "Optimizer");
  private static final ClassName NN_MATH = ClassName.get(RUNTIME, "NnMath");
  private static final ClassName ATOMIC_BOOLEAN =
      ClassName.get("java.util.concurrent.atomic", "AtomicBoolean");

  private final ModelPlan plan;
  private final DerivedModel derived;
  private final ModelIr model;
  private final SourceFile source;
  private final ElementType type;
  private final Code code;
  private final Comments comments;

  private ModelEmitter(ModelPlan plan, Code code, SourceFile source,
      Map<String, SourceFile> imported) {
    this.plan = plan;
    this.derived = plan.derived;
    this.model = plan.model;
    this.source = source;
    this.type = plan.type;
    this.code = code;
    this.comments = new Comments(plan.graph, source, imported, "batch mean");
  }

  /**
   * The Java source of the model class, with {@code f32} or {@code f64} arithmetic; throws
   * {@link IllegalArgumentException} if the class would be too large (see {@link SizeLimits}).
   */
  public static JavaFile emit(DerivedModel derived, String packageName, SourceFile source,
      String className, ElementType type) {
    return emit(derived, packageName, source, className, type, problem -> {
      throw new IllegalArgumentException(problem);
    });
  }

  /**
   * The model class, or null after passing to {@code tooLarge} why it would be larger than nnc
   * supports (see {@link SizeLimits}).
   */
  public static JavaFile emit(DerivedModel derived, String packageName, SourceFile source,
      String className, ElementType type, Consumer<String> tooLarge) {
    return emit(derived, packageName, source, Map.of(), className, type, tooLarge);
  }

  /**
   * As {@link #emit(DerivedModel, String, SourceFile, String, ElementType, Consumer)}, for a
   * model that uses layers and functions of the files {@code imported} (by display name):
   * comments show their lines.
   */
  public static JavaFile emit(DerivedModel derived, String packageName, SourceFile source,
      Map<String, SourceFile> imported, String className, ElementType type,
      Consumer<String> tooLarge) {
    Set<Node> labels = new HashSet<>();
    for (ModelIr.DataVar d : derived.model().data()) {
      if (d.kind() == ModelIr.DataKind.LABEL) {
        labels.add(d.var());
      }
    }
    ModelPlan plan = new ModelPlan(derived, className, type, new Code(type, labels));
    String problem = SizeLimits.check("model " + derived.model().name(),
        "its loss, outputs and gradients", plan.statementCount(),
        SizeLimits.MAX_MODEL_STATEMENTS, plan.constantEstimate());
    if (problem != null) {
      tooLarge.accept(problem);
      return null;
    }
    return new ModelEmitter(plan, plan.code(), source, imported).file(packageName, className);
  }

  private TypeName elem() {
    return type == ElementType.F32 ? TypeName.FLOAT : TypeName.DOUBLE;
  }

  private String arrays() {
    return type == ElementType.F32 ? "f32" : "f64";
  }

  private JavaFile file(String packageName, String className) {
    TypeSpec.Builder cls = TypeSpec.classBuilder(className)
        .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
        .addSuperinterface(MODEL)
        .addJavadoc(classDoc());
    addParameterFields(cls);
    addSlots(cls);
    addBuffers(cls);
    addPasses(cls);
    addApi(cls);
    addGuard(cls, className);
    return JavaFile.builder(packageName, cls.build())
        .addFileComment("Generated by nnc from $L. Do not edit: regenerate with nnc compile.",
            JavaNames.sanitize(JavaNames.fileName(source.name())))
        .addStaticImport(NN_MATH, "*")
        .skipJavaLangImports(true)
        .indent("  ")
        .build();
  }

  private CodeBlock classDoc() {
    return CodeBlock.builder()
        .add("The model {@code $L} ($L line $L), compiled to plain Java.\n\n",
            JavaNames.javadocSafe(model.name()),
            JavaNames.sanitize(JavaNames.fileName(source.name())), IrFacts.line(model))
        .add("<p>Parameters and their gradients are flat row-major arrays held by {@link $T}"
            + " objects named as in the source ({@code fc1.W}). The loss of a batch is the mean of"
            + " the per-example loss.\n\n"
            + "<p>Buffers are reused across calls, so an instance computes for one thread at a"
            + " time: a call while another call is computing throws {@link $T}. Give each thread"
            + " its own instance and copy the parameters' values into it.\n", PARAMETER,
            IllegalStateException.class)
        .build();
  }

  private void addParameterFields(TypeSpec.Builder cls) {
    CodeBlock.Builder list = CodeBlock.builder().add("$T.of(", List.class);
    boolean first = true;
    for (ModelIr.ParamVar p : model.params()) {
      CodeBlock init = initializer(p);
      cls.addField(FieldSpec.builder(PARAMETER, plan.field(p), Modifier.PRIVATE, Modifier.FINAL)
          .addJavadoc("{@code $L}: $L, initialized with $L.\n", JavaNames.javadocSafe(p.var().name()),
              p.var().shape(), JavaNames.javadocSafe(p.init()))
          .initializer("$T.$L($S, new int[] {$L}, $L)", PARAMETER, arrays(), p.var().name(),
              dims(p.var()), init)
          .build());
      list.add(first ? "$L" : ", $L", plan.field(p));
      first = false;
    }
    cls.addField(FieldSpec.builder(ParameterizedTypeName.get(ClassName.get(List.class), PARAMETER),
        "parameters", Modifier.PRIVATE, Modifier.FINAL).initializer(list.add(")").build()).build());
  }

  private CodeBlock initializer(ModelIr.ParamVar p) {
    List<String> args = new ArrayList<>();
    for (double a : p.initArgs()) {
      args.add(Double.toString(a));
    }
    return CodeBlock.of("$T.$L($L)", INITIALIZER, p.init(), String.join(", ", args));
  }

  private void addSlots(TypeSpec.Builder cls) {
    CodeBlock.Builder inputs = CodeBlock.builder().add("$T.of(", List.class);
    for (int i = 0; i < model.data().size(); i++) {
      ModelIr.DataVar d = model.data().get(i);
      inputs.add(i == 0 ? "" : ", ");
      switch (d.kind()) {
        case INPUT -> inputs.add("$T.input($S$L)", SLOT, d.var().name(), dimsArgs(d.var()));
        case TARGET -> inputs.add("$T.target($S$L)", SLOT, d.var().name(), dimsArgs(d.var()));
        case LABEL -> inputs.add("$T.label($S, $L)", SLOT, d.var().name(), d.classes());
      }
    }
    CodeBlock.Builder outputs = CodeBlock.builder().add("$T.of(", List.class);
    int k = 0;
    for (Map.Entry<String, Node> o : derived.outputs().entrySet()) {
      outputs.add(k++ == 0 ? "" : ", ");
      outputs.add("$T.output($S$L)", SLOT, o.getKey(), dimsArgs(o.getValue()));
    }
    TypeName slots = ParameterizedTypeName.get(ClassName.get(List.class), SLOT);
    cls.addField(FieldSpec.builder(slots, "INPUTS", Modifier.PRIVATE, Modifier.STATIC,
        Modifier.FINAL).initializer(inputs.add(")").build()).build());
    cls.addField(FieldSpec.builder(slots, "OUTPUTS", Modifier.PRIVATE, Modifier.STATIC,
        Modifier.FINAL).initializer(outputs.add(")").build()).build());
  }

  private void addBuffers(TypeSpec.Builder cls) {
    ConvKernels kernels = plan.kernels();
    for (ConvKernels.Kernel k : kernels.kernels()) {
      List<String> args = new ArrayList<>();
      for (int a : k.arguments()) {
        args.add(Integer.toString(a));
      }
      boolean conv = k.type().equals("Conv2d");
      cls.addField(FieldSpec.builder(conv ? ConvCode.CONV2D : ConvCode.POOL2D, k.field(),
          Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
          .addJavadoc(conv ? "The convolution kernel for inputs [$L, $L, $L] and weights [$L, $L, $L,"
              + " $L], stride $L, padding $L.\n" : "The pooling kernel for inputs [$L, $L, $L],"
              + " windows $Lx$L every $L.\n", conv ? kernelDoc(k) : poolDoc(k))
          .initializer("new $T($L)", conv ? ConvCode.CONV2D : ConvCode.POOL2D,
              String.join(", ", args)).build());
    }
    if (kernels.scratch() != null) {
      cls.addField(FieldSpec.builder(float[].class, kernels.scratch(), Modifier.PRIVATE)
          .addJavadoc("Working memory of the convolution kernels, sized for the batch capacity.\n")
          .initializer("new float[0]").build());
    }
    for (ConvKernels.Argmax a : kernels.argmaxes()) {
      cls.addField(FieldSpec.builder(int[].class, a.field(), Modifier.PRIVATE)
          .addJavadoc("Where each window's maximum is (max pooling), for the backward pass.\n")
          .initializer("new int[0]").build());
    }
    if (plan.hasDropout()) {
      cls.addField(FieldSpec.builder(boolean.class, ConvCode.TRAINING, Modifier.PRIVATE)
          .addJavadoc("True in a training step, where dropouts draw their masks.\n").build());
      cls.addField(FieldSpec.builder(long.class, ConvCode.SEED, Modifier.PRIVATE)
          .addJavadoc("The seed of the dropout masks: the initialization seed.\n").build());
      cls.addField(FieldSpec.builder(long.class, ConvCode.STEP, Modifier.PRIVATE)
          .addJavadoc("The training steps taken since initialization: each draws new masks.\n")
          .build());
    }
    cls.addField(FieldSpec.builder(int.class, "capacity", Modifier.PRIVATE)
        .addJavadoc("The batch size the per-example buffers are sized for.\n").build());
    cls.addField(FieldSpec.builder(elem(), "batchSize", Modifier.PRIVATE).build());
    MethodSpec.Builder grow = MethodSpec.methodBuilder("ensureCapacity")
        .addModifiers(Modifier.PRIVATE).addParameter(int.class, "n")
        .addJavadoc("Grows the per-example buffers when a larger batch arrives.\n")
        .beginControlFlow("if (n <= capacity)").addStatement("return").endControlFlow()
        .addStatement("capacity = n");
    if (kernels.scratch() != null) {
      String size = null;
      for (ConvKernels.Kernel k : kernels.kernels()) {
        if (k.type().equals("Conv2d")) {
          String s = k.field() + ".scratchSize(n)";
          size = size == null ? s : "Math.max(" + size + ", " + s + ")";
        }
      }
      grow.addStatement("$L = new float[$L]", kernels.scratch(), size);
    }
    for (ConvKernels.Argmax a : kernels.argmaxes()) {
      grow.addStatement("$L = new int[n * $L.outputSize()]", a.field(), a.kernel().field());
    }
    for (Node n : plan.stored()) {
      String name = plan.name(n);
      if (n.batched()) {
        cls.addField(FieldSpec.builder(ArrayTypeName.of(elem()), name, Modifier.PRIVATE)
            .initializer("new $T[0]", elem()).build());
        grow.addStatement("$L = new $T[n * $L]", name, elem(), n.shape().size());
      } else if (n.shape().isScalar()) {
        cls.addField(elem(), name, Modifier.PRIVATE);
      } else {
        cls.addField(FieldSpec.builder(ArrayTypeName.of(elem()), name, Modifier.PRIVATE,
            Modifier.FINAL).initializer("new $T[$L]", elem(), n.shape().size()).build());
      }
    }
    cls.addMethod(grow.build());
  }

  /**
   * The batch's loss as forward, forwardBackward and trainStep return it: the field a statement
   * computed, or the value of a loss that needed none, read where it is (a constant, a scalar
   * parameter, an element of one).
   */
  private String objectiveValue() {
    if (plan.computesObjective()) {
      return plan.name(derived.objective());
    }
    return code.at(derived.objective(), "0", this::sharedRef);
  }

  private static Object[] kernelDoc(ConvKernels.Kernel k) {
    List<Integer> a = k.arguments();
    return new Object[] {a.get(0), a.get(1), a.get(2), a.get(3), a.get(0), a.get(4), a.get(5),
        a.get(6), a.get(7)};
  }

  private static Object[] poolDoc(ConvKernels.Kernel k) {
    List<Integer> a = k.arguments();
    return new Object[] {a.get(0), a.get(1), a.get(2), a.get(3), a.get(3), a.get(4)};
  }

  /** How generated statements refer to a node: batched scalars are per-example array slots. */
  private String ref(Node n) {
    String name = plan.name(n);
    if (name == null) {
      throw new IllegalStateException("no storage for " + n);
    }
    if (n.batched() && n.shape().isScalar()) {
      return name + "[b]";
    }
    return name;
  }

  private void addPasses(TypeSpec.Builder cls) {
    for (ModelPlan.Pass pass : List.of(plan.loss(), plan.outputs(), plan.gradients(),
        plan.predictions())) {
      addPass(cls, pass);
    }
  }

  private void addPass(TypeSpec.Builder cls, ModelPlan.Pass pass) {
    List<List<Fusion.Group>> chunks = pass.chunks();
    boolean backward = pass.backward();
    for (int c = 0; c < chunks.size(); c++) {
      MethodSpec.Builder m = MethodSpec.methodBuilder(pass.chunkMethods().get(c))
          .addModifiers(Modifier.PRIVATE)
          .addParameter(BATCH, "batch")
          .addJavadoc(chunks.size() == 1 ? pass.doc() + "\n"
              : pass.doc() + " Part " + (c + 1) + ".\n");
      m.addStatement("int n = batch.size()");
      List<Node> chunkNodes = new ArrayList<>();
      for (Fusion.Group g : chunks.get(c)) {
        chunkNodes.addAll(g.nodes());
      }
      List<Node> reads = new ArrayList<>(chunkNodes);
      if (backward && c == chunks.size() - 1) {
        reads.addAll(derived.gradients());
      }
      m.addCode(locals(reads));
      m.addCode(statements(chunks.get(c), backward));
      if (backward) {
        m.addCode(gradientCopies(c == chunks.size() - 1));
      }
      cls.addMethod(m.build());
    }
    if (chunks.size() > 1) {
      MethodSpec.Builder all = MethodSpec.methodBuilder(pass.method())
          .addModifiers(Modifier.PRIVATE)
          .addParameter(BATCH, "batch").addJavadoc(pass.doc() + "\n");
      for (String c : pass.chunkMethods()) {
        all.addStatement("$L(batch)", c);
      }
      cls.addMethod(all.build());
    } else if (chunks.isEmpty()) {
      MethodSpec.Builder m = MethodSpec.methodBuilder(pass.method())
          .addModifiers(Modifier.PRIVATE).addParameter(BATCH, "batch")
          .addJavadoc(pass.doc() + "\n");
      if (backward) {
        m.addCode(gradientCopies(true));
      }
      cls.addMethod(m.build());
    }
  }

  /** Local names for the batch's data arrays and the parameters' value arrays this chunk reads. */
  private CodeBlock locals(List<Node> nodes) {
    Set<Node> used = new LinkedHashSet<>();
    for (Node n : nodes) {
      if (n instanceof Node.Var) {
        used.add(n);
      } else if (n instanceof Node.Apply a && Code.isView(a)) {
        collectLeaves(a, used);
      } else {
        collectLeaves(n, used);
      }
    }
    CodeBlock.Builder b = CodeBlock.builder();
    for (int i = 0; i < model.data().size(); i++) {
      ModelIr.DataVar d = model.data().get(i);
      if (used.contains(d.var())) {
        // an f64 model reads its inputs as doubles: never rounded to f32 on the way in
        boolean label = d.kind() == ModelIr.DataKind.LABEL;
        boolean f64 = type == ElementType.F64;
        b.addStatement("$L $L = batch.$L($L)", label ? "int[]" : f64 ? "double[]" : "float[]",
            plan.name(d.var()), label ? "labels" : f64 ? "doubles" : "floats", i);
      }
    }
    for (ModelIr.ParamVar p : model.params()) {
      if (used.contains(p.var()) && p.var().shape().isScalar()) {
        // a scalar parameter is read as a number, as every scalar value is
        b.addStatement("$T $L = this.$L.$L()[0]", elem(), plan.field(p), plan.field(p),
            arrays());
      } else if (used.contains(p.var())) {
        b.addStatement("$T[] $L = this.$L.$L()", elem(), plan.field(p), plan.field(p),
            arrays());
      }
    }
    return b.build();
  }

  private void collectLeaves(Node n, Set<Node> out) {
    if (n instanceof Node.Var) {
      out.add(n);
    } else if (n instanceof Node.Apply a) {
      for (Node in : a.inputs()) {
        if (in instanceof Node.Var) {
          out.add(in);
        } else if (in instanceof Node.Apply ia && Code.isView(ia)) {
          collectLeaves(ia, out);
        }
      }
    }
  }

  private CodeBlock statements(List<Fusion.Group> groups, boolean backward) {
    CodeBlock.Builder out = CodeBlock.builder();
    String last = null;
    for (Fusion.Group g : groups) {
      if (g.fused()) {
        fusedLoop(out, g, backward);
        last = null;
        continue;
      }
      Node n = g.nodes().get(0);
      String comment = comments.of(n, backward);
      if (!comment.equals(last)) {
        out.add("// $L\n", comment);
        last = comment;
      }
      if (g.kind() == Fusion.Kind.SOFTMAX_LOGSUMEXP) {
        Node lse = g.nodes().get(1);
        String other = comments.of(lse, backward);
        if (!other.equals(comment)) {
          out.add("// $L\n", other);
          last = other;
        }
        declareGradient(out, n);
        declareGradient(out, lse);
        out.add("// softmax and logsumexp of the same values share the max and the exponentials\n");
        out.add(code.softmaxWithLogsumexp((Node.Apply) n, (Node.Apply) lse, this::ref, false));
        continue;
      }
      ModelIr.ParamVar sgd = plan.sgdStepOf(n);
      if (sgd != null) {
        out.beginControlFlow("if (sgdRate != 0)");
        out.add("// plain SGD in trainStep: the product updates $L itself, no gradient is stored\n",
            JavaNames.sanitize(sgd.var().name()));
        out.add(code.sgdStep((Node.Apply) n, this::ref, "this." + plan.field(sgd) + ".f32()",
            "sgdRate"));
        out.nextControlFlow("else");
      }
      declareGradient(out, n);
      out.add(code.statement((Node.Apply) n, this::ref, false, true));
      if (sgd != null) {
        out.endControlFlow();
      }
    }
    return out.build();
  }

  /** A gradient computed in place gets a local name for its parameter's gradient array. */
  private void declareGradient(CodeBlock.Builder out, Node n) {
    ModelIr.ParamVar p = plan.inPlaceGradientOf(n);
    if (p != null) {
      out.addStatement("$T[] $L = this.$L.grad$L()", elem(), plan.name(n),
          plan.field(p), type == ElementType.F32 ? "F32" : "F64");
    }
  }

  /**
   * Several elementwise steps (and the batch sums of their results) in one loop over each
   * example's elements; values only this loop reads are locals.
   */
  private void fusedLoop(CodeBlock.Builder out, Fusion.Group g, boolean backward) {
    Code local = code.withLocals(g.locals());
    int size = g.size();
    for (Node n : g.nodes()) {
      declareGradient(out, n);
      if (Fusion.batchSum(n)) {
        out.addStatement("fill($L, $L)", plan.name(n), code.lit(0));
      }
    }
    out.add("// $L steps in one pass over each example's $L elements\n", g.nodes().size(), size);
    out.beginControlFlow("for (int b = 0; b < n; b++)");
    out.beginControlFlow("for (int i = 0; i < $L; i++)", size);
    String last = null;
    for (Node n : g.nodes()) {
      String comment = comments.of(n, backward);
      if (!comment.equals(last)) {
        out.add("// $L\n", comment);
        last = comment;
      }
      Node.Apply a = (Node.Apply) n;
      if (Fusion.batchSum(n)) {
        out.addStatement("$L[i] += $L", plan.name(n), local.at(a.input(0), "i", this::ref));
      } else if (g.locals().contains(n)) {
        out.addStatement("$T $L = $L", elem(), plan.name(n), local.element(a, "i", this::ref));
      } else {
        out.addStatement("$L = $L", Code.ref(n, ref(n), "i"), local.element(a, "i", this::ref));
      }
    }
    out.endControlFlow();
    out.endControlFlow();
  }

  /** Gradients that are not computed in place (shared or batched nodes) are copied. */
  private CodeBlock gradientCopies(boolean last) {
    CodeBlock.Builder b = CodeBlock.builder();
    if (!last) {
      return b.build();
    }
    for (int i = 0; i < model.params().size(); i++) {
      ModelIr.ParamVar p = model.params().get(i);
      Node g = derived.gradients().get(i);
      if (plan.inPlaceGradientOf(g) == p) {
        continue;
      }
      String grad = "this." + plan.field(p) + ".grad" + (type == ElementType.F32 ? "F32" : "F64")
          + "()";
      if (p.var().shape().isScalar()) {
        b.addStatement("$L[0] = $L", grad, code.at(g, "0", this::ref));
        continue;
      }
      b.addStatement("$T[] $L = $L", elem(), "d" + plan.field(p), grad);
      // a gradient shared with a parameter that holds it in place (in a local of the method
      // that computed it, maybe another chunk) is read from that parameter's array
      ModelIr.ParamVar owner = plan.inPlaceGradientOf(g);
      String shared = owner == null ? null : "this." + plan.field(owner) + ".grad"
          + (type == ElementType.F32 ? "F32" : "F64") + "()";
      b.beginControlFlow("for (int i = 0; i < $L; i++)", p.var().shape().size());
      b.addStatement("$L[i] = $L", "d" + plan.field(p),
          code.at(g, "i", n -> n == g && shared != null ? shared : ref(n)));
      b.endControlFlow();
    }
    return b.build();
  }

  /**
   * trainStep: gradients, then the optimizer's step, all while the model is in use (so that a
   * second thread cannot change the buffers before the step reads the gradients). With plain SGD
   * the backward pass applies the step to the weights {@link ModelPlan#sgdFused} itself, and
   * the optimizer updates the other parameters.
   */
  private void addTrainStep(TypeSpec.Builder cls) {
    MethodSpec.Builder m = MethodSpec.methodBuilder("trainStep").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC).returns(double.class).addParameter(BATCH, "batch")
        .addParameter(OPTIMIZER, "optimizer");
    String loss = objectiveValue();
    if (!plan.fusesSgd()) {
      cls.addMethod(m.addJavadoc("One training step: the gradients, then the optimizer's step.\n")
          .addCode(trainingGuarded(CodeBlock.builder()
              .addStatement("prepare(batch)")
              .addStatement("$L(batch)", plan.loss().method())
              .addStatement("$L(batch)", plan.gradients().method())
              .addStatement("optimizer.step(parameters)")
              .addStatement("return $L", loss).build()))
          .build());
      return;
    }
    List<String> fused = new ArrayList<>();
    CodeBlock.Builder rest = CodeBlock.builder().add("$T.of(", List.class);
    boolean first = true;
    for (ModelIr.ParamVar p : model.params()) {
      if (plan.sgdFused(p)) {
        fused.add("{@code " + JavaNames.javadocSafe(p.var().name()) + "}");
      } else {
        rest.add(first ? "$L" : ", $L", plan.field(p));
        first = false;
      }
    }
    String weights = String.join(",\n", fused);
    cls.addField(FieldSpec.builder(TypeName.FLOAT, "sgdRate", Modifier.PRIVATE)
        .addJavadoc("The learning rate while trainStep runs a plain SGD step, else 0.\n").build());
    cls.addField(FieldSpec.builder(ParameterizedTypeName.get(ClassName.get(List.class), PARAMETER),
        "sgdParameters", Modifier.PRIVATE, Modifier.FINAL)
        .addJavadoc("The parameters the optimizer updates after a plain SGD backward pass.\n")
        .initializer(rest.add(")").build()).build());
    cls.addMethod(m
        .addJavadoc("One training step. With plain SGD ({@link $T#sgdRate}) the backward pass\n"
            + "itself applies the step to\n$L:\nW -= rate * x^T g in the product that would"
            + " compute the gradient, which is then\nnot stored. The optimizer updates the other"
            + " parameters.\n", OPTIMIZER, weights)
        .addCode(trainingGuarded(CodeBlock.builder()
            .addStatement("float rate = (float) optimizer.sgdRate()")
            .addStatement("prepare(batch)")
            .addStatement("$L(batch)", plan.loss().method())
            .beginControlFlow("if (!(rate > 0))")
            .addStatement("$L(batch)", plan.gradients().method())
            .addStatement("optimizer.step(parameters)")
            .addStatement("return $L", loss)
            .endControlFlow()
            .addStatement("sgdRate = rate")
            .beginControlFlow("try")
            .addStatement("$L(batch)", plan.gradients().method())
            .nextControlFlow("finally")
            .addStatement("sgdRate = 0")
            .endControlFlow()
            .addStatement("optimizer.step(sgdParameters)")
            .addStatement("return $L", loss).build()))
        .build());
  }

  /**
   * A training step's {@code body}, {@link #guarded}; with dropout, also in training mode (the
   * dropouts draw this step's masks) and counted, so that the next step draws new ones.
   */
  private CodeBlock trainingGuarded(CodeBlock body) {
    if (!plan.hasDropout()) {
      return guarded(body);
    }
    return CodeBlock.builder()
        .addStatement("enter()")
        .addStatement("$L = true", ConvCode.TRAINING)
        .beginControlFlow("try")
        .add(body)
        .nextControlFlow("finally")
        .addStatement("$L = false", ConvCode.TRAINING)
        .addStatement("$L++", ConvCode.STEP)
        .addStatement("leave()")
        .endControlFlow()
        .build();
  }

  /** {@code body} between marking the model in use and marking it free again. */
  private static CodeBlock guarded(CodeBlock body) {
    return CodeBlock.builder()
        .addStatement("enter()")
        .beginControlFlow("try")
        .add(body)
        .nextControlFlow("finally")
        .addStatement("leave()")
        .endControlFlow()
        .build();
  }

  /**
   * The guard against two threads sharing one instance: a call that computes marks the model in
   * use with one atomic compare-and-set (nanoseconds, next to a step's microseconds at least),
   * and a second call meanwhile fails with a message saying what to do, instead of computing
   * with buffers the first is writing.
   */
  private void addGuard(TypeSpec.Builder cls, String className) {
    cls.addField(FieldSpec.builder(ATOMIC_BOOLEAN, "inUse", Modifier.PRIVATE, Modifier.FINAL)
        .addJavadoc("True while a call computes with the buffers.\n")
        .initializer("new $T()", ATOMIC_BOOLEAN).build());
    String message = "model " + model.name() + " is already computing, in another thread or"
        + " around this call: an instance reuses its buffers, so give each thread its own"
        + " instance (new " + className + "(), with the parameters' values copied)";
    cls.addMethod(MethodSpec.methodBuilder("enter").addModifiers(Modifier.PRIVATE)
        .addJavadoc("Marks the model in use, or fails if another call is computing.\n")
        .beginControlFlow("if (!inUse.compareAndSet(false, true))")
        .addStatement("throw new $T($S)", IllegalStateException.class, message)
        .endControlFlow().build());
    cls.addMethod(MethodSpec.methodBuilder("leave").addModifiers(Modifier.PRIVATE)
        .addStatement("inUse.set(false)").build());
  }

  private void addApi(TypeSpec.Builder cls) {
    cls.addMethod(MethodSpec.methodBuilder("name").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC).returns(String.class)
        .addStatement("return $S", model.name()).build());
    cls.addMethod(MethodSpec.methodBuilder("parameters").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC)
        .returns(ParameterizedTypeName.get(ClassName.get(List.class), PARAMETER))
        .addStatement("return parameters").build());
    TypeName slots = ParameterizedTypeName.get(ClassName.get(List.class), SLOT);
    cls.addMethod(MethodSpec.methodBuilder("inputs").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC).returns(slots).addStatement("return INPUTS").build());
    cls.addMethod(MethodSpec.methodBuilder("outputs").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC).returns(slots).addStatement("return OUTPUTS").build());

    if (plan.hasDropout()) {
      cls.addMethod(MethodSpec.methodBuilder("initialize").addAnnotation(Override.class)
          .addModifiers(Modifier.PUBLIC).addParameter(long.class, "seed")
          .addJavadoc("Runs the initializers; the dropout masks of the training steps from here on"
              + " are drawn from {@code seed} and the step number.\n")
          .addStatement("$T.super.initialize(seed)", MODEL)
          .addStatement("$L = seed", ConvCode.SEED)
          .addStatement("$L = 0", ConvCode.STEP)
          .build());
    }
    cls.addMethod(MethodSpec.methodBuilder("forward").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC).returns(double.class).addParameter(BATCH, "batch")
        .addCode(guarded(CodeBlock.builder()
            .addStatement("prepare(batch)")
            .addStatement("$L(batch)", plan.loss().method())
            .addStatement("$L(batch)", plan.outputs().method())
            .addStatement("return $L", objectiveValue()).build()))
        .build());
    cls.addMethod(MethodSpec.methodBuilder("forwardBackward").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC).returns(double.class).addParameter(BATCH, "batch")
        .addCode(guarded(CodeBlock.builder()
            .addStatement("prepare(batch)")
            .addStatement("$L(batch)", plan.loss().method())
            .addStatement("$L(batch)", plan.gradients().method())
            .addStatement("return $L", objectiveValue()).build()))
        .build());
    addTrainStep(cls);
    cls.addMethod(MethodSpec.methodBuilder("predict").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC).addParameter(BATCH, "batch")
        .addCode(guarded(CodeBlock.builder()
            .addStatement("prepare(batch)")
            .addStatement("$L(batch)", plan.predictions().method()).build()))
        .build());
    cls.addMethod(MethodSpec.methodBuilder("prepare").addModifiers(Modifier.PRIVATE)
        .addParameter(BATCH, "batch")
        .beginControlFlow("if (batch.size() < 1)")
        .addStatement("throw new $T($S)", IllegalArgumentException.class, "empty batch")
        .endControlFlow()
        .addStatement("ensureCapacity(batch.size())")
        .addStatement("batchSize = batch.size()").build());

    CodeBlock.Builder cases = CodeBlock.builder().beginControlFlow("switch (name)");
    for (Map.Entry<String, Node> o : derived.outputs().entrySet()) {
      Node n = o.getValue();
        if (type == ElementType.F32 && n.batched() && plan.stored().contains(n)) {
        cases.addStatement("case $S: return $L", o.getKey(), plan.name(n));
      } else if (!n.batched()) {
        cases.add(sharedOutput(o.getKey(), n));
      } else {
        cases.addStatement("case $S: return outputCopy($L)", o.getKey(),
            outputExpression(n));
      }
    }
    cases.addStatement("default: throw new $T($S + name)", IllegalArgumentException.class,
        "no output named ");
    cases.endControlFlow();
    cls.addMethod(MethodSpec.methodBuilder("output").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC).returns(float[].class).addParameter(String.class, "name")
        .addJavadoc("The values of output {@code name} from the last forward pass, [batch, ...];"
            + " only the first batch-size rows are meaningful.\n")
        .addCode(guarded(cases.build()))
        .build());
    boolean needsCopy = derived.outputs().values().stream().anyMatch(n -> n.batched()
        && !(type == ElementType.F32 && plan.stored().contains(n)));
    if (needsCopy) {
      cls.addMethod(MethodSpec.methodBuilder("outputCopy").addModifiers(Modifier.PRIVATE)
          .returns(float[].class).addParameter(ArrayTypeName.of(elem()), "values")
          .addStatement("float[] out = new float[values.length]")
          .beginControlFlow("for (int i = 0; i < values.length; i++)")
          .addStatement("out[i] = (float) values[i]").endControlFlow()
          .addStatement("return out").build());
    }

    MethodSpec.Builder optimizer = MethodSpec.methodBuilder("defaultOptimizer")
        .addAnnotation(Override.class).addModifiers(Modifier.PUBLIC).returns(OPTIMIZER_SPEC);
    IrFacts.Optimizer declared = IrFacts.optimizer(model);
    if (declared == null) {
      optimizer.addStatement("return null");
    } else {
      // Arguments in declaration order, so the description (and a checkpoint) is the same in
      // every run.
      List<String> keys = new ArrayList<>();
      List<String> values = new ArrayList<>();
      for (IrFacts.Argument a : declared.arguments()) {
        keys.add(CodeBlock.of("$S", a.name()).toString());
        values.add(Double.toString(a.value()));
      }
      optimizer.addStatement("return $T.parse($S, new String[] {$L}, new double[] {$L})",
          OPTIMIZER_SPEC, declared.name(), String.join(", ", keys), String.join(", ", values));
    }
    cls.addMethod(optimizer.build());
  }

  /**
   * The case of {@code output(name)} for an output computed from parameters alone: the same
   * value for every example, repeated to one row per example of the last batch.
   */
  private CodeBlock sharedOutput(String name, Node n) {
    int size = n.shape().size();
    return CodeBlock.builder()
        .add("case $S: {\n", name).indent()
        .add("// the same value for every example\n")
        .addStatement("int n = (int) batchSize")
        .addStatement("float[] out = new float[n * $L]", size)
        .beginControlFlow("for (int b = 0; b < n; b++)")
        .beginControlFlow("for (int i = 0; i < $L; i++)", size)
        .addStatement("out[b * $L + i] = $L$L", size, type == ElementType.F32 ? "" : "(float) ",
            code.at(n, "i", this::sharedRef))
        .endControlFlow()
        .endControlFlow()
        .addStatement("return out")
        .unindent().add("}\n")
        .build();
  }

  /** How code outside the passes reads a value shared by the batch: parameters by their array. */
  private String sharedRef(Node n) {
    for (ModelIr.ParamVar p : model.params()) {
      if (p.var() == n) {
        return "this." + plan.field(p) + "." + arrays() + "()"
            + (n.shape().isScalar() ? "[0]" : "");
      }
    }
    return ref(n);
  }

  /** An output that is not stored per example as f32 (a view, an input, or f64): a copy. */
  private String outputExpression(Node n) {
    if (plan.stored().contains(n) && n.batched()) {
      return plan.name(n);
    }
    Node storage = ConvKernels.storage(n);
    if (storage != n && storage != null && plan.stored().contains(storage) && storage.batched()) {
      return plan.name(storage); // a reshape of a stored value: the same numbers
    }
    throw new IllegalStateException("output " + n + " is not stored per example");
  }

  private static String dims(Node n) {
    List<String> d = new ArrayList<>();
    for (int x : n.shape().dims()) {
      d.add(Integer.toString(x));
    }
    return String.join(", ", d);
  }

  private static String dimsArgs(Node n) {
    String d = dims(n);
    return d.isEmpty() ? "" : ", " + d;
  }
}
