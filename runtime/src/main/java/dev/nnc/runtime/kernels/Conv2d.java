package dev.nnc.runtime.kernels;

import java.util.Arrays;

/**
 * A 2-D convolution layer's kernels for a batch: PyTorch's {@code conv2d} (cross-correlation,
 * zero padding on every side, one stride for both axes) with its two gradients. An instance is
 * one geometry; it is immutable and may be shared between threads (each call's state lives in
 * the caller's scratch array and in per-thread objects).
 *
 * <p><b>Layouts.</b> Every tensor is a row-major flat {@code float[]} starting at an offset, the
 * batch first, channels first per example (as {@link Gemm}'s matrices):
 * <ul>
 *   <li>x, dx: {@code [n, inChannels, height, width]};
 *   <li>y, dy: {@code [n, outChannels, outHeight, outWidth]} with {@code outHeight =
 *       floor((height + 2·padding − kernelHeight) / stride) + 1}, likewise {@code outWidth};
 *   <li>w, dw: {@code [outChannels, inChannels, kernelHeight, kernelWidth]};
 *   <li>b, db: {@code [outChannels]}; a null bias array means no bias.
 * </ul>
 * {@code y[i, o, r, c] = b[o] + Σ_{ci, u, v} w[o, ci, u, v] · x[i, ci, r·stride + u − padding,
 * c·stride + v − padding]}, x taken as 0 outside the image.
 *
 * <p><b>Overwrite.</b> Every method overwrites its outputs (y, dx, dw, db) and never reads their
 * old values, except {@link #updateWeights}, which adds to w and b. With n = 0 the outputs that
 * are sums over the batch (dw, db) are set to zero.
 *
 * <p><b>Scratch.</b> Each call takes a {@code float[]} of at least {@link #scratchSize}(n)
 * floats: its contents on entry do not matter and are not kept (one array may serve every
 * convolution of a model in turn, if it is as large as the largest of their sizes). Allocate it
 * once per batch capacity; with it a warm call allocates nothing.
 *
 * <p><b>Threads and results.</b> A batch of at least 3/8 of a vector's lanes (3 examples with
 * AVX2, 6 with AVX-512) runs on the vector kernel ({@link Kernels#vectorEnabled}) in the
 * batch-lane layout ({@link ConvLanes}): the
 * batch is always cut into the same two halves, which run on 1 or 2 threads ({@link Parallel});
 * the results are bit-for-bit the same on 1 and 2 threads. Smaller batches, and every batch on
 * the portable kernel, go through im2col and {@link Gemm}. The two paths round differently (they
 * add the same products in different orders).
 *
 * <p>The {@code double[]} overloads compute the same functions with plain loops (for models
 * compiled with f64 and for reference); they take no scratch and run on the calling thread.
 */
public final class Conv2d {

  final int inChannels;
  final int height;
  final int width;
  final int outChannels;
  final int kernelHeight;
  final int kernelWidth;
  final int stride;
  final int padding;
  final int outHeight;
  final int outWidth;
  /** Multiply-adds per output element: inChannels · kernelHeight · kernelWidth. */
  final int taps;
  /** Output positions per channel: outHeight · outWidth. */
  final int positions;
  /** The batch-lane plan, or null when the geometry is too large for its int offsets. */
  final ConvLanes lanes;

  /**
   * A convolution of {@code [inChannels, height, width]} images with {@code outChannels} kernels
   * of {@code kernelHeight × kernelWidth}; stride ≥ 1, padding ≥ 0, and the kernel must fit the
   * padded image.
   *
   * @throws IllegalArgumentException on a size that is not positive, a negative padding, or a
   *     kernel larger than the padded image
   */
  public Conv2d(int inChannels, int height, int width, int outChannels, int kernelHeight,
      int kernelWidth, int stride, int padding) {
    String shape = "conv2d(x: [" + inChannels + ", " + height + ", " + width + "], w: ["
        + outChannels + ", " + inChannels + ", " + kernelHeight + ", " + kernelWidth
        + "], stride " + stride + ", padding " + padding + ")";
    if (inChannels < 1 || height < 1 || width < 1 || outChannels < 1 || kernelHeight < 1
        || kernelWidth < 1 || stride < 1) {
      throw new IllegalArgumentException(shape + ": sizes and stride must be positive");
    }
    if (padding < 0) {
      throw new IllegalArgumentException(shape + ": padding must not be negative");
    }
    if (kernelHeight > height + 2L * padding || kernelWidth > width + 2L * padding) {
      throw new IllegalArgumentException(shape + ": the kernel is larger than the padded input");
    }
    long in = (long) inChannels * height * width;
    long kernel = (long) inChannels * kernelHeight * kernelWidth;
    this.outHeight = (height + 2 * padding - kernelHeight) / stride + 1;
    this.outWidth = (width + 2 * padding - kernelWidth) / stride + 1;
    long out = (long) outChannels * outHeight * outWidth;
    if (in > Integer.MAX_VALUE || out > Integer.MAX_VALUE
        || kernel * outChannels > Integer.MAX_VALUE
        || kernel * outHeight * outWidth > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(shape + ": too large for int indices");
    }
    this.inChannels = inChannels;
    this.height = height;
    this.width = width;
    this.outChannels = outChannels;
    this.kernelHeight = kernelHeight;
    this.kernelWidth = kernelWidth;
    this.stride = stride;
    this.padding = padding;
    this.taps = (int) kernel;
    this.positions = outHeight * outWidth;
    this.lanes = ConvLanes.plan(this);
  }

  public int outHeight() {
    return outHeight;
  }

  public int outWidth() {
    return outWidth;
  }

  /** Floats per example of x: inChannels · height · width. */
  public int inputSize() {
    return inChannels * height * width;
  }

  /** Floats per example of y: outChannels · outHeight · outWidth. */
  public int outputSize() {
    return outChannels * positions;
  }

  /** Floats of w: outChannels · inChannels · kernelHeight · kernelWidth. */
  public int weightSize() {
    return outChannels * taps;
  }

  /**
   * Multiply-adds of {@link #forward} for n examples (also of each gradient): the figure for
   * GFLOP/s (2 flops each).
   */
  public long multiplyAdds(int n) {
    return (long) n * outputSize() * taps;
  }

  /**
   * The scratch floats every method needs for a batch of up to n examples (the same size for
   * all of them); grows with n.
   *
   * @throws IllegalArgumentException if n is negative or the size exceeds an array's
   */
  public int scratchSize(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("negative batch size " + n);
    }
    long size = im2colScratch();
    ConvLanes.Tiles tiles = ConvLanes.tiles();
    if (lanes != null && tiles != null) {
      // sized for the lane path whether or not the vector kernel is on at the moment
      size = Math.max(size, lanes.scratch(n, tiles.vectorLength()));
    }
    if (size > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("conv2d scratch for batch " + n + " exceeds an array");
    }
    return (int) size;
  }

  /** The im2col path's scratch: one example's columns, and dw and db for updateWeights. */
  private long im2colScratch() {
    return (long) taps * positions + (long) outChannels * taps + outChannels;
  }

  /** y = conv2d(x, w) + b for n examples (b may be null). */
  public void forward(int n, float[] x, int xo, float[] w, int wo, float[] b, int bo, float[] y,
      int yo, float[] scratch) {
    check(n, "x", x, xo, inputSize());
    check(1, "w", w, wo, weightSize());
    check(b == null ? 0 : 1, "b", b, bo, outChannels);
    check(n, "y", y, yo, outputSize());
    checkScratch(n, scratch);
    ConvLanes.Tiles tiles = laneTiles(n);
    if (tiles != null) {
      lanes.forward(tiles, n, x, xo, w, wo, b, bo, y, yo, scratch);
      return;
    }
    int inSize = inputSize();
    int outSize = outputSize();
    for (int i = 0; i < n; i++) {
      im2col(x, xo + i * inSize, scratch, 0);
      int yi = yo + i * outSize;
      Gemm.nn(outChannels, positions, taps, w, wo, scratch, 0, y, yi, false);
      if (b != null) {
        for (int o = 0; o < outChannels; o++) {
          float bias = b[bo + o];
          for (int p = yi + o * positions, end = p + positions; p < end; p++) {
            y[p] += bias;
          }
        }
      }
    }
  }

  /** dx = d(Σ dy·y)/dx for n examples: the gradient to the input, overwriting dx. */
  public void backwardInput(int n, float[] dy, int dyo, float[] w, int wo, float[] dx, int dxo,
      float[] scratch) {
    check(n, "dy", dy, dyo, outputSize());
    check(1, "w", w, wo, weightSize());
    check(n, "dx", dx, dxo, inputSize());
    checkScratch(n, scratch);
    ConvLanes.Tiles tiles = laneTiles(n);
    if (tiles != null) {
      lanes.backwardInput(tiles, n, dy, dyo, w, wo, dx, dxo, scratch);
      return;
    }
    int inSize = inputSize();
    int outSize = outputSize();
    for (int i = 0; i < n; i++) {
      // columns' gradient [taps × positions] = wᵀ · dy_i, then added back into the image
      Gemm.tn(taps, positions, outChannels, w, wo, dy, dyo + i * outSize, scratch, 0, false);
      col2im(scratch, 0, dx, dxo + i * inSize);
    }
  }

  /**
   * dw = Σ over the batch of d(Σ dy·y)/dw, and db the sum of dy over the batch and positions
   * (skipped if db is null); both overwritten.
   */
  public void backwardWeights(int n, float[] x, int xo, float[] dy, int dyo, float[] dw, int dwo,
      float[] db, int dbo, float[] scratch) {
    check(n, "x", x, xo, inputSize());
    check(n, "dy", dy, dyo, outputSize());
    check(1, "dw", dw, dwo, weightSize());
    check(db == null ? 0 : 1, "db", db, dbo, outChannels);
    checkScratch(n, scratch);
    weightGradients(n, x, xo, dy, dyo, dw, dwo, db, dbo, 0f, scratch);
  }

  /**
   * A plain SGD step fused into the weight gradient: w += alpha · dw and b += alpha · db (b may
   * be null), with dw and db as {@link #backwardWeights} computes them (alpha = −learning rate),
   * without storing them. Results equal backwardWeights followed by that update.
   */
  public void updateWeights(int n, float[] x, int xo, float[] dy, int dyo, float[] w, int wo,
      float[] b, int bo, float alpha, float[] scratch) {
    check(n, "x", x, xo, inputSize());
    check(n, "dy", dy, dyo, outputSize());
    check(1, "w", w, wo, weightSize());
    check(b == null ? 0 : 1, "b", b, bo, outChannels);
    checkScratch(n, scratch);
    if (alpha == 0f) {
      return;
    }
    weightGradients(n, x, xo, dy, dyo, w, wo, b, bo, alpha, scratch);
  }

  /** dw, db overwritten (alpha = 0) or w += alpha·dw, b += alpha·db (alpha ≠ 0). */
  private void weightGradients(int n, float[] x, int xo, float[] dy, int dyo, float[] dw, int dwo,
      float[] db, int dbo, float alpha, float[] scratch) {
    ConvLanes.Tiles tiles = laneTiles(n);
    if (tiles != null) {
      lanes.weightGradients(tiles, n, x, xo, dy, dyo, dw, dwo, db, dbo, alpha, scratch);
      return;
    }
    boolean update = alpha != 0f;
    int weights = weightSize();
    // dw and db are summed where they belong (overwrite) or in scratch (update)
    int colsEnd = taps * positions;
    float[] gw = update ? scratch : dw;
    int gwo = update ? colsEnd : dwo;
    float[] gb = update ? scratch : db;
    int gbo = update ? colsEnd + weights : dbo;
    if (n == 0) {
      Arrays.fill(gw, gwo, gwo + weights, 0f);
    }
    int inSize = inputSize();
    int outSize = outputSize();
    for (int i = 0; i < n; i++) {
      im2row(x, xo + i * inSize, scratch, 0);
      // dw [outChannels × taps] (+)= dy_i [outChannels × positions] · rows [positions × taps]
      Gemm.nn(outChannels, taps, positions, dy, dyo + i * outSize, scratch, 0, gw, gwo, i > 0);
    }
    if (db != null) {
      for (int o = 0; o < outChannels; o++) {
        float sum = 0f;
        for (int i = 0; i < n; i++) {
          sum += sum(dy, dyo + i * outSize + o * positions, positions);
        }
        gb[gbo + o] = sum;
      }
    }
    if (update) {
      for (int j = 0; j < weights; j++) {
        dw[dwo + j] += alpha * gw[gwo + j];
      }
      if (db != null) {
        for (int o = 0; o < outChannels; o++) {
          db[dbo + o] += alpha * gb[gbo + o];
        }
      }
    }
  }

  /** The sum of a[from .. from + count), in four partial sums (C2 keeps a float sum's order). */
  static float sum(float[] a, int from, int count) {
    float s0 = 0f;
    float s1 = 0f;
    float s2 = 0f;
    float s3 = 0f;
    int i = from;
    int end = from + count;
    for (; i + 4 <= end; i += 4) {
      s0 += a[i];
      s1 += a[i + 1];
      s2 += a[i + 2];
      s3 += a[i + 3];
    }
    for (; i < end; i++) {
      s0 += a[i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /** Whether a batch of n examples takes the vector kernel's batch-lane path now. */
  boolean lanePath(int n) {
    return laneTiles(n) != null;
  }

  /**
   * The lane path's vector loops if this call takes it, else null (im2col and Gemm). A block of
   * lanes costs the same for 1 to L examples: LeNet's two layers (forward and gradients) took 520–
   * 610 µs for one block of 8 lanes and about 250 µs per example on im2col, so the lanes win from
   * 3 examples of 8 (best CPU times of 200 calls).
   */
  private ConvLanes.Tiles laneTiles(int n) {
    ConvLanes.Tiles tiles = ConvLanes.tiles();
    if (lanes == null || tiles == null || !Kernels.vectorEnabled()
        || 8 * n < 3 * tiles.vectorLength()) {
      return null;
    }
    return tiles;
  }

  /**
   * One example's columns: cols[(ci·kh + u)·kw + v][r·outWidth + c] = x[ci, r·stride + u − pad,
   * c·stride + v − pad] (0 outside), [taps × positions] at {@code to}. Each (tap, output row) is
   * a zero run, a copy and a zero run: per-element bounds tests cost as much as the product.
   */
  void im2col(float[] x, int xi, float[] to, int at) {
    int row = at;
    for (int ci = 0; ci < inChannels; ci++) {
      int plane = xi + ci * height * width;
      for (int u = 0; u < kernelHeight; u++) {
        for (int v = 0; v < kernelWidth; v++, row += positions) {
          // output columns c whose input column c·stride + v − padding lies in [0, width)
          int first = Math.max(0, (padding - v + stride - 1) / stride);
          int last = Math.min(outWidth, Math.floorDiv(width - 1 + padding - v, stride) + 1);
          last = Math.max(first, last);
          for (int r = 0; r < outHeight; r++) {
            int out = row + r * outWidth;
            int ih = r * stride + u - padding;
            if (ih < 0 || ih >= height) {
              Arrays.fill(to, out, out + outWidth, 0f);
              continue;
            }
            for (int c = 0; c < first; c++) {
              to[out + c] = 0f;
            }
            int src = plane + ih * width + v - padding;
            if (stride == 1) {
              System.arraycopy(x, src + first, to, out + first, last - first);
            } else {
              for (int c = first; c < last; c++) {
                to[out + c] = x[src + c * stride];
              }
            }
            for (int c = last; c < outWidth; c++) {
              to[out + c] = 0f;
            }
          }
        }
      }
    }
  }

  /**
   * One example's rows: the transpose of {@link #im2col}, [positions × taps] at {@code to}; a
   * kernel row at a time, its columns outside the image clipped once per output column.
   */
  void im2row(float[] x, int xi, float[] to, int at) {
    int out = at;
    for (int r = 0; r < outHeight; r++) {
      for (int c = 0; c < outWidth; c++) {
        int c0 = c * stride - padding;
        int first = Math.max(0, -c0);
        int last = Math.max(first, Math.min(kernelWidth, width - c0));
        for (int ci = 0; ci < inChannels; ci++) {
          int plane = xi + ci * height * width;
          for (int u = 0; u < kernelHeight; u++, out += kernelWidth) {
            int ih = r * stride + u - padding;
            if (ih < 0 || ih >= height) {
              for (int v = 0; v < kernelWidth; v++) {
                to[out + v] = 0f;
              }
              continue;
            }
            int src = plane + ih * width + c0;
            for (int v = 0; v < first; v++) {
              to[out + v] = 0f;
            }
            for (int v = first; v < last; v++) {
              to[out + v] = x[src + v];
            }
            for (int v = last; v < kernelWidth; v++) {
              to[out + v] = 0f;
            }
          }
        }
      }
    }
  }

  /** dx_i = the columns' gradient [taps × positions] added back into its image (overwrite). */
  void col2im(float[] cols, int at, float[] dx, int dxi) {
    Arrays.fill(dx, dxi, dxi + inputSize(), 0f);
    int row = at;
    for (int ci = 0; ci < inChannels; ci++) {
      int plane = dxi + ci * height * width;
      for (int u = 0; u < kernelHeight; u++) {
        for (int v = 0; v < kernelWidth; v++, row += positions) {
          int from = row;
          for (int r = 0; r < outHeight; r++, from += outWidth) {
            int ih = r * stride + u - padding;
            if (ih < 0 || ih >= height) {
              continue;
            }
            int dst = plane + ih * width;
            for (int c = 0; c < outWidth; c++) {
              int iw = c * stride + v - padding;
              if (iw >= 0 && iw < width) {
                dx[dst + iw] += cols[from + c];
              }
            }
          }
        }
      }
    }
  }

  // ---- f64: plain loops ----

  /** y = conv2d(x, w) + b in double precision (b may be null); see the class comment. */
  public void forward(int n, double[] x, int xo, double[] w, int wo, double[] b, int bo,
      double[] y, int yo) {
    check(n, "x", x == null ? -1 : x.length, xo, inputSize());
    check(1, "w", w == null ? -1 : w.length, wo, weightSize());
    check(b == null ? 0 : 1, "b", b == null ? 0 : b.length, bo, outChannels);
    check(n, "y", y == null ? -1 : y.length, yo, outputSize());
    for (int i = 0; i < n; i++) {
      for (int o = 0; o < outChannels; o++) {
        for (int r = 0; r < outHeight; r++) {
          for (int c = 0; c < outWidth; c++) {
            double s = b == null ? 0 : b[bo + o];
            for (int ci = 0; ci < inChannels; ci++) {
              for (int u = 0; u < kernelHeight; u++) {
                int ih = r * stride + u - padding;
                if (ih < 0 || ih >= height) {
                  continue;
                }
                for (int v = 0; v < kernelWidth; v++) {
                  int iw = c * stride + v - padding;
                  if (iw >= 0 && iw < width) {
                    s += w[wo + ((o * inChannels + ci) * kernelHeight + u) * kernelWidth + v]
                        * x[xo + ((i * inChannels + ci) * height + ih) * width + iw];
                  }
                }
              }
            }
            y[yo + ((i * outChannels + o) * outHeight + r) * outWidth + c] = s;
          }
        }
      }
    }
  }

  /** dx overwritten with the gradient to the input, in double precision. */
  public void backwardInput(int n, double[] dy, int dyo, double[] w, int wo, double[] dx,
      int dxo) {
    check(n, "dy", dy == null ? -1 : dy.length, dyo, outputSize());
    check(1, "w", w == null ? -1 : w.length, wo, weightSize());
    check(n, "dx", dx == null ? -1 : dx.length, dxo, inputSize());
    Arrays.fill(dx, dxo, dxo + n * inputSize(), 0.0);
    for (int i = 0; i < n; i++) {
      for (int o = 0; o < outChannels; o++) {
        for (int r = 0; r < outHeight; r++) {
          for (int c = 0; c < outWidth; c++) {
            double g = dy[dyo + ((i * outChannels + o) * outHeight + r) * outWidth + c];
            for (int ci = 0; ci < inChannels; ci++) {
              for (int u = 0; u < kernelHeight; u++) {
                int ih = r * stride + u - padding;
                if (ih < 0 || ih >= height) {
                  continue;
                }
                for (int v = 0; v < kernelWidth; v++) {
                  int iw = c * stride + v - padding;
                  if (iw >= 0 && iw < width) {
                    dx[dxo + ((i * inChannels + ci) * height + ih) * width + iw] +=
                        g * w[wo + ((o * inChannels + ci) * kernelHeight + u) * kernelWidth + v];
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  /** dw and db (db may be null) overwritten with the batch's weight gradients, f64. */
  public void backwardWeights(int n, double[] x, int xo, double[] dy, int dyo, double[] dw,
      int dwo, double[] db, int dbo) {
    check(n, "x", x == null ? -1 : x.length, xo, inputSize());
    check(n, "dy", dy == null ? -1 : dy.length, dyo, outputSize());
    check(1, "dw", dw == null ? -1 : dw.length, dwo, weightSize());
    check(db == null ? 0 : 1, "db", db == null ? 0 : db.length, dbo, outChannels);
    Arrays.fill(dw, dwo, dwo + weightSize(), 0.0);
    if (db != null) {
      Arrays.fill(db, dbo, dbo + outChannels, 0.0);
    }
    for (int i = 0; i < n; i++) {
      for (int o = 0; o < outChannels; o++) {
        for (int r = 0; r < outHeight; r++) {
          for (int c = 0; c < outWidth; c++) {
            double g = dy[dyo + ((i * outChannels + o) * outHeight + r) * outWidth + c];
            if (db != null) {
              db[dbo + o] += g;
            }
            for (int ci = 0; ci < inChannels; ci++) {
              for (int u = 0; u < kernelHeight; u++) {
                int ih = r * stride + u - padding;
                if (ih < 0 || ih >= height) {
                  continue;
                }
                for (int v = 0; v < kernelWidth; v++) {
                  int iw = c * stride + v - padding;
                  if (iw >= 0 && iw < width) {
                    dw[dwo + ((o * inChannels + ci) * kernelHeight + u) * kernelWidth + v] +=
                        g * x[xo + ((i * inChannels + ci) * height + ih) * width + iw];
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  // ---- argument checks: a clear message instead of an index error deep in a kernel ----

  private void check(int count, String name, float[] a, int offset, int size) {
    check(count, name, a == null ? -1 : a.length, offset, size);
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
          + " floats from offset " + offset + ", its array has " + length);
    }
  }

  private void checkScratch(int n, float[] scratch) {
    int size = scratchSize(n);
    if (scratch == null || scratch.length < size) {
      throw new IllegalArgumentException(this + ": scratch for batch " + n + " needs " + size
          + " floats, got " + (scratch == null ? "null" : scratch.length + ""));
    }
  }

  @Override
  public String toString() {
    return "Conv2d[" + inChannels + "x" + height + "x" + width + " -> " + outChannels + "x"
        + outHeight + "x" + outWidth + ", kernel " + kernelHeight + "x" + kernelWidth
        + ", stride " + stride + ", padding " + padding + "]";
  }
}
