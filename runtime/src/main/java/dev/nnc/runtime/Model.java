package dev.nnc.runtime;

import dev.nnc.runtime.optim.Optimizer;
import dev.nnc.runtime.optim.OptimizerSpec;
import java.util.List;

/**
 * A trainable model, implemented by compiler-generated classes. The loss of a batch is the mean of
 * the per-example losses. Accuracy (computed by the trainer) compares the label with the argmax of
 * the output the trainer is told to use, or else of the first {@link Slot.Kind#OUTPUT} slot whose
 * shape is {@code [classes]} of the first label slot.
 */
public interface Model {
  String name();

  /** The parameters in a fixed order; their names are the checkpoint names. */
  List<Parameter> parameters();

  /** The per-example input, label and target slots, in declaration order. */
  List<Slot> inputs();

  /** The per-example output slots, in declaration order. */
  List<Slot> outputs();

  /** Computes the outputs for the batch and returns the mean loss. */
  double forward(Batch batch);

  /** Returns the mean loss and writes d(mean loss)/d(parameter) into every parameter's grad. */
  double forwardBackward(Batch batch);

  /**
   * Computes the outputs alone, for inputs without labels or targets (generated models do not
   * read them here); then read them with {@link #output}.
   */
  default void predict(Batch batch) {
    forward(batch);
  }

  /** The last forward pass's values of output {@code name}, row-major [batch size, ...]. */
  float[] output(String name);

  /** Runs every parameter's declared initializer with {@code seed}. */
  default void initialize(long seed) {
    for (Parameter p : parameters()) {
      p.initializer().apply(p, seed);
    }
  }

  /** The optimizer declared in the source, or null. */
  OptimizerSpec defaultOptimizer();

  /**
   * One training step: gradients, then an optimizer update; returns the batch's mean loss. With
   * plain SGD ({@link Optimizer#sgdRate}) a generated model applies the step to its weight
   * matrices inside the products that would compute their gradients, so those gradient arrays
   * are left as they were; {@link #forwardBackward} always computes every gradient.
   */
  default double trainStep(Batch batch, Optimizer optimizer) {
    double loss = forwardBackward(batch);
    optimizer.step(parameters());
    return loss;
  }
}
