package dev.nnc.runtime.train;

/** Mean loss and accuracy of a model on a dataset (accuracy NaN when it cannot be computed). */
public final class Evaluation {
  private final double loss;
  private final double accuracy;
  private final int examples;

  public Evaluation(double loss, double accuracy, int examples) {
    this.loss = loss;
    this.accuracy = accuracy;
    this.examples = examples;
  }

  public double loss() {
    return loss;
  }

  public double accuracy() {
    return accuracy;
  }

  public int examples() {
    return examples;
  }
}
