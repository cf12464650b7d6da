package dev.nnc.runtime.optim;

import dev.nnc.runtime.Parameter;
import dev.nnc.runtime.Tensor;
import java.util.List;
import java.util.Map;

/** Updates parameters from their gradients; its state can be exported for checkpoints. */
public interface Optimizer {
  /** Applies one update to every parameter using its current gradient. */
  void step(List<Parameter> params);

  double learningRate();

  /**
   * The learning rate if one step is exactly {@code w −= rate · g} for every parameter (plain
   * SGD: no momentum, no weight decay, no state), else NaN. A generated model's {@code
   * trainStep} then applies the step to a weight inside the product that computes its gradient
   * and skips storing that gradient.
   */
  default double sgdRate() {
    return Double.NaN;
  }

  void setLearningRate(double lr);

  /** The number of steps taken so far. */
  long steps();

  /** The state as named arrays ({@code fc1.W.m}, {@code fc1.W.v}, {@code step}, ...), sorted by name. */
  Map<String, Tensor> exportState();

  /** Replaces the state with {@code state} (from {@link #exportState}) after validating it against {@code params}. */
  void importState(List<Parameter> params, Map<String, Tensor> state);
}
