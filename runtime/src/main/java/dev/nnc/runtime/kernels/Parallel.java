package dev.nnc.runtime.kernels;

import java.util.concurrent.locks.LockSupport;

/**
 * Splits the rows of large matrix products (and of the convolution and pooling kernels' batches)
 * between the calling thread and one worker thread, without allocating: the work is handed over
 * through volatile fields. The number of threads is {@code min(2, available processors)} unless
 * the system property {@code nnc.threads} or {@link #setThreads} says otherwise; 1 turns the
 * worker off. A split started while another one runs (a kernel calling {@link Gemm} from its
 * half) runs on its own thread: the one worker serves one split at a time.
 */
public final class Parallel {
  /** Work divisible by rows: rows [from, to); {@code slot} 0 on the caller, 1 on the worker. */
  interface Split {
    void compute(int from, int to, int slot);
  }

  /** Below this many multiply-adds a second thread costs more than it saves. */
  static final long MIN_PARALLEL_WORK = 1L << 21;

  /**
   * How long either thread spins before it parks: the worker waiting for its next product, the
   * caller waiting for the worker's half. A training step runs its large products a few hundred
   * microseconds apart, and a parked thread can take long to wake, so spinning first made the
   * two-thread step faster (see docs/performance.md, "Two threads"). OpenMP runtimes spin
   * similarly.
   */
  private static final long SPIN_NANOS = 1_000_000;

  private static volatile int threads = initialThreads();
  private static Worker worker;
  /** True while a split runs: a split started inside it stays on its thread. */
  private static volatile boolean splitting;

  private Parallel() {}

  private static int initialThreads() {
    String configured = System.getProperty("nnc.threads");
    int cores = Runtime.getRuntime().availableProcessors();
    if (configured != null) {
      try {
        return Math.max(1, Math.min(2, Integer.parseInt(configured.trim())));
      } catch (NumberFormatException e) {
        return 1;
      }
    }
    return Math.min(2, cores);
  }

  /** Uses 1 or 2 threads for large products from now on. */
  public static void setThreads(int count) {
    threads = Math.max(1, Math.min(2, count));
  }

  public static int threads() {
    return threads;
  }

  static void run(Split job, int rows, long work) {
    if (threads < 2 || rows < 2 || work < MIN_PARALLEL_WORK || splitting) {
      job.compute(0, rows, 0);
      return;
    }
    Worker w = worker();
    int half = rows / 2;
    splitting = true;
    w.start(job, half, rows);
    try {
      job.compute(0, half, 0);
    } finally {
      w.await();
      splitting = false;
    }
  }

  private static synchronized Worker worker() {
    if (worker == null) {
      worker = new Worker();
      worker.thread.start();
    }
    return worker;
  }

  /** The second thread: waits for a job, computes its rows, reports completion. */
  private static final class Worker implements Runnable {
    final Thread thread = new Thread(this, "nnc-gemm");
    private volatile Split job;
    private volatile boolean done;
    private Thread waiter;
    private int from;
    private int to;
    /** Until this time (System.nanoTime) the worker spins for its next job instead of parking. */
    private long spinUntil;

    Worker() {
      thread.setDaemon(true);
    }

    void start(Split job, int from, int to) {
      this.from = from;
      this.to = to;
      this.waiter = Thread.currentThread();
      this.done = false;
      this.job = job;
      LockSupport.unpark(thread);
    }

    void await() {
      long end = System.nanoTime() + SPIN_NANOS;
      while (!done && System.nanoTime() < end) {
        Thread.onSpinWait();
      }
      while (!done) {
        LockSupport.park(this);
      }
    }

    @Override
    public void run() {
      while (true) {
        Split current = job;
        if (current == null) {
          if (System.nanoTime() < spinUntil) {
            Thread.onSpinWait();
          } else {
            LockSupport.park(this);
          }
          continue;
        }
        try {
          current.compute(from, to, 1);
        } finally {
          job = null;
          done = true;
          LockSupport.unpark(waiter);
          spinUntil = System.nanoTime() + SPIN_NANOS;
        }
      }
    }
  }
}
