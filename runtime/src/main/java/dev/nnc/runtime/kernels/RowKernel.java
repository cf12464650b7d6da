package dev.nnc.runtime.kernels;

/** Computes rows of the product a {@link GemmJob} describes; implemented by the vector kernel. */
interface RowKernel {
  /** Floats per vector. */
  int vectorLength();

  /**
   * Rows [from, to) of C = A·B, A read through the job's strides, B as packed rows or in place;
   * {@code slot} names the calling thread's scratch ({@link GemmJob#scratch}).
   */
  void rows(GemmJob job, int from, int to, int slot);

  /**
   * Rows [from, to) of a narrow product, C no wider than two vectors: the right operand's rows are
   * packed and padded (with zeros, or the next row's values) to {@link Kernels#narrowWidth}
   * floats, so row i of C is one or two accumulators. Each row's vectors are stored into the calling thread's scratch and their
   * first n lanes copied to C, so no masked store is needed (how well those compile varies by
   * JDK).
   */
  void narrowRows(GemmJob job, int from, int to, int slot);

  /**
   * Copies rows of a row-major B[k×n] (n below {@code width}) to {@code to}, row p at
   * {@code p * width}, as whole vectors: lanes past n hold what follows B's row in b (the next
   * row's values), whose products {@link #narrowRows} never stores. Returns how many leading rows
   * it copied; the caller copies the rest, whose vectors would read past b's end.
   */
  int copyNarrowRows(float[] b, int bo, int n, int k, float[] to, int width);

  /**
   * C[m×n] (+)= A·Bᵀ with A stored [m×k] and B [n×k], both read in place: each element is the dot
   * product of a row of A and a row of B ({@link Gemm#nt} for a few rows, see
   * {@link Gemm#DIRECT_ROWS}).
   */
  void dotRows(int m, int n, int k, float[] a, int ao, float[] b, int bo, float[] c, int co,
      boolean accumulate);
}
