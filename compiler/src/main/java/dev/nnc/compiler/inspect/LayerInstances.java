package dev.nnc.compiler.inspect;

import dev.nnc.compiler.ast.Decl;
import dev.nnc.compiler.ast.Expr;
import dev.nnc.compiler.ast.Program;
import dev.nnc.compiler.ast.Stmt;
import dev.nnc.compiler.diag.SourceSpan;
import dev.nnc.compiler.ir.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which layer instance of a model each graph node belongs to. The checker inlines layer calls,
 * so the graph does not say it directly; it is recovered from two facts: an instance's
 * parameters are named {@code instance.param}, and an inlined operation's source place lies in
 * its layer's body. An operation in a layer's body belongs to the instance of the first of its
 * inputs that belongs to an instance of that layer (the parameters, then what was computed from
 * them), so {@code fc1} and {@code fc2}, two {@code Dense} instances, come apart.
 */
final class LayerInstances {
  /** A layer instance: {@code let fc1 = Dense(784, 256);}. */
  record Instance(String name, Decl.Layer layer, SourceSpan let, String text) {}

  private final Map<String, Instance> byName = new LinkedHashMap<>();
  private final Map<Node, Instance> byNode = new IdentityHashMap<>();

  /** The instances declared by {@code model}; {@code nodes} in id order (inputs first). */
  LayerInstances(Program program, Decl.Model model, List<Node> nodes, String source) {
    Map<String, Decl.Layer> layers = new HashMap<>();
    for (Decl d : program.decls()) {
      if (d instanceof Decl.Layer layer) {
        layers.put(layer.name(), layer);
      }
    }
    for (Stmt stmt : model.body()) {
      if (stmt instanceof Stmt.Let let && let.value() instanceof Expr.Call call
          && layers.containsKey(call.callee())) {
        SourceSpan value = call.span();
        String text = let.name() + " = " + source.substring(value.start(), value.end());
        byName.put(let.name(), new Instance(let.name(), layers.get(call.callee()), let.span(),
            text.replaceAll("\\s+", " ")));
      }
    }
    for (Node node : nodes) {
      Instance instance = null;
      if (node instanceof Node.Var v && v.name().indexOf('.') > 0) {
        instance = byName.get(v.name().substring(0, v.name().indexOf('.')));
      } else if (node instanceof Node.Apply a) {
        Decl.Layer layer = layerContaining(a.origin());
        if (layer != null) {
          instance = fromInputs(a, layer);
        }
      }
      if (instance != null) {
        byNode.put(node, instance);
      }
    }
  }

  /** The instances in declaration order. */
  List<Instance> all() {
    return new ArrayList<>(byName.values());
  }

  /** The instance {@code node} belongs to, or null. */
  Instance of(Node node) {
    return byNode.get(node);
  }

  private Instance fromInputs(Node.Apply a, Decl.Layer layer) {
    for (Node in : a.inputs()) {
      Instance i = byNode.get(in);
      if (i != null && i.layer() == layer) {
        return i;
      }
    }
    // A layer without parameters on this path: unambiguous only if it has one instance.
    Instance only = null;
    for (Instance i : byName.values()) {
      if (i.layer() == layer) {
        if (only != null) {
          return null;
        }
        only = i;
      }
    }
    return only;
  }

  private Decl.Layer layerContaining(SourceSpan origin) {
    for (Instance i : byName.values()) {
      SourceSpan body = i.layer().span();
      if (origin.file().equals(body.file()) && origin.start() >= body.start()
          && origin.end() <= body.end()) {
        return i.layer();
      }
    }
    return null;
  }
}
