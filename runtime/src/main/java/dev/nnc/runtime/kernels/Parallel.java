package dev.nnc.runtime.kernels;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Splits the rows of large matrix products (and of the convolution and pooling kernels' batches)
 * into two halves, computed by the calling thread and one worker thread, without allocating:
 * the work is handed over through volatile fields. The number of threads is {@code min(2,
 * available processors)} unless the system property {@code nnc.threads} or {@link #setThreads}
 * says otherwise; 1 turns the worker off.
 *
 * <p>The worker serves one split at a time. Any number of threads may call the kernels at once
 * (one model per thread, Spark's executor threads): a split started while the worker serves
 * another one, including one started from inside a half, is computed on its own thread, in the
 * same two halves one after the other. So a caller never waits for a worker that another caller
 * holds, and a split's results do not depend on which threads computed its halves.
 *
 * <p>The worker's half is only offered: when the caller has finished its own half and the
 * worker has not started the other one (it was descheduled on a busy machine, or parked), the
 * caller computes it too. A caller waits only for a half the worker is computing, spinning
 * briefly, then yielding its core, then parking.
 */
public final class Parallel {
  /** Work divisible by rows: rows [from, to); {@code slot} 0 on the caller, 1 on the worker. */
  interface Split {
    void compute(int from, int to, int slot);
  }

  /** Below this many multiply-adds a second thread costs more than it saves. */
  static final long MIN_PARALLEL_WORK = 1L << 21;

  /**
   * How long either thread waits without parking: the worker for its next half, the caller for
   * the worker to finish its half. A training step runs its large products a few hundred
   * microseconds apart, and a parked thread can take long to wake, so waiting awake first made
   * the two-thread step faster (see docs/performance.md, "Two threads"). OpenMP runtimes wait
   * similarly.
   */
  private static final long AWAKE_NANOS = 1_000_000;
  /**
   * For this long a waiting thread only spins; after that it yields its core between checks, so
   * that on a machine whose cores are all busy the thread it waits for (or any other) can run.
   * On an idle core a yield returns at once and the wait stays a spin.
   */
  private static final long SPIN_NANOS = 20_000;

  private static volatile int threads = initialThreads();
  /** Held by the caller whose split the worker serves; other splits run on their own thread. */
  private static final AtomicBoolean BUSY = new AtomicBoolean();
  /** Created by the first caller to hold {@link #BUSY}, and read only while holding it. */
  private static Worker worker;

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

  /**
   * Computes rows [0, rows) of {@code job}: at once on this thread if the work is small or one
   * thread is configured, else as the halves [0, rows / 2) and [rows / 2, rows).
   */
  static void run(Split job, int rows, long work) {
    if (threads < 2 || rows < 2 || work < MIN_PARALLEL_WORK) {
      job.compute(0, rows, 0);
      return;
    }
    int half = rows / 2;
    if (!BUSY.compareAndSet(false, true)) {
      // The worker serves another split (or this thread's own, from inside a half): the same
      // halves here, so the results are those of the split the worker would have shared.
      job.compute(0, half, 0);
      job.compute(half, rows, 0);
      return;
    }
    try {
      if (worker == null) {
        worker = new Worker();
      }
      split(worker, job, half, rows);
    } finally {
      BUSY.set(false);
    }
  }

  /** Offers [half, rows) to the worker, computes [0, half), then takes or awaits the rest. */
  private static void split(Worker w, Split job, int half, int rows) {
    w.offer(job, half, rows);
    try {
      job.compute(0, half, 0);
    } catch (RuntimeException | Error e) {
      // the worker must be done with the job's arrays before the caller moves on
      if (!w.withdraw()) {
        try {
          w.await();
        } catch (RuntimeException | Error alsoThrown) {
          e.addSuppressed(alsoThrown);
        }
      }
      throw e;
    }
    if (w.withdraw()) {
      job.compute(half, rows, 0);
    } else {
      w.await();
    }
  }

  /** The second thread: takes an offered half, computes it, reports completion. */
  private static final class Worker implements Runnable {
    /** Nothing offered; the worker waits. */
    private static final int IDLE = 0;
    /** A half is on offer: the worker may take it, or the caller withdraw it. */
    private static final int OFFERED = 1;
    /** The worker is computing the half. */
    private static final int TAKEN = 2;
    /** The worker has finished the half; {@link #failure} holds what it threw. */
    private static final int DONE = 3;

    private final Thread thread = new Thread(this, "nnc-gemm");
    private final AtomicInteger state = new AtomicInteger(IDLE);
    /** Written before the state becomes OFFERED, read after it was taken. */
    private Split job;
    private int from;
    private int to;
    private Thread caller;
    /** What the worker's half threw, or null; written before DONE. */
    private Throwable failure;
    /** Set by a thread about to park, so that the other one unparks it (see {@link #await}). */
    private volatile boolean workerParked;
    private volatile boolean callerParked;

    Worker() {
      thread.setDaemon(true);
      thread.start();
    }

    void offer(Split job, int from, int to) {
      this.job = job;
      this.from = from;
      this.to = to;
      this.caller = Thread.currentThread();
      state.set(OFFERED);
      if (workerParked) {
        LockSupport.unpark(thread);
      }
    }

    /** Takes the offered half back if the worker has not started it; true if it was taken back. */
    boolean withdraw() {
      if (state.compareAndSet(OFFERED, IDLE)) {
        job = null;
        return true;
      }
      return false;
    }

    /** Waits until the worker has computed the half it took; rethrows what it threw. */
    void await() {
      long start = System.nanoTime();
      while (state.get() != DONE) {
        long waited = System.nanoTime() - start;
        if (waited < SPIN_NANOS) {
          Thread.onSpinWait();
        } else if (waited < AWAKE_NANOS) {
          Thread.yield();
        } else {
          // Parked flag first, then the state check: the worker sets DONE, then reads the flag,
          // so either this thread sees DONE or the worker sees the flag and unparks it.
          callerParked = true;
          if (state.get() != DONE) {
            LockSupport.park(this);
          }
          callerParked = false;
        }
      }
      Throwable thrown = failure;
      failure = null;
      job = null;
      state.set(IDLE);
      if (thrown instanceof RuntimeException) {
        throw (RuntimeException) thrown;
      }
      if (thrown instanceof Error) {
        throw (Error) thrown;
      }
    }

    @Override
    public void run() {
      long idleSince = System.nanoTime();
      while (true) {
        if (state.get() == OFFERED && state.compareAndSet(OFFERED, TAKEN)) {
          try {
            job.compute(from, to, 1);
          } catch (Throwable e) {
            failure = e;
          }
          Thread waiting = caller;
          state.set(DONE);
          if (callerParked) {
            LockSupport.unpark(waiting);
          }
          idleSince = System.nanoTime();
          continue;
        }
        long idle = System.nanoTime() - idleSince;
        if (idle < SPIN_NANOS) {
          Thread.onSpinWait();
        } else if (idle < AWAKE_NANOS) {
          Thread.yield();
        } else {
          workerParked = true;
          if (state.get() != OFFERED) {
            LockSupport.park(this);
          }
          workerParked = false;
        }
      }
    }
  }
}
