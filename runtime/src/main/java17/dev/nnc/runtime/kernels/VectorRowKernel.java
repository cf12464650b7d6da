package dev.nnc.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked kernel: a tile of 6 rows × 4 vectors of C stays in 24 of AVX-512's 32
 * vector registers while the shared dimension runs, so each row of B is loaded once per 6 rows
 * of A and every load feeds six fused multiply-adds. 4-row tiles and single rows take the
 * remainder, and all of it on machines with narrower vectors (16 registers). The 6-row tile
 * measured about 10% faster than the 4-row one on the MLP's two large products. Column tiles are
 * the outer loop, so one tile of B stays in cache while all row blocks pass over it. B is read
 * in place (vector loads take any offset) unless it had to be transposed, in which case its
 * packed rows are read. Compiled for Java 17 with {@code --add-modules jdk.incubator.vector};
 * loaded only when that module is present.
 *
 * <p>Every vector lives in one method: a vector passed to or returned from a call that C2 does
 * not inline is boxed, and a boxed accumulator in the inner loop is about 20 times slower (seen
 * when an on-stack-replacement compile of the loop ran first). So accumulators start at zero
 * and C's old values are added at the store, not loaded through a helper.
 */
final class VectorRowKernel implements RowKernel {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  /** AVX-512 has 32 vector registers: room for the 6-row tile's 24 accumulators. */
  private static final boolean SIX_ROWS = S.vectorBitSize() >= 512;

  @Override
  public void rows(GemmJob job, int from, int to) {
    int n = job.n;
    int j = 0;
    for (; j + 4 * L <= n; j += 4 * L) {
      int i = from;
      // 6-row tiles, but leave 8 or 9 rows to two 4-row tiles rather than 2 or 3 single rows.
      int sixes = SIX_ROWS ? (to - from) / 6 : 0;
      int rest = (to - from) % 6;
      if ((rest == 2 || rest == 3) && sixes > 0) {
        sixes--;
      }
      for (int t = 0; t < sixes; t++, i += 6) {
        tile6x4(job, i, j);
      }
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

  /** Rows i..i+5, columns j..j+4L: 24 accumulators, 4 loads of B and 6 broadcasts per step. */
  private static void tile6x4(GemmJob job, int i, int j) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = FloatVector.zero(S);
    FloatVector c02 = FloatVector.zero(S);
    FloatVector c03 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S);
    FloatVector c11 = FloatVector.zero(S);
    FloatVector c12 = FloatVector.zero(S);
    FloatVector c13 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S);
    FloatVector c21 = FloatVector.zero(S);
    FloatVector c22 = FloatVector.zero(S);
    FloatVector c23 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S);
    FloatVector c31 = FloatVector.zero(S);
    FloatVector c32 = FloatVector.zero(S);
    FloatVector c33 = FloatVector.zero(S);
    FloatVector c40 = FloatVector.zero(S);
    FloatVector c41 = FloatVector.zero(S);
    FloatVector c42 = FloatVector.zero(S);
    FloatVector c43 = FloatVector.zero(S);
    FloatVector c50 = FloatVector.zero(S);
    FloatVector c51 = FloatVector.zero(S);
    FloatVector c52 = FloatVector.zero(S);
    FloatVector c53 = FloatVector.zero(S);
    float[] a = job.a;
    int rs = job.rowStride;
    int cs = job.colStride;
    int a0 = job.ao + i * rs;
    float[][] rows = job.rows;
    float[] inPlace = job.b;
    int n = job.n;
    for (int p = 0; p < job.k; p++) {
      float[] row = rows != null ? rows[p] : inPlace;
      int col = rows != null ? j : job.bo + p * n + j;
      FloatVector b0 = FloatVector.fromArray(S, row, col);
      FloatVector b1 = FloatVector.fromArray(S, row, col + L);
      FloatVector b2 = FloatVector.fromArray(S, row, col + 2 * L);
      FloatVector b3 = FloatVector.fromArray(S, row, col + 3 * L);
      int at = a0 + p * cs;
      FloatVector s;
      s = FloatVector.broadcast(S, a[at]);
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
      s = FloatVector.broadcast(S, a[at + 4 * rs]);
      c40 = b0.fma(s, c40);
      c41 = b1.fma(s, c41);
      c42 = b2.fma(s, c42);
      c43 = b3.fma(s, c43);
      s = FloatVector.broadcast(S, a[at + 5 * rs]);
      c50 = b0.fma(s, c50);
      c51 = b1.fma(s, c51);
      c52 = b2.fma(s, c52);
      c53 = b3.fma(s, c53);
    }
    float[] c = job.c;
    int r0 = job.co + i * n + j;
    if (job.accumulate) {
      c00 = c00.add(FloatVector.fromArray(S, c, r0));
      c01 = c01.add(FloatVector.fromArray(S, c, r0 + L));
      c02 = c02.add(FloatVector.fromArray(S, c, r0 + 2 * L));
      c03 = c03.add(FloatVector.fromArray(S, c, r0 + 3 * L));
      c10 = c10.add(FloatVector.fromArray(S, c, r0 + n));
      c11 = c11.add(FloatVector.fromArray(S, c, r0 + n + L));
      c12 = c12.add(FloatVector.fromArray(S, c, r0 + n + 2 * L));
      c13 = c13.add(FloatVector.fromArray(S, c, r0 + n + 3 * L));
      c20 = c20.add(FloatVector.fromArray(S, c, r0 + 2 * n));
      c21 = c21.add(FloatVector.fromArray(S, c, r0 + 2 * n + L));
      c22 = c22.add(FloatVector.fromArray(S, c, r0 + 2 * n + 2 * L));
      c23 = c23.add(FloatVector.fromArray(S, c, r0 + 2 * n + 3 * L));
      c30 = c30.add(FloatVector.fromArray(S, c, r0 + 3 * n));
      c31 = c31.add(FloatVector.fromArray(S, c, r0 + 3 * n + L));
      c32 = c32.add(FloatVector.fromArray(S, c, r0 + 3 * n + 2 * L));
      c33 = c33.add(FloatVector.fromArray(S, c, r0 + 3 * n + 3 * L));
      c40 = c40.add(FloatVector.fromArray(S, c, r0 + 4 * n));
      c41 = c41.add(FloatVector.fromArray(S, c, r0 + 4 * n + L));
      c42 = c42.add(FloatVector.fromArray(S, c, r0 + 4 * n + 2 * L));
      c43 = c43.add(FloatVector.fromArray(S, c, r0 + 4 * n + 3 * L));
      c50 = c50.add(FloatVector.fromArray(S, c, r0 + 5 * n));
      c51 = c51.add(FloatVector.fromArray(S, c, r0 + 5 * n + L));
      c52 = c52.add(FloatVector.fromArray(S, c, r0 + 5 * n + 2 * L));
      c53 = c53.add(FloatVector.fromArray(S, c, r0 + 5 * n + 3 * L));
    }
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
    c40.intoArray(c, r0 + 4 * n);
    c41.intoArray(c, r0 + 4 * n + L);
    c42.intoArray(c, r0 + 4 * n + 2 * L);
    c43.intoArray(c, r0 + 4 * n + 3 * L);
    c50.intoArray(c, r0 + 5 * n);
    c51.intoArray(c, r0 + 5 * n + L);
    c52.intoArray(c, r0 + 5 * n + 2 * L);
    c53.intoArray(c, r0 + 5 * n + 3 * L);
  }

  /** Rows i..i+3, columns j..j+4L. */
  private static void tile4x4(GemmJob job, int i, int j) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = FloatVector.zero(S);
    FloatVector c02 = FloatVector.zero(S);
    FloatVector c03 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S);
    FloatVector c11 = FloatVector.zero(S);
    FloatVector c12 = FloatVector.zero(S);
    FloatVector c13 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S);
    FloatVector c21 = FloatVector.zero(S);
    FloatVector c22 = FloatVector.zero(S);
    FloatVector c23 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S);
    FloatVector c31 = FloatVector.zero(S);
    FloatVector c32 = FloatVector.zero(S);
    FloatVector c33 = FloatVector.zero(S);
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
    if (job.accumulate) {
      c00 = c00.add(FloatVector.fromArray(S, c, r0));
      c01 = c01.add(FloatVector.fromArray(S, c, r0 + L));
      c02 = c02.add(FloatVector.fromArray(S, c, r0 + 2 * L));
      c03 = c03.add(FloatVector.fromArray(S, c, r0 + 3 * L));
      c10 = c10.add(FloatVector.fromArray(S, c, r0 + n));
      c11 = c11.add(FloatVector.fromArray(S, c, r0 + n + L));
      c12 = c12.add(FloatVector.fromArray(S, c, r0 + n + 2 * L));
      c13 = c13.add(FloatVector.fromArray(S, c, r0 + n + 3 * L));
      c20 = c20.add(FloatVector.fromArray(S, c, r0 + 2 * n));
      c21 = c21.add(FloatVector.fromArray(S, c, r0 + 2 * n + L));
      c22 = c22.add(FloatVector.fromArray(S, c, r0 + 2 * n + 2 * L));
      c23 = c23.add(FloatVector.fromArray(S, c, r0 + 2 * n + 3 * L));
      c30 = c30.add(FloatVector.fromArray(S, c, r0 + 3 * n));
      c31 = c31.add(FloatVector.fromArray(S, c, r0 + 3 * n + L));
      c32 = c32.add(FloatVector.fromArray(S, c, r0 + 3 * n + 2 * L));
      c33 = c33.add(FloatVector.fromArray(S, c, r0 + 3 * n + 3 * L));
    }
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
      FloatVector acc = FloatVector.zero(S);
      int a0 = job.ao + i * job.rowStride;
      for (int p = 0; p < job.k; p++) {
        float s = job.a[a0 + p * job.colStride];
        if (s != 0) {
          FloatVector row = job.rows != null ? FloatVector.fromArray(S, job.rows[p], col)
              : FloatVector.fromArray(S, job.b, job.bo + p * job.n + col);
          acc = row.fma(FloatVector.broadcast(S, s), acc);
        }
      }
      int at = job.co + i * job.n + col;
      if (job.accumulate) {
        acc = acc.add(FloatVector.fromArray(S, job.c, at));
      }
      acc.intoArray(job.c, at);
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
