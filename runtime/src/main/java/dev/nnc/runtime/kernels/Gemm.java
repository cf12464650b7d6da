package dev.nnc.runtime.kernels;

/**
 * Matrix products for generated model code, single precision. All matrices are row-major and
 * start at an offset into their array. The inner loops are written so that HotSpot's C2
 * vectorizes them: every inner loop is {@code acc[j] += s * row[j]} over two arrays indexed from
 * zero, so the right operand's rows are first copied ("packed") into arrays of their own. Zero
 * coefficients (ReLU outputs, sparse gradients) are skipped; the vector kernel does not skip,
 * so a product whose left operand is at least 60% zeros (MNIST pixels) runs on this kernel even
 * when the vector kernel is on. Large products split their rows between threads (see
 * {@link Parallel}); nothing is allocated once the buffers are warm.
 *
 * <p>The three forms cover a dense layer's forward and backward passes: {@link #nn} computes
 * {@code C = A·B}, {@link #nt} {@code C = A·Bᵀ} and {@link #tn} {@code C = Aᵀ·B}. With
 * {@code accumulate} the product is added to C.
 *
 * <p>Narrow products (fewer than {@value #NARROW} columns of C but at least that many rows, such
 * as a 10-class output layer) are computed transposed, {@code Cᵀ = Bᵀ·Aᵀ}, so that the kernels'
 * vectors run along the long side; the small result is then transposed into C. On the vector
 * kernel, {@code nn} and {@code nt} products no wider than two vectors instead pad B's rows to
 * whole vectors and keep each row of C in one or two registers: only the small B is copied,
 * where the transposed form copied all of A (at batch 1024 that copy cost more than the
 * arithmetic). {@code tn} keeps the transposed form, which copies nothing and uses every lane.
 */
public final class Gemm {
  /** C with fewer columns than this (and at least this many rows) is computed as Cᵀ. */
  static final int NARROW = 16;

  /**
   * {@link #nt} with at most this many rows (a dense layer at batch 1) computes each element as
   * the dot product of a row of A and a row of B, both read where they are, on the vector
   * kernel: the packed path first copies all of B transposed, which at a few rows costs more
   * than the product (figures in docs/performance.md, "Narrow and small products").
   */
  static final int DIRECT_ROWS = 8;
  /**
   * {@link #DIRECT_ROWS} for the portable kernel, whose scalar dot products lose to its
   * vectorized packed rows sooner.
   */
  static final int DIRECT_ROWS_PORTABLE = 2;

  private Gemm() {}

  /**
   * The portable kernel's {@link RowKernel#dotRows}: four elements of C at a time, four
   * independent sums sharing each element of A's row.
   */
  private static void dotRows(int m, int n, int k, float[] a, int ao, float[] b, int bo,
      float[] c, int co, boolean accumulate) {
    for (int i = 0; i < m; i++) {
      int a0 = ao + i * k;
      int c0 = co + i * n;
      int j = 0;
      for (; j + 4 <= n; j += 4) {
        int b0 = bo + j * k;
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        for (int p = 0; p < k; p++) {
          float av = a[a0 + p];
          s0 += av * b[b0 + p];
          s1 += av * b[b0 + k + p];
          s2 += av * b[b0 + 2 * k + p];
          s3 += av * b[b0 + 3 * k + p];
        }
        if (accumulate) {
          s0 += c[c0 + j];
          s1 += c[c0 + j + 1];
          s2 += c[c0 + j + 2];
          s3 += c[c0 + j + 3];
        }
        c[c0 + j] = s0;
        c[c0 + j + 1] = s1;
        c[c0 + j + 2] = s2;
        c[c0 + j + 3] = s3;
      }
      for (; j < n; j++) {
        int b0 = bo + j * k;
        float sum = 0;
        for (int p = 0; p < k; p++) {
          sum += a[a0 + p] * b[b0 + p];
        }
        c[c0 + j] = accumulate ? c[c0 + j] + sum : sum;
      }
    }
  }

  private static boolean narrow(int m, int n) {
    return n < NARROW && m >= NARROW;
  }

  /**
   * A narrow C[m×n] (+)= A·B for {@link #nn} (B stored [k×n]) and {@link #nt} (B stored [n×k],
   * {@code bTransposed}). On the vector kernel B's k rows are padded to whole vectors, so row i
   * of C is one or two accumulators; otherwise Cᵀ = Bᵀ·Aᵀ, with Aᵀ packed as k rows of m.
   */
  private static void narrowProduct(GemmJob job, int m, int n, int k, float[] a, int ao,
      float[] b, int bo, boolean bTransposed, float[] c, int co, boolean accumulate) {
    int width = Kernels.narrowWidth(n);
    job.b = null;
    if (width > 0) {
      job.packNarrow(b, bo, n, k, bTransposed, width);
      job.runNarrowRows(m, n, k, a, ao, c, co, accumulate);
    } else {
      job.rows = job.pack(a, ao, m, k, true);
      // Cᵀ's left factor L[j][p], the j-th column of the product's right factor at step p:
      // b[bo + j * k + p] for nt, b[bo + p * n + j] for nn.
      job.transposed(m, n, k, b, bo, bTransposed ? k : 1, bTransposed ? 1 : n, c, co,
          accumulate);
    }
  }

  /** C[m×n] (+)= A[m×k] · B[k×n]. */
  public static void nn(int m, int n, int k, float[] a, int ao, float[] b, int bo, float[] c,
      int co, boolean accumulate) {
    GemmJob job = GemmJob.current();
    if (narrow(m, n)) {
      narrowProduct(job, m, n, k, a, ao, b, bo, false, c, co, accumulate);
      return;
    }
    job.set(m, n, k, a, ao, k, 1, c, co, accumulate);
    job.detectSparse(m);
    job.useRows(b, bo, k, n);
    Parallel.run(job, m, (long) m * n * k);
  }

  /** C[m×n] (+)= A[m×k] · Bᵀ, with B stored as [n×k]. */
  public static void nt(int m, int n, int k, float[] a, int ao, float[] b, int bo, float[] c,
      int co, boolean accumulate) {
    RowKernel vector = Kernels.vector();
    if (m <= (vector != null ? DIRECT_ROWS : DIRECT_ROWS_PORTABLE)) {
      if (vector != null) {
        vector.dotRows(m, n, k, a, ao, b, bo, c, co, accumulate);
      } else {
        dotRows(m, n, k, a, ao, b, bo, c, co, accumulate);
      }
      return;
    }
    GemmJob job = GemmJob.current();
    if (narrow(m, n)) {
      narrowProduct(job, m, n, k, a, ao, b, bo, true, c, co, accumulate);
      return;
    }
    job.rows = job.pack(b, bo, n, k, true);
    job.b = null;
    job.set(m, n, k, a, ao, k, 1, c, co, accumulate);
    job.detectSparse(m);
    Parallel.run(job, m, (long) m * n * k);
  }

  /**
   * C[m×n] += alpha · Aᵀ·B, with A stored as [k×m] and B as [k×n]: a weight's plain SGD step
   * fused into its gradient's product ({@code W += −rate · xᵀ·g}), so the gradient is never
   * stored and read back. B is first scaled into a copy (k·n multiplies, against the product's
   * m·n·k multiply-adds); the product then accumulates into C on every kernel path.
   */
  public static void tnUpdate(int m, int n, int k, float[] a, int ao, float[] b, int bo,
      float[] c, int co, float alpha) {
    float[] scaled = GemmJob.current().scaled(k * n);
    for (int i = 0; i < k * n; i++) {
      scaled[i] = alpha * b[bo + i];
    }
    tn(m, n, k, a, ao, scaled, 0, c, co, true);
  }

  /** C[m×n] (+)= Aᵀ · B, with A stored as [k×m] and B as [k×n]. */
  public static void tn(int m, int n, int k, float[] a, int ao, float[] b, int bo, float[] c,
      int co, boolean accumulate) {
    GemmJob job = GemmJob.current();
    if (narrow(m, n)) {
      // Cᵀ = Bᵀ·A: Bᵀ[j][p] = b[bo + p * n + j]; A, stored [k×m], is already k rows of m.
      job.useRows(a, ao, k, m);
      job.transposed(m, n, k, b, bo, 1, n, c, co, accumulate);
      return;
    }
    job.set(m, n, k, a, ao, 1, m, c, co, accumulate);
    job.detectSparse(m);
    job.useRows(b, bo, k, n);
    Parallel.run(job, m, (long) m * n * k);
  }
}
