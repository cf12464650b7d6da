package dev.nnc.compiler.simplify;

import dev.nnc.compiler.ir.Graph;
import dev.nnc.compiler.ir.Node;

/**
 * One simplification rule: a name, its algebra as written in comments and docs, and a function
 * that returns the replacement of a node or null when the rule does not apply. A replacement
 * must have the node's shape; the {@link Simplifier} checks this after every rewrite.
 */
public record Rewrite(String name, String algebra, Matcher matcher) {
  /** Returns the replacement of {@code node}, or null. */
  public interface Matcher {
    Node rewrite(Graph graph, Node.Apply node);
  }
}
