package dev.nnc.runtime.kernels;

import java.util.Arrays;

/**
 * Max and average pooling kernels for a batch: square windows of {@code size × size} moved by
 * {@code stride}, no padding, output sizes floored ({@code outHeight = floor((height − size) /
 * stride) + 1}), as PyTorch's {@code max_pool2d} and {@code avg_pool2d}. An instance is one
 * geometry; it is immutable and may be shared between threads.
 *
 * <p><b>Layouts.</b> x, dx are {@code [n, channels, height, width]} and y, dy {@code [n, channels,
 * outHeight, outWidth]}, row-major flat arrays from an offset, as for {@link Conv2d}. Max pooling
 * records, for every output element j, the position of the input it took in an {@code int[]}
 * (n · {@link #outputSize} ints from an offset): {@code argmax[ao + j]} is that input's index
 * counted from x's offset ({@code x[xo + argmax[ao + j]]}), so the backward pass routes the
 * gradient without looking at x again.
 *
 * <p><b>Maxima.</b> Windows are scanned in row-major order and an element replaces the maximum
 * if it is greater, so ties go to the first maximum. A NaN replaces it too (the rule of PyTorch's
 * CPU kernel): a window holding a NaN outputs NaN and its gradient goes to the window's last NaN.
 *
 * <p><b>Overwrite.</b> Every method overwrites its outputs (y and argmax, or dx) and reads nothing
 * else of them; the backward passes add up the gradients of overlapping windows (stride below
 * size). Large batches are split between two threads ({@link Parallel}) by examples; the
 * results do not depend on the thread count. Nothing is allocated.
 */
public final class Pool2d {
  /** 2 × 2, stride 2 max pooling with vectors; implemented in {@code VectorPoolRows}. */
  interface Rows {
    /** Outputs per vector: channels with narrower outputs take the scalar loop. */
    int vectorLength();

    /** One channel's windows, as {@link Pool2d#max2x2}. */
    void max2x2(Pool2d pool, float[] x, int xo, int base, float[] y, int yi, int[] argmax,
        int ai);
  }

  private static final Rows ROWS = load();

  private static Rows load() {
    if (!ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
      return null;
    }
    try {
      return (Rows) Class.forName("dev.nnc.runtime.kernels.VectorPoolRows")
          .getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      return null;
    }
  }

  /**
   * Work units per input element handed to {@link Parallel}'s threshold (which counts
   * multiply-adds): 2 × 2 max pooling took about 0.46 ns an input element, the matrix kernel
   * about 0.025 ns a multiply-add (80 GFLOP/s), so LeNet's first pooling layer is split from
   * batch 32 on.
   */
  static final int WORK_PER_ELEMENT = 16;

  final int channels;
  final int height;
  final int width;
  final int size;
  final int stride;
  final int outHeight;
  final int outWidth;

  /**
   * Pooling of {@code [channels, height, width]} images with {@code size × size} windows moved
   * by {@code stride} (PyTorch's default stride is the size).
   *
   * @throws IllegalArgumentException on a size that is not positive or a window larger than the
   *     image
   */
  public Pool2d(int channels, int height, int width, int size, int stride) {
    String shape = "pool2d(x: [" + channels + ", " + height + ", " + width + "], size " + size
        + ", stride " + stride + ")";
    if (channels < 1 || height < 1 || width < 1 || size < 1 || stride < 1) {
      throw new IllegalArgumentException(shape + ": sizes and stride must be positive");
    }
    if (size > height || size > width) {
      throw new IllegalArgumentException(shape + ": the window is larger than the input");
    }
    if ((long) channels * height * width > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(shape + ": too large for int indices");
    }
    this.channels = channels;
    this.height = height;
    this.width = width;
    this.size = size;
    this.stride = stride;
    this.outHeight = (height - size) / stride + 1;
    this.outWidth = (width - size) / stride + 1;
  }

  public int outHeight() {
    return outHeight;
  }

  public int outWidth() {
    return outWidth;
  }

  /** Floats per example of x: channels · height · width. */
  public int inputSize() {
    return channels * height * width;
  }

  /** Floats per example of y (and ints of argmax): channels · outHeight · outWidth. */
  public int outputSize() {
    return channels * outHeight * outWidth;
  }

  /** y = max over each window of x, and argmax the index of that maximum (see the class). */
  public void maxForward(int n, float[] x, int xo, float[] y, int yo, int[] argmax, int ao) {
    check(n, "x", x == null ? -1 : x.length, xo, inputSize());
    check(n, "y", y == null ? -1 : y.length, yo, outputSize());
    check(n, "argmax", argmax == null ? -1 : argmax.length, ao, outputSize());
    PoolJob job = PoolJob.current();
    job.mode = PoolJob.MAX_FORWARD;
    job.run(this, n, x, xo, y, yo, argmax, ao);
  }

  /** dx = dy routed to each window's recorded maximum (overwrite; 0 where no window took x). */
  public void maxBackward(int n, float[] dy, int dyo, int[] argmax, int ao, float[] dx, int dxo) {
    check(n, "dy", dy == null ? -1 : dy.length, dyo, outputSize());
    check(n, "argmax", argmax == null ? -1 : argmax.length, ao, outputSize());
    check(n, "dx", dx == null ? -1 : dx.length, dxo, inputSize());
    PoolJob job = PoolJob.current();
    job.mode = PoolJob.MAX_BACKWARD;
    job.run(this, n, dx, dxo, dy, dyo, argmax, ao);
  }

  /** y = the mean of each window of x. */
  public void avgForward(int n, float[] x, int xo, float[] y, int yo) {
    check(n, "x", x == null ? -1 : x.length, xo, inputSize());
    check(n, "y", y == null ? -1 : y.length, yo, outputSize());
    PoolJob job = PoolJob.current();
    job.mode = PoolJob.AVG_FORWARD;
    job.run(this, n, x, xo, y, yo, null, 0);
  }

  /** dx = each window's dy / size², spread evenly over the window (overwrite). */
  public void avgBackward(int n, float[] dy, int dyo, float[] dx, int dxo) {
    check(n, "dy", dy == null ? -1 : dy.length, dyo, outputSize());
    check(n, "dx", dx == null ? -1 : dx.length, dxo, inputSize());
    PoolJob job = PoolJob.current();
    job.mode = PoolJob.AVG_BACKWARD;
    job.run(this, n, dx, dxo, dy, dyo, null, 0);
  }

  // ---- one example range each; the job splits the batch ----

  void maxForward(int i0, int i1, float[] x, int xo, float[] y, int yo, int[] argmax, int ao) {
    int plane = height * width;
    int outPlane = outHeight * outWidth;
    Rows rows = size == 2 && stride == 2 && ROWS != null && Kernels.vectorEnabled()
        && outWidth >= ROWS.vectorLength() ? ROWS : null;
    for (int i = i0; i < i1; i++) {
      for (int c = 0; c < channels; c++) {
        int base = (i * channels + c) * plane;
        int out = (i * channels + c) * outPlane;
        if (rows != null) {
          rows.max2x2(this, x, xo, base, y, yo + out, argmax, ao + out);
          continue;
        }
        if (size == 2 && stride == 2) {
          max2x2(x, xo, base, y, yo + out, argmax, ao + out);
          continue;
        }
        for (int r = 0; r < outHeight; r++) {
          for (int col = 0; col < outWidth; col++, out++) {
            int first = base + r * stride * width + col * stride;
            float max = x[xo + first];
            int at = first;
            for (int u = 0; u < size; u++) {
              int row = first + u * width;
              for (int v = u == 0 ? 1 : 0; v < size; v++) {
                float e = x[xo + row + v];
                if (e > max || e != e) {
                  max = e;
                  at = row + v;
                }
              }
            }
            y[yo + out] = max;
            argmax[ao + out] = at;
          }
        }
      }
    }
  }

  /**
   * One channel's 2 × 2 windows, stride 2: the common case, without branches on the data. The
   * maximum is Math.max's (branch-free on x86; −0 and +0 aside it is the window's greatest
   * element), and the index the first element equal to it, chosen by conditional moves from the
   * last to the first. A comparison per element that branches mispredicts about half the time on
   * real data and made LeNet's first pooling layer 5 times slower. A NaN maximum (equal to
   * nothing) takes the general rule.
   */
  private void max2x2(float[] x, int xo, int base, float[] y, int yi, int[] argmax, int ai) {
    for (int r = 0; r < outHeight; r++) {
      int top = base + 2 * r * width;
      int bottom = top + width;
      for (int col = 0; col < outWidth; col++) {
        int t = top + 2 * col;
        int b = bottom + 2 * col;
        float e0 = x[xo + t];
        float e1 = x[xo + t + 1];
        float e2 = x[xo + b];
        float e3 = x[xo + b + 1];
        float max = Math.max(Math.max(e0, e1), Math.max(e2, e3));
        int at = b + 1;
        at = e2 == max ? b : at;
        at = e1 == max ? t + 1 : at;
        at = e0 == max ? t : at;
        if (max != max) {
          at = lastNaN(x, xo, t, b);
        }
        y[yi + r * outWidth + col] = max;
        argmax[ai + r * outWidth + col] = at;
      }
    }
  }

  /** The last NaN of the 2 × 2 window at t (top left) and b (bottom left). */
  static int lastNaN(float[] x, int xo, int t, int b) {
    return x[xo + b + 1] != x[xo + b + 1] ? b + 1 : x[xo + b] != x[xo + b] ? b
        : x[xo + t + 1] != x[xo + t + 1] ? t + 1 : t;
  }

  void maxBackward(int i0, int i1, float[] dx, int dxo, float[] dy, int dyo, int[] argmax,
      int ao) {
    int in = inputSize();
    int out = outputSize();
    if (size == 2 && stride == 2) {
      max2x2Backward(i0, i1, dx, dxo, dy, dyo, argmax, ao);
      return;
    }
    Arrays.fill(dx, dxo + i0 * in, dxo + i1 * in, 0f);
    for (int j = i0 * out, end = i1 * out; j < end; j++) {
      dx[dxo + argmax[ao + j]] += dy[dyo + j];
    }
  }

  /**
   * The backward pass of disjoint 2 × 2 windows: each window's four elements are zeroed and its
   * maximum's set, window by window while they are in cache (a pass zeroing all of dx, then one
   * adding the gradients, took twice as long on LeNet's first layer); a last odd row or column,
   * in no window, is zeroed.
   */
  private void max2x2Backward(int i0, int i1, float[] dx, int dxo, float[] dy, int dyo,
      int[] argmax, int ao) {
    int plane = height * width;
    for (int i = i0; i < i1; i++) {
      for (int c = 0; c < channels; c++) {
        int base = (i * channels + c) * plane;
        int j = (i * channels + c) * outHeight * outWidth;
        for (int r = 0; r < outHeight; r++) {
          int top = dxo + base + 2 * r * width;
          for (int col = 0; col < outWidth; col++, j++) {
            int t = top + 2 * col;
            dx[t] = 0f;
            dx[t + 1] = 0f;
            dx[t + width] = 0f;
            dx[t + width + 1] = 0f;
            dx[dxo + argmax[ao + j]] = dy[dyo + j];
          }
          if ((width & 1) != 0) {
            dx[top + width - 1] = 0f;
            dx[top + 2 * width - 1] = 0f;
          }
        }
        if ((height & 1) != 0) {
          int last = dxo + base + (height - 1) * width;
          Arrays.fill(dx, last, last + width, 0f);
        }
      }
    }
  }

  void avgForward(int i0, int i1, float[] x, int xo, float[] y, int yo) {
    int plane = height * width;
    float count = size * size;
    for (int i = i0; i < i1; i++) {
      for (int c = 0; c < channels; c++) {
        int base = xo + (i * channels + c) * plane;
        int out = yo + (i * channels + c) * outHeight * outWidth;
        for (int r = 0; r < outHeight; r++) {
          for (int col = 0; col < outWidth; col++) {
            int first = base + r * stride * width + col * stride;
            float sum = 0f;
            for (int u = 0; u < size; u++) {
              for (int v = 0, at = first + u * width; v < size; v++) {
                sum += x[at + v];
              }
            }
            y[out++] = sum / count;
          }
        }
      }
    }
  }

  void avgBackward(int i0, int i1, float[] dx, int dxo, float[] dy, int dyo) {
    int plane = height * width;
    float count = size * size;
    Arrays.fill(dx, dxo + i0 * inputSize(), dxo + i1 * inputSize(), 0f);
    for (int i = i0; i < i1; i++) {
      for (int c = 0; c < channels; c++) {
        int base = dxo + (i * channels + c) * plane;
        int out = dyo + (i * channels + c) * outHeight * outWidth;
        for (int r = 0; r < outHeight; r++) {
          for (int col = 0; col < outWidth; col++) {
            float g = dy[out++] / count;
            int first = base + r * stride * width + col * stride;
            for (int u = 0; u < size; u++) {
              for (int v = 0, at = first + u * width; v < size; v++) {
                dx[at + v] += g;
              }
            }
          }
        }
      }
    }
  }

  // ---- f64: the same functions in double precision, on the calling thread ----

  /** y = max over each window of x, argmax as for the float version. */
  public void maxForward(int n, double[] x, int xo, double[] y, int yo, int[] argmax, int ao) {
    check(n, "x", x == null ? -1 : x.length, xo, inputSize());
    check(n, "y", y == null ? -1 : y.length, yo, outputSize());
    check(n, "argmax", argmax == null ? -1 : argmax.length, ao, outputSize());
    int plane = height * width;
    int out = 0;
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < channels; c++) {
        int base = (i * channels + c) * plane;
        for (int r = 0; r < outHeight; r++) {
          for (int col = 0; col < outWidth; col++, out++) {
            int first = base + r * stride * width + col * stride;
            double max = x[xo + first];
            int at = first;
            for (int u = 0; u < size; u++) {
              for (int v = u == 0 ? 1 : 0; v < size; v++) {
                double e = x[xo + first + u * width + v];
                if (e > max || e != e) {
                  max = e;
                  at = first + u * width + v;
                }
              }
            }
            y[yo + out] = max;
            argmax[ao + out] = at;
          }
        }
      }
    }
  }

  /** dx = dy routed to the recorded maxima (overwrite), f64. */
  public void maxBackward(int n, double[] dy, int dyo, int[] argmax, int ao, double[] dx,
      int dxo) {
    check(n, "dy", dy == null ? -1 : dy.length, dyo, outputSize());
    check(n, "argmax", argmax == null ? -1 : argmax.length, ao, outputSize());
    check(n, "dx", dx == null ? -1 : dx.length, dxo, inputSize());
    Arrays.fill(dx, dxo, dxo + n * inputSize(), 0.0);
    for (int j = 0, end = n * outputSize(); j < end; j++) {
      dx[dxo + argmax[ao + j]] += dy[dyo + j];
    }
  }

  /** y = the mean of each window of x, f64. */
  public void avgForward(int n, double[] x, int xo, double[] y, int yo) {
    check(n, "x", x == null ? -1 : x.length, xo, inputSize());
    check(n, "y", y == null ? -1 : y.length, yo, outputSize());
    int plane = height * width;
    double count = size * size;
    int out = yo;
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < channels; c++) {
        int base = xo + (i * channels + c) * plane;
        for (int r = 0; r < outHeight; r++) {
          for (int col = 0; col < outWidth; col++) {
            int first = base + r * stride * width + col * stride;
            double sum = 0;
            for (int u = 0; u < size; u++) {
              for (int v = 0; v < size; v++) {
                sum += x[first + u * width + v];
              }
            }
            y[out++] = sum / count;
          }
        }
      }
    }
  }

  /** dx = each window's dy / size² spread over the window (overwrite), f64. */
  public void avgBackward(int n, double[] dy, int dyo, double[] dx, int dxo) {
    check(n, "dy", dy == null ? -1 : dy.length, dyo, outputSize());
    check(n, "dx", dx == null ? -1 : dx.length, dxo, inputSize());
    int plane = height * width;
    double count = size * size;
    Arrays.fill(dx, dxo, dxo + n * inputSize(), 0.0);
    int out = dyo;
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < channels; c++) {
        int base = dxo + (i * channels + c) * plane;
        for (int r = 0; r < outHeight; r++) {
          for (int col = 0; col < outWidth; col++) {
            double g = dy[out++] / count;
            int first = base + r * stride * width + col * stride;
            for (int u = 0; u < size; u++) {
              for (int v = 0; v < size; v++) {
                dx[first + u * width + v] += g;
              }
            }
          }
        }
      }
    }
  }

  private void check(int count, String name, int length, int offset, int size) {
    if (count < 0) {
      throw new IllegalArgumentException("negative batch size " + count);
    }
    if (count == 0) {
      return;
    }
    if (length < 0) {
      throw new IllegalArgumentException(this + ": " + name + " is null");
    }
    if (offset < 0 || offset + (long) count * size > length) {
      throw new IllegalArgumentException(this + ": " + name + " needs " + (long) count * size
          + " elements from offset " + offset + ", its array has " + length);
    }
  }

  @Override
  public String toString() {
    return "Pool2d[" + channels + "x" + height + "x" + width + ", size " + size + ", stride "
        + stride + " -> " + channels + "x" + outHeight + "x" + outWidth + "]";
  }

  /** One pooling call, split by examples between the threads. */
  private static final class PoolJob implements Parallel.Split {
    static final int MAX_FORWARD = 0;
    static final int MAX_BACKWARD = 1;
    static final int AVG_FORWARD = 2;
    static final int AVG_BACKWARD = 3;
    private static final ThreadLocal<PoolJob> CURRENT = ThreadLocal.withInitial(PoolJob::new);

    int mode;
    Pool2d pool;
    /** The image side (x or dx) and the pooled side (y or dy). */
    float[] image;
    int imageOffset;
    float[] pooled;
    int pooledOffset;
    int[] argmax;
    int ao;

    static PoolJob current() {
      return CURRENT.get();
    }

    void run(Pool2d pool, int n, float[] image, int imageOffset, float[] pooled,
        int pooledOffset, int[] argmax, int ao) {
      this.pool = pool;
      this.image = image;
      this.imageOffset = imageOffset;
      this.pooled = pooled;
      this.pooledOffset = pooledOffset;
      this.argmax = argmax;
      this.ao = ao;
      try {
        Parallel.run(this, n, (long) n * pool.inputSize() * WORK_PER_ELEMENT);
      } finally {
        this.image = null;
        this.pooled = null;
        this.argmax = null;
      }
    }

    @Override
    public void compute(int from, int to, int slot) {
      switch (mode) {
        case MAX_FORWARD:
          pool.maxForward(from, to, image, imageOffset, pooled, pooledOffset, argmax, ao);
          break;
        case MAX_BACKWARD:
          pool.maxBackward(from, to, image, imageOffset, pooled, pooledOffset, argmax, ao);
          break;
        case AVG_FORWARD:
          pool.avgForward(from, to, image, imageOffset, pooled, pooledOffset);
          break;
        default:
          pool.avgBackward(from, to, image, imageOffset, pooled, pooledOffset);
          break;
      }
    }
  }
}
