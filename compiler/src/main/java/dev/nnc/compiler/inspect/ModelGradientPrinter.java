package dev.nnc.compiler.inspect;

import dev.nnc.compiler.autodiff.DerivedModel;
import dev.nnc.compiler.ir.Graph;
import dev.nnc.compiler.ir.ModelIr;
import dev.nnc.compiler.ir.Node;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's backward pass as readable math ({@code nnc grad} on a model): the batch loss and
 * each parameter's gradient of it, with values shared between them named once. Every named
 * value is per example unless it is a parameter or a sum over the batch; {@code batch_sum(e)}
 * adds e over the examples of the batch, and {@code B} is the batch size.
 */
public final class ModelGradientPrinter {
  private ModelGradientPrinter() {}

  /** The lines for {@code derived}: a header, then the shared values, loss and gradients. */
  public static List<String> print(DerivedModel derived) {
    ModelIr model = derived.model();
    List<String> lines = new ArrayList<>();
    StringBuilder header = new StringBuilder("model " + model.name() + "(");
    for (int i = 0; i < model.params().size(); i++) {
      Node.Var p = model.params().get(i).var();
      header.append(i == 0 ? "" : ", ").append(p.name()).append(": ").append(p.shape());
    }
    lines.add(header.append(')').toString());
    lines.add("  (per example unless a parameter or a batch_sum; batch_sum(e) adds e over the"
        + " B examples of the batch)");
    Map<String, Node> roots = new LinkedHashMap<>();
    roots.put("loss", derived.objective());
    for (int i = 0; i < model.params().size(); i++) {
      roots.put("d/d" + model.params().get(i).var().name(), derived.gradients().get(i));
    }
    for (String line : new MathPrinter(model.graph()).print(roots)) {
      lines.add("  " + line.replace(Graph.BATCH_SIZE, "B"));
    }
    return lines;
  }
}
