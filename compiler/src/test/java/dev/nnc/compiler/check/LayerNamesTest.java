package dev.nnc.compiler.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.TestPrograms;
import dev.nnc.compiler.autodiff.DerivedModel;
import dev.nnc.compiler.ir.Graph;
import dev.nnc.compiler.ir.GraphOrder;
import dev.nnc.compiler.ir.ModelIr;
import dev.nnc.compiler.ir.Node;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The checker names values after the layer instance they come from, for readable generated code:
 * a layer call's output is {@code fc1} unless a let names it, and a let inside a layer body is
 * {@code fc1.h}; the gradients follow ({@code dfc1}).
 */
class LayerNamesTest {
  private static final String SOURCE = """
      layer Dense(n_in, n_out)(x: [n_in]) {
        param W: [n_in, n_out];
        param b: [n_out];
        let h = x @ W + b;
        return tanh(h);
      }
      model M {
        input x: [4];
        label y: class(3);
        let fc1 = Dense(4, 5);
        let fc2 = Dense(5, 3);
        let z = fc1(x);
        let logits = fc2(relu(z));
        loss cross_entropy(logits, y);
      }
      """;

  private static List<String> names(Graph graph, Node root) {
    List<String> names = new ArrayList<>();
    for (Node n : GraphOrder.reachable(root)) {
      if (graph.nameOf(n) != null) {
        names.add(graph.nameOf(n) + (graph.isHint(n) ? "~" : ""));
      }
    }
    return names;
  }

  @Test
  void layerOutputsAndLetsInLayerBodiesAreNamedAfterTheInstance() {
    ModelIr model = TestPrograms.check(SOURCE).models().get(0);
    // fc1's output is let-bound as z; fc2's is logits: let names win over the instance's hint
    assertEquals(List.of("fc1.h", "z", "fc2.h", "logits"), names(model.graph(), model.loss())
        .subList(0, 4));
    List<String> gradients = new ArrayList<>();
    for (Node g : DerivedModel.derive(model, true).gradients()) {
      gradients.addAll(names(model.graph(), g));
    }
    assertTrue(gradients.containsAll(List.of("dlogits", "dfc2.h", "dz", "dfc1.h")),
        gradients.toString());
    assertFalse(gradients.contains("dh"), "a let in a layer body is fc1.h, never h: " + gradients);
  }

  @Test
  void anUnboundLayerOutputIsHintedWithTheInstanceAndSoIsItsGradient() {
    // without a let in the body (whose gradient dfc1.h would be the same node, and a name wins)
    ModelIr model = TestPrograms.check(SOURCE.replace("let z = fc1(x);\n", "")
        .replace("relu(z)", "relu(fc1(x))").replace("let h = x @ W + b;\n  return tanh(h);",
            "return tanh(x @ W + b);")).models().get(0);
    List<String> forward = names(model.graph(), model.loss());
    assertTrue(forward.contains("fc1~"), forward.toString());
    DerivedModel derived = DerivedModel.derive(model, true);
    List<String> all = new ArrayList<>();
    for (Node g : derived.gradients()) {
      all.addAll(names(model.graph(), g));
    }
    assertTrue(all.contains("dfc1~"), all.toString());
    assertTrue(all.contains("dlogits"), all.toString());
  }

  @Test
  void aLetNameReplacesAHintAndTheFirstLetNameWins() {
    Graph g = new Graph();
    Node x = g.var("x", dev.nnc.compiler.ir.Shape.SCALAR, true,
        dev.nnc.compiler.diag.SourceSpan.NONE);
    Node y = g.neg(x);
    g.hint(y, "fc1");
    assertTrue(g.isHint(y));
    g.name(y, "h");
    g.name(y, "later");
    g.hint(y, "fc2");
    assertEquals("h", g.nameOf(y));
    assertFalse(g.isHint(y));
  }
}
