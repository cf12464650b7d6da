package dev.nnc.runtime.kernels;

/**
 * Matrix products for generated model code, single precision. All matrices are row-major and
 * start at an offset into their array. The inner loops are written so that HotSpot's C2
 * vectorizes them: every inner loop is {@code acc[j] += s * row[j]} over two arrays indexed from
 * zero, so the right operand's rows are first copied ("packed") into arrays of their own. Zero
 * coefficients (ReLU outputs, sparse gradients) are skipped. Large products split their rows
 * between threads (see {@link Parallel}); nothing is allocated once the buffers are warm.
 *
 * <p>The three forms cover a dense layer's forward and backward passes: {@link #nn} computes
 * {@code C = A·B}, {@link #nt} {@code C = A·Bᵀ} and {@link #tn} {@code C = Aᵀ·B}. With
 * {@code accumulate} the product is added to C.
 */
public final class Gemm {
  private Gemm() {}

  /** C[m×n] (+)= A[m×k] · B[k×n]. */
  public static void nn(int m, int n, int k, float[] a, int ao, float[] b, int bo, float[] c,
      int co, boolean accumulate) {
    GemmJob job = GemmJob.current();
    job.useRows(b, bo, k, n);
    job.set(m, n, k, a, ao, k, 1, c, co, accumulate);
    Parallel.run(job, m, (long) m * n * k);
  }

  /** C[m×n] (+)= A[m×k] · Bᵀ, with B stored as [n×k]. */
  public static void nt(int m, int n, int k, float[] a, int ao, float[] b, int bo, float[] c,
      int co, boolean accumulate) {
    GemmJob job = GemmJob.current();
    job.rows = job.pack(b, bo, n, k, true);
    job.b = null;
    job.set(m, n, k, a, ao, k, 1, c, co, accumulate);
    Parallel.run(job, m, (long) m * n * k);
  }

  /** C[m×n] (+)= Aᵀ · B, with A stored as [k×m] and B as [k×n]. */
  public static void tn(int m, int n, int k, float[] a, int ao, float[] b, int bo, float[] c,
      int co, boolean accumulate) {
    GemmJob job = GemmJob.current();
    job.useRows(b, bo, k, n);
    job.set(m, n, k, a, ao, 1, m, c, co, accumulate);
    Parallel.run(job, m, (long) m * n * k);
  }
}
