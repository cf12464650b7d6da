package dev.nnc.compiler.ir;

import dev.nnc.compiler.diag.SourceSpan;
import java.util.List;

/**
 * The derivative a user stated for a function ({@code fn f(x) = ... grad(g) = ...}), lowered
 * once as a template: a small graph of its own whose variables stand for the function's
 * parameters and the upstream gradient, with one gradient node per parameter. The attributes of
 * {@link Op#CUSTOM} nodes; compared by identity of the template, so every call of one function
 * shares one rule.
 */
public record CustomRule(String function, SourceSpan span, Graph template, List<Node.Var> params,
    Node.Var upstream, List<Node> gradients) implements Attributes {
  public CustomRule {
    params = List.copyOf(params);
    gradients = List.copyOf(gradients);
  }

  /** The name of the rule in comments and printed derivatives: {@code custom rule, line N}. */
  public String gate() {
    return "custom rule, line " + span.line();
  }

  @Override
  public String toString() {
    return "grad of " + function;
  }
}
