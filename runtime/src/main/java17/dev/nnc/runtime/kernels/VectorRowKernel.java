package dev.nnc.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked kernel: a tile of 6 rows of C stays in vector registers while the shared
 * dimension runs, so each row of B is loaded once per 6 rows of A and every load feeds six fused
 * multiply-adds. The tile is 4 vectors wide on AVX-512 (24 of its 32 registers) and 2 vectors on
 * AVX2 (12 of 16; 4-row tiles throughout on JDKs other than 17, see {@link #SIX_ROW_TILES});
 * 4-row tiles and single rows take the remainder; the 6-row tile is the faster of the two where
 * C2 keeps its accumulators in registers (see docs/performance.md). AVX-512 reads B in place
 * (vector loads take any offset), column tiles the outer loop so that one tile of B stays in
 * cache while all row blocks pass over it; AVX2 copies both operands into packed blocks first
 * (see {@link #blocked}). Products at most two vectors wide have tiles of their own
 * ({@link #narrowRows}). Compiled for Java 17 with {@code --add-modules jdk.incubator.vector};
 * loaded only when that module is present.
 *
 * <p>Every vector lives in one method: a vector passed to or returned from a call that C2 does
 * not inline is boxed, and a boxed accumulator in the inner loop is many times slower (seen
 * when an on-stack-replacement compile of the loop ran first). So accumulators start at zero
 * and C's old values are added at the store, not loaded through a helper.
 */
final class VectorRowKernel implements RowKernel {
  private static final VectorSpecies<Float> S = species();
  private static final int L = S.length();
  /**
   * AVX-512 has 32 vector registers: room for tiles 4 vectors wide (24 accumulators in the 6-row
   * tile). With 16 registers (AVX2) tiles are 2 vectors wide, 12 accumulators at most.
   */
  private static final boolean WIDE = S.vectorBitSize() >= 512;
  /**
   * Whether the AVX2 tiles are 6 rows high (12 accumulators, all 16 registers in use) or 4 (8):
   * 6 on JDK 17, 4 on other versions, unless the system property {@code nnc.vector.tileRows}
   * says 6 or 4 (AVX-512 tiles are always 6 rows). JDK 25's C2 spills two of the 6-row tile's
   * accumulators to the stack, which makes 4-row tiles faster there, while on JDK 17 the 6-row
   * tiles are faster (figures in docs/performance.md). Versions in between were not measured;
   * the 4-row tiles lose less if guessed wrong. Both heights sum every element in the same
   * order, so results are the same.
   */
  private static final boolean SIX_ROW_TILES = sixRowTilesDefault();
  /** Fewer rows than this read B in place on AVX2 too. */
  private static final int MIN_PANEL_ROWS = 16;

  /**
   * The machine's widest float vector, unless the system property {@code nnc.vector.bits} asks
   * for 256 or 512 (the tests use it to run both tile shapes on any machine).
   */
  private static VectorSpecies<Float> species() {
    String bits = System.getProperty("nnc.vector.bits", "");
    switch (bits) {
      case "256":
        return FloatVector.SPECIES_256;
      case "512":
        return FloatVector.SPECIES_512;
      default:
        return FloatVector.SPECIES_PREFERRED;
    }
  }

  private static boolean sixRowTilesDefault() {
    switch (System.getProperty("nnc.vector.tileRows", "")) {
      case "6":
        return true;
      case "4":
        return WIDE;
      default:
        return WIDE || Runtime.version().feature() == 17;
    }
  }

  @Override
  public void rows(GemmJob job, int from, int to, int slot) {
    int n = job.n;
    int k = job.k;
    int width = (WIDE ? 4 : 2) * L;
    // Columns the register tiles cover; fewer than 4 rows go one row at a time.
    int tiled = to - from >= 4 ? n / width * width : 0;
    if (tiled > 0) {
      if (!WIDE && to - from >= MIN_PANEL_ROWS) {
        blocked(job, from, to, tiled, slot);
      } else {
        // AVX-512 reads B in place, as do a few rows on AVX2, where packing costs about as much
        // as the product (dW2 = hᵀ·dlogits, computed transposed, has 10 rows); B's rows packed
        // apart (nt) are first copied into contiguous column panels.
        boolean inPlace = job.rows == null;
        float[] panels = inPlace ? null : job.scratch(slot, k * tiled);
        if (!inPlace) {
          packPanels(job, 0, k, tiled, width, panels);
        }
        for (int j = 0; j < tiled; j += width) {
          if (inPlace) {
            tileRows(job, from, to, j, job.b, job.bo + j, n);
          } else {
            tileRows(job, from, to, j, panels, j * k, width);
          }
        }
      }
    }
    int j = tiled;
    for (; j + L <= n; j += L) {
      int i = from;
      // A last vector of columns (LeNet's 120-wide layer: 8 columns past the panels) in tiles of 6
      // rows: tile1 loads B once per row, and its zero test mispredicts on ReLU outputs
      for (; i + 6 <= to; i += 6) {
        int c0 = job.co + i * n + j;
        int a0 = job.ao + i * job.rowStride;
        if (job.rows == null) {
          tile6x1(job.a, a0, job.rowStride, job.colStride, k, job.b, job.bo + j, n, job.c, c0, n,
              job.accumulate);
        } else {
          tile6x1Rows(job.a, a0, job.rowStride, job.colStride, k, job.rows, j, job.c, c0, n,
              job.accumulate);
        }
      }
      for (; i < to; i++) {
        tile1(job, i, j);
      }
    }
    if (j < n) {
      for (int i = from; i < to; i++) {
        tail(job, i, j);
      }
    }
  }

  /**
   * Steps of the shared dimension per block of the AVX2 path: the whole of k = 784 or 1024 in one
   * block, which measured faster than smaller blocks (docs/performance.md).
   */
  private static final int KC = 1024;
  /** Rows of A per packed block of the AVX2 path (any value from 24 to 144 performs alike). */
  private static final int MC = 48;
  /**
   * Rows [from, to), columns [0, tiled) on AVX2, blocked as in GotoBLAS: for each block of KC
   * steps of the shared dimension, B's block is copied into column panels 2 vectors wide, and
   * for each block of MC rows, A's block is copied so that the tiles read A's coefficients at
   * constant distances from one index, which lets C2 drop most bounds checks (figures in
   * docs/performance.md). A row-major A (x in x·W1) is copied row by
   * row, rows {@link #ROW_STRIDE} apart ({@link #copyRows}, tiles {@link #rows6x2}); an A stored
   * transposed (xᵀ in xᵀ·dh) into micro-panels of 6 (or 4, or 1) rows stored step by step
   * ({@link #packA}, tiles {@link #packed6x2}), since there a step's coefficients are what lies
   * side by side. Each layout is the one its A copies into fastest, the tiles themselves running
   * at the same speed. Reading xᵀ in place for dW1 = xᵀ·dh saved too little to justify a second
   * copy of each tile with a variable stride (docs/tuning-log.md).
   */
  private static void blocked(GemmJob job, int from, int to, int tiled, int slot) {
    int k = job.k;
    int width = 2 * L;
    int kcMax = Math.min(KC, k);
    int mcMax = Math.min(MC, to - from);
    boolean aRows = job.colStride == 1;
    // L floats of slack: packA's vector copies write up to L - 1 past the last step.
    float[] scratch = job.scratch(slot, kcMax * tiled + mcMax * (aRows ? ROW_STRIDE : kcMax) + L);
    int aBase = kcMax * tiled;
    float[] c = job.c;
    int n = job.n;
    for (int pc = 0; pc < k; pc += kcMax) {
      int kc = Math.min(kcMax, k - pc);
      boolean add = job.accumulate || pc > 0;
      packPanels(job, pc, kc, tiled, width, scratch);
      for (int ic = from; ic < to; ic += mcMax) {
        int mc = Math.min(mcMax, to - ic);
        if (aRows) {
          copyRows(job, ic, mc, pc, kc, scratch, aBase);
        } else {
          packA(job, ic, mc, pc, kc, scratch, aBase);
        }
        // Floats of A's copy per row of C: a row of the row layout, or kc in the micro-panels.
        int rowStep = aRows ? ROW_STRIDE : kc;
        for (int j = 0; j < tiled; j += width) {
          int i = 0;
          int at = aBase;
          for (int t = sixRowTiles(mc); t > 0; t--, i += 6, at += 6 * rowStep) {
            int c0 = job.co + (ic + i) * n + j;
            if (aRows) {
              rows6x2(scratch, at, scratch, j * kc, kc, c, c0, n, add);
            } else {
              packed6x2(scratch, at, scratch, j * kc, kc, c, c0, n, add);
            }
          }
          for (; i + 4 <= mc; i += 4, at += 4 * rowStep) {
            int c0 = job.co + (ic + i) * n + j;
            if (aRows) {
              rows4x2(scratch, at, scratch, j * kc, kc, c, c0, n, add);
            } else {
              packed4x2(scratch, at, scratch, j * kc, kc, c, c0, n, add);
            }
          }
          for (; i < mc; i++, at += rowStep) {
            row1(scratch, at, 1, kc, 2, scratch, j * kc, width, c, job.co + (ic + i) * n + j, add);
          }
        }
      }
    }
  }

  /**
   * Distance between A's rows in the row layout of the AVX2 path (row-major A): KC and 16 floats
   * more, so that six rows are not a multiple of 4 KB apart and do not share L1 cache sets. A
   * constant, so the tiles address a row as a fixed displacement from one index.
   */
  private static final int ROW_STRIDE = KC + 16;

  /**
   * Copies rows [i0, i0 + mc), steps [pc, pc + kc) of a row-major A to {@code to}, row i at
   * {@code at + i * ROW_STRIDE}: straight row copies. Interleaving them step by step (the
   * micro-panels {@link #packed6x2} reads) is a transpose, several times slower per float than
   * these copies (docs/performance.md).
   */
  private static void copyRows(GemmJob job, int i0, int mc, int pc, int kc, float[] to, int at) {
    for (int i = 0; i < mc; i++) {
      System.arraycopy(job.a, job.ao + (i0 + i) * job.rowStride + pc, to, at + i * ROW_STRIDE, kc);
    }
  }

  /**
   * Copies A's rows [i0, i0 + mc), steps [pc, pc + kc) into micro-panels at {@code to}: the
   * 6-row tiles' rows (then 4-row tiles', then single rows, as {@link #sixRowTiles} splits them)
   * interleaved step by step, so a tile reads its 6 coefficients of each step side by side. Used
   * for an A stored transposed; a row-major A goes to {@link #copyRows}.
   */
  private static void packA(GemmJob job, int i0, int mc, int pc, int kc, float[] to, int at) {
    float[] a = job.a;
    int rs = job.rowStride;
    int cs = job.colStride;
    int i = 0;
    int sixes = sixRowTiles(mc);
    for (int t = 0; t < sixes; t++, i += 6) {
      at = interleave(a, job.ao + (i0 + i) * rs + pc * cs, rs, cs, 6, kc, to, at);
    }
    for (; i + 4 <= mc; i += 4) {
      at = interleave(a, job.ao + (i0 + i) * rs + pc * cs, rs, cs, 4, kc, to, at);
    }
    for (; i < mc; i++) {
      at = interleave(a, job.ao + (i0 + i) * rs + pc * cs, rs, cs, 1, kc, to, at);
    }
  }

  /**
   * to[at + p * r + q] = A[q][p] for q < r, p < kc, A[q][p] = a[start + q * rs + p * cs];
   * returns the next free index. For A stored transposed (xᵀ in xᵀ·dh; a row-major A is copied
   * row by row instead, see {@link #copyRows}). Step by step, so the stores are consecutive: a
   * loop over the rows with strided stores (or an arraycopy call per step) made whole products
   * slower. With {@code rs == 1} a step's coefficients are side by side and one vector copies
   * them, in half the time of the scalar copy (docs/performance.md).
   */
  private static int interleave(float[] a, int start, int rs, int cs, int r, int kc, float[] to,
      int at) {
    if (rs == 1 && r > 1 && r <= L) {
      // One vector copy per step: its last L - r lanes are overwritten by the next step, or by
      // the next micro-panel, or land in the slack at the end of the scratch array.
      int copies = vectorSteps(start, cs, kc, a.length, at, r, to.length);
      int p = 0;
      int s = start;
      for (; p < copies; p++, s += cs, at += r) {
        FloatVector.fromArray(S, a, s).intoArray(to, at);
      }
      for (; p < kc; p++, s += cs) {
        for (int q = 0; q < r; q++) {
          to[at++] = a[s + q];
        }
      }
    } else {
      for (int p = 0, s = start; p < kc; p++, s += cs) {
        for (int q = 0; q < r; q++) {
          to[at++] = a[s + q * rs];
        }
      }
    }
    return at;
  }

  /**
   * How many of the steps p < kc, reading L floats at {@code start + p * cs} and writing L at
   * {@code at + p * r}, stay inside both arrays (cs, r ≥ 1: the steps advance through both, so a
   * prefix). The first test is the usual case, all of them, without dividing.
   */
  private static int vectorSteps(int start, int cs, int kc, int aLength, int at, int r,
      int toLength) {
    if (start + (long) (kc - 1) * cs + L <= aLength && at + (long) (kc - 1) * r + L <= toLength) {
      return kc;
    }
    long byA = Math.floorDiv((long) aLength - L - start, cs) + 1;
    long byTo = Math.floorDiv((long) toLength - L - at, r) + 1;
    return (int) Math.max(0, Math.min(kc, Math.min(byA, byTo)));
  }

  /**
   * Rows [i0, i1) of the column tile at j: 6-row and 4-row register tiles, then single rows. Row
   * p of the tile's columns of B starts at {@code src[base + p * stride]}.
   */
  private static void tileRows(GemmJob job, int i0, int i1, int j, float[] src, int base,
      int stride) {
    int i = i0;
    int sixes = sixRowTiles(i1 - i0);
    int rs = job.rowStride;
    int cs = job.colStride;
    int n = job.n;
    for (int t = 0; t < sixes; t++, i += 6) {
      if (WIDE) {
        tile6x4(job, i, j, src, base, stride);
      } else {
        tile6x2(job.a, job.ao + i * rs, rs, cs, job.k, src, base, stride, job.c,
            job.co + i * n + j, n, job.accumulate);
      }
    }
    for (; i + 4 <= i1; i += 4) {
      if (WIDE) {
        tile4x4(job, i, j, src, base, stride);
      } else {
        tile4x2(job.a, job.ao + i * rs, rs, cs, job.k, src, base, stride, job.c,
            job.co + i * n + j, n, job.accumulate);
      }
    }
    for (; i < i1; i++) {
      row1(job.a, job.ao + i * rs, cs, job.k, WIDE ? 4 : 2, src, base, stride, job.c,
          job.co + i * n + j, job.accumulate);
    }
  }

  /**
   * Copies B's steps [pc, pc + kc), columns [0, tiled) into column panels {@code width} wide,
   * panel j / width at {@code j * kc}: the tiles then stream through consecutive addresses
   * instead of addresses a whole B row apart, which for rows of 1 KB or more fall into a few
   * cache sets and evict each other. Row by row, so B is read front to back once; vector copies,
   * as a System.arraycopy call per row cost more than the copy at these widths.
   */
  private static void packPanels(GemmJob job, int pc, int kc, int tiled, int width,
      float[] panels) {
    float[][] rows = job.rows;
    for (int p = pc; p < pc + kc; p++) {
      float[] from = rows != null ? rows[p] : job.b;
      int start = rows != null ? 0 : job.bo + p * job.n;
      int at = (p - pc) * width;
      for (int j = 0; j < tiled; j += width, at += kc * width) {
        for (int v = 0; v < width; v += L) {
          FloatVector.fromArray(S, from, start + j + v).intoArray(panels, at + v);
        }
      }
    }
  }

  /**
   * How many 6-row tiles to use for this many rows: 8 or 9 rows go to two 4-row tiles instead,
   * and every row to 4-row tiles where {@link #SIX_ROW_TILES} is off.
   */
  private static int sixRowTiles(int rows) {
    if (!SIX_ROW_TILES) {
      return 0;
    }
    int sixes = rows / 6;
    int rest = rows % 6;
    return (rest == 2 || rest == 3) && sixes > 0 ? sixes - 1 : sixes;
  }

  @Override
  public int vectorLength() {
    return L;
  }

  @Override
  public void narrowRows(GemmJob job, int from, int to, int slot) {
    float[] scratch = job.scratch(slot, 12 * L);
    int i = from;
    if (job.n <= L) {
      for (; i + 8 <= to; i += 8) {
        narrow8(job, i, scratch);
      }
    } else {
      for (; i + 6 <= to; i += 6) {
        narrow6x2(job, i, scratch);
      }
    }
    int vectors = job.n <= L ? 1 : 2;
    for (; i < to; i++) {
      narrow1(job, i, vectors, scratch);
    }
  }

  @Override
  public int copyNarrowRows(float[] b, int bo, int n, int k, float[] to, int width) {
    int p = 0;
    for (int from = bo; p < k && from + width <= b.length; p++, from += n) {
      for (int v = 0; v < width; v += L) {
        FloatVector.fromArray(S, b, from + v).intoArray(to, p * width + v);
      }
    }
    return p;
  }

  @Override
  public void dotRows(int m, int n, int k, float[] a, int ao, float[] b, int bo, float[] c,
      int co, boolean accumulate) {
    int steps = k / L * L;
    for (int i = 0; i < m; i++) {
      int a0 = ao + i * k;
      int c0 = co + i * n;
      int j = 0;
      for (; j + 4 <= n; j += 4) {
        dot4(a, a0, b, bo + j * k, k, steps, c, c0 + j, accumulate);
      }
      for (; j < n; j++) {
        int b0 = bo + j * k;
        FloatVector acc = FloatVector.zero(S);
        for (int p = 0; p < steps; p += L) {
          acc = FloatVector.fromArray(S, a, a0 + p).fma(FloatVector.fromArray(S, b, b0 + p), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (int p = steps; p < k; p++) {
          sum += a[a0 + p] * b[b0 + p];
        }
        c[c0 + j] = accumulate ? c[c0 + j] + sum : sum;
      }
    }
  }

  /**
   * Four elements of a row of C: A's row against four consecutive rows of B (from b0, k apart),
   * four independent accumulators sharing each load of A.
   */
  private static void dot4(float[] a, int a0, float[] b, int b0, int k, int steps, float[] c,
      int at, boolean accumulate) {
    FloatVector acc0 = FloatVector.zero(S);
    FloatVector acc1 = FloatVector.zero(S);
    FloatVector acc2 = FloatVector.zero(S);
    FloatVector acc3 = FloatVector.zero(S);
    for (int p = 0; p < steps; p += L) {
      FloatVector av = FloatVector.fromArray(S, a, a0 + p);
      acc0 = av.fma(FloatVector.fromArray(S, b, b0 + p), acc0);
      acc1 = av.fma(FloatVector.fromArray(S, b, b0 + k + p), acc1);
      acc2 = av.fma(FloatVector.fromArray(S, b, b0 + 2 * k + p), acc2);
      acc3 = av.fma(FloatVector.fromArray(S, b, b0 + 3 * k + p), acc3);
    }
    float s0 = acc0.reduceLanes(VectorOperators.ADD);
    float s1 = acc1.reduceLanes(VectorOperators.ADD);
    float s2 = acc2.reduceLanes(VectorOperators.ADD);
    float s3 = acc3.reduceLanes(VectorOperators.ADD);
    for (int p = steps; p < k; p++) {
      float av = a[a0 + p];
      s0 += av * b[b0 + p];
      s1 += av * b[b0 + k + p];
      s2 += av * b[b0 + 2 * k + p];
      s3 += av * b[b0 + 3 * k + p];
    }
    if (accumulate) {
      s0 += c[at];
      s1 += c[at + 1];
      s2 += c[at + 2];
      s3 += c[at + 3];
    }
    c[at] = s0;
    c[at + 1] = s1;
    c[at + 2] = s2;
    c[at + 3] = s3;
  }

  /** Copies the first n lanes of scratch row r (rows {@code width} apart) into C's row i. */
  private static void storeNarrow(GemmJob job, float[] scratch, int r, int width, int i) {
    float[] c = job.c;
    int at = job.co + i * job.n;
    int from = r * width;
    if (job.accumulate) {
      for (int j = 0; j < job.n; j++) {
        c[at + j] += scratch[from + j];
      }
    } else {
      System.arraycopy(scratch, from, c, at, job.n);
    }
  }

  /**
   * Rows i..i+7 of a narrow product: eight independent accumulators (enough to hide the
   * multiply-add latency), one load of B's padded row and eight broadcasts of A per step. A's
   * rows are read at the step index plus a fixed offset each, so C2 checks their bounds once,
   * before the loop; B's index advances apart and keeps its check.
   */
  private static void narrow8(GemmJob job, int i, float[] scratch) {
    float[] a = job.a;
    int rs = job.rowStride;
    int r0 = job.ao + i * rs;
    int r1 = r0 + rs;
    int r2 = r1 + rs;
    int r3 = r2 + rs;
    int r4 = r3 + rs;
    int r5 = r4 + rs;
    int r6 = r5 + rs;
    int r7 = r6 + rs;
    float[] bp = job.narrowB;
    int width = job.narrowWidth;
    FloatVector c0 = FloatVector.zero(S);
    FloatVector c1 = FloatVector.zero(S);
    FloatVector c2 = FloatVector.zero(S);
    FloatVector c3 = FloatVector.zero(S);
    FloatVector c4 = FloatVector.zero(S);
    FloatVector c5 = FloatVector.zero(S);
    FloatVector c6 = FloatVector.zero(S);
    FloatVector c7 = FloatVector.zero(S);
    for (int p = 0, col = 0; p < job.k; p++, col += width) {
      FloatVector b = FloatVector.fromArray(S, bp, col);
      c0 = b.fma(FloatVector.broadcast(S, a[r0 + p]), c0);
      c1 = b.fma(FloatVector.broadcast(S, a[r1 + p]), c1);
      c2 = b.fma(FloatVector.broadcast(S, a[r2 + p]), c2);
      c3 = b.fma(FloatVector.broadcast(S, a[r3 + p]), c3);
      c4 = b.fma(FloatVector.broadcast(S, a[r4 + p]), c4);
      c5 = b.fma(FloatVector.broadcast(S, a[r5 + p]), c5);
      c6 = b.fma(FloatVector.broadcast(S, a[r6 + p]), c6);
      c7 = b.fma(FloatVector.broadcast(S, a[r7 + p]), c7);
    }
    c0.intoArray(scratch, 0);
    c1.intoArray(scratch, L);
    c2.intoArray(scratch, 2 * L);
    c3.intoArray(scratch, 3 * L);
    c4.intoArray(scratch, 4 * L);
    c5.intoArray(scratch, 5 * L);
    c6.intoArray(scratch, 6 * L);
    c7.intoArray(scratch, 7 * L);
    for (int r = 0; r < 8; r++) {
      storeNarrow(job, scratch, r, L, i + r);
    }
  }

  /**
   * Rows i..i+5 of a narrow product 2 vectors wide (more than 8 columns on AVX2): 12
   * accumulators, two loads of B's padded row and six broadcasts of A per step, A and B indexed
   * as in {@link #narrow8}.
   */
  private static void narrow6x2(GemmJob job, int i, float[] scratch) {
    float[] a = job.a;
    int rs = job.rowStride;
    int r0 = job.ao + i * rs;
    int r1 = r0 + rs;
    int r2 = r1 + rs;
    int r3 = r2 + rs;
    int r4 = r3 + rs;
    int r5 = r4 + rs;
    float[] bp = job.narrowB;
    int width = job.narrowWidth;
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S);
    FloatVector c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S);
    FloatVector c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S);
    FloatVector c31 = FloatVector.zero(S);
    FloatVector c40 = FloatVector.zero(S);
    FloatVector c41 = FloatVector.zero(S);
    FloatVector c50 = FloatVector.zero(S);
    FloatVector c51 = FloatVector.zero(S);
    for (int p = 0, col = 0; p < job.k; p++, col += width) {
      FloatVector b0 = FloatVector.fromArray(S, bp, col);
      FloatVector b1 = FloatVector.fromArray(S, bp, col + L);
      FloatVector s = FloatVector.broadcast(S, a[r0 + p]);
      c00 = b0.fma(s, c00);
      c01 = b1.fma(s, c01);
      s = FloatVector.broadcast(S, a[r1 + p]);
      c10 = b0.fma(s, c10);
      c11 = b1.fma(s, c11);
      s = FloatVector.broadcast(S, a[r2 + p]);
      c20 = b0.fma(s, c20);
      c21 = b1.fma(s, c21);
      s = FloatVector.broadcast(S, a[r3 + p]);
      c30 = b0.fma(s, c30);
      c31 = b1.fma(s, c31);
      s = FloatVector.broadcast(S, a[r4 + p]);
      c40 = b0.fma(s, c40);
      c41 = b1.fma(s, c41);
      s = FloatVector.broadcast(S, a[r5 + p]);
      c50 = b0.fma(s, c50);
      c51 = b1.fma(s, c51);
    }
    c00.intoArray(scratch, 0);
    c01.intoArray(scratch, L);
    c10.intoArray(scratch, 2 * L);
    c11.intoArray(scratch, 3 * L);
    c20.intoArray(scratch, 4 * L);
    c21.intoArray(scratch, 5 * L);
    c30.intoArray(scratch, 6 * L);
    c31.intoArray(scratch, 7 * L);
    c40.intoArray(scratch, 8 * L);
    c41.intoArray(scratch, 9 * L);
    c50.intoArray(scratch, 10 * L);
    c51.intoArray(scratch, 11 * L);
    for (int r = 0; r < 6; r++) {
      storeNarrow(job, scratch, r, 2 * L, i + r);
    }
  }

  /** One row of a narrow product, 1 or 2 vectors wide, for the rows the tiles leave. */
  private static void narrow1(GemmJob job, int i, int vectors, float[] scratch) {
    int a0 = job.ao + i * job.rowStride;
    float[] bp = job.narrowB;
    int width = job.narrowWidth;
    for (int v = 0; v < vectors; v++) {
      FloatVector acc = FloatVector.zero(S);
      for (int p = 0, col = v * L; p < job.k; p++, col += width) {
        acc = FloatVector.fromArray(S, bp, col)
            .fma(FloatVector.broadcast(S, job.a[a0 + p]), acc);
      }
      acc.intoArray(scratch, v * L);
    }
    storeNarrow(job, scratch, 0, vectors * L, i);
  }

  /** Rows i..i+5, columns j..j+4L: 24 accumulators, 4 loads of B and 6 broadcasts per step. */
  private static void tile6x4(GemmJob job, int i, int j, float[] src, int base, int stride) {
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
    for (int p = 0, col = base; p < job.k; p++, col += stride) {
      FloatVector b0 = FloatVector.fromArray(S, src, col);
      FloatVector b1 = FloatVector.fromArray(S, src, col + L);
      FloatVector b2 = FloatVector.fromArray(S, src, col + 2 * L);
      FloatVector b3 = FloatVector.fromArray(S, src, col + 3 * L);
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
    int n = job.n;
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
  private static void tile4x4(GemmJob job, int i, int j, float[] src, int base, int stride) {
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
    for (int p = 0, col = base; p < job.k; p++, col += stride) {
      FloatVector b0 = FloatVector.fromArray(S, src, col);
      FloatVector b1 = FloatVector.fromArray(S, src, col + L);
      FloatVector b2 = FloatVector.fromArray(S, src, col + 2 * L);
      FloatVector b3 = FloatVector.fromArray(S, src, col + 3 * L);
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
    }
    float[] c = job.c;
    int n = job.n;
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

  /** Rows i..i+5 of C (row 0 at c0), 2 vectors of columns: 12 accumulators, the tile for 16-register machines (AVX2). A[r][p] = a[a0 + r * rs + p * cs]; row p of B's columns at src[base + p * stride]. */
  private static void tile6x2(float[] a, int a0, int rs, int cs, int k, float[] src, int base,
      int stride, float[] c, int c0, int n, boolean add) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S);
    FloatVector c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S);
    FloatVector c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S);
    FloatVector c31 = FloatVector.zero(S);
    FloatVector c40 = FloatVector.zero(S);
    FloatVector c41 = FloatVector.zero(S);
    FloatVector c50 = FloatVector.zero(S);
    FloatVector c51 = FloatVector.zero(S);
    for (int p = 0, col = base, at = a0; p < k; p++, col += stride, at += cs) {
      FloatVector b0 = FloatVector.fromArray(S, src, col);
      FloatVector b1 = FloatVector.fromArray(S, src, col + L);
      FloatVector s;
      s = FloatVector.broadcast(S, a[at]);
      c00 = b0.fma(s, c00);
      c01 = b1.fma(s, c01);
      s = FloatVector.broadcast(S, a[at + rs]);
      c10 = b0.fma(s, c10);
      c11 = b1.fma(s, c11);
      s = FloatVector.broadcast(S, a[at + 2 * rs]);
      c20 = b0.fma(s, c20);
      c21 = b1.fma(s, c21);
      s = FloatVector.broadcast(S, a[at + 3 * rs]);
      c30 = b0.fma(s, c30);
      c31 = b1.fma(s, c31);
      s = FloatVector.broadcast(S, a[at + 4 * rs]);
      c40 = b0.fma(s, c40);
      c41 = b1.fma(s, c41);
      s = FloatVector.broadcast(S, a[at + 5 * rs]);
      c50 = b0.fma(s, c50);
      c51 = b1.fma(s, c51);
    }
    if (add) {
      c00 = c00.add(FloatVector.fromArray(S, c, c0));
      c01 = c01.add(FloatVector.fromArray(S, c, c0 + L));
      c10 = c10.add(FloatVector.fromArray(S, c, c0 + n));
      c11 = c11.add(FloatVector.fromArray(S, c, c0 + n + L));
      c20 = c20.add(FloatVector.fromArray(S, c, c0 + 2 * n));
      c21 = c21.add(FloatVector.fromArray(S, c, c0 + 2 * n + L));
      c30 = c30.add(FloatVector.fromArray(S, c, c0 + 3 * n));
      c31 = c31.add(FloatVector.fromArray(S, c, c0 + 3 * n + L));
      c40 = c40.add(FloatVector.fromArray(S, c, c0 + 4 * n));
      c41 = c41.add(FloatVector.fromArray(S, c, c0 + 4 * n + L));
      c50 = c50.add(FloatVector.fromArray(S, c, c0 + 5 * n));
      c51 = c51.add(FloatVector.fromArray(S, c, c0 + 5 * n + L));
    }
    c00.intoArray(c, c0);
    c01.intoArray(c, c0 + L);
    c10.intoArray(c, c0 + n);
    c11.intoArray(c, c0 + n + L);
    c20.intoArray(c, c0 + 2 * n);
    c21.intoArray(c, c0 + 2 * n + L);
    c30.intoArray(c, c0 + 3 * n);
    c31.intoArray(c, c0 + 3 * n + L);
    c40.intoArray(c, c0 + 4 * n);
    c41.intoArray(c, c0 + 4 * n + L);
    c50.intoArray(c, c0 + 5 * n);
    c51.intoArray(c, c0 + 5 * n + L);
  }

  /** Rows i..i+3, 2 vectors of columns; as {@link #tile6x2}. */
  private static void tile4x2(float[] a, int a0, int rs, int cs, int k, float[] src, int base,
      int stride, float[] c, int c0, int n, boolean add) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S);
    FloatVector c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S);
    FloatVector c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S);
    FloatVector c31 = FloatVector.zero(S);
    for (int p = 0, col = base, at = a0; p < k; p++, col += stride, at += cs) {
      FloatVector b0 = FloatVector.fromArray(S, src, col);
      FloatVector b1 = FloatVector.fromArray(S, src, col + L);
      FloatVector s;
      s = FloatVector.broadcast(S, a[at]);
      c00 = b0.fma(s, c00);
      c01 = b1.fma(s, c01);
      s = FloatVector.broadcast(S, a[at + rs]);
      c10 = b0.fma(s, c10);
      c11 = b1.fma(s, c11);
      s = FloatVector.broadcast(S, a[at + 2 * rs]);
      c20 = b0.fma(s, c20);
      c21 = b1.fma(s, c21);
      s = FloatVector.broadcast(S, a[at + 3 * rs]);
      c30 = b0.fma(s, c30);
      c31 = b1.fma(s, c31);
    }
    if (add) {
      c00 = c00.add(FloatVector.fromArray(S, c, c0));
      c01 = c01.add(FloatVector.fromArray(S, c, c0 + L));
      c10 = c10.add(FloatVector.fromArray(S, c, c0 + n));
      c11 = c11.add(FloatVector.fromArray(S, c, c0 + n + L));
      c20 = c20.add(FloatVector.fromArray(S, c, c0 + 2 * n));
      c21 = c21.add(FloatVector.fromArray(S, c, c0 + 2 * n + L));
      c30 = c30.add(FloatVector.fromArray(S, c, c0 + 3 * n));
      c31 = c31.add(FloatVector.fromArray(S, c, c0 + 3 * n + L));
    }
    c00.intoArray(c, c0);
    c01.intoArray(c, c0 + L);
    c10.intoArray(c, c0 + n);
    c11.intoArray(c, c0 + n + L);
    c20.intoArray(c, c0 + 2 * n);
    c21.intoArray(c, c0 + 2 * n + L);
    c30.intoArray(c, c0 + 3 * n);
    c31.intoArray(c, c0 + 3 * n + L);
  }

  /**
   * 6 rows of C (row 0 at c0) by 2 vectors: A's 6 coefficients of each step side by side from
   * ap[a0], B's panel (2 vectors per step) from bp[b0]. The loop counts through A's index with
   * the constant stride 6, so C2 hoists A's bounds checks out of the loop and keeps B's two
   * checks per step, which also keep the broadcasts in order between the FMAs: 31 instructions
   * per step for 12 FMAs (JDK 17; gcc's loop for the same tile has 24). Counting steps instead
   * (A at a0 + 6p) keeps A's two checks and an index multiply: 37. With no check left (A padded
   * to 8 per step, or B's index derived from A's) C2 loads all six broadcasts first and spills
   * accumulators, which is much slower. The count matters when another thread shares the core:
   * this loop is as fast as the step-counting one on a quiet core and faster during the
   * machine's slow spells (docs/performance.md).
   */
  private static void packed6x2(float[] ap, int a0, float[] bp, int b0, int kc,
      float[] c, int c0, int n, boolean add) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S);
    FloatVector c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S);
    FloatVector c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S);
    FloatVector c31 = FloatVector.zero(S);
    FloatVector c40 = FloatVector.zero(S);
    FloatVector c41 = FloatVector.zero(S);
    FloatVector c50 = FloatVector.zero(S);
    FloatVector c51 = FloatVector.zero(S);
    int col = b0;
    int end = a0 + 6 * kc;
    for (int at = a0; at < end; at += 6) {
      FloatVector b0v = FloatVector.fromArray(S, bp, col);
      FloatVector b1v = FloatVector.fromArray(S, bp, col + L);
      col += 2 * L;
      FloatVector s;
      s = FloatVector.broadcast(S, ap[at]);
      c00 = b0v.fma(s, c00);
      c01 = b1v.fma(s, c01);
      s = FloatVector.broadcast(S, ap[at + 1]);
      c10 = b0v.fma(s, c10);
      c11 = b1v.fma(s, c11);
      s = FloatVector.broadcast(S, ap[at + 2]);
      c20 = b0v.fma(s, c20);
      c21 = b1v.fma(s, c21);
      s = FloatVector.broadcast(S, ap[at + 3]);
      c30 = b0v.fma(s, c30);
      c31 = b1v.fma(s, c31);
      s = FloatVector.broadcast(S, ap[at + 4]);
      c40 = b0v.fma(s, c40);
      c41 = b1v.fma(s, c41);
      s = FloatVector.broadcast(S, ap[at + 5]);
      c50 = b0v.fma(s, c50);
      c51 = b1v.fma(s, c51);
    }
    if (add) {
      c00 = c00.add(FloatVector.fromArray(S, c, c0));
      c01 = c01.add(FloatVector.fromArray(S, c, c0 + L));
      c10 = c10.add(FloatVector.fromArray(S, c, c0 + n));
      c11 = c11.add(FloatVector.fromArray(S, c, c0 + n + L));
      c20 = c20.add(FloatVector.fromArray(S, c, c0 + 2 * n));
      c21 = c21.add(FloatVector.fromArray(S, c, c0 + 2 * n + L));
      c30 = c30.add(FloatVector.fromArray(S, c, c0 + 3 * n));
      c31 = c31.add(FloatVector.fromArray(S, c, c0 + 3 * n + L));
      c40 = c40.add(FloatVector.fromArray(S, c, c0 + 4 * n));
      c41 = c41.add(FloatVector.fromArray(S, c, c0 + 4 * n + L));
      c50 = c50.add(FloatVector.fromArray(S, c, c0 + 5 * n));
      c51 = c51.add(FloatVector.fromArray(S, c, c0 + 5 * n + L));
    }
    c00.intoArray(c, c0);
    c01.intoArray(c, c0 + L);
    c10.intoArray(c, c0 + n);
    c11.intoArray(c, c0 + n + L);
    c20.intoArray(c, c0 + 2 * n);
    c21.intoArray(c, c0 + 2 * n + L);
    c30.intoArray(c, c0 + 3 * n);
    c31.intoArray(c, c0 + 3 * n + L);
    c40.intoArray(c, c0 + 4 * n);
    c41.intoArray(c, c0 + 4 * n + L);
    c50.intoArray(c, c0 + 5 * n);
    c51.intoArray(c, c0 + 5 * n + L);
  }

  /** 4 rows of C by 2 vectors, as {@link #packed6x2}. */
  private static void packed4x2(float[] ap, int a0, float[] bp, int b0, int kc,
      float[] c, int c0, int n, boolean add) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S);
    FloatVector c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S);
    FloatVector c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S);
    FloatVector c31 = FloatVector.zero(S);
    int col = b0;
    int end = a0 + 4 * kc;
    for (int at = a0; at < end; at += 4) {
      FloatVector b0v = FloatVector.fromArray(S, bp, col);
      FloatVector b1v = FloatVector.fromArray(S, bp, col + L);
      col += 2 * L;
      FloatVector s;
      s = FloatVector.broadcast(S, ap[at]);
      c00 = b0v.fma(s, c00);
      c01 = b1v.fma(s, c01);
      s = FloatVector.broadcast(S, ap[at + 1]);
      c10 = b0v.fma(s, c10);
      c11 = b1v.fma(s, c11);
      s = FloatVector.broadcast(S, ap[at + 2]);
      c20 = b0v.fma(s, c20);
      c21 = b1v.fma(s, c21);
      s = FloatVector.broadcast(S, ap[at + 3]);
      c30 = b0v.fma(s, c30);
      c31 = b1v.fma(s, c31);
    }
    if (add) {
      c00 = c00.add(FloatVector.fromArray(S, c, c0));
      c01 = c01.add(FloatVector.fromArray(S, c, c0 + L));
      c10 = c10.add(FloatVector.fromArray(S, c, c0 + n));
      c11 = c11.add(FloatVector.fromArray(S, c, c0 + n + L));
      c20 = c20.add(FloatVector.fromArray(S, c, c0 + 2 * n));
      c21 = c21.add(FloatVector.fromArray(S, c, c0 + 2 * n + L));
      c30 = c30.add(FloatVector.fromArray(S, c, c0 + 3 * n));
      c31 = c31.add(FloatVector.fromArray(S, c, c0 + 3 * n + L));
    }
    c00.intoArray(c, c0);
    c01.intoArray(c, c0 + L);
    c10.intoArray(c, c0 + n);
    c11.intoArray(c, c0 + n + L);
    c20.intoArray(c, c0 + 2 * n);
    c21.intoArray(c, c0 + 2 * n + L);
    c30.intoArray(c, c0 + 3 * n);
    c31.intoArray(c, c0 + 3 * n + L);
  }
  /**
   * {@link #packed6x2} for A in the row layout ({@link #copyRows}): step p's coefficients are
   * ap[a0 + p + q * ROW_STRIDE], so the loop counts through A's index with stride 1 and reads each
   * row at a constant displacement; the same 31 instructions per step (JDK 17) and the same speed
   * as the interleaved micro-panels.
   */
  private static void rows6x2(float[] ap, int a0, float[] bp, int b0, int kc,
      float[] c, int c0, int n, boolean add) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S);
    FloatVector c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S);
    FloatVector c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S);
    FloatVector c31 = FloatVector.zero(S);
    FloatVector c40 = FloatVector.zero(S);
    FloatVector c41 = FloatVector.zero(S);
    FloatVector c50 = FloatVector.zero(S);
    FloatVector c51 = FloatVector.zero(S);
    int col = b0;
    int end = a0 + kc;
    for (int at = a0; at < end; at++) {
      FloatVector b0v = FloatVector.fromArray(S, bp, col);
      FloatVector b1v = FloatVector.fromArray(S, bp, col + L);
      col += 2 * L;
      FloatVector s;
      s = FloatVector.broadcast(S, ap[at]);
      c00 = b0v.fma(s, c00);
      c01 = b1v.fma(s, c01);
      s = FloatVector.broadcast(S, ap[at + ROW_STRIDE]);
      c10 = b0v.fma(s, c10);
      c11 = b1v.fma(s, c11);
      s = FloatVector.broadcast(S, ap[at + 2 * ROW_STRIDE]);
      c20 = b0v.fma(s, c20);
      c21 = b1v.fma(s, c21);
      s = FloatVector.broadcast(S, ap[at + 3 * ROW_STRIDE]);
      c30 = b0v.fma(s, c30);
      c31 = b1v.fma(s, c31);
      s = FloatVector.broadcast(S, ap[at + 4 * ROW_STRIDE]);
      c40 = b0v.fma(s, c40);
      c41 = b1v.fma(s, c41);
      s = FloatVector.broadcast(S, ap[at + 5 * ROW_STRIDE]);
      c50 = b0v.fma(s, c50);
      c51 = b1v.fma(s, c51);
    }
    if (add) {
      c00 = c00.add(FloatVector.fromArray(S, c, c0));
      c01 = c01.add(FloatVector.fromArray(S, c, c0 + L));
      c10 = c10.add(FloatVector.fromArray(S, c, c0 + n));
      c11 = c11.add(FloatVector.fromArray(S, c, c0 + n + L));
      c20 = c20.add(FloatVector.fromArray(S, c, c0 + 2 * n));
      c21 = c21.add(FloatVector.fromArray(S, c, c0 + 2 * n + L));
      c30 = c30.add(FloatVector.fromArray(S, c, c0 + 3 * n));
      c31 = c31.add(FloatVector.fromArray(S, c, c0 + 3 * n + L));
      c40 = c40.add(FloatVector.fromArray(S, c, c0 + 4 * n));
      c41 = c41.add(FloatVector.fromArray(S, c, c0 + 4 * n + L));
      c50 = c50.add(FloatVector.fromArray(S, c, c0 + 5 * n));
      c51 = c51.add(FloatVector.fromArray(S, c, c0 + 5 * n + L));
    }
    c00.intoArray(c, c0);
    c01.intoArray(c, c0 + L);
    c10.intoArray(c, c0 + n);
    c11.intoArray(c, c0 + n + L);
    c20.intoArray(c, c0 + 2 * n);
    c21.intoArray(c, c0 + 2 * n + L);
    c30.intoArray(c, c0 + 3 * n);
    c31.intoArray(c, c0 + 3 * n + L);
    c40.intoArray(c, c0 + 4 * n);
    c41.intoArray(c, c0 + 4 * n + L);
    c50.intoArray(c, c0 + 5 * n);
    c51.intoArray(c, c0 + 5 * n + L);
  }

  /** {@link #packed4x2} for A in the row layout, as {@link #rows6x2}. */
  private static void rows4x2(float[] ap, int a0, float[] bp, int b0, int kc,
      float[] c, int c0, int n, boolean add) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S);
    FloatVector c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S);
    FloatVector c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S);
    FloatVector c31 = FloatVector.zero(S);
    int col = b0;
    int end = a0 + kc;
    for (int at = a0; at < end; at++) {
      FloatVector b0v = FloatVector.fromArray(S, bp, col);
      FloatVector b1v = FloatVector.fromArray(S, bp, col + L);
      col += 2 * L;
      FloatVector s;
      s = FloatVector.broadcast(S, ap[at]);
      c00 = b0v.fma(s, c00);
      c01 = b1v.fma(s, c01);
      s = FloatVector.broadcast(S, ap[at + ROW_STRIDE]);
      c10 = b0v.fma(s, c10);
      c11 = b1v.fma(s, c11);
      s = FloatVector.broadcast(S, ap[at + 2 * ROW_STRIDE]);
      c20 = b0v.fma(s, c20);
      c21 = b1v.fma(s, c21);
      s = FloatVector.broadcast(S, ap[at + 3 * ROW_STRIDE]);
      c30 = b0v.fma(s, c30);
      c31 = b1v.fma(s, c31);
    }
    if (add) {
      c00 = c00.add(FloatVector.fromArray(S, c, c0));
      c01 = c01.add(FloatVector.fromArray(S, c, c0 + L));
      c10 = c10.add(FloatVector.fromArray(S, c, c0 + n));
      c11 = c11.add(FloatVector.fromArray(S, c, c0 + n + L));
      c20 = c20.add(FloatVector.fromArray(S, c, c0 + 2 * n));
      c21 = c21.add(FloatVector.fromArray(S, c, c0 + 2 * n + L));
      c30 = c30.add(FloatVector.fromArray(S, c, c0 + 3 * n));
      c31 = c31.add(FloatVector.fromArray(S, c, c0 + 3 * n + L));
    }
    c00.intoArray(c, c0);
    c01.intoArray(c, c0 + L);
    c10.intoArray(c, c0 + n);
    c11.intoArray(c, c0 + n + L);
    c20.intoArray(c, c0 + 2 * n);
    c21.intoArray(c, c0 + 2 * n + L);
    c30.intoArray(c, c0 + 3 * n);
    c31.intoArray(c, c0 + 3 * n + L);
  }


  /** One row of C (at c0), {@code vectors} vectors wide: A[p] = a[a0 + p * cs]. */
  private static void row1(float[] a, int a0, int cs, int k, int vectors, float[] src, int base,
      int stride, float[] c, int c0, boolean add) {
    for (int v = 0; v < vectors; v++) {
      FloatVector acc = FloatVector.zero(S);
      for (int p = 0, col = base + v * L, at = a0; p < k; p++, col += stride, at += cs) {
        acc = FloatVector.fromArray(S, src, col).fma(FloatVector.broadcast(S, a[at]), acc);
      }
      int to = c0 + v * L;
      if (add) {
        acc = acc.add(FloatVector.fromArray(S, c, to));
      }
      acc.intoArray(c, to);
    }
  }

  /**
   * Rows i..i+5 of C (row 0 at c0), one vector of columns: 6 accumulators. A as in {@link
   * #tile6x2}; row p of B's columns at b[base + p * stride].
   */
  private static void tile6x1(float[] a, int a0, int rs, int cs, int k, float[] b, int base,
      int stride, float[] c, int c0, int n, boolean add) {
    FloatVector c0v = FloatVector.zero(S);
    FloatVector c1v = FloatVector.zero(S);
    FloatVector c2v = FloatVector.zero(S);
    FloatVector c3v = FloatVector.zero(S);
    FloatVector c4v = FloatVector.zero(S);
    FloatVector c5v = FloatVector.zero(S);
    for (int p = 0, col = base, at = a0; p < k; p++, col += stride, at += cs) {
      FloatVector v = FloatVector.fromArray(S, b, col);
      c0v = v.fma(FloatVector.broadcast(S, a[at]), c0v);
      c1v = v.fma(FloatVector.broadcast(S, a[at + rs]), c1v);
      c2v = v.fma(FloatVector.broadcast(S, a[at + 2 * rs]), c2v);
      c3v = v.fma(FloatVector.broadcast(S, a[at + 3 * rs]), c3v);
      c4v = v.fma(FloatVector.broadcast(S, a[at + 4 * rs]), c4v);
      c5v = v.fma(FloatVector.broadcast(S, a[at + 5 * rs]), c5v);
    }
    if (add) {
      c0v = c0v.add(FloatVector.fromArray(S, c, c0));
      c1v = c1v.add(FloatVector.fromArray(S, c, c0 + n));
      c2v = c2v.add(FloatVector.fromArray(S, c, c0 + 2 * n));
      c3v = c3v.add(FloatVector.fromArray(S, c, c0 + 3 * n));
      c4v = c4v.add(FloatVector.fromArray(S, c, c0 + 4 * n));
      c5v = c5v.add(FloatVector.fromArray(S, c, c0 + 5 * n));
    }
    c0v.intoArray(c, c0);
    c1v.intoArray(c, c0 + n);
    c2v.intoArray(c, c0 + 2 * n);
    c3v.intoArray(c, c0 + 3 * n);
    c4v.intoArray(c, c0 + 4 * n);
    c5v.intoArray(c, c0 + 5 * n);
  }

  /** {@link #tile6x1} with B's rows packed apart: row p's columns at rows[p][j]. */
  private static void tile6x1Rows(float[] a, int a0, int rs, int cs, int k, float[][] rows,
      int j, float[] c, int c0, int n, boolean add) {
    FloatVector c0v = FloatVector.zero(S);
    FloatVector c1v = FloatVector.zero(S);
    FloatVector c2v = FloatVector.zero(S);
    FloatVector c3v = FloatVector.zero(S);
    FloatVector c4v = FloatVector.zero(S);
    FloatVector c5v = FloatVector.zero(S);
    for (int p = 0, at = a0; p < k; p++, at += cs) {
      FloatVector v = FloatVector.fromArray(S, rows[p], j);
      c0v = v.fma(FloatVector.broadcast(S, a[at]), c0v);
      c1v = v.fma(FloatVector.broadcast(S, a[at + rs]), c1v);
      c2v = v.fma(FloatVector.broadcast(S, a[at + 2 * rs]), c2v);
      c3v = v.fma(FloatVector.broadcast(S, a[at + 3 * rs]), c3v);
      c4v = v.fma(FloatVector.broadcast(S, a[at + 4 * rs]), c4v);
      c5v = v.fma(FloatVector.broadcast(S, a[at + 5 * rs]), c5v);
    }
    if (add) {
      c0v = c0v.add(FloatVector.fromArray(S, c, c0));
      c1v = c1v.add(FloatVector.fromArray(S, c, c0 + n));
      c2v = c2v.add(FloatVector.fromArray(S, c, c0 + 2 * n));
      c3v = c3v.add(FloatVector.fromArray(S, c, c0 + 3 * n));
      c4v = c4v.add(FloatVector.fromArray(S, c, c0 + 4 * n));
      c5v = c5v.add(FloatVector.fromArray(S, c, c0 + 5 * n));
    }
    c0v.intoArray(c, c0);
    c1v.intoArray(c, c0 + n);
    c2v.intoArray(c, c0 + 2 * n);
    c3v.intoArray(c, c0 + 3 * n);
    c4v.intoArray(c, c0 + 4 * n);
    c5v.intoArray(c, c0 + 5 * n);
  }

  /** One row, one vector of columns from j, B read in place or from packed rows. */
  private static void tile1(GemmJob job, int i, int j) {
    FloatVector acc = FloatVector.zero(S);
    int a0 = job.ao + i * job.rowStride;
    for (int p = 0; p < job.k; p++) {
      float s = job.a[a0 + p * job.colStride];
      if (s != 0) {
        FloatVector row = job.rows != null ? FloatVector.fromArray(S, job.rows[p], j)
            : FloatVector.fromArray(S, job.b, job.bo + p * job.n + j);
        acc = row.fma(FloatVector.broadcast(S, s), acc);
      }
    }
    int at = job.co + i * job.n + j;
    if (job.accumulate) {
      acc = acc.add(FloatVector.fromArray(S, job.c, at));
    }
    acc.intoArray(job.c, at);
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
