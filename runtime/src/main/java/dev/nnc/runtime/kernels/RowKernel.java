package dev.nnc.runtime.kernels;

/** Computes rows of the product a {@link GemmJob} describes; implemented by the vector kernel. */
interface RowKernel {
  void rows(GemmJob job, int from, int to);
}
