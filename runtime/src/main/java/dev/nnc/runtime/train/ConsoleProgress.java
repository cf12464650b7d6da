package dev.nnc.runtime.train;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Prints progress: a carriage-return progress bar redrawn per percent with the estimated time
 * left (terminal), or one line per epoch. The estimate is the time per batch so far (including
 * the test evaluations of the epochs done) times the batches left.
 */
final class ConsoleProgress implements ProgressListener {
  private static final int WIDTH = 30;
  private final PrintWriter out;
  private final boolean bar;
  private final LongSupplier clock;
  private int lastPercent = -1;
  private int total;
  private int firstEpoch;
  private int batchesPerEpoch;
  private long start;

  ConsoleProgress(PrintStream out, boolean bar) {
    this(new PrintWriter(out), bar);
  }

  ConsoleProgress(PrintWriter out, boolean bar) {
    this(out, bar, System::nanoTime);
  }

  /** With {@code clock} giving nanoseconds (a test's fake clock). */
  ConsoleProgress(PrintWriter out, boolean bar, LongSupplier clock) {
    this.out = out;
    this.bar = bar;
    this.clock = clock;
  }

  @Override
  public void onStart(int firstEpoch, int totalEpochs, int batchesPerEpoch) {
    this.total = totalEpochs;
    this.firstEpoch = firstEpoch;
    this.batchesPerEpoch = batchesPerEpoch;
    this.start = clock.getAsLong();
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
    long done = (long) (epoch - firstEpoch) * batchesPerEpoch + batch;
    long all = (long) (total - firstEpoch + 1) * batchesPerEpoch;
    double elapsed = (clock.getAsLong() - start) / 1e9;
    out.print(String.format(Locale.ROOT, "\repoch %d/%d [%s%s] %3d%%  loss %.4f  ETA %s", epoch, total,
        "=".repeat(filled), " ".repeat(WIDTH - filled), percent, meanLoss,
        duration(elapsed / done * (all - done))));
    out.flush();
  }

  /** {@code m:ss}, or {@code h:mm:ss} from an hour on. */
  static String duration(double seconds) {
    long s = Math.max(0, Math.round(seconds));
    return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }

  @Override
  public void onEpoch(EpochStats stats, int totalEpochs) {
    if (bar) {
      out.print("\r" + " ".repeat(WIDTH + 56) + "\r");
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
