package dev.nnc.runtime.train;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Locale;

/** Prints progress: a carriage-return progress bar redrawn per percent (terminal) or one line per epoch. */
final class ConsoleProgress implements ProgressListener {
  private static final int WIDTH = 30;
  private final PrintWriter out;
  private final boolean bar;
  private int lastPercent = -1;
  private int total;

  ConsoleProgress(PrintStream out, boolean bar) {
    this(new PrintWriter(out), bar);
  }

  ConsoleProgress(PrintWriter out, boolean bar) {
    this.out = out;
    this.bar = bar;
  }

  @Override
  public void onStart(int firstEpoch, int totalEpochs, int batchesPerEpoch) {
    this.total = totalEpochs;
  }

  @Override
  public void onBatch(int epoch, int batch, int batches, double meanLoss) {
    if (!bar) {
      return;
    }
    int percent = (int) (100L * batch / batches);
    if (percent == lastPercent) {
      return;
    }
    lastPercent = percent;
    int filled = WIDTH * batch / batches;
    out.print(String.format(Locale.ROOT, "\repoch %d/%d [%s%s] %3d%%  loss %.4f", epoch, total, "=".repeat(filled),
        " ".repeat(WIDTH - filled), percent, meanLoss));
    out.flush();
  }

  @Override
  public void onEpoch(EpochStats stats, int totalEpochs) {
    if (bar) {
      out.print("\r" + " ".repeat(WIDTH + 40) + "\r");
      lastPercent = -1;
    }
    out.println(stats.format(totalEpochs));
    out.flush();
  }

  @Override
  public void onEnd(TrainingResult result) {
    out.println(String.format(Locale.ROOT, "trained %d epoch(s) in %.1fs", result.epochs().size(), result.wallSeconds()));
    out.flush();
  }
}
