package dev.nnc.compiler.emit;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.NameAllocator;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.nnc.compiler.autodiff.DerivedModel;
import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.compiler.ir.ElementType;
import dev.nnc.compiler.ir.Graph;
import dev.nnc.compiler.ir.GraphOrder;
import dev.nnc.compiler.ir.ModelIr;
import dev.nnc.compiler.ir.Node;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.Modifier;

/**
 * Emits the Java class of a {@code model}: it implements the runtime's {@code Model}, holds the
 * parameters with their gradients as flat primitive arrays, preallocates every activation and
 * gradient buffer (regrown only when a larger batch arrives), and computes the loss (the batch
 * mean), the outputs and the parameter gradients with no allocation once warm. Per-example
 * operations run inside a loop over the examples of the batch; operations on weights alone run
 * once per batch.
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
  /** Cost units (see FunctionEmitter) per method before a pass is split. */
  private static final int CHUNK_BUDGET = 120;

  private final DerivedModel derived;
  private final ModelIr model;
  private final Graph graph;
  private final SourceFile source;
  private final ElementType type;
  private final Code code;
  private final NameAllocator names = new NameAllocator();
  private final Map<Node, String> nodeNames = new IdentityHashMap<>();
  private final Map<Node, ModelIr.ParamVar> gradientOf = new IdentityHashMap<>();
  /**
   * Weight gradients whose plain SGD step trainStep applies inside the product that computes
   * them (see {@link #findSgdSteps}), in parameter order.
   */
  private final Map<Node, ModelIr.ParamVar> sgdSteps = new java.util.LinkedHashMap<>();
  private final Map<ModelIr.ParamVar, String> paramFields = new IdentityHashMap<>();
  private final List<Node> objectivePass;
  private final List<Node> outputPass;
  private final List<Node> backwardPass;
  /** Everything the outputs need, for prediction without labels or a loss. */
  private final List<Node> predictionPass;
  private final Set<Node> stored = new LinkedHashSet<>();
  /** Each pass's statements, scheduled and grouped into fused loops. */
  private final Map<List<Node>, List<Fusion.Group>> plans = new IdentityHashMap<>();

  private ModelEmitter(DerivedModel derived, SourceFile source, ElementType type) {
    this.derived = derived;
    this.model = derived.model();
    this.graph = model.graph();
    this.source = source;
    this.type = type;
    Set<Node> labels = new HashSet<>();
    for (ModelIr.DataVar d : derived.model().data()) {
      if (d.kind() == ModelIr.DataKind.LABEL) {
        labels.add(d.var());
      }
    }
    this.code = new Code(type, labels);
    // The loss pass also computes what both the outputs and the gradients read (a softmax, say),
    // so forward() and forwardBackward() each run the loss pass and then their own.
    Set<Node> forOutputs = new HashSet<>(computed(new ArrayList<>(derived.outputs().values()),
        new HashSet<>()));
    List<Node> lossRoots = new ArrayList<>();
    lossRoots.add(derived.objective());
    for (Node n : computed(derived.gradients(), new HashSet<>())) {
      if (forOutputs.contains(n)) {
        lossRoots.add(n);
      }
    }
    Set<Node> done = new HashSet<>();
    this.objectivePass = computed(lossRoots, done);
    this.outputPass = computed(new ArrayList<>(derived.outputs().values()), done);
    this.backwardPass = computed(derived.gradients(), done);
    this.predictionPass = computed(new ArrayList<>(derived.outputs().values()), new HashSet<>());
    Set<Node> keep = new HashSet<>(derived.gradients());
    keep.add(derived.objective());
    keep.addAll(derived.outputs().values());
    List<List<Node>> passes = List.of(objectivePass, outputPass, backwardPass, predictionPass);
    Map<Node, Set<Node>> readers = Fusion.readers(passes);
    for (List<Node> pass : passes) {
      plans.put(pass, Fusion.plan(pass, readers, keep));
    }
  }

  /** False for a value held in a loop-local variable in every pass that computes it. */
  private boolean needsBuffer(Node n) {
    for (List<Fusion.Group> plan : plans.values()) {
      for (Fusion.Group g : plan) {
        if (g.nodes().contains(n) && !g.locals().contains(n)) {
          return true;
        }
      }
    }
    return false;
  }

  /** The Java source of the model class, with {@code f32} or {@code f64} arithmetic. */
  public static JavaFile emit(DerivedModel derived, String packageName, SourceFile source,
      String className, ElementType type) {
    return new ModelEmitter(derived, source, type).file(packageName, className);
  }

  /** Nodes under {@code roots} that need a statement and are not already in {@code done}. */
  private static List<Node> computed(List<Node> roots, Set<Node> done) {
    List<Node> all = new ArrayList<>();
    for (Node root : roots) {
      all.addAll(GraphOrder.reachable(root));
    }
    all.sort(Comparator.comparingInt(Node::id));
    List<Node> out = new ArrayList<>();
    for (Node n : all) {
      if (n instanceof Node.Apply a && !Code.isView(a) && done.add(n)) {
        out.add(n);
      }
    }
    return out;
  }

  private TypeName elem() {
    return type == ElementType.F32 ? TypeName.FLOAT : TypeName.DOUBLE;
  }

  private String arrays() {
    return type == ElementType.F32 ? "f32" : "f64";
  }

  private JavaFile file(String packageName, String className) {
    names.newName(className, "$class");
    for (String reserved : List.of("name", "parameters", "inputs", "outputs", "forward",
        "forwardBackward", "output", "defaultOptimizer", "initialize", "trainStep", "batch",
        "predict", "prepare", "outputCopy",
        "ensureCapacity", "capacity", "n", "b", "i", "j", "k", "p", "o", "r", "sum", "max", "best",
        "scale", "batchSize", "INPUTS", "OUTPUTS", "PARAMETERS", "sgdRate", "sgdParameters",
        "optimizer", "rate")) {
      names.newName(reserved, "$" + reserved);
    }
    for (String pass : List.of("computeLoss", "computeOutputs", "computeGradients",
        "computePredictions")) {
      names.newName(pass, "$pass:" + pass);
    }
    nodeNames.put(derived.objective(), names.newName("loss", derived.objective()));
    stored.add(derived.objective());
    for (ModelIr.ParamVar p : model.params()) {
      paramFields.put(p, names.newName(p.var().name().replace('.', '_'), p));
      nodeNames.put(p.var(), paramFields.get(p));
    }
    for (ModelIr.DataVar d : model.data()) {
      nodeNames.put(d.var(), names.newName(d.var().name(), d));
    }
    nodeNames.put(derived.batchSize(), "batchSize");
    Set<Node> usedInBackward = new HashSet<>();
    for (Node n : backwardPass) {
      usedInBackward.addAll(((Node.Apply) n).inputs());
    }
    for (int i = 0; i < model.params().size(); i++) {
      Node g = derived.gradients().get(i);
      // A gradient computed by its own statement and used by nothing else lands in place.
      if (backwardPass.contains(g) && !g.batched() && !gradientOf.containsKey(g)
          && !usedInBackward.contains(g)) {
        gradientOf.put(g, model.params().get(i));
      }
    }
    findSgdSteps();
    int t = 1;
    for (Node n : concat(objectivePass, outputPass, backwardPass)) {
      if (n == derived.objective()) {
        continue;
      }
      String hint = graph.nameOf(n);
      if (gradientOf.containsKey(n)) {
        nodeNames.put(n, "d" + paramFields.get(gradientOf.get(n)));
        names.newName("d" + paramFields.get(gradientOf.get(n)), n);
        continue;
      }
      nodeNames.put(n, names.newName(hint != null ? hint.replace('.', '_') : "t" + t++, n));
      if (needsBuffer(n)) {
        stored.add(n);
      }
    }

    TypeSpec.Builder cls = TypeSpec.classBuilder(className)
        .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
        .addSuperinterface(MODEL)
        .addJavadoc(classDoc());
    addParameterFields(cls);
    addSlots(cls);
    addBuffers(cls);
    addPasses(cls);
    addApi(cls);
    return JavaFile.builder(packageName, cls.build())
        .addFileComment("Generated by nnc from $L. Do not edit: regenerate with nnc compile.",
            Code.sanitize(FunctionEmitter.fileName(source.name())))
        .addStaticImport(NN_MATH, "*")
        .skipJavaLangImports(true)
        .indent("  ")
        .build();
  }

  /**
   * Finds the weights whose plain SGD step can replace the storing of their gradient: the
   * gradient is computed in place by one product Xᵀ·G ({@link Code#isWeightGradient}), and
   * nothing the backward pass computes after it, nor another parameter's gradient, reads the
   * weights, which the step changes there.
   */
  private void findSgdSteps() {
    List<Node> order = new ArrayList<>();
    Set<Node> inLoops = new HashSet<>();
    for (Fusion.Group g : plans.get(backwardPass)) {
      order.addAll(g.nodes());
      if (g.fused()) {
        inLoops.addAll(g.nodes());
      }
    }
    for (int i = 0; i < model.params().size(); i++) {
      ModelIr.ParamVar p = model.params().get(i);
      Node g = derived.gradients().get(i);
      if (gradientOf.get(g) != p || !code.isWeightGradient(g) || inLoops.contains(g)) {
        continue;
      }
      boolean readLater = false;
      for (Node later : order.subList(order.indexOf(g) + 1, order.size())) {
        readLater |= reads(later, p.var());
      }
      for (Node other : derived.gradients()) {
        readLater |= other != g && (other == p.var() || reads(other, p.var()));
      }
      if (!readLater) {
        sgdSteps.put(g, p);
      }
    }
  }

  /** Whether statement {@code n} reads {@code var}, directly or through a view. */
  private static boolean reads(Node n, Node var) {
    if (!(n instanceof Node.Apply a)) {
      return false;
    }
    for (Node in : a.inputs()) {
      if (in == var || in instanceof Node.Apply v && Code.isView(v) && reads(v, var)) {
        return true;
      }
    }
    return false;
  }

  @SafeVarargs
  private static List<Node> concat(List<Node>... lists) {
    List<Node> out = new ArrayList<>();
    for (List<Node> l : lists) {
      out.addAll(l);
    }
    return out;
  }

  private CodeBlock classDoc() {
    return CodeBlock.builder()
        .add("The model {@code $L} ($L line $L), compiled to plain Java.\n\n",
            Code.javadocSafe(model.name()), Code.sanitize(FunctionEmitter.fileName(source.name())),
            model.span().line())
        .add("<p>Parameters and their gradients are flat row-major arrays held by {@link $T}"
            + " objects named as in the source ({@code fc1.W}). The loss of a batch is the mean of"
            + " the per-example loss. Buffers are reused across calls, so an instance is not"
            + " thread-safe.\n", PARAMETER)
        .build();
  }

  private void addParameterFields(TypeSpec.Builder cls) {
    CodeBlock.Builder list = CodeBlock.builder().add("$T.of(", List.class);
    boolean first = true;
    for (ModelIr.ParamVar p : model.params()) {
      CodeBlock init = initializer(p);
      cls.addField(FieldSpec.builder(PARAMETER, paramFields.get(p), Modifier.PRIVATE, Modifier.FINAL)
          .addJavadoc("{@code $L}: $L, initialized with $L.\n", Code.javadocSafe(p.var().name()),
              p.var().shape(), Code.javadocSafe(p.init()))
          .initializer("$T.$L($S, new int[] {$L}, $L)", PARAMETER, arrays(), p.var().name(),
              dims(p.var()), init)
          .build());
      list.add(first ? "$L" : ", $L", paramFields.get(p));
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
    cls.addField(FieldSpec.builder(int.class, "capacity", Modifier.PRIVATE)
        .addJavadoc("The batch size the per-example buffers are sized for.\n").build());
    cls.addField(FieldSpec.builder(elem(), "batchSize", Modifier.PRIVATE).build());
    MethodSpec.Builder grow = MethodSpec.methodBuilder("ensureCapacity")
        .addModifiers(Modifier.PRIVATE).addParameter(int.class, "n")
        .addJavadoc("Grows the per-example buffers when a larger batch arrives.\n")
        .beginControlFlow("if (n <= capacity)").addStatement("return").endControlFlow()
        .addStatement("capacity = n");
    for (Node n : stored) {
      String name = nodeNames.get(n);
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

  /** How generated statements refer to a node: batched scalars are per-example array slots. */
  private String ref(Node n) {
    String name = nodeNames.get(n);
    if (name == null) {
      throw new IllegalStateException("no storage for " + n);
    }
    if (n.batched() && n.shape().isScalar()) {
      return name + "[b]";
    }
    return name;
  }

  private void addPasses(TypeSpec.Builder cls) {
    addPass(cls, "computeLoss", "Computes the mean loss of the batch (forward pass).",
        objectivePass, false);
    addPass(cls, "computeOutputs", "Computes the declared outputs (after computeLoss).",
        outputPass, false);
    addPass(cls, "computeGradients", "Computes every parameter's gradient (backward pass).",
        backwardPass, true);
    addPass(cls, "computePredictions", "Computes the declared outputs alone (no loss).",
        predictionPass, false);
  }

  private void addPass(TypeSpec.Builder cls, String name, String doc, List<Node> nodes,
      boolean backward) {
    List<List<Fusion.Group>> chunks = chunks(plans.get(nodes));
    List<String> chunkNames = new ArrayList<>();
    for (int c = 0; c < chunks.size(); c++) {
      String chunk = chunks.size() == 1 ? names.get("$pass:" + name)
          : names.newName(name + c, "$pass:" + name + c);
      chunkNames.add(chunk);
      MethodSpec.Builder m = MethodSpec.methodBuilder(chunk).addModifiers(Modifier.PRIVATE)
          .addParameter(BATCH, "batch")
          .addJavadoc(chunks.size() == 1 ? doc + "\n" : doc + " Part " + (c + 1) + ".\n");
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
        m.addCode(gradientCopies(chunkNodes, c == chunks.size() - 1));
      }
      cls.addMethod(m.build());
    }
    if (chunks.size() > 1) {
      MethodSpec.Builder all = MethodSpec.methodBuilder(names.get("$pass:" + name))
          .addModifiers(Modifier.PRIVATE)
          .addParameter(BATCH, "batch").addJavadoc(doc + "\n");
      for (String c : chunkNames) {
        all.addStatement("$L(batch)", c);
      }
      cls.addMethod(all.build());
    } else if (chunks.isEmpty()) {
      MethodSpec.Builder m = MethodSpec.methodBuilder(names.get("$pass:" + name))
          .addModifiers(Modifier.PRIVATE).addParameter(BATCH, "batch").addJavadoc(doc + "\n");
      if (backward) {
        m.addCode(gradientCopies(List.of(), true));
      }
      cls.addMethod(m.build());
    }
  }

  private List<List<Fusion.Group>> chunks(List<Fusion.Group> groups) {
    // A loop (batched or tensor) weighs about four scalar statements; a fused loop, four per
    // statement in it.
    return Chunks.split(groups, g -> g.fused() ? 4 * g.nodes().size()
        : g.nodes().get(0).batched() || !g.nodes().get(0).shape().isScalar() ? 4 : 1,
        CHUNK_BUDGET);
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
        b.addStatement("$L $L = batch.$L($L)",
            d.kind() == ModelIr.DataKind.LABEL ? "int[]" : "float[]", nodeNames.get(d.var()),
            d.kind() == ModelIr.DataKind.LABEL ? "labels" : "floats", i);
      }
    }
    for (ModelIr.ParamVar p : model.params()) {
      if (used.contains(p.var())) {
        b.addStatement("$T[] $L = this.$L.$L()", elem(), paramFields.get(p), paramFields.get(p),
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
      String comment = comment(n, backward);
      if (!comment.equals(last)) {
        out.add("// $L\n", comment);
        last = comment;
      }
      ModelIr.ParamVar sgd = sgdSteps.get(n);
      if (sgd != null) {
        out.beginControlFlow("if (sgdRate != 0)");
        out.add("// plain SGD in trainStep: the product updates $L itself, no gradient is stored\n",
            Code.sanitize(sgd.var().name()));
        out.add(code.sgdStep((Node.Apply) n, this::ref, "this." + paramFields.get(sgd) + ".f32()",
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

  /** The comment over a statement: its .nn line and, going backward, the gate rule. */
  private String comment(Node n, boolean backward) {
    Graph.Note note = graph.noteOf(n);
    var span = note != null ? note.origin() : n.origin();
    return (span.line() > 0 ? "line " + span.line() + ": "
        + Code.shorten(Code.sanitize(source.line(span.line()).trim())) : "batch mean")
        + (backward ? " -- " + (note != null ? note.rule() : "recomputed forward value") : "");
  }

  /** A gradient computed in place gets a local name for its parameter's gradient array. */
  private void declareGradient(CodeBlock.Builder out, Node n) {
    if (gradientOf.containsKey(n)) {
      ModelIr.ParamVar p = gradientOf.get(n);
      out.addStatement("$T[] $L = this.$L.grad$L()", elem(), nodeNames.get(n),
          paramFields.get(p), type == ElementType.F32 ? "F32" : "F64");
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
        out.addStatement("fill($L, $L)", nodeNames.get(n), code.lit(0));
      }
    }
    out.add("// $L steps in one pass over each example's $L elements\n", g.nodes().size(), size);
    out.beginControlFlow("for (int b = 0; b < n; b++)");
    out.beginControlFlow("for (int i = 0; i < $L; i++)", size);
    String last = null;
    for (Node n : g.nodes()) {
      String comment = comment(n, backward);
      if (!comment.equals(last)) {
        out.add("// $L\n", comment);
        last = comment;
      }
      Node.Apply a = (Node.Apply) n;
      if (Fusion.batchSum(n)) {
        out.addStatement("$L[i] += $L", nodeNames.get(n), local.at(a.input(0), "i", this::ref));
      } else if (g.locals().contains(n)) {
        out.addStatement("$T $L = $L", elem(), nodeNames.get(n), local.element(a, "i", this::ref));
      } else {
        out.addStatement("$L = $L", Code.ref(n, ref(n), "i"), local.element(a, "i", this::ref));
      }
    }
    out.endControlFlow();
    out.endControlFlow();
  }

  /** Gradients that are not computed in place (shared or batched nodes) are copied. */
  private CodeBlock gradientCopies(List<Node> chunk, boolean last) {
    CodeBlock.Builder b = CodeBlock.builder();
    if (!last) {
      return b.build();
    }
    for (int i = 0; i < model.params().size(); i++) {
      ModelIr.ParamVar p = model.params().get(i);
      Node g = derived.gradients().get(i);
      if (gradientOf.get(g) == p) {
        continue;
      }
      String grad = "this." + paramFields.get(p) + ".grad" + (type == ElementType.F32 ? "F32" : "F64")
          + "()";
      b.addStatement("$T[] $L = $L", elem(), "d" + paramFields.get(p), grad);
      b.beginControlFlow("for (int i = 0; i < $L; i++)", p.var().shape().size());
      b.addStatement("$L[i] = $L", "d" + paramFields.get(p), code.at(g, "i", this::ref));
      b.endControlFlow();
    }
    return b.build();
  }

  /**
   * trainStep with plain SGD: the backward pass applies the step to the weights in
   * {@link #sgdSteps} itself, and the optimizer updates the other parameters.
   */
  private void addSgdTrainStep(TypeSpec.Builder cls) {
    List<String> fused = new ArrayList<>();
    CodeBlock.Builder rest = CodeBlock.builder().add("$T.of(", List.class);
    boolean first = true;
    for (ModelIr.ParamVar p : model.params()) {
      if (sgdSteps.containsValue(p)) {
        fused.add("{@code " + Code.javadocSafe(p.var().name()) + "}");
      } else {
        rest.add(first ? "$L" : ", $L", paramFields.get(p));
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
    cls.addMethod(MethodSpec.methodBuilder("trainStep").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC).returns(double.class).addParameter(BATCH, "batch")
        .addParameter(OPTIMIZER, "optimizer")
        .addJavadoc("One training step. With plain SGD ({@link $T#sgdRate}) the backward pass\n"
            + "itself applies the step to\n$L:\nW -= rate * x^T g in the product that would"
            + " compute the gradient, which is then\nnot stored. The optimizer updates the other"
            + " parameters.\n", OPTIMIZER, weights)
        .addStatement("float rate = (float) optimizer.sgdRate()")
        .beginControlFlow("if (!(rate > 0))")
        .addStatement("return $T.super.trainStep(batch, optimizer)", MODEL)
        .endControlFlow()
        .addStatement("prepare(batch)")
        .addStatement("$L(batch)", names.get("$pass:computeLoss"))
        .addStatement("sgdRate = rate")
        .beginControlFlow("try")
        .addStatement("$L(batch)", names.get("$pass:computeGradients"))
        .nextControlFlow("finally")
        .addStatement("sgdRate = 0")
        .endControlFlow()
        .addStatement("optimizer.step(sgdParameters)")
        .addStatement("return $L", nodeNames.get(derived.objective())).build());
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

    cls.addMethod(MethodSpec.methodBuilder("forward").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC).returns(double.class).addParameter(BATCH, "batch")
        .addStatement("prepare(batch)")
        .addStatement("$L(batch)", names.get("$pass:computeLoss"))
        .addStatement("$L(batch)", names.get("$pass:computeOutputs"))
        .addStatement("return $L", nodeNames.get(derived.objective())).build());
    cls.addMethod(MethodSpec.methodBuilder("forwardBackward").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC).returns(double.class).addParameter(BATCH, "batch")
        .addStatement("prepare(batch)")
        .addStatement("$L(batch)", names.get("$pass:computeLoss"))
        .addStatement("$L(batch)", names.get("$pass:computeGradients"))
        .addStatement("return $L", nodeNames.get(derived.objective())).build());
    if (!sgdSteps.isEmpty()) {
      addSgdTrainStep(cls);
    }
    cls.addMethod(MethodSpec.methodBuilder("predict").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC).addParameter(BATCH, "batch")
        .addStatement("prepare(batch)")
        .addStatement("$L(batch)", names.get("$pass:computePredictions")).build());
    cls.addMethod(MethodSpec.methodBuilder("prepare").addModifiers(Modifier.PRIVATE)
        .addParameter(BATCH, "batch")
        .beginControlFlow("if (batch.size() < 1)")
        .addStatement("throw new $T($S)", IllegalArgumentException.class, "empty batch")
        .endControlFlow()
        .addStatement("ensureCapacity(batch.size())")
        .addStatement("batchSize = batch.size()").build());

    MethodSpec.Builder output = MethodSpec.methodBuilder("output").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC).returns(float[].class).addParameter(String.class, "name")
        .addJavadoc("The values of output {@code name} from the last forward pass, [batch, ...];"
            + " only the first batch-size rows are meaningful.\n")
        .beginControlFlow("switch (name)");
    for (Map.Entry<String, Node> o : derived.outputs().entrySet()) {
      Node n = o.getValue();
      String stored = nodeNames.get(n);
      if (type == ElementType.F32 && n.batched() && this.stored.contains(n)) {
        output.addStatement("case $S: return $L", o.getKey(), stored);
      } else {
        output.addStatement("case $S: return outputCopy($L)", o.getKey(),
            outputExpression(n));
      }
    }
    output.addStatement("default: throw new $T($S + name)", IllegalArgumentException.class,
        "no output named ");
    output.endControlFlow();
    cls.addMethod(output.build());
    boolean needsCopy = derived.outputs().values().stream()
        .anyMatch(n -> !(type == ElementType.F32 && n.batched() && stored.contains(n)));
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
    if (model.optimizer() == null) {
      optimizer.addStatement("return null");
    } else {
      CodeBlock.Builder args = CodeBlock.builder().add("$T.of(", Map.class);
      List<ModelIr.Argument> list = model.optimizer().args();
      for (int i = 0; i < list.size(); i++) {
        args.add(i == 0 ? "$S, $L" : ", $S, $L", list.get(i).name(), list.get(i).value());
      }
      optimizer.addStatement("return $T.parse($S, $L)", OPTIMIZER_SPEC, model.optimizer().name(),
          args.add(")").build());
    }
    cls.addMethod(optimizer.build());
  }

  /** An output that is not stored per example as f32 (a view, an input, or f64): a copy. */
  private String outputExpression(Node n) {
    if (stored.contains(n) && n.batched()) {
      return nodeNames.get(n);
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
