package dev.nnc.cli;

import dev.nnc.runtime.NncException;
import dev.nnc.runtime.data.Dataset;
import dev.nnc.runtime.train.EpochCallback;
import dev.nnc.runtime.train.Trainer;
import dev.nnc.runtime.train.TrainingReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The training-curve options of {@code nnc train} ({@code --report run.html},
 * {@code --metrics run.csv}), mixed into the command: both files are rewritten atomically after
 * every epoch, so a long run can be watched.
 */
final class ReportOptions {
  @Option(names = "--report", paramLabel = "RUN.html", description = "write the loss, accuracy"
      + " and learning-rate curves as a self-contained HTML page, updated after every epoch")
  Path report;

  @Option(names = "--metrics", paramLabel = "RUN.csv", description = "write the same numbers as"
      + " CSV (one row per epoch), updated after every epoch")
  Path metrics;

  /** Checks the targets before any work is done: one-line errors, nothing trained. */
  void check() {
    if (report != null || metrics != null) {
      create("", null);
    }
  }

  /**
   * Writes the report after every epoch of {@code trainer}; the training accuracy is measured on
   * {@code train} after each epoch.
   */
  /**
   * The callback writing the curves after every epoch (train accuracy measured by
   * {@code trainer} on {@code train}), or null when neither option is given.
   */
  EpochCallback callback(Trainer trainer, Dataset train, String title, PrintWriter out) {
    if (report == null && metrics == null) {
      return null;
    }
    EpochCallback callback = create(title, () -> trainer.evaluate(train).accuracy());
    out.println("curves after every epoch: " + (report == null ? "" : report)
        + (report != null && metrics != null ? " and " : "") + (metrics == null ? "" : metrics));
    return callback;
  }

  private TrainingReport create(String title, java.util.function.DoubleSupplier accuracy) {
    try {
      return new TrainingReport(report, metrics, title, accuracy);
    } catch (NncException e) {
      throw new UserError((report != null && e.getMessage().startsWith(report.toString())
          ? "--report " : "--metrics ") + e.getMessage());
    }
  }
}
