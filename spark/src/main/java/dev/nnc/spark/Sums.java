package dev.nnc.spark;

import dev.nnc.runtime.DType;
import dev.nnc.runtime.Parameter;
import dev.nnc.runtime.Tensor;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the partitions of one step send back, added up by {@code treeAggregate}: per parameter the
 * sum over examples of a per-example quantity (gradients in a synchronous step; weights times
 * examples seen in a local-steps round), the optimizer state likewise, the loss sum and the
 * example count. Sums are in double, so the combining order changes only the last bits.
 */
final class Sums implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Null until the first partition adds to it: the zero value shipped with each task is tiny. */
  double[][] values;
  final Map<String, double[]> state = new TreeMap<>();
  double lossSum;
  long examples;
  /** The largest number of optimizer steps one partition took (local steps). */
  long steps;

  /** Adds {@code weight} times each parameter's gradient (or value, if {@code values}). */
  void addParameters(List<Parameter> params, double weight, boolean gradients) {
    if (values == null) {
      values = new double[params.size()][];
      for (int k = 0; k < values.length; k++) {
        values[k] = new double[params.get(k).size()];
      }
    }
    for (int k = 0; k < values.length; k++) {
      Parameter p = params.get(k);
      double[] sum = values[k];
      if (p.isF64()) {
        double[] a = gradients ? p.gradF64() : p.f64();
        for (int i = 0; i < sum.length; i++) {
          sum[i] += weight * a[i];
        }
      } else {
        float[] a = gradients ? p.gradF32() : p.f32();
        for (int i = 0; i < sum.length; i++) {
          sum[i] += weight * a[i];
        }
      }
    }
  }

  /** Adds {@code weight} times every floating-point optimizer state array. */
  void addState(Map<String, Tensor> optimizerState, double weight) {
    for (Map.Entry<String, Tensor> e : optimizerState.entrySet()) {
      Tensor t = e.getValue();
      if (t.dtype() != DType.F32 && t.dtype() != DType.F64) {
        continue; // the step count: the driver keeps its own
      }
      double[] sum = state.computeIfAbsent(e.getKey(), key -> new double[t.size()]);
      for (int i = 0; i < sum.length; i++) {
        sum[i] += weight * t.getDouble(i);
      }
    }
  }

  /** Adds {@code other} into this and returns this (the combine function of treeAggregate). */
  Sums merge(Sums other) {
    if (other.values != null) {
      if (values == null) {
        values = other.values;
      } else {
        for (int k = 0; k < values.length; k++) {
          double[] a = values[k];
          double[] b = other.values[k];
          for (int i = 0; i < a.length; i++) {
            a[i] += b[i];
          }
        }
      }
    }
    for (Map.Entry<String, double[]> e : other.state.entrySet()) {
      double[] mine = state.get(e.getKey());
      if (mine == null) {
        state.put(e.getKey(), e.getValue());
      } else {
        double[] b = e.getValue();
        for (int i = 0; i < mine.length; i++) {
          mine[i] += b[i];
        }
      }
    }
    lossSum += other.lossSum;
    examples += other.examples;
    steps = Math.max(steps, other.steps);
    return this;
  }
}
