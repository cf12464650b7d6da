package dev.nnc.compiler.check;

import dev.nnc.compiler.diag.SourceSpan;
import dev.nnc.compiler.ir.Graph;
import dev.nnc.compiler.ir.ModelIr;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The bindings of one body (a fn, a model, an inlined call) plus the graph it lowers into. */
final class Scope {
  /** The name under which an inlined layer body finds its own instance. */
  static final String SELF = "$self";

  final Graph graph;
  final Map<String, Binding> names = new LinkedHashMap<>();
  /** The names looked up so far, for the warnings about unused model-level names. */
  final Set<String> used = new HashSet<>();
  /** The layer's size arguments ({@code n_in: 784}) inside an inlined layer body, else empty. */
  final Map<String, Integer> sizes;
  /**
   * The layer's real-valued arguments ({@code rate: 0.5}) inside an inlined layer body: usable as
   * numbers (a dropout's rate, a scalar in an expression), never as sizes.
   */
  final Map<String, Double> reals = new HashMap<>();
  /** Collects parameters created by layer instances (models only; null elsewhere). */
  final List<ModelIr.ParamVar> params;

  /** The call that inlined this body (null for a declaration's own body). */
  final SourceSpan.Call call;

  Scope(Graph graph, Map<String, Integer> sizes, List<ModelIr.ParamVar> params) {
    this(graph, sizes, params, null);
  }

  Scope(Graph graph, Map<String, Integer> sizes, List<ModelIr.ParamVar> params,
      SourceSpan.Call call) {
    this.graph = graph;
    this.sizes = sizes;
    this.params = params;
    this.call = call;
  }

  /**
   * The origin of a node lowered from the text at {@code span} of this body: inside an inlined
   * body, the span with the call that inlined it, so generated code can name both places.
   */
  SourceSpan at(SourceSpan span) {
    return call == null ? span : span.inlinedBy(call);
  }
}
