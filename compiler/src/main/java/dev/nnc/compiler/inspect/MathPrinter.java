package dev.nnc.compiler.inspect;

import dev.nnc.compiler.ir.Graph;
import dev.nnc.compiler.ir.GraphOrder;
import dev.nnc.compiler.ir.Node;
import dev.nnc.compiler.ir.Op;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prints graph nodes as readable math. A subexpression used more than once (or bound by
 * {@code let}) is named once on its own line and referred to by name afterwards, so shared work
 * is visible: {@code s = sigmoid(w0*x0 + w1*x1 + w2)} then {@code d/dw0 = x0 * s * (1 - s)}.
 */
public final class MathPrinter {
  private static final int ADD = 1;
  private static final int MUL = 2;
  private static final int NEG = 3;
  private static final int POW = 4;
  private static final int ATOM = 5;

  private final Graph graph;
  private final Map<Node, String> names = new IdentityHashMap<>();
  private final Map<String, Integer> taken = new HashMap<>();

  public MathPrinter(Graph graph) {
    this.graph = graph;
  }

  /**
   * The lines defining shared subexpressions, then one line per root ({@code label = expr}).
   * Roots are given in order with their labels.
   */
  public List<String> print(Map<String, Node> roots) {
    for (Node.Var v : graph.vars()) {
      names.put(v, v.name());
      taken.put(v.name(), 1);
    }
    Map<Node, Integer> uses = new HashMap<>();
    List<Node> all = new ArrayList<>();
    for (Node root : roots.values()) {
      for (Node n : GraphOrder.reachable(root)) {
        if (!uses.containsKey(n)) {
          uses.put(n, 0);
          all.add(n);
        }
      }
    }
    for (Node n : all) {
      if (n instanceof Node.Apply a) {
        for (Node in : a.inputs()) {
          uses.merge(in, 1, Integer::sum);
        }
      }
    }
    all.sort(java.util.Comparator.comparingInt(Node::id));
    List<String> lines = new ArrayList<>();
    Map<Node, Boolean> isRoot = new IdentityHashMap<>();
    for (Node r : roots.values()) {
      isRoot.put(r, true);
    }
    // A root that other lines use is defined once under its own label.
    Map<Node, String> rootLabels = new IdentityHashMap<>();
    for (Map.Entry<String, Node> root : roots.entrySet()) {
      if (root.getKey().matches("[A-Za-z_][A-Za-z0-9_]*") && uses.get(root.getValue()) > 0
          && root.getValue() instanceof Node.Apply) {
        rootLabels.putIfAbsent(root.getValue(), root.getKey());
        taken.put(root.getKey(), 1);
      }
    }
    for (Node n : all) {
      if (!(n instanceof Node.Apply a) || isView(a) || names.containsKey(n)) {
        continue;
      }
      if (rootLabels.containsKey(n)) {
        lines.add(rootLabels.get(n) + " = " + expr(n, 0, true));
        names.put(n, rootLabels.get(n));
        continue;
      }
      boolean shared = uses.get(n) > 1 && !trivial(a);
      String letName = graph.nameOf(n);
      if (shared || (letName != null && !isRoot.containsKey(n) && uses.get(n) > 0)) {
        String name = fresh(letName != null ? letName : "t");
        lines.add(name + " = " + expr(n, 0, true));
        names.put(n, name);
      }
    }
    for (Map.Entry<String, Node> root : roots.entrySet()) {
      if (!root.getKey().equals(rootLabels.get(root.getValue()))) {
        lines.add(root.getKey() + " = " + expr(root.getValue(), 0, false));
      }
    }
    return lines;
  }

  private String fresh(String base) {
    int n = taken.merge(base, 1, Integer::sum);
    if (base.equals("t") || n > 1) {
      String name = base + (base.equals("t") ? n : "_" + n);
      while (taken.containsKey(name)) {
        name = name + "_";
      }
      taken.put(name, 1);
      return name;
    }
    return base;
  }

  private static boolean isView(Node.Apply a) {
    return a.op() == Op.BROADCAST || a.op() == Op.BATCH_BROADCAST;
  }

  private static boolean trivial(Node.Apply a) {
    return a.op() == Op.NEG && !(a.input(0) instanceof Node.Apply);
  }

  private String expr(Node n, int context, boolean defining) {
    if (!defining && names.containsKey(n)) {
      return names.get(n);
    }
    if (n instanceof Node.Const c) {
      String s = number(c.value());
      return c.value() < 0 && context > ADD ? "(" + s + ")" : s;
    }
    Node.Apply a = (Node.Apply) n;
    Op op = a.op();
    String s;
    int level;
    switch (op) {
      case ADD, SUB -> {
        level = ADD;
        s = expr(a.input(0), ADD, false) + " " + op.symbol() + " " + expr(a.input(1), ADD + 1, false);
      }
      case MUL, DIV, MATMUL -> {
        level = MUL;
        String sep = op == Op.MUL ? " * " : op == Op.DIV ? " / " : " @ ";
        s = expr(a.input(0), MUL, false) + sep + expr(a.input(1), MUL + 1, false);
      }
      case NEG -> {
        level = NEG;
        s = "-" + expr(a.input(0), NEG, false);
      }
      case POW -> {
        level = POW;
        s = expr(a.input(0), POW + 1, false) + "^" + expr(a.input(1), POW, false);
      }
      case LT, LE, GT, GE, EQ, NE -> {
        level = 0;
        s = expr(a.input(0), ADD, false) + " " + op.symbol() + " " + expr(a.input(1), ADD, false);
      }
      case BROADCAST, BATCH_BROADCAST -> {
        // repeating a value (to a shape, or to every example) changes nothing a reader sees
        return expr(a.input(0), context, false);
      }
      case STEP -> {
        level = ATOM;
        s = "(" + expr(a.input(0), ADD, false) + " > 0)";
      }
      case TRANSPOSE -> {
        level = ATOM;
        s = expr(a.input(0), ATOM, false) + ".T";
      }
      case PICK -> {
        level = ATOM;
        s = expr(a.input(0), ATOM, false) + "[" + expr(a.input(1), 0, false) + "]";
      }
      case SLICE -> {
        level = ATOM;
        s = expr(a.input(0), ATOM, false) + "[" + indices(a) + "]";
      }
      case SUM, MAX_REDUCE, LOGSUMEXP, ARGMAX_MASK -> {
        level = ATOM;
        String axis = a.attr() == -1 ? "" : ", axis: " + a.attr();
        s = op.symbol() + "(" + expr(a.input(0), 0, false) + axis + ")";
      }
      case SUM_TO, EMBED, ONEHOT -> {
        level = ATOM;
        StringBuilder b = new StringBuilder(op.symbol()).append('(');
        for (int i = 0; i < a.inputs().size(); i++) {
          b.append(i == 0 ? "" : ", ").append(expr(a.input(i), 0, false));
        }
        if (op == Op.EMBED) {
          b.append(", at: ").append(a.attr());
        }
        s = b.append(" -> ").append(a.shape()).append(')').toString();
      }
      default -> {
        level = ATOM;
        StringBuilder b = new StringBuilder(op.symbol()).append('(');
        for (int i = 0; i < a.inputs().size(); i++) {
          b.append(i == 0 ? "" : ", ").append(expr(a.input(i), 0, false));
        }
        s = b.append(')').toString();
      }
    }
    return level < context ? "(" + s + ")" : s;
  }

  private static String indices(Node.Apply slice) {
    List<Integer> dims = slice.input(0).shape().dims();
    int offset = slice.attr();
    int count = dims.size() - slice.shape().rank();
    int stride = slice.input(0).shape().size();
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < count; i++) {
      stride /= dims.get(i);
      b.append(i == 0 ? "" : ", ").append(offset / stride);
      offset %= stride;
    }
    return b.toString();
  }

  /** A number without a needless ".0". */
  public static String number(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }

  /** Labels {@code d/dname} for the gradient roots of a function. */
  public static Map<String, Node> gradientRoots(List<Node.Var> params, List<Node> gradients) {
    Map<String, Node> roots = new LinkedHashMap<>();
    for (int i = 0; i < params.size(); i++) {
      roots.put("d/d" + params.get(i).name(), gradients.get(i));
    }
    return roots;
  }
}
