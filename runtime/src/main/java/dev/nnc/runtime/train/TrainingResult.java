package dev.nnc.runtime.train;

import java.util.Collections;
import java.util.List;

/** The per-epoch statistics of a training run and its total wall time. */
public final class TrainingResult {
  private final List<EpochStats> epochs;
  private final double wallSeconds;

  public TrainingResult(List<EpochStats> epochs, double wallSeconds) {
    this.epochs = Collections.unmodifiableList(epochs);
    this.wallSeconds = wallSeconds;
  }

  public List<EpochStats> epochs() {
    return epochs;
  }

  public double wallSeconds() {
    return wallSeconds;
  }

  public double[] trainLoss() {
    double[] a = new double[epochs.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = epochs.get(i).trainLoss();
    }
    return a;
  }

  public double[] testLoss() {
    double[] a = new double[epochs.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = epochs.get(i).testLoss();
    }
    return a;
  }

  public double[] testAccuracy() {
    double[] a = new double[epochs.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = epochs.get(i).testAccuracy();
    }
    return a;
  }

  /** The last epoch's statistics (null if no epoch ran). */
  public EpochStats last() {
    return epochs.isEmpty() ? null : epochs.get(epochs.size() - 1);
  }
}
