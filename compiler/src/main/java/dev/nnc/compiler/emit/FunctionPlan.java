package dev.nnc.compiler.emit;

import com.palantir.javapoet.NameAllocator;
import dev.nnc.compiler.autodiff.DerivedFunction;
import dev.nnc.compiler.ir.Graph;
import dev.nnc.compiler.ir.Node;
import dev.nnc.compiler.ir.Op;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the class of one {@code fn} computes where: the forward and backward statements, the
 * Java name of every value, which values are fields (tensors, which are preallocated, and, in a
 * body split into chunk methods, the scalars one chunk computes and another reads) and which
 * are locals, which gradients are computed in place in their public field, and the chunks.
 * {@link FunctionEmitter} prints it.
 */
final class FunctionPlan {
  /** Estimated cost units per method before the body is split (see {@link #cost}). */
  static final int CHUNK_BUDGET = 120;

  /** The members every generated function class has, which no value may be named. */
  private static final List<String> MEMBERS = List.of("value", "valueAndGradient", "name",
      "parameterNames", "parameterShape", "valueShape", "evaluate", "evaluateWithGradient",
      "singlePrecision", "args", "upstream", "gradients", "seed", "result", "hvp",
      "evaluateHessian", "evaluateHvp", "evaluateJvp", "direction", "out", "hasSecondOrder");

  final DerivedFunction derived;
  final Graph graph;
  private final NameAllocator names;
  private final Map<Node, String> nodeNames = new IdentityHashMap<>();
  private final Map<Node.Var, String> gradientFields = new IdentityHashMap<>();
  /** Gradients computed by their own statement straight into their parameter's public field. */
  private final Map<Node, Node.Var> gradientStorage = new IdentityHashMap<>();
  /** Tensor values held in preallocated fields (all tensors but the in-place gradients). */
  private final Set<Node> tensorFields = new LinkedHashSet<>();
  /** Scalar values held in fields: with chunks, those read outside the chunk computing them. */
  private final Set<Node> scalarFields = new LinkedHashSet<>();
  private final List<Node> forward;
  private final List<Node> backward;
  /** Statements of the second-order and forward-mode methods beyond forward and backward. */
  private final List<Node> second;
  private final List<List<Fusion.Group>> forwardChunks;
  private final List<List<Fusion.Group>> backwardChunks;
  private final List<List<Fusion.Group>> secondChunks;
  private final List<String> forwardChunkNames = new ArrayList<>();
  private final List<String> backwardChunkNames = new ArrayList<>();
  private final List<String> secondChunkNames = new ArrayList<>();
  /** Whether the class has hvp, jvp and hessian (a class too large with them has not). */
  private final boolean secondOrder;
  private final Map<Node.Var, String> hvpFields = new IdentityHashMap<>();
  /** For each tensor parameter, the direction buffer hessian() passes to hvp(). */
  private final Map<Node.Var, String> basisFields = new IdentityHashMap<>();
  private String hessianField;
  private String jvpField;
  private final boolean chunked;
  /** The field a tensor value is copied into when it is not computed by a statement of its own. */
  private final String valueCopy;

  /**
   * The plan of the class of {@code derived}; with {@code secondOrder}, it also computes the
   * Hessian-vector and Jacobian-vector products.
   */
  FunctionPlan(DerivedFunction derived, String className, boolean secondOrder) {
    this.derived = derived;
    this.graph = derived.function().graph();
    this.secondOrder = secondOrder;
    this.names = JavaNames.allocator(className, MEMBERS);
    if (secondOrder) {
      // the methods' own names, taken for their result fields before any value is named
      hessianField = names.newName("hessian", "$hessian");
      jvpField = names.newName("jvp", "$jvp");
    }
    List<Node> valueNodes = IrFacts.reachable(List.of(derived.value()));
    Set<Node> inForward = new HashSet<>(valueNodes);
    this.forward = computed(valueNodes);
    List<Node> back = new ArrayList<>();
    for (Node n : computed(IrFacts.reachable(derived.gradients()))) {
      if (!inForward.contains(n)) {
        back.add(n);
      }
    }
    this.backward = back;
    Set<Node> firstOrder = new HashSet<>(forward);
    firstOrder.addAll(backward);
    List<Node> sec = new ArrayList<>();
    if (secondOrder) {
      for (Node n : computed(IrFacts.reachable(secondOrderRoots()))) {
        if (!firstOrder.contains(n)) {
          sec.add(n);
        }
      }
    }
    this.second = sec;

    for (Node.Var p : derived.function().params()) {
      nodeNames.put(p, names.newName(JavaNames.hint(p.name()), p));
    }
    if (derived.upstream() != null) {
      nodeNames.put(derived.upstream(), names.newName("upstream", derived.upstream()));
    }
    for (Node.Var p : derived.function().params()) {
      gradientFields.put(p, names.newName("d" + nodeNames.get(p), "$grad:" + p.name()));
    }
    if (secondOrder) {
      List<Node.Var> params = derived.function().params();
      for (int i = 0; i < params.size(); i++) {
        Node.Var p = params.get(i);
        String base = nodeNames.get(p);
        String cap = Character.toUpperCase(base.charAt(0)) + base.substring(1);
        nodeNames.put(derived.directions().get(i), names.newName("v" + cap,
            derived.directions().get(i)));
        hvpFields.put(p, names.newName("hvp" + cap, "$hvp:" + p.name()));
        if (!p.shape().isScalar()) {
          basisFields.put(p, names.newName("basis" + cap, "$basis:" + p.name()));
        }
      }
    }
    assignStorage();
    Node value = derived.value();
    this.valueCopy = !value.shape().isScalar() && !tensorFields.contains(value)
        ? names.newName(derived.function().name(), "$valueCopy") : null;
    // hvp() runs the forward, backward and second-order statements in one method unless split
    this.chunked = cost(forward) + cost(backward) + cost(second) > CHUNK_BUDGET;
    this.forwardChunks = chunked ? chunks(forward) : List.of(groups(forward));
    this.backwardChunks = chunked ? chunks(backward) : List.of(groups(backward));
    this.secondChunks = chunked ? chunks(second) : List.of(groups(second));
    if (chunked) {
      for (int c = 0; c < forwardChunks.size(); c++) {
        forwardChunkNames.add(names.newName("forward" + c, "$chunk:forward" + c));
      }
      for (int c = 0; c < backwardChunks.size(); c++) {
        backwardChunkNames.add(names.newName("backward" + c, "$chunk:backward" + c));
      }
      for (int c = 0; c < secondChunks.size(); c++) {
        secondChunkNames.add(names.newName("second" + c, "$chunk:second" + c));
      }
      findScalarFields();
    }
  }

  /** The Hessian-vector products and the Jacobian-vector product. */
  private List<Node> secondOrderRoots() {
    List<Node> roots = new ArrayList<>(derived.hvp());
    roots.add(derived.jvp());
    return roots;
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

  private void assignStorage() {
    Node value = derived.value();
    int t = 1;
    for (Node n : forward) {
      String hint = n == value && graph.nameOf(n) == null ? derived.function().name()
          : graph.nameOf(n) != null ? graph.nameOf(n) : "t" + t++;
      nodeNames.put(n, names.newName(JavaNames.hint(hint), n));
      if (!n.shape().isScalar()) {
        tensorFields.add(n);
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
      nodeNames.put(n, names.newName(JavaNames.hint(hint), n));
      if (!n.shape().isScalar()) {
        tensorFields.add(n);
      }
    }
    int h = 1;
    for (Node n : second) {
      String hint = graph.nameOf(n) != null ? graph.nameOf(n) : "h" + h++;
      nodeNames.put(n, names.newName(JavaNames.hint(hint), n));
      if (!n.shape().isScalar()) {
        tensorFields.add(n);
      }
    }
  }

  /**
   * The scalars a chunk computes and something outside it reads (a later chunk, or the typed
   * method that returns the value and copies the gradients out) are fields; every other scalar
   * is a local of its chunk, so the class's constant pool grows only with what crosses chunks.
   */
  private void findScalarFields() {
    Map<Node, Integer> chunkOf = new IdentityHashMap<>();
    List<List<Fusion.Group>> all = new ArrayList<>(forwardChunks);
    all.addAll(backwardChunks);
    all.addAll(secondChunks);
    for (int c = 0; c < all.size(); c++) {
      for (Fusion.Group g : all.get(c)) {
        for (Node n : g.nodes()) {
          chunkOf.put(n, c);
          for (Node in : ((Node.Apply) n).inputs()) {
            for (Node leaf : Fusion.storedLeaves(in)) {
              Integer defined = chunkOf.get(leaf);
              if (defined != null && defined != c && leaf.shape().isScalar()) {
                scalarFields.add(leaf);
              }
            }
          }
        }
      }
    }
    List<Node> readByMethod = new ArrayList<>(derived.gradients());
    readByMethod.add(derived.value());
    if (secondOrder) {
      readByMethod.addAll(secondOrderRoots());
    }
    for (Node r : readByMethod) {
      for (Node leaf : Fusion.storedLeaves(r)) {
        if (chunkOf.containsKey(leaf) && leaf.shape().isScalar()) {
          scalarFields.add(leaf);
        }
      }
    }
  }

  /**
   * Rough bytecode weight: a scalar statement is 1, a loop 3, a nested loop nest 5, the six
   * loops of a convolution or pooling 12.
   */
  static int cost(List<Node> nodes) {
    int total = 0;
    for (Node n : nodes) {
      total += cost(n);
    }
    return total;
  }

  static int cost(Node n) {
    if (n.shape().isScalar()
        && ((Node.Apply) n).inputs().stream().allMatch(i -> i.shape().isScalar())) {
      return 1;
    }
    Op op = ((Node.Apply) n).op();
    if (ConvCode.handles(op)) {
      return 12;
    }
    return op == Op.MATMUL || op == Op.SOFTMAX || op == Op.LOGSUMEXP || op == Op.MAX_REDUCE
        || op == Op.ARGMAX_MASK || op == Op.SUM ? 5 : 3;
  }

  /** One statement each, but a softmax and a logsumexp of the same rows share one pass. */
  private static List<Fusion.Group> groups(List<Node> nodes) {
    List<Fusion.Group> out = new ArrayList<>();
    for (Node n : nodes) {
      out.add(Fusion.Group.statement(n));
    }
    return Fusion.shareSoftmaxMax(out, n -> true);
  }

  private static List<List<Fusion.Group>> chunks(List<Node> nodes) {
    return Chunks.split(groups(nodes), g -> cost(g.nodes()), CHUNK_BUDGET);
  }

  // ---- what the printer reads ----

  List<Node.Var> params() {
    return derived.function().params();
  }

  /** The parameters and, for a tensor-valued function, the upstream seed. */
  List<Node.Var> inputs() {
    List<Node.Var> vars = new ArrayList<>(params());
    if (derived.upstream() != null) {
      vars.add(derived.upstream());
    }
    return vars;
  }

  List<Node> forward() {
    return forward;
  }

  List<Node> backward() {
    return backward;
  }

  boolean chunked() {
    return chunked;
  }

  /** The forward statements by chunk method (one chunk when the body is not split). */
  List<List<Fusion.Group>> forwardChunks() {
    return forwardChunks;
  }

  List<List<Fusion.Group>> backwardChunks() {
    return backwardChunks;
  }

  List<String> forwardChunkNames() {
    return forwardChunkNames;
  }

  List<String> backwardChunkNames() {
    return backwardChunkNames;
  }

  List<Node> second() {
    return second;
  }

  List<List<Fusion.Group>> secondChunks() {
    return secondChunks;
  }

  List<String> secondChunkNames() {
    return secondChunkNames;
  }

  /** Whether the class has the second-order and forward-mode methods. */
  boolean secondOrder() {
    return secondOrder;
  }

  /** The direction variables, one per parameter (fields in a chunked body). */
  List<Node.Var> directions() {
    return derived.directions();
  }

  /** The public field of the Hessian-vector product's part for {@code p}. */
  String hvpField(Node.Var p) {
    return hvpFields.get(p);
  }

  /** The private buffer holding the basis direction for tensor parameter {@code p}. */
  String basisField(Node.Var p) {
    return basisFields.get(p);
  }

  /** The public field holding the Hessian, row-major. */
  String hessianField() {
    return hessianField;
  }

  /** The public field holding a tensor-valued function's J v. */
  String jvpField() {
    return jvpField;
  }

  /**
   * The statements of {@code groups} that {@code roots} need (a method computing only some
   * results runs only their statements; a chunked body runs whole chunks).
   */
  List<Fusion.Group> needed(List<Fusion.Group> groups, List<Node> roots) {
    Set<Node> need = new HashSet<>(IrFacts.reachable(roots));
    List<Fusion.Group> out = new ArrayList<>();
    for (Fusion.Group g : groups) {
      if (g.nodes().stream().anyMatch(need::contains)) {
        out.add(g);
      }
    }
    return out;
  }

  /** The Java name of a value (parameter, upstream seed or statement). */
  String name(Node n) {
    String name = nodeNames.get(n);
    if (name == null) {
      throw new IllegalStateException("no storage for " + n);
    }
    return name;
  }

  /** The public field {@code d<name>} holding the gradient with respect to {@code p}. */
  String gradientField(Node.Var p) {
    return gradientFields.get(p);
  }

  /** True if gradient {@code g} is computed in place in the public field of {@code p}. */
  boolean inPlace(Node g, Node.Var p) {
    return gradientStorage.get(g) == p;
  }

  /** True if {@code n} is a gradient computed in place in its public field. */
  boolean inPlace(Node n) {
    return gradientStorage.containsKey(n);
  }

  /** Tensor values held in fields of their own, in statement order. */
  Set<Node> tensorFields() {
    return tensorFields;
  }

  /** Scalar values held in fields (only in a body split into chunks), in statement order. */
  Set<Node> scalarFields() {
    return scalarFields;
  }

  /** True if statement {@code n} declares its value as a local of the method computing it. */
  boolean declaresLocal(Node n) {
    return n.shape().isScalar() && !scalarFields.contains(n);
  }

  /** The name of the public field the value is copied into, or null. */
  String valueCopy() {
    return valueCopy;
  }

  /** The number of statements the class computes (forward, backward and second order). */
  int statementCount() {
    return forward.size() + backward.size() + second.size();
  }

  /**
   * About how many constant-pool entries the class needs: three per field (its name, name and
   * type, reference) and per chunk method, one per local (its name, when compiled with
   * {@code -g}), one or two per distinct number, two per parameter name string, and a fixed
   * part for the interface's methods and the runtime's functions.
   */
  int constantEstimate() {
    int fields = params().size() + tensorFields.size() + (valueCopy != null ? 1 : 0)
        + (chunked ? inputs().size() + scalarFields.size() : 0)
        + (secondOrder ? 2 + 2 * params().size() + basisFields.size() : 0);
    int locals = 0;
    for (Node n : forward) {
      locals += declaresLocal(n) ? 1 : 0;
    }
    for (Node n : backward) {
      locals += declaresLocal(n) ? 1 : 0;
    }
    for (Node n : second) {
      locals += declaresLocal(n) ? 1 : 0;
    }
    int methods = forwardChunkNames.size() + backwardChunkNames.size()
        + secondChunkNames.size();
    List<Node> all = new ArrayList<>(forward);
    all.addAll(backward);
    all.addAll(second);
    int numbers = SizeLimits.poolNumbers(all, derived.function().elementType());
    return 3 * fields + locals + numbers + 3 * methods + 2 * params().size() + 400;
  }
}
