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
import dev.nnc.compiler.autodiff.DerivedFunction;
import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.compiler.ir.ElementType;
import dev.nnc.compiler.ir.Graph;
import dev.nnc.compiler.ir.GraphOrder;
import dev.nnc.compiler.ir.Node;
import dev.nnc.compiler.ir.Op;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.Modifier;

/**
 * Emits one Java class for one derived {@code fn}: a {@code value} method, a
 * {@code valueAndGradient} method that leaves each parameter's gradient in a public field
 * ({@code dx}, {@code dW}), and the generic {@code CompiledFunction} methods. The code is
 * straight-line for scalar math and constant-bound loops for tensors; temporaries are named after
 * the {@code .nn} names they come from; every step carries a comment with its source line and
 * derivative rule. Tensor temporaries are preallocated fields, so the typed methods do not
 * allocate. Long bodies are split into chunk methods to stay under HotSpot's JIT size limit.
 * The emitter makes no math decisions: it prints the schedule the simplifier left.
 */
public final class FunctionEmitter {
  /** Estimated cost units per method before the body is split (see {@link #cost}). */
  static final int CHUNK_BUDGET = 120;

  private static final ClassName COMPILED_FUNCTION =
      ClassName.get("dev.nnc.runtime", "CompiledFunction");
  private static final ClassName NN_MATH = ClassName.get("dev.nnc.runtime", "NnMath");

  /** java.lang names a generated class must not hide within its package. */
  private static final java.util.Set<String> JAVA_LANG = java.util.Set.of("String", "Object",
      "Override", "System", "Math", "StrictMath", "Integer", "Long", "Double", "Float", "Boolean",
      "Character", "Byte", "Short", "Number", "Void", "Class", "Thread", "Runtime", "Exception",
      "RuntimeException", "Error", "Throwable", "Iterable", "Comparable", "Record", "Enum",
      "IndexOutOfBoundsException", "IllegalArgumentException", "IllegalStateException",
      "SuppressWarnings", "Deprecated", "FunctionalInterface", "SafeVarargs", "Runnable",
      "CharSequence", "StringBuilder", "AutoCloseable", "Cloneable", "Process");

  private final DerivedFunction derived;
  private final Graph graph;
  private final SourceFile source;
  private final ElementType type;
  private final NameAllocator names = new NameAllocator();
  private final Map<Node, String> nodeNames = new IdentityHashMap<>();
  private final Set<Node> fieldArrays = new LinkedHashSet<>();
  private final List<Node> forward;
  private final List<Node> backward;
  private final Map<Node.Var, String> gradientFields = new IdentityHashMap<>();
  private final Map<Node, Node.Var> gradientStorage = new IdentityHashMap<>();
  private final Code code;
  private boolean chunked;
  /** The field a tensor value is copied into when it is not computed by a statement of its own. */
  private String valueCopy;

  private FunctionEmitter(DerivedFunction derived, SourceFile source) {
    this.derived = derived;
    this.graph = derived.function().graph();
    this.source = source;
    this.type = derived.function().elementType();
    this.code = new Code(type);
    List<Node> valueNodes = GraphOrder.reachable(derived.value());
    Set<Node> inForward = new HashSet<>(valueNodes);
    this.forward = computed(valueNodes);
    List<Node> all = new ArrayList<>();
    for (Node g : derived.gradients()) {
      all.addAll(GraphOrder.reachable(g));
    }
    all.sort(java.util.Comparator.comparingInt(Node::id));
    List<Node> back = new ArrayList<>();
    Set<Node> seen = new HashSet<>();
    for (Node n : computed(all)) {
      if (!inForward.contains(n) && seen.add(n)) {
        back.add(n);
      }
    }
    this.backward = back;
  }

  /** The Java source of the class for {@code derived}, in package {@code packageName}. */
  public static JavaFile emit(DerivedFunction derived, String packageName, SourceFile source) {
    return emit(derived, packageName, source, className(derived.function().name()));
  }

  /** As {@link #emit(DerivedFunction, String, SourceFile)}, with the class name given. */
  public static JavaFile emit(DerivedFunction derived, String packageName, SourceFile source,
      String className) {
    return new FunctionEmitter(derived, source).file(packageName, className);
  }

  /** The Java class name for a {@code fn} name: capitalized, keyword-safe. */
  public static String className(String fnName) {
    StringBuilder camel = new StringBuilder();
    for (String part : fnName.replaceAll("[^A-Za-z0-9_]", "_").split("_")) {
      if (!part.isEmpty()) {
        camel.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
      }
    }
    String upper = camel.length() == 0 ? "Fn" : camel.toString();
    if (!Character.isJavaIdentifierStart(upper.charAt(0)) || JAVA_LANG.contains(upper)
        || upper.equals("CompiledFunction") || upper.equals("NnMath") || upper.equals("List")) {
      upper = upper + "Fn";
    }
    return javax.lang.model.SourceVersion.isName(upper) ? upper : upper + "_";
  }

  /** Nodes that need a statement: not constants, variables or views. */
  private static List<Node> computed(List<Node> nodes) {
    List<Node> out = new ArrayList<>();
    for (Node n : nodes) {
      if (n instanceof Node.Apply a && !Code.isView(a)) {
        out.add(n);
      }
    }
    return out;
  }

  private JavaFile file(String packageName, String className) {
    names.newName(className, "$class");
    for (String reserved : List.of("value", "valueAndGradient", "name", "parameterNames",
        "parameterShape", "valueShape", "evaluate", "evaluateWithGradient", "singlePrecision", "i", "j", "p", "k",
        "o", "r", "sum", "max", "best", "scale", "args", "upstream", "gradients", "seed",
        "result", "List", "System", "Arrays", "CompiledFunction", "NnMath", "Override", "String",
        "Math", "Double", "Float", "Object", "IndexOutOfBoundsException",
        "IllegalArgumentException")) {
      names.newName(reserved, "$" + reserved);
    }
    for (Node.Var p : derived.function().params()) {
      nodeNames.put(p, names.newName(p.name(), p));
    }
    if (derived.upstream() != null) {
      nodeNames.put(derived.upstream(), names.newName("upstream", derived.upstream()));
    }
    for (Node.Var p : derived.function().params()) {
      gradientFields.put(p, names.newName("d" + nodeNames.get(p), "$grad:" + p.name()));
    }
    assignStorage();
    Node value = derived.value();
    if (!value.shape().isScalar() && !fieldArrays.contains(value)) {
      valueCopy = names.newName(derived.function().name(), "$valueCopy");
    }
    chunked = cost(forward) + cost(backward) > CHUNK_BUDGET;

    TypeSpec.Builder cls = TypeSpec.classBuilder(className)
        .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
        .addSuperinterface(COMPILED_FUNCTION)
        .addJavadoc(classDoc());
    addFields(cls);
    if (chunked) {
      addChunks(cls, "forward", forward);
      addChunks(cls, "backward", backward);
    }
    cls.addMethod(valueMethod(false));
    cls.addMethod(valueMethod(true));
    addGenericMethods(cls);
    return JavaFile.builder(packageName, cls.build())
        .addFileComment("Generated by nnc from $L. Do not edit: regenerate with nnc compile.",
            Code.sanitize(fileName(source.name())))
        .addStaticImport(NN_MATH, "*")
        .skipJavaLangImports(true)
        .indent("  ")
        .build();
  }

  // ---- names and storage ----

  private void assignStorage() {
    Node value = derived.value();
    int t = 1;
    for (Node n : forward) {
      String hint = n == value && graph.nameOf(n) == null ? derived.function().name()
          : graph.nameOf(n) != null ? graph.nameOf(n) : "t" + t++;
      nodeNames.put(n, names.newName(hint, n));
      if (!n.shape().isScalar()) {
        fieldArrays.add(n);
      }
    }
    // A gradient computed by its own statement is stored straight into the public field.
    List<Node.Var> params = derived.function().params();
    for (int i = 0; i < params.size(); i++) {
      Node g = derived.gradients().get(i);
      if (!g.shape().isScalar() && backward.contains(g) && !gradientStorage.containsKey(g)) {
        gradientStorage.put(g, params.get(i));
        nodeNames.put(g, gradientFields.get(params.get(i)));
      }
    }
    int k = 1;
    for (Node n : backward) {
      if (nodeNames.containsKey(n)) {
        continue;
      }
      String hint = graph.nameOf(n) != null ? graph.nameOf(n) : "g" + k++;
      nodeNames.put(n, names.newName(hint, n));
      if (!n.shape().isScalar()) {
        fieldArrays.add(n);
      }
    }
  }

  private TypeName elem() {
    return type == ElementType.F32 ? TypeName.FLOAT : TypeName.DOUBLE;
  }

  private TypeName typeOf(Node n) {
    return n.shape().isScalar() ? elem() : ArrayTypeName.of(elem());
  }

  // ---- class members ----

  private CodeBlock classDoc() {
    Node.Var first = derived.function().params().isEmpty() ? null : derived.function().params().get(0);
    String fnLine = Code.sanitize(source.line(derived.function().span().line()).trim());
    if (fnLine.endsWith("{")) {
      fnLine = fnLine.substring(0, fnLine.length() - 1).trim();
    }
    CodeBlock.Builder doc = CodeBlock.builder()
        .add("Value and gradient of {@code $L} ($L line $L).\n\n", Code.javadocSafe(fnLine),
            Code.sanitize(fileName(source.name())), derived.function().span().line())
        .add("<p>{@link #valueAndGradient} leaves the gradient with respect to each parameter in"
            + " the public field named {@code d} + the parameter's name");
    if (first != null) {
      doc.add(" (for example {@code $L})", gradientFields.get(first));
    }
    doc.add(". Tensors are flat row-major arrays. An instance reuses its buffers, so it is not"
        + " thread-safe: use one instance per thread.\n");
    return doc.build();
  }

  private void addFields(TypeSpec.Builder cls) {
    for (Node.Var p : derived.function().params()) {
      String field = gradientFields.get(p);
      String doc = "Gradient of the value with respect to {@code " + Code.javadocSafe(p.name())
          + "}" + (p.shape().isScalar() ? "" : " " + p.shape()) + ", set by valueAndGradient.\n";
      if (p.shape().isScalar()) {
        cls.addField(FieldSpec.builder(elem(), field, Modifier.PUBLIC).addJavadoc(doc).build());
      } else {
        cls.addField(FieldSpec.builder(ArrayTypeName.of(elem()), field, Modifier.PUBLIC,
            Modifier.FINAL).addJavadoc(doc)
            .initializer("new $T[$L]", elem(), p.shape().size()).build());
      }
    }
    for (Node n : fieldArrays) {
      if (gradientStorage.containsKey(n)) {
        continue;
      }
      boolean isValue = n == derived.value();
      FieldSpec.Builder f = FieldSpec.builder(ArrayTypeName.of(elem()), nodeNames.get(n),
          isValue ? Modifier.PUBLIC : Modifier.PRIVATE, Modifier.FINAL)
          .initializer("new $T[$L]", elem(), n.shape().size());
      if (isValue) {
        f.addJavadoc("The value " + n.shape() + " after value or valueAndGradient.\n");
      }
      cls.addField(f.build());
    }
    if (valueCopy != null) {
      cls.addField(FieldSpec.builder(ArrayTypeName.of(elem()), valueCopy, Modifier.PUBLIC,
          Modifier.FINAL).addJavadoc("The value " + derived.value().shape()
              + " after value or valueAndGradient.\n")
          .initializer("new $T[$L]", elem(), derived.value().shape().size()).build());
    }
    if (chunked) {
      // Chunk methods share their inputs and scalar temporaries through fields.
      for (Node.Var p : allInputs()) {
        cls.addField(typeOf(p), nodeNames.get(p), Modifier.PRIVATE);
      }
      for (Node n : concat(forward, backward)) {
        if (n.shape().isScalar()) {
          cls.addField(elem(), nodeNames.get(n), Modifier.PRIVATE);
        }
      }
    }
  }

  private List<Node.Var> allInputs() {
    List<Node.Var> vars = new ArrayList<>(derived.function().params());
    if (derived.upstream() != null) {
      vars.add(derived.upstream());
    }
    return vars;
  }

  private static List<Node> concat(List<Node> a, List<Node> b) {
    List<Node> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  private MethodSpec valueMethod(boolean withGradient) {
    MethodSpec.Builder m = MethodSpec.methodBuilder(withGradient ? "valueAndGradient" : "value")
        .addModifiers(Modifier.PUBLIC);
    Node value = derived.value();
    m.returns(value.shape().isScalar() ? elem() : ArrayTypeName.of(elem()));
    List<Node.Var> inputs = withGradient ? allInputs() : derived.function().params();
    for (Node.Var p : inputs) {
      m.addParameter(typeOf(p), nodeNames.get(p));
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
            nodeNames.get(p), p.shape().size());
      }
    }
    if (chunked) {
      for (Node.Var p : inputs) {
        m.addStatement("this.$L = $L", nodeNames.get(p), nodeNames.get(p));
      }
      int chunks = chunkCount(forward);
      for (int c = 0; c < chunks; c++) {
        m.addStatement("$L()", chunkName("forward", c));
      }
      if (withGradient) {
        int back = chunkCount(backward);
        for (int c = 0; c < back; c++) {
          m.addStatement("$L()", chunkName("backward", c));
        }
      }
    } else {
      m.addCode(statements(forward, false));
      if (withGradient) {
        m.addCode(statements(backward, true));
      }
    }
    if (withGradient) {
      m.addCode(gradientOutputs());
    }
    if (valueCopy != null) {
      m.beginControlFlow("for (int i = 0; i < $L; i++)", value.shape().size());
      m.addStatement("$L[i] = $L", valueCopy, code.at(value, "i", this::nameOf));
      m.endControlFlow();
    }
    m.addStatement("return $L", value.shape().isScalar() ? code.at(value, "0", this::nameOf)
        : valueCopy != null ? valueCopy : nodeNames.get(value));
    return m.build();
  }

  private CodeBlock gradientOutputs() {
    CodeBlock.Builder out = CodeBlock.builder();
    List<Node.Var> params = derived.function().params();
    boolean commented = false;
    for (int i = 0; i < params.size(); i++) {
      Node.Var p = params.get(i);
      Node g = derived.gradients().get(i);
      String field = gradientFields.get(p);
      if (gradientStorage.get(g) == p) {
        continue;
      }
      if (!commented) {
        out.add("// gradients that are not computed in place\n");
        commented = true;
      }
      if (p.shape().isScalar()) {
        out.addStatement("this.$L = $L", field, code.at(g, "0", this::nameOf));
      } else {
        out.beginControlFlow("for (int i = 0; i < $L; i++)", p.shape().size());
        out.addStatement("$L[i] = $L", field, code.at(g, "i", this::nameOf));
        out.endControlFlow();
      }
    }
    return out.build();
  }

  private String nameOf(Node n) {
    String name = nodeNames.get(n);
    if (name == null) {
      throw new IllegalStateException("no storage for " + n);
    }
    return name;
  }

  // ---- statements and chunks ----

  /** Rough bytecode weight: a scalar statement is 1, a loop 3, a nested loop nest 5. */
  private static int cost(List<Node> nodes) {
    int total = 0;
    for (Node n : nodes) {
      total += cost(n);
    }
    return total;
  }

  private static int cost(Node n) {
    if (n.shape().isScalar() && ((Node.Apply) n).inputs().stream().allMatch(i -> i.shape().isScalar())) {
      return 1;
    }
    Op op = ((Node.Apply) n).op();
    return op == Op.MATMUL || op == Op.SOFTMAX || op == Op.LOGSUMEXP || op == Op.MAX_REDUCE
        || op == Op.ARGMAX_MASK || op == Op.SUM ? 5 : 3;
  }

  private List<List<Node>> chunks(List<Node> nodes) {
    return Chunks.split(nodes, FunctionEmitter::cost, CHUNK_BUDGET);
  }

  private int chunkCount(List<Node> nodes) {
    return chunks(nodes).size();
  }

  private String chunkName(String phase, int index) {
    return names.get("$chunk:" + phase + index);
  }

  private void addChunks(TypeSpec.Builder cls, String phase, List<Node> nodes) {
    List<List<Node>> parts = chunks(nodes);
    for (int c = 0; c < parts.size(); c++) {
      String name = names.newName(phase + c, "$chunk:" + phase + c);
      cls.addMethod(MethodSpec.methodBuilder(name)
          .addModifiers(Modifier.PRIVATE)
          .addJavadoc("Part $L of the $L pass (split to keep methods small enough to JIT).\n",
              c + 1, phase)
          .addCode(statements(parts.get(c), phase.equals("backward")))
          .build());
    }
  }

  private CodeBlock statements(List<Node> nodes, boolean backwardPass) {
    CodeBlock.Builder out = CodeBlock.builder();
    String lastComment = null;
    for (Node n : nodes) {
      String comment = comment(n, backwardPass);
      if (!comment.equals(lastComment)) {
        out.add("// $L\n", comment);
        lastComment = comment;
      }
      out.add(code.statement((Node.Apply) n, this::nameOf, !chunked && n.shape().isScalar(),
          fieldArrays.contains(n) || gradientStorage.containsKey(n)));
    }
    return out.build();
  }

  private String comment(Node n, boolean backwardPass) {
    Graph.Note note = graph.noteOf(n);
    var span = note != null ? note.origin() : n.origin();
    String where = span.line() > 0
        ? "line " + span.line() + ": " + Code.shorten(Code.sanitize(source.line(span.line()).trim()))
        : "derived";
    if (backwardPass) {
      return where + " -- " + (note != null ? note.rule() : "recomputed forward value");
    }
    return where;
  }

  // ---- generic access ----

  private void addGenericMethods(TypeSpec.Builder cls) {
    List<Node.Var> params = derived.function().params();
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
      List<Node.Var> params = derived.function().params();
      for (int i = 0; i < params.size(); i++) {
        String field = gradientFields.get(params.get(i));
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
    List<Node.Var> params = derived.function().params();
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

  /** The last segment of a path, so generated code does not depend on where nnc ran. */
  static String fileName(String path) {
    int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
    return path.substring(slash + 1);
  }

  static ClassName nnMath() {
    return NN_MATH;
  }
}
