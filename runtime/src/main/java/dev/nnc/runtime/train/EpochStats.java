package dev.nnc.runtime.train;

/** The results of one training epoch; test values are NaN when there is no test set (or no accuracy). */
public final class EpochStats {
  private final int epoch;
  private final double trainLoss;
  private final double testLoss;
  private final double testAccuracy;
  private final double learningRate;
  private final double seconds;
  private final double examplesPerSecond;

  public EpochStats(int epoch, double trainLoss, double testLoss, double testAccuracy, double learningRate,
      double seconds, double examplesPerSecond) {
    this.epoch = epoch;
    this.trainLoss = trainLoss;
    this.testLoss = testLoss;
    this.testAccuracy = testAccuracy;
    this.learningRate = learningRate;
    this.seconds = seconds;
    this.examplesPerSecond = examplesPerSecond;
  }

  /** 1-based epoch number. */
  public int epoch() {
    return epoch;
  }

  /** Mean training loss over the epoch's examples (with the weights as they were at each step). */
  public double trainLoss() {
    return trainLoss;
  }

  public double testLoss() {
    return testLoss;
  }

  /** Fraction of test examples classified correctly, in [0, 1]. */
  public double testAccuracy() {
    return testAccuracy;
  }

  public double learningRate() {
    return learningRate;
  }

  /** Wall time of the epoch including evaluation. */
  public double seconds() {
    return seconds;
  }

  /** Training examples per second of training time. */
  public double examplesPerSecond() {
    return examplesPerSecond;
  }

  /** One log line, e.g. {@code epoch 3/10  train loss 0.2345  test loss 0.2567  test acc 93.21%  ...}. */
  public String format(int totalEpochs) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(java.util.Locale.ROOT, "epoch %d/%d  train loss %.4f", epoch, totalEpochs, trainLoss));
    if (!Double.isNaN(testLoss)) {
      sb.append(String.format(java.util.Locale.ROOT, "  test loss %.4f", testLoss));
    }
    if (!Double.isNaN(testAccuracy)) {
      sb.append(String.format(java.util.Locale.ROOT, "  test acc %.2f%%", 100 * testAccuracy));
    }
    sb.append(String.format(java.util.Locale.ROOT, "  lr %.3g  %.0f ex/s  %.1fs", learningRate, examplesPerSecond,
        seconds));
    return sb.toString();
  }

  @Override
  public String toString() {
    return format(epoch);
  }
}
