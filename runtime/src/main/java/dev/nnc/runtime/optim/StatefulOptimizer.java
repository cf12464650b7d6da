package dev.nnc.runtime.optim;

import dev.nnc.runtime.DType;
import dev.nnc.runtime.NncException;
import dev.nnc.runtime.Parameter;
import dev.nnc.runtime.Tensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** Common state handling: a step count and, per parameter, arrays named by fixed suffixes. */
abstract class StatefulOptimizer implements Optimizer {
  private final String[] suffixes;
  private final Map<String, Tensor[]> state = new HashMap<>();
  protected double lr;
  protected long step;

  StatefulOptimizer(double lr, String... suffixes) {
    this.lr = lr;
    this.suffixes = suffixes;
  }

  /** The state arrays of {@code p} (same dtype and shape as p), created as zeros on first use. */
  protected final Tensor[] state(Parameter p) {
    Tensor[] s = state.get(p.name());
    if (s == null || s.length > 0 && s[0].size() != p.size()) {
      s = new Tensor[suffixes.length];
      for (int k = 0; k < s.length; k++) {
        s[k] = Tensor.zeros(p.dtype(), p.shape());
      }
      state.put(p.name(), s);
    }
    return s;
  }

  @Override
  public double learningRate() {
    return lr;
  }

  @Override
  public void setLearningRate(double lr) {
    if (!(lr >= 0) || Double.isInfinite(lr)) {
      throw new NncException("learning rate must be a finite number >= 0, got " + lr);
    }
    this.lr = lr;
  }

  @Override
  public long steps() {
    return step;
  }

  @Override
  public Map<String, Tensor> exportState() {
    Map<String, Tensor> out = new TreeMap<>();
    out.put("step", Tensor.i64(new long[] {step}));
    for (Map.Entry<String, Tensor[]> e : state.entrySet()) {
      for (int k = 0; k < suffixes.length; k++) {
        out.put(e.getKey() + "." + suffixes[k], e.getValue()[k]);
      }
    }
    return out;
  }

  @Override
  public void importState(List<Parameter> params, Map<String, Tensor> in) {
    TreeSet<String> unexpected = new TreeSet<>(in.keySet());
    unexpected.remove("step");
    Tensor stepT = in.get("step");
    if (stepT == null || stepT.size() != 1 || stepT.dtype() == DType.F32 || stepT.dtype() == DType.F64
        || stepT.getLong(0) < 0) {
      throw new NncException("optimizer state needs a non-negative integer 'step'");
    }
    Map<String, Tensor[]> fresh = new HashMap<>();
    for (Parameter p : params) {
      boolean any = false;
      boolean all = true;
      for (String suffix : suffixes) {
        boolean has = in.containsKey(p.name() + "." + suffix);
        any |= has;
        all &= has;
      }
      if (!any) {
        continue; // the parameter has not been updated yet: its state starts at zero
      }
      if (!all) {
        throw new NncException("optimizer state for " + p.name() + " is incomplete (needs "
            + String.join(", ", suffixes) + ")");
      }
      Tensor[] s = new Tensor[suffixes.length];
      for (int k = 0; k < suffixes.length; k++) {
        String key = p.name() + "." + suffixes[k];
        Tensor t = in.get(key);
        if (t.dtype() != p.dtype() || t.size() != p.size()) {
          throw new NncException("optimizer state " + key + " is " + t + " but parameter " + p + " needs "
              + p.dtype() + " with " + p.size() + " values");
        }
        s[k] = copy(t);
        unexpected.remove(key);
      }
      fresh.put(p.name(), s);
    }
    if (!unexpected.isEmpty()) {
      throw new NncException("optimizer state has unexpected entries " + unexpected
          + " (expected per-parameter " + String.join(", ", suffixes) + " and step)");
    }
    state.clear();
    state.putAll(fresh);
    step = stepT.getLong(0);
  }

  private static Tensor copy(Tensor t) {
    return t.dtype() == DType.F32 ? Tensor.f32(t.floats().clone(), t.shape()) : Tensor.f64(t.doubles().clone(), t.shape());
  }
}
