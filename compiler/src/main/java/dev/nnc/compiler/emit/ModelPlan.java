package dev.nnc.compiler.emit;

import com.palantir.javapoet.NameAllocator;
import dev.nnc.compiler.autodiff.DerivedModel;
import dev.nnc.compiler.ir.ElementType;
import dev.nnc.compiler.ir.Graph;
import dev.nnc.compiler.ir.ModelIr;
import dev.nnc.compiler.ir.Node;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the class of one {@code model} computes where: the four passes (loss, outputs,
 * gradients, predictions) as fused statement groups split into chunk methods, which values need
 * a buffer, the Java name of every value and method, which gradients are computed in place in
 * their parameter's gradient array, and which weights take their plain SGD step inside the
 * product that computes their gradient. {@link ModelEmitter} prints it.
 */
final class ModelPlan {
  /** Cost units (see {@link FunctionPlan#cost}) per method before a pass is split. */
  private static final int CHUNK_BUDGET = 120;

  /** The members every generated model class has, which no value may be named. */
  private static final List<String> MEMBERS = List.of("name", "parameters", "inputs", "outputs",
      "forward", "forwardBackward", "output", "defaultOptimizer", "initialize", "trainStep",
      "batch", "predict", "prepare", "outputCopy", "ensureCapacity", "capacity", "n", "b",
      "batchSize", "INPUTS", "OUTPUTS", "PARAMETERS", "sgdRate", "sgdParameters", "optimizer",
      "rate", "inUse", ConvCode.TRAINING, ConvCode.SEED, ConvCode.STEP);

  /** One pass of the model: its method name, its statements and their groups and chunks. */
  record Pass(String method, String doc, List<Node> nodes, List<Fusion.Group> groups,
      List<List<Fusion.Group>> chunks, List<String> chunkMethods, boolean backward) {}

  final DerivedModel derived;
  final ModelIr model;
  final Graph graph;
  final ElementType type;
  private final Code code;
  private final ConvKernels kernels;
  /** Whether a statement is a dropout (the class then has a training flag, seed and step). */
  private final boolean dropout;
  private final NameAllocator names;
  private final Map<Node, String> nodeNames = new IdentityHashMap<>();
  private final Map<ModelIr.ParamVar, String> paramFields = new IdentityHashMap<>();
  /** Gradients computed by their own statement into their parameter's gradient array. */
  private final Map<Node, ModelIr.ParamVar> gradientOf = new IdentityHashMap<>();
  /**
   * Weight gradients whose plain SGD step trainStep applies inside the product that computes
   * them (see {@link #findSgdSteps}), in parameter order.
   */
  private final Map<Node, ModelIr.ParamVar> sgdSteps = new LinkedHashMap<>();
  /** Values with a buffer (a field) of their own; the rest are views or loop locals. */
  private final Set<Node> stored = new LinkedHashSet<>();
  private final Pass loss;
  private final Pass outputs;
  private final Pass gradients;
  /** Everything the outputs need, for prediction without labels or a loss. */
  private final Pass predictions;

  ModelPlan(DerivedModel derived, String className, ElementType type, Code code) {
    this.derived = derived;
    this.model = derived.model();
    this.graph = model.graph();
    this.type = type;
    this.names = JavaNames.allocator(className, MEMBERS);
    for (String pass : List.of("computeLoss", "computeOutputs", "computeGradients",
        "computePredictions")) {
      names.newName(pass, "$pass:" + pass);
    }
    // The loss pass also computes what both the outputs and the gradients read (a softmax, say),
    // so forward() and forwardBackward() each run the loss pass and then their own.
    List<Node> outputRoots = new ArrayList<>(derived.outputs().values());
    Set<Node> forOutputs = new HashSet<>(computed(outputRoots, new HashSet<>()));
    List<Node> lossRoots = new ArrayList<>();
    lossRoots.add(derived.objective());
    for (Node n : computed(derived.gradients(), new HashSet<>())) {
      if (forOutputs.contains(n)) {
        lossRoots.add(n);
      }
    }
    Set<Node> done = new HashSet<>();
    List<Node> lossNodes = computed(lossRoots, done);
    List<Node> outputNodes = computed(outputRoots, done);
    List<Node> backwardNodes = computed(derived.gradients(), done);
    List<Node> predictionNodes = computed(outputRoots, new HashSet<>());
    List<Node> statements = new ArrayList<>(lossNodes);
    statements.addAll(outputNodes);
    statements.addAll(backwardNodes);
    this.kernels = new ConvKernels(type, statements, hint -> names.newName(hint));
    this.code = code.withKernels(kernels);
    this.dropout = statements.stream()
        .anyMatch(n -> n instanceof Node.Apply a && a.op() == dev.nnc.compiler.ir.Op.DROPOUT);
    Set<Node> keep = new HashSet<>(derived.gradients());
    keep.add(derived.objective());
    keep.addAll(derived.outputs().values());
    List<List<Node>> all = List.of(lossNodes, outputNodes, backwardNodes, predictionNodes);
    Map<Node, Set<Node>> readers = Fusion.readers(all);
    List<List<Fusion.Group>> groups = new ArrayList<>();
    for (List<Node> pass : all) {
      groups.add(Fusion.shareSoftmaxMax(Fusion.plan(pass, readers, keep), n -> true));
    }

    nameValues(lossNodes, outputNodes, backwardNodes, groups);
    findSgdSteps(groups.get(2));
    this.loss = pass("computeLoss", "Computes the mean loss of the batch (forward pass).",
        lossNodes, groups.get(0), false);
    this.outputs = pass("computeOutputs", "Computes the declared outputs (after computeLoss).",
        outputNodes, groups.get(1), false);
    this.gradients = pass("computeGradients",
        "Computes every parameter's gradient (backward pass).", backwardNodes, groups.get(2),
        true);
    this.predictions = pass("computePredictions",
        "Computes the declared outputs alone (no loss).", predictionNodes, groups.get(3), false);
  }

  /** Nodes under {@code roots} that need a statement and are not already in {@code done}. */
  private static List<Node> computed(List<Node> roots, Set<Node> done) {
    List<Node> out = new ArrayList<>();
    for (Node n : IrFacts.reachable(roots)) {
      if (n instanceof Node.Apply a && !Code.isView(a) && done.add(n)) {
        out.add(n);
      }
    }
    return out;
  }

  private void nameValues(List<Node> lossNodes, List<Node> outputNodes,
      List<Node> backwardNodes, List<List<Fusion.Group>> groups) {
    // a loss that needs no statement (a constant, a parameter or a view of one) has no field
    if (computesObjective()) {
      nodeNames.put(derived.objective(), names.newName("loss", derived.objective()));
      stored.add(derived.objective());
    }
    for (ModelIr.ParamVar p : model.params()) {
      paramFields.put(p, names.newName(JavaNames.hint(p.var().name()), p));
      nodeNames.put(p.var(), paramFields.get(p));
    }
    for (ModelIr.DataVar d : model.data()) {
      nodeNames.put(d.var(), names.newName(JavaNames.hint(d.var().name()), d));
    }
    nodeNames.put(derived.batchSize(), "batchSize");
    Set<Node> usedInBackward = new HashSet<>();
    for (Node n : backwardNodes) {
      usedInBackward.addAll(((Node.Apply) n).inputs());
    }
    Set<Node> backward = new HashSet<>(backwardNodes);
    for (int i = 0; i < model.params().size(); i++) {
      Node g = derived.gradients().get(i);
      // A gradient computed by its own statement and used by nothing else lands in place (a
      // scalar parameter's is a local, copied into its one-element array).
      if (backward.contains(g) && !g.batched() && !gradientOf.containsKey(g)
          && !usedInBackward.contains(g) && !g.shape().isScalar()) {
        gradientOf.put(g, model.params().get(i));
      }
    }
    int t = 1;
    List<Node> all = new ArrayList<>(lossNodes);
    all.addAll(outputNodes);
    all.addAll(backwardNodes);
    for (Node n : all) {
      if (n == derived.objective()) {
        continue;
      }
      if (gradientOf.containsKey(n)) {
        nodeNames.put(n, names.newName("d" + paramFields.get(gradientOf.get(n)), n));
        continue;
      }
      String hint = graph.nameOf(n);
      nodeNames.put(n, names.newName(hint != null ? JavaNames.hint(hint) : "t" + t++, n));
      if (needsBuffer(n, groups)) {
        stored.add(n);
      }
    }
  }

  /** False for a value held in a loop-local variable in every pass that computes it. */
  private static boolean needsBuffer(Node n, List<List<Fusion.Group>> groups) {
    for (List<Fusion.Group> plan : groups) {
      for (Fusion.Group g : plan) {
        if (g.nodes().contains(n) && !g.locals().contains(n)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Finds the weights whose plain SGD step can replace the storing of their gradient: the
   * gradient is computed in place by one product Xᵀ·G ({@link Code#isWeightGradient}), and
   * nothing the backward pass computes after it, nor another parameter's gradient, reads the
   * weights, which the step changes there.
   */
  private void findSgdSteps(List<Fusion.Group> backward) {
    List<Node> order = new ArrayList<>();
    Set<Node> inLoops = new HashSet<>();
    for (Fusion.Group g : backward) {
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

  private Pass pass(String name, String doc, List<Node> nodes, List<Fusion.Group> groups,
      boolean backward) {
    // A loop (batched or tensor) weighs about four scalar statements; a fused loop, four per
    // statement in it.
    // The loops of a convolution or pooling that no kernel computes weigh three times more.
    List<List<Fusion.Group>> chunks = Chunks.split(groups, g -> {
      int cost = 0;
      for (Node n : g.nodes()) {
        cost += g.fused() || n.batched() || !n.shape().isScalar() ? 4 : 1;
        cost += convolutionLoops(n) ? 8 : 0;
      }
      return cost;
    }, CHUNK_BUDGET);
    List<String> methods = new ArrayList<>();
    for (int c = 0; c < chunks.size(); c++) {
      methods.add(chunks.size() == 1 ? names.get("$pass:" + name)
          : names.newName(name + c, "$pass:" + name + c));
    }
    return new Pass(names.get("$pass:" + name), doc, nodes, groups, chunks, methods, backward);
  }

  /** A convolution or pooling statement computed by loops rather than a kernel call. */
  private boolean convolutionLoops(Node n) {
    Node.Apply a = (Node.Apply) n;
    Node op = a.op() == dev.nnc.compiler.ir.Op.BATCH_SUM ? a.input(0) : a;
    return op instanceof Node.Apply c && ConvCode.handles(c.op()) && kernels.of(n) == null;
  }

  // ---- what the printer reads ----

  /** The code writer of this model's statements (with its kernels). */
  Code code() {
    return code;
  }

  /** The runtime kernels of the convolutions and poolings and their members. */
  ConvKernels kernels() {
    return kernels;
  }

  /** Whether the model has a dropout: a training flag, seed and step. */
  boolean hasDropout() {
    return dropout;
  }

  Pass loss() {
    return loss;
  }

  Pass outputs() {
    return outputs;
  }

  Pass gradients() {
    return gradients;
  }

  Pass predictions() {
    return predictions;
  }

  /** The Java name of a value: a field, a loop local or a local of a pass method. */
  String name(Node n) {
    String name = nodeNames.get(n);
    if (name == null) {
      throw new IllegalStateException("no storage for " + n);
    }
    return name;
  }

  /**
   * Whether a statement computes the training objective into a field {@code loss}; if not, the
   * loss reads no example and needs no statement ({@code loss 1.0;}, {@code loss b;} with a
   * scalar parameter b).
   */
  boolean computesObjective() {
    return derived.objective() instanceof Node.Apply a && !Code.isView(a);
  }

  /** The field holding parameter {@code p}'s {@code Parameter} object. */
  String field(ModelIr.ParamVar p) {
    return paramFields.get(p);
  }

  /** The parameter whose gradient array statement {@code n} fills in place, or null. */
  ModelIr.ParamVar inPlaceGradientOf(Node n) {
    return gradientOf.get(n);
  }

  /** The weights whose plain SGD step happens inside the product of gradient {@code n}, or null. */
  ModelIr.ParamVar sgdStepOf(Node n) {
    return sgdSteps.get(n);
  }

  /** True if trainStep applies any plain SGD step inside the backward pass. */
  boolean fusesSgd() {
    return !sgdSteps.isEmpty();
  }

  /** True if the weights of {@code p} take their plain SGD step inside the backward pass. */
  boolean sgdFused(ModelIr.ParamVar p) {
    return sgdSteps.containsValue(p);
  }

  /** The values with a buffer of their own, in statement order. */
  Set<Node> stored() {
    return stored;
  }

  /** The number of statements of the class's passes (the prediction pass repeats others). */
  int statementCount() {
    return loss.nodes().size() + outputs.nodes().size() + gradients.nodes().size();
  }

  /**
   * About how many constant-pool entries the class needs (see
   * {@link FunctionPlan#constantEstimate}): every buffer and parameter is a field, every value
   * name may also be a local, every name of a parameter, input or output is a string.
   */
  int constantEstimate() {
    int fields = stored.size() + paramFields.size() + 12;
    int methods = 4;
    List<Node> all = new ArrayList<>();
    for (Pass p : List.of(loss, outputs, gradients, predictions)) {
      methods += p.chunkMethods().size();
      all.addAll(p.nodes());
    }
    int strings = model.params().size() + model.data().size() + derived.outputs().size() + 1;
    return 3 * fields + nodeNames.size() + SizeLimits.poolNumbers(all, type) + 3 * methods
        + 2 * strings + 600;
  }
}
