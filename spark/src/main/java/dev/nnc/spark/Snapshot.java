package dev.nnc.spark;

import dev.nnc.runtime.DType;
import dev.nnc.runtime.Model;
import dev.nnc.runtime.NncException;
import dev.nnc.runtime.Parameter;
import dev.nnc.runtime.Tensor;
import dev.nnc.runtime.optim.Optimizer;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The driver's weights (and, for local steps, its optimizer state) as plain arrays: the value
 * broadcast to the executors at the start of every step or round.
 */
final class Snapshot implements Serializable {
  private static final long serialVersionUID = 1L;

  final String[] names;
  /** A {@code float[]} or {@code double[]} per parameter, in the model's order. */
  final Object[] weights;
  /**
   * Optimizer state arrays by name ({@code fc1.W.velocity}), a {@code float[]} or {@code double[]}
   * each (a {@link Tensor} is not serializable), with their shapes; the step count is {@link #step}.
   */
  final TreeMap<String, Object> state;
  final TreeMap<String, int[]> shapes;
  final long step;

  private Snapshot(String[] names, Object[] weights, TreeMap<String, Object> state,
      TreeMap<String, int[]> shapes, long step) {
    this.names = names;
    this.weights = weights;
    this.state = state;
    this.shapes = shapes;
    this.step = step;
  }

  /** Copies of the model's weights and, if {@code optimizer} is not null, of its state. */
  static Snapshot of(Model model, Optimizer optimizer) {
    List<Parameter> params = model.parameters();
    String[] names = new String[params.size()];
    Object[] weights = new Object[params.size()];
    for (int k = 0; k < names.length; k++) {
      Parameter p = params.get(k);
      names[k] = p.name();
      weights[k] = p.isF64() ? p.f64().clone() : p.f32().clone();
    }
    TreeMap<String, Object> state = new TreeMap<>();
    TreeMap<String, int[]> shapes = new TreeMap<>();
    long step = 0;
    if (optimizer != null) {
      for (Map.Entry<String, Tensor> e : optimizer.exportState().entrySet()) {
        Tensor t = e.getValue();
        if (e.getKey().equals("step")) {
          step = t.getLong(0);
        } else if (t.dtype() == DType.F32 || t.dtype() == DType.F64) {
          state.put(e.getKey(), t.dtype() == DType.F32 ? t.floats().clone() : t.doubles().clone());
          shapes.put(e.getKey(), t.shape());
        } else {
          throw new NncException("optimizer state " + e.getKey() + " is " + t.dtype()
              + ": only f32 and f64 arrays can be averaged across partitions");
        }
      }
    }
    return new Snapshot(names, weights, state, shapes, step);
  }

  /** Copies the weights into {@code model}, after checking that it is the same model. */
  void loadInto(Model model) {
    List<Parameter> params = model.parameters();
    if (params.size() != names.length) {
      throw new NncException("the executor's model has " + params.size()
          + " parameters but the driver's has " + names.length + ": are both built from the same"
          + " source with the same precision?");
    }
    for (int k = 0; k < names.length; k++) {
      Parameter p = params.get(k);
      Object w = weights[k];
      int size = w instanceof float[] ? ((float[]) w).length : ((double[]) w).length;
      if (!p.name().equals(names[k]) || p.size() != size || p.isF64() != (w instanceof double[])) {
        throw new NncException("the executor's parameter " + p + " does not match the driver's "
            + names[k] + " (" + size + " values): are both built from the same source with the"
            + " same precision?");
      }
      if (p.isF64()) {
        System.arraycopy((double[]) w, 0, p.f64(), 0, size);
      } else {
        System.arraycopy((float[]) w, 0, p.f32(), 0, size);
      }
    }
  }

  /** The optimizer state in {@link Optimizer#importState} form (arrays shared, not copied). */
  Map<String, Tensor> optimizerState() {
    Map<String, Tensor> out = new TreeMap<>();
    for (Map.Entry<String, Object> e : state.entrySet()) {
      Object a = e.getValue();
      int[] shape = shapes.get(e.getKey());
      out.put(e.getKey(), a instanceof float[] ? Tensor.f32((float[]) a, shape)
          : Tensor.f64((double[]) a, shape));
    }
    out.put("step", Tensor.i64(new long[] {step}));
    return out;
  }
}
