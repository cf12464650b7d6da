package dev.nnc.compiler.inspect;

import dev.nnc.compiler.ast.Decl;
import dev.nnc.compiler.autodiff.ReverseMode;
import dev.nnc.compiler.ast.Program;
import dev.nnc.compiler.ast.Stmt;
import dev.nnc.compiler.autodiff.DerivedModel;
import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.compiler.diag.SourceSpan;
import dev.nnc.compiler.interp.Interpreter;
import dev.nnc.compiler.ir.FunctionIr;
import dev.nnc.compiler.ir.Graph;
import dev.nnc.compiler.ir.GraphOrder;
import dev.nnc.compiler.ir.ModelIr;
import dev.nnc.compiler.ir.Node;
import dev.nnc.compiler.ir.Op;
import dev.nnc.compiler.ir.Shape;
import dev.nnc.compiler.simplify.Simplifier;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds the {@link Picture} of a function's or a model's forward graph (simplified, as the
 * generated code computes it, or not), optionally with values: each wire carries the value of its
 * source and the gradient that flows back along it, the contribution of that one use to the
 * source's gradient (so the gradients on the wires leaving a value add up to its gradient, the
 * rule for fan-out every backprop lecture shows). A function is differentiated with respect to
 * its value, a model with respect to its loss, the mean over the batch.
 */
public final class PictureBuilder {
  /** The longest {@code .nn} text shown under an operation of a function. */
  private static final int CAPTION = 18;
  /** The same for a model, whose pictures are bigger: its boxes stay narrow. */
  private static final int MODEL_CAPTION = 8;

  /** A graph result drawn as an output box; the result is differentiated if {@code seed} is set. */
  private record Root(Node node, String label, int line, Node seed) {}

  /** Input {@code slot} of {@code consumer} reads {@code source}. */
  private record Use(Node source, Node.Apply consumer, int slot) {}

  private final SourceFile source;
  private final Graph graph;
  private final Interpreter interpreter;
  private final int examples;
  private final Map<Node, String> ids = new IdentityHashMap<>();
  private final Map<Node, Node> adjoints = new IdentityHashMap<>();
  private final Map<Node, List<Use>> uses = new IdentityHashMap<>();
  private final Map<Node, String> labels = new IdentityHashMap<>();
  private final Map<Node, String> captions = new IdentityHashMap<>();
  private final Map<Node, String> shapes = new IdentityHashMap<>();
  /** The let names of the forward nodes, taken before any gradient node can lend its name. */
  private final Map<Node, String> names = new IdentityHashMap<>();
  private LayerInstances instances;

  private PictureBuilder(SourceFile source, Graph graph, Map<Node.Var, double[]> values,
      int examples) {
    this.source = source;
    this.graph = graph;
    this.interpreter = values == null ? null : new Interpreter(values, examples);
    this.examples = examples;
  }

  /**
   * The picture of {@code fn}; with {@code at} (each parameter's value by name, flat row-major),
   * the wires carry values and gradients of the function's value (seeded with ones if it is a
   * tensor).
   */
  public static Picture function(SourceFile source, FunctionIr fn, boolean simplify,
      Map<String, double[]> at) {
    Map<Node.Var, double[]> values = null;
    if (at != null) {
      values = new HashMap<>();
      for (Node.Var p : fn.params()) {
        values.put(p, at.get(p.name()));
      }
    }
    PictureBuilder b = new PictureBuilder(source, fn.graph(), values, 1);
    Node value = b.forward(List.of(fn.value()), simplify).get(0);
    Node seed = value.shape().isScalar() ? fn.graph().scalar(1)
        : fn.graph().constant(1, value.shape());
    Root root = new Root(value, fn.name(), fn.nameSpan().line(), seed);
    return b.build("fn " + fn.name(), List.of(root), List.of());
  }

  /**
   * The picture of {@code model}'s loss and outputs, grouped by layer instance; with
   * {@code values} (every input, label, target and parameter by name, a batched one holding
   * {@code examples} examples one after another), the wires carry values and the gradients of the
   * loss (their summaries cover the whole batch).
   */
  public static Picture model(SourceFile source, Program program, ModelIr model,
      boolean simplify, Map<String, double[]> values, int examples) {
    Graph graph = model.graph();
    Decl.Model decl = declaration(program, model.name());
    Node.Var batchSize = graph.batchSize(model.span());
    Map<Node.Var, double[]> byVar = null;
    if (values != null) {
      byVar = new HashMap<>();
      for (Node.Var v : graph.vars()) {
        if (values.containsKey(v.name())) {
          byVar.put(v, values.get(v.name()));
        }
      }
      byVar.put(batchSize, new double[] {examples});
    }
    PictureBuilder b = new PictureBuilder(source, graph, byVar, values == null ? 1 : examples);
    for (ModelIr.DataVar d : model.data()) {
      if (d.kind() == ModelIr.DataKind.LABEL) {
        b.shapes.put(d.var(), "class(" + d.classes() + ")");
      }
    }
    List<Node> forward = new ArrayList<>();
    forward.add(model.loss());
    forward.addAll(model.outputs().values());
    forward = b.forward(forward, simplify);
    // The training objective is batch_sum(loss) / batchSize, as the generated code computes it;
    // it is drawn as one "batch mean" box fed by the per-example loss.
    Node loss = forward.get(0);
    Node objective = DerivedModel.objective(graph, loss, batchSize);
    if (objective != loss) { // batch_sum(loss) / batchSize
      Node.Apply sum = (Node.Apply) ((Node.Apply) objective).input(0);
      b.uses.put(objective, List.of(new Use(loss, sum, 0)));
      b.labels.put(objective, "batch mean");
      b.captions.put(objective, "");
    }
    Map<String, Node> outputs = new LinkedHashMap<>();
    int k = 1;
    for (String name : model.outputs().keySet()) {
      outputs.put(name, forward.get(k++));
    }
    List<Root> roots = new ArrayList<>();
    int lossLine = 0;
    Map<String, Integer> outputLines = new HashMap<>();
    for (Stmt s : decl.body()) {
      if (s instanceof Stmt.Loss l) {
        lossLine = l.span().line();
      } else if (s instanceof Stmt.Output o) {
        outputLines.put(o.name(), o.span().line());
      }
    }
    roots.add(new Root(objective, "loss", lossLine, graph.scalar(1)));
    for (Map.Entry<String, Node> out : outputs.entrySet()) {
      roots.add(new Root(out.getValue(), out.getKey(), outputLines.getOrDefault(out.getKey(), 0),
          null));
    }
    List<Node> all = new ArrayList<>();
    for (Root r : roots) {
      all.addAll(GraphOrder.reachable(r.node()));
    }
    all.sort(Comparator.comparingInt(Node::id));
    b.instances = new LayerInstances(program, decl, all, source.text());
    List<Picture.Group> groups = new ArrayList<>();
    for (LayerInstances.Instance i : b.instances.all()) {
      groups.add(new Picture.Group("g_" + i.name(), i.text(), i.let().line()));
    }
    return b.build("model " + model.name(), roots, groups);
  }

  /** The model's declaration in the parsed program (the picture groups nodes by its lets). */
  private static Decl.Model declaration(Program program, String name) {
    for (Decl d : program.decls()) {
      if (d instanceof Decl.Model m && m.name().equals(name)) {
        return m;
      }
    }
    throw new IllegalArgumentException("no model " + name + " in the program");
  }

  /**
   * The forward roots, simplified if asked (as the generated code simplifies them first), with
   * the let names of the nodes they read recorded.
   */
  private List<Node> forward(List<Node> roots, boolean simplify) {
    List<Node> out = simplify ? Simplifier.simplify(graph, roots) : roots;
    for (Node root : out) {
      for (Node n : GraphOrder.reachable(root)) {
        String name = graph.nameOf(n);
        if (name != null && !name.startsWith("$")) {
          names.put(n, name);
        }
      }
    }
    return out;
  }

  private Picture build(String title, List<Root> roots, List<Picture.Group> groups) {
    for (Root r : roots) {
      if (r.seed() != null) {
        adjoints.putAll(ReverseMode.adjoints(graph, r.node(), r.seed()));
      }
    }
    Set<Node> rootNodes = new HashSet<>();
    Map<Integer, Node> shown = new TreeMap<>();
    for (Root r : roots) {
      rootNodes.add(r.node());
      collect(r.node(), shown);
    }
    List<Picture.Box> boxes = new ArrayList<>();
    for (Node n : shown.values()) {
      if (n instanceof Node.Const && !rootNodes.contains(n)) {
        continue; // folded into the label of the op that reads it
      }
      String id = "n" + n.id();
      ids.put(n, id);
      LayerInstances.Instance instance = instances == null ? null : instances.of(n);
      String group = instance == null ? null : "g_" + instance.name();
      int line = n.origin().line();
      if (n instanceof Node.Var v) {
        boxes.add(new Picture.Box(id, Picture.Kind.INPUT, v.name(), "", shape(v), line, group));
      } else if (n instanceof Node.Const c) {
        boxes.add(new Picture.Box(id, Picture.Kind.CONSTANT, NumberText.number(c.value()), "",
            shape(c), line, group));
      } else {
        Node.Apply a = (Node.Apply) n;
        String caption = captions.containsKey(a) ? captions.get(a) : caption(a.origin());
        boxes.add(new Picture.Box(id, Picture.Kind.OP, labels.getOrDefault(a, OpLabel.of(a)),
            caption, shape(a), line, group));
      }
    }
    List<Picture.Wire> wires = new ArrayList<>();
    for (Node n : shown.values()) {
      if (!(n instanceof Node.Apply a) || !ids.containsKey(n)) {
        continue;
      }
      int slot = 0;
      for (Use u : uses.getOrDefault(a, defaultUses(a))) {
        if (ids.containsKey(u.source())) {
          wires.add(new Picture.Wire(ids.get(u.source()), ids.get(a), slot,
              valueText(u.source()), gradientText(u)));
        }
        slot++;
      }
    }
    int k = 0;
    for (Root r : roots) {
      String id = "out" + k++;
      boxes.add(new Picture.Box(id, Picture.Kind.OUTPUT, r.label(), "", shape(r.node()), r.line(),
          null));
      String gradient = "";
      if (interpreter != null && r.seed() != null) {
        gradient = NumberText.values(interpreter.value(r.seed()), r.seed().shape(), 1);
      }
      String value = interpreter == null ? ""
          : NumberText.values(interpreter.value(r.node()), r.node().shape(), examples(r.node()));
      wires.add(new Picture.Wire(ids.get(r.node()), id, 0, value, gradient));
    }
    return new Picture(title, boxes, wires, groups, interpreter != null);
  }

  /** Adds {@code root} and the nodes it reads (through {@link #uses}), keyed by id. */
  private void collect(Node root, Map<Integer, Node> out) {
    List<Node> stack = new ArrayList<>();
    stack.add(root);
    while (!stack.isEmpty()) {
      Node n = stack.remove(stack.size() - 1);
      if (out.containsKey(n.id())) {
        continue;
      }
      out.put(n.id(), n);
      if (n instanceof Node.Apply a) {
        for (Use u : uses.getOrDefault(a, defaultUses(a))) {
          stack.add(u.source());
        }
      }
    }
  }

  private static List<Use> defaultUses(Node.Apply a) {
    List<Use> out = new ArrayList<>();
    for (int i = 0; i < a.inputs().size(); i++) {
      out.add(new Use(a.input(i), a, i));
    }
    return out;
  }

  /** The text above a wire leaving {@code n}: its let name, then its value. */
  private String valueText(Node n) {
    String name = names.getOrDefault(n, "");
    if (interpreter == null) {
      return name;
    }
    String value = NumberText.values(interpreter.value(n), n.shape(), examples(n));
    return name.isEmpty() ? value : value.contains("\n") ? name + "\n" + value
        : name + " = " + value;
  }

  /** The shape written in a box: {@code [256]}, a label's class count, empty for a scalar. */
  private String shape(Node n) {
    return shapes.getOrDefault(n, n.shape().isScalar() ? "" : n.shape().toString());
  }

  /**
   * The text below a wire: the gradient of the result with respect to this use of the value,
   * that is the consumer's derivative rule for this input applied to the consumer's gradient.
   */
  private String gradientText(Use u) {
    if (interpreter == null) {
      return "";
    }
    Node upstream = adjoints.get(u.consumer());
    Node source = u.source();
    if (upstream == null || adjoints.get(source) == null
        || !u.consumer().op().carriesGradient(u.slot())) {
      return "";
    }
    // exactly the sweep's contribution (a gradient guarded by a where keeps its guard)
    Node contribution = ReverseMode.contribution(graph, u.consumer(), upstream, u.slot());
    if (contribution == null) {
      return "";
    }
    return NumberText.values(interpreter.value(contribution), source.shape(),
        examples(contribution));
  }

  private int examples(Node n) {
    return n.batched() ? examples : 1;
  }

  /** {@code 4: w0*x0}: the line and the source text of an operation, shortened. */
  private String caption(SourceSpan origin) {
    if (origin == SourceSpan.NONE || origin.line() <= 0
        || !origin.file().equals(source.name()) || origin.end() > source.text().length()) {
      return "";
    }
    String text = source.text().substring(origin.start(), origin.end()).replaceAll("\\s+", " ")
        .trim();
    int longest = instances == null ? CAPTION : MODEL_CAPTION;
    if (text.length() > longest) {
      text = elideArguments(text, longest);
    }
    if (text.length() > longest) {
      text = text.substring(0, longest - 1) + "\u2026";
    }
    return origin.line() + ": " + text;
  }

  /**
   * {@code text} with the contents of its outermost parentheses replaced by {@code …}, if that
   * makes it at most {@code longest} characters: {@code cross_entropy(…)} says more than
   * {@code cross_entropy(l…}.
   */
  static String elideArguments(String text, int longest) {
    StringBuilder out = new StringBuilder();
    int depth = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '(') {
        if (depth++ == 0) {
          out.append("(\u2026");
        }
      } else if (c == ')') {
        if (--depth == 0) {
          out.append(')');
        }
      } else if (depth == 0) {
        out.append(c);
      }
    }
    return depth == 0 && out.length() <= longest ? out.toString() : text;
  }
}
