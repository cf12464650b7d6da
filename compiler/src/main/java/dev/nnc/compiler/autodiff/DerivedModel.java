package dev.nnc.compiler.autodiff;

import dev.nnc.compiler.ir.Graph;
import dev.nnc.compiler.ir.ModelIr;
import dev.nnc.compiler.ir.Node;
import dev.nnc.compiler.ir.Op;
import dev.nnc.compiler.simplify.Simplifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model with its training objective and gradients: the objective is the mean of the
 * per-example loss over the batch (see {@link #objective}); the gradients are with
 * respect to every trainable parameter, in declaration order; outputs are per example.
 */
public record DerivedModel(ModelIr model, Node.Var batchSize, Node objective,
    Map<String, Node> outputs, List<Node> gradients) {
  public DerivedModel {
    outputs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
    gradients = List.copyOf(gradients);
  }

  /**
   * The training objective for the per-example {@code loss}: its mean over the batch,
   * {@code batch_sum(loss) / batchSize}. A loss that reads no example (a weight penalty alone,
   * {@code loss sum(w^2);}, or a constant) is the same for every example, and its batch mean is
   * itself.
   */
  public static Node objective(Graph graph, Node loss, Node.Var batchSize) {
    if (!loss.batched()) {
      return loss;
    }
    return graph.apply(Op.DIV, loss.origin(), graph.apply(Op.BATCH_SUM, loss.origin(), loss),
        batchSize);
  }

  public static DerivedModel derive(ModelIr model, boolean simplify) {
    Graph graph = model.graph();
    Node.Var batchSize = graph.batchSize(model.span());
    Node loss = model.loss();
    List<Node> forwardRoots = new ArrayList<>();
    forwardRoots.add(loss);
    forwardRoots.addAll(model.outputs().values());
    if (simplify) {
      forwardRoots = Simplifier.simplify(graph, forwardRoots);
    }
    loss = forwardRoots.get(0);
    Node objective = objective(graph, loss, batchSize);
    graph.name(objective, "loss");
    Map<Node.Var, Node> grads = ReverseMode.gradients(graph, objective, graph.scalar(1));
    List<Node> roots = new ArrayList<>();
    roots.add(objective);
    roots.addAll(forwardRoots.subList(1, forwardRoots.size()));
    for (ModelIr.ParamVar p : model.params()) {
      roots.add(grads.get(p.var()));
    }
    // Calls with a stated derivative have served the sweep; from here on each is its body.
    roots = CustomCalls.erase(graph, roots);
    if (simplify) {
      roots = Simplifier.simplify(graph, roots);
    }
    Map<String, Node> outputs = new LinkedHashMap<>();
    int k = 1;
    for (String name : model.outputs().keySet()) {
      outputs.put(name, roots.get(k++));
    }
    return new DerivedModel(model, batchSize, roots.get(0), outputs,
        roots.subList(k, roots.size()));
  }
}
