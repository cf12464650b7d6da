package dev.nnc.runtime.train;

import dev.nnc.runtime.Model;
import dev.nnc.runtime.io.AtomicFile;
import dev.nnc.runtime.optim.Optimizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * The training curves of a run, written after every epoch so a long run can be watched: an HTML
 * page with SVG plots of loss, accuracy and learning rate ({@link ReportPage}) and/or a CSV file
 * with one row per epoch. Both are replaced atomically. The numbers are the trainer's own
 * {@link EpochStats}, exactly (the CSV keeps every digit); the training accuracy, which the
 * trainer does not compute, is measured after each epoch on the training set by the given
 * supplier (for example {@code () -> trainer.evaluate(train).accuracy()}).
 */
public final class TrainingReport implements EpochCallback {
  /** The CSV header; a missing value (no test set, no accuracy) is an empty field. */
  public static final String CSV_HEADER =
      "epoch,train_loss,train_accuracy,test_loss,test_accuracy,learning_rate,seconds";

  /** One epoch of the report: the trainer's statistics and the training accuracy. */
  public static final class Row {
    private final EpochStats stats;
    private final double trainAccuracy;

    Row(EpochStats stats, double trainAccuracy) {
      this.stats = stats;
      this.trainAccuracy = trainAccuracy;
    }

    public EpochStats stats() {
      return stats;
    }

    /** Accuracy on the training set after the epoch, NaN if not measured or not defined. */
    public double trainAccuracy() {
      return trainAccuracy;
    }
  }

  private final Path html;
  private final Path csv;
  private final String title;
  private final DoubleSupplier trainAccuracy;
  private final List<Row> rows = new ArrayList<>();

  /**
   * A report written to {@code html} and/or {@code csv} (either may be null); {@code title} heads
   * the page; {@code trainAccuracy} may be null (no training accuracy).
   */
  public TrainingReport(Path html, Path csv, String title, DoubleSupplier trainAccuracy) {
    this.html = html;
    this.csv = csv;
    this.title = title;
    this.trainAccuracy = trainAccuracy;
    // Found before training starts, not after its first epoch.
    if (html != null) {
      AtomicFile.checkWritable(html);
    }
    if (csv != null) {
      AtomicFile.checkWritable(csv);
    }
  }

  @Override
  public void afterEpoch(EpochStats stats, int totalEpochs, Model model, Optimizer optimizer) {
    double accuracy = trainAccuracy == null ? Double.NaN : trainAccuracy.getAsDouble();
    rows.add(new Row(stats, accuracy));
    if (csv != null) {
      AtomicFile.writeString(csv, csv());
    }
    if (html != null) {
      AtomicFile.writeString(html, ReportPage.write(title, rows, totalEpochs));
    }
  }

  /** The epochs so far. */
  public List<Row> rows() {
    return Collections.unmodifiableList(rows);
  }

  /** The CSV text of the epochs so far. */
  public String csv() {
    StringBuilder out = new StringBuilder(CSV_HEADER).append('\n');
    for (Row r : rows) {
      EpochStats s = r.stats();
      out.append(s.epoch()).append(',').append(number(s.trainLoss())).append(',')
          .append(number(r.trainAccuracy())).append(',').append(number(s.testLoss())).append(',')
          .append(number(s.testAccuracy())).append(',').append(number(s.learningRate()))
          .append(',').append(number(s.seconds())).append('\n');
    }
    return out.toString();
  }

  /** Every digit of {@code v} ({@link Double#toString} round-trips), empty for NaN. */
  static String number(double v) {
    return Double.isNaN(v) ? "" : Double.toString(v);
  }
}
