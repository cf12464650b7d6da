package dev.nnc.runtime.train;

import java.io.PrintStream;
import java.io.PrintWriter;

/** Receives training progress; every method has a no-op default. */
public interface ProgressListener {
  default void onStart(int firstEpoch, int totalEpochs, int batchesPerEpoch) {}

  /** After each training batch; {@code batch} is 1-based, {@code meanLoss} is the epoch's running mean. */
  default void onBatch(int epoch, int batch, int batches, double meanLoss) {}

  default void onEpoch(EpochStats stats, int totalEpochs) {}

  default void onEnd(TrainingResult result) {}

  /** Reports nothing. */
  static ProgressListener silent() {
    return new ProgressListener() {};
  }

  /** A progress bar on a terminal ({@code System.console() != null}), otherwise one line per epoch. */
  static ProgressListener console(PrintStream out) {
    return new ConsoleProgress(out, System.console() != null);
  }

  /** {@link #console(PrintStream)} writing to {@code out}, e.g. a command's output stream. */
  static ProgressListener console(PrintWriter out) {
    return new ConsoleProgress(out, System.console() != null);
  }
}
