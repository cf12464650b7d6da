package dev.nnc.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked kernel: a tile of 4 rows × 4 vectors of C stays in 16 vector registers
 * while the shared dimension runs, so each packed row of B is loaded once per 4 rows of A and
 * every load feeds four fused multiply-adds. Column tiles are the outer loop, so one tile of B
 * stays in cache while all row blocks pass over it. B is read in place (vector loads take any
 * offset) unless it had to be transposed, in which case its packed rows are read. Compiled for Java 17 with
 * {@code --add-modules jdk.incubator.vector}; loaded only when that module is present.
 */
final class VectorRowKernel implements RowKernel {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  @Override
  public void rows(GemmJob job, int from, int to) {
    int n = job.n;
    int j = 0;
    for (; j + 4 * L <= n; j += 4 * L) {
      int i = from;
      for (; i + 4 <= to; i += 4) {
        tile4x4(job, i, j);
      }
      for (; i < to; i++) {
        tile1(job, i, j, 4);
      }
    }
    for (; j + L <= n; j += L) {
      for (int i = from; i < to; i++) {
        tile1(job, i, j, 1);
      }
    }
    if (j < n) {
      for (int i = from; i < to; i++) {
        tail(job, i, j);
      }
    }
  }

  private static FloatVector start(GemmJob job, int row, int col) {
    return job.accumulate ? FloatVector.fromArray(S, job.c, job.co + row * job.n + col)
        : FloatVector.zero(S);
  }

  /** Rows i..i+3, columns j..j+4L. */
  private static void tile4x4(GemmJob job, int i, int j) {
    FloatVector c00 = start(job, i, j);
    FloatVector c01 = start(job, i, j + L);
    FloatVector c02 = start(job, i, j + 2 * L);
    FloatVector c03 = start(job, i, j + 3 * L);
    FloatVector c10 = start(job, i + 1, j);
    FloatVector c11 = start(job, i + 1, j + L);
    FloatVector c12 = start(job, i + 1, j + 2 * L);
    FloatVector c13 = start(job, i + 1, j + 3 * L);
    FloatVector c20 = start(job, i + 2, j);
    FloatVector c21 = start(job, i + 2, j + L);
    FloatVector c22 = start(job, i + 2, j + 2 * L);
    FloatVector c23 = start(job, i + 2, j + 3 * L);
    FloatVector c30 = start(job, i + 3, j);
    FloatVector c31 = start(job, i + 3, j + L);
    FloatVector c32 = start(job, i + 3, j + 2 * L);
    FloatVector c33 = start(job, i + 3, j + 3 * L);
    float[] a = job.a;
    int rs = job.rowStride;
    int cs = job.colStride;
    int a0 = job.ao + i * rs;
    float[][] rows = job.rows;
    float[] inPlace = job.b;
    int n = job.n;
    for (int p = 0; p < job.k; p++) {
      // Row p of B: a packed row, or in place at bo + p * n.
      float[] row = rows != null ? rows[p] : inPlace;
      int col = rows != null ? j : job.bo + p * n + j;
      FloatVector b0 = FloatVector.fromArray(S, row, col);
      FloatVector b1 = FloatVector.fromArray(S, row, col + L);
      FloatVector b2 = FloatVector.fromArray(S, row, col + 2 * L);
      FloatVector b3 = FloatVector.fromArray(S, row, col + 3 * L);
      int at = a0 + p * cs;
      FloatVector s = FloatVector.broadcast(S, a[at]);
      c00 = b0.fma(s, c00);
      c01 = b1.fma(s, c01);
      c02 = b2.fma(s, c02);
      c03 = b3.fma(s, c03);
      s = FloatVector.broadcast(S, a[at + rs]);
      c10 = b0.fma(s, c10);
      c11 = b1.fma(s, c11);
      c12 = b2.fma(s, c12);
      c13 = b3.fma(s, c13);
      s = FloatVector.broadcast(S, a[at + 2 * rs]);
      c20 = b0.fma(s, c20);
      c21 = b1.fma(s, c21);
      c22 = b2.fma(s, c22);
      c23 = b3.fma(s, c23);
      s = FloatVector.broadcast(S, a[at + 3 * rs]);
      c30 = b0.fma(s, c30);
      c31 = b1.fma(s, c31);
      c32 = b2.fma(s, c32);
      c33 = b3.fma(s, c33);
    }
    float[] c = job.c;
    int r0 = job.co + i * n + j;
    c00.intoArray(c, r0);
    c01.intoArray(c, r0 + L);
    c02.intoArray(c, r0 + 2 * L);
    c03.intoArray(c, r0 + 3 * L);
    c10.intoArray(c, r0 + n);
    c11.intoArray(c, r0 + n + L);
    c12.intoArray(c, r0 + n + 2 * L);
    c13.intoArray(c, r0 + n + 3 * L);
    c20.intoArray(c, r0 + 2 * n);
    c21.intoArray(c, r0 + 2 * n + L);
    c22.intoArray(c, r0 + 2 * n + 2 * L);
    c23.intoArray(c, r0 + 2 * n + 3 * L);
    c30.intoArray(c, r0 + 3 * n);
    c31.intoArray(c, r0 + 3 * n + L);
    c32.intoArray(c, r0 + 3 * n + 2 * L);
    c33.intoArray(c, r0 + 3 * n + 3 * L);
  }

  /** One row, {@code vectors} vectors of columns from j. */
  private static void tile1(GemmJob job, int i, int j, int vectors) {
    for (int v = 0; v < vectors; v++) {
      int col = j + v * L;
      FloatVector acc = start(job, i, col);
      int a0 = job.ao + i * job.rowStride;
      for (int p = 0; p < job.k; p++) {
        float s = job.a[a0 + p * job.colStride];
        if (s != 0) {
          FloatVector row = job.rows != null ? FloatVector.fromArray(S, job.rows[p], col)
              : FloatVector.fromArray(S, job.b, job.bo + p * job.n + col);
          acc = row.fma(FloatVector.broadcast(S, s), acc);
        }
      }
      acc.intoArray(job.c, job.co + i * job.n + col);
    }
  }

  /** The last columns, fewer than one vector: scalar. */
  private static void tail(GemmJob job, int i, int j) {
    int a0 = job.ao + i * job.rowStride;
    for (int col = j; col < job.n; col++) {
      float acc = job.accumulate ? job.c[job.co + i * job.n + col] : 0f;
      for (int p = 0; p < job.k; p++) {
        float bv = job.rows != null ? job.rows[p][col] : job.b[job.bo + p * job.n + col];
        acc += job.a[a0 + p * job.colStride] * bv;
      }
      job.c[job.co + i * job.n + col] = acc;
    }
  }
}
