package dev.nnc.compiler.simplify;

import dev.nnc.compiler.ir.Node;
import dev.nnc.compiler.ir.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A pattern over graph nodes, written like the algebra of a rule: {@code op(ADD, X, constant(0))}
 * is {@code x + 0}. A named variable ({@link #any}) matches any node and binds it; the same name
 * twice must bind the same node ({@code op(SUB, X, X)} is {@code x - x}); {@link #either} matches a
 * binary op with its inputs in either order; {@link #as} also binds the node a pattern matched.
 */
sealed interface Pattern permits Pattern.Any, Pattern.Constant, Pattern.Apply {

  /** Matches {@code node}, adding bindings to {@code match}; on failure the caller resets them. */
  boolean matches(Node node, Match match);

  /** The same pattern, also binding the matched node to {@code name}. */
  Pattern as(String name);

  /** Any node, bound to {@code name}. */
  static Pattern any(String name) {
    return new Any(name, node -> true);
  }

  /** Any node that passes {@code test} ({@code Pattern::scalar}, say), bound to {@code name}. */
  static Pattern any(String name, Predicate<Node> test) {
    return new Any(name, test);
  }

  /** Whether {@code node} is a scalar (a test for {@link #any(String, Predicate)}). */
  static boolean scalar(Node node) {
    return node.shape().isScalar();
  }

  /** A constant node of value {@code value} (any shape). */
  static Pattern constant(double value) {
    return new Constant(value, null);
  }

  /** A node of {@code op} whose inputs match {@code inputs} in order. */
  static Pattern op(Op op, Pattern... inputs) {
    return new Apply(op, List.of(inputs), false, null);
  }

  /** A binary node of {@code op} whose inputs match {@code a} and {@code b} in either order. */
  static Pattern either(Op op, Pattern a, Pattern b) {
    return new Apply(op, List.of(a, b), true, null);
  }

  /** A named variable, optionally restricted to the nodes that pass a test. */
  record Any(String name, Predicate<Node> test) implements Pattern {
    @Override
    public boolean matches(Node node, Match match) {
      return test.test(node) && match.bind(name, node);
    }

    @Override
    public Pattern as(String other) {
      throw new IllegalArgumentException("a variable already has the name " + name);
    }
  }

  /** A constant of one value. */
  record Constant(double value, String name) implements Pattern {
    @Override
    public boolean matches(Node node, Match match) {
      return node instanceof Node.Const c && c.value() == value
          && (name == null || match.bind(name, node));
    }

    @Override
    public Pattern as(String other) {
      return new Constant(value, other);
    }
  }

  /** An op with input patterns, in order or (for a binary op) in either order. */
  record Apply(Op op, List<Pattern> inputs, boolean eitherOrder, String name) implements Pattern {
    @Override
    public boolean matches(Node node, Match match) {
      if (!(node instanceof Node.Apply a) || a.op() != op || a.inputs().size() != inputs.size()) {
        return false;
      }
      int mark = match.mark();
      if (inputsMatch(a, match, false)) {
        return name == null || match.bind(name, node);
      }
      match.reset(mark);
      if (eitherOrder && inputsMatch(a, match, true)) {
        return name == null || match.bind(name, node);
      }
      match.reset(mark);
      return false;
    }

    private boolean inputsMatch(Node.Apply a, Match match, boolean swapped) {
      for (int i = 0; i < inputs.size(); i++) {
        if (!inputs.get(i).matches(a.input(swapped ? 1 - i : i), match)) {
          return false;
        }
      }
      return true;
    }

    @Override
    public Pattern as(String other) {
      return new Apply(op, inputs, eitherOrder, other);
    }
  }

  /** The nodes a pattern bound, by name; a small list, since rules bind a handful. */
  final class Match {
    private final List<String> names = new ArrayList<>(4);
    private final List<Node> nodes = new ArrayList<>(4);

    /** The node bound to {@code name}. */
    public Node get(String name) {
      int i = names.indexOf(name);
      if (i < 0) {
        throw new IllegalArgumentException("the pattern binds no '" + name + "'");
      }
      return nodes.get(i);
    }

    /** The node bound to {@code name}, which the pattern matched as an op node. */
    public Node.Apply apply(String name) {
      return (Node.Apply) get(name);
    }

    /** Binds {@code name} to {@code node}, or checks that it is already bound to that node. */
    boolean bind(String name, Node node) {
      int i = names.indexOf(name);
      if (i >= 0) {
        return nodes.get(i) == node;
      }
      names.add(name);
      nodes.add(node);
      return true;
    }

    int mark() {
      return names.size();
    }

    void reset(int mark) {
      while (names.size() > mark) {
        names.remove(names.size() - 1);
        nodes.remove(nodes.size() - 1);
      }
    }
  }
}
