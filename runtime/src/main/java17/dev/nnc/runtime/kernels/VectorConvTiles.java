package dev.nnc.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector loops of the batch-lane convolution ({@link ConvLanes}): register tiles of 6 or 4
 * output rows × 2 blocks of examples (or × 2 taps for the weight gradient), one vector per
 * example block and pixel. As in {@link VectorRowKernel}, every vector lives in one method, so
 * C2 keeps the accumulators in registers (a vector passed to a call it does not inline is
 * boxed). Compiled for Java 17 with {@code --add-modules jdk.incubator.vector}; loaded only when
 * that module is present.
 */
final class VectorConvTiles implements ConvLanes.Tiles {
  private static final VectorSpecies<Float> S = species();
  private static final int L = S.length();

  /** The same vector width as {@link VectorRowKernel}: {@code nnc.vector.bits} 256 or 512. */
  private static VectorSpecies<Float> species() {
    switch (System.getProperty("nnc.vector.bits", "")) {
      case "256":
        return FloatVector.SPECIES_256;
      case "512":
        return FloatVector.SPECIES_512;
      default:
        return FloatVector.SPECIES_PREFERRED;
    }
  }

  @Override
  public int vectorLength() {
    return L;
  }

  @Override
  public void correlate(float[] src, int srco, int srcBlock, int[] taps, int[] sixes,
      int tapCount, int[] pos, int positions, float[] wp, int wpo, float[] bias, int biaso,
      int rowsPad, int rowTile, float[] dst, int dsto, int dstBlock, int b0, int b1) {
    // dst is pixel-major: row r of position p at (p·rowsPad + r)·L
    int rowStride = L;
    for (int k = b0; k < b1; k += 2) {
      boolean two = k + 1 < b1;
      for (int rb = 0; rb < rowsPad; rb += rowTile) {
        int w0 = wpo + rb * tapCount;
        int bi = biaso + rb;
        for (int p = 0; p < positions; p++) {
          int x0 = srco + k * srcBlock + pos[p] * L;
          int d0 = dsto + k * dstBlock + (p * rowsPad + rb) * L;
          if (rowTile == 6) {
            if (two) {
              c6x2(src, x0, srcBlock, taps, sixes, tapCount, wp, w0, bias, bi, dst, d0,
                  dstBlock, rowStride);
            } else {
              c6x1(src, x0, srcBlock, taps, tapCount, wp, w0, bias, bi, dst, d0, dstBlock,
                  rowStride);
            }
          } else if (two) {
            c4x2(src, x0, srcBlock, taps, tapCount, wp, w0, bias, bi, dst, d0, dstBlock,
                rowStride);
          } else {
            c4x1(src, x0, srcBlock, taps, tapCount, wp, w0, bias, bi, dst, d0, dstBlock,
                rowStride);
          }
        }
      }
    }
  }

  /**
   * Positions per pass of the weight gradient's tiles: a tile's dy rows (rowTile × chunk × L
   * floats) then stay in L1 while every tap group passes over them. Without it LeNet's first
   * layer streamed its 6 dy rows of 784 positions (150 KB) from L2 once per pair of taps.
   */
  private static int chunk(int rowTile) {
    return Math.max(16, 4096 / (rowTile * L));
  }

  @Override
  public void weightLanes(float[] x, int xo, int xBlock, int[] taps, int tapCount, int[] pos,
      int positions, float[] dy, int dyo, int dyBlock, int rowsPad, float[] lanes, int laneso,
      int b0, int b1) {
    // dy is pixel-major: row r of position p at (p·rowsPad + r)·L, a tile's rows side by side
    int pStride = rowsPad * L;
    int laneRow = tapCount * L;
    int chunk = chunk(6);
    for (int k = b0; k < b1; k++) {
      int xk = xo + k * xBlock;
      for (int rb = 0; rb < rowsPad; rb += 6) {
        int d0 = dyo + k * dyBlock + rb * L;
        for (int p0 = 0; p0 < positions; p0 += chunk) {
          int p1 = Math.min(positions, p0 + chunk);
          int t = 0;
          for (; t + 2 <= tapCount; t += 2) {
            w6x2(x, xk + taps[t] * L, xk + taps[t + 1] * L, pos, p0, p1, dy, d0, pStride, lanes,
                laneso + (rb * tapCount + t) * L, laneRow);
          }
          if (t < tapCount) {
            w6x1(x, xk + taps[t] * L, pos, p0, p1, dy, d0, pStride, lanes,
                laneso + (rb * tapCount + t) * L, laneRow);
          }
        }
      }
    }
  }

  @Override
  public void scatter(float[] dy, int dyo, int dyBlock, int channels, int channelsPad,
      int positions, int[] pos, float[] wp, int wpo, int[] taps, int tapRowsPad, int rowTile,
      float[] dx, int dxo, int dxBlock, int b0, int b1) {
    // dy is pixel-major: channel c of position p at (p·channelsPad + c)·L, side by side
    for (int k = b0; k < b1; k += 2) {
      boolean two = k + 1 < b1;
      for (int p = 0; p < positions; p++) {
        int base = dxo + k * dxBlock + pos[p] * L;
        int g0 = dyo + k * dyBlock + p * channelsPad * L;
        for (int rb = 0; rb < tapRowsPad; rb += rowTile) {
          int w0 = wpo + rb * channels;
          if (rowTile == 6) {
            if (two) {
              s6x2(dy, g0, dyBlock, channels, wp, w0, dx, base, taps, rb, dxBlock);
            } else {
              s6x1(dy, g0, dyBlock, channels, wp, w0, dx, base, taps, rb, dxBlock);
            }
          } else if (two) {
            s4x2(dy, g0, dyBlock, channels, wp, w0, dx, base, taps, rb, dxBlock);
          } else {
            s4x1(dy, g0, dyBlock, channels, wp, w0, dx, base, taps, rb, dxBlock);
          }
        }
      }
    }
  }

  /** A 6-row × 2-block tile of {@link #correlate}: 12 accumulators. */
  private static void c6x2(float[] src, int x0, int xStep, int[] taps, int[] sixes,
      int tapCount, float[] wp, int w0, float[] bias, int bi, float[] dst, int d0, int dStep,
      int rowStride) {
    FloatVector a00 = FloatVector.broadcast(S, bias[bi]);
    FloatVector a01 = a00;
    FloatVector a10 = FloatVector.broadcast(S, bias[bi + 1]);
    FloatVector a11 = a10;
    FloatVector a20 = FloatVector.broadcast(S, bias[bi + 2]);
    FloatVector a21 = a20;
    FloatVector a30 = FloatVector.broadcast(S, bias[bi + 3]);
    FloatVector a31 = a30;
    FloatVector a40 = FloatVector.broadcast(S, bias[bi + 4]);
    FloatVector a41 = a40;
    FloatVector a50 = FloatVector.broadcast(S, bias[bi + 5]);
    FloatVector a51 = a50;
    int x1 = x0 + xStep;
    for (int t = 0; t < tapCount; t++) {
      int o = taps[t] * L;
      // w0 + 6·t read from a table: with the index an induction variable C2 drops the weights'
      // bounds checks, then loads all six coefficients before the first multiply-add and spills
      // three accumulators (LeNet's second layer as 6-row tiles: 35 against 56 GFLOP/s)
      int wi = w0 + sixes[t];
      FloatVector v0 = FloatVector.fromArray(S, src, x0 + o);
      FloatVector v1 = FloatVector.fromArray(S, src, x1 + o);
      FloatVector s = FloatVector.broadcast(S, wp[wi]);
      a00 = v0.fma(s, a00);
      a01 = v1.fma(s, a01);
      s = FloatVector.broadcast(S, wp[wi + 1]);
      a10 = v0.fma(s, a10);
      a11 = v1.fma(s, a11);
      s = FloatVector.broadcast(S, wp[wi + 2]);
      a20 = v0.fma(s, a20);
      a21 = v1.fma(s, a21);
      s = FloatVector.broadcast(S, wp[wi + 3]);
      a30 = v0.fma(s, a30);
      a31 = v1.fma(s, a31);
      s = FloatVector.broadcast(S, wp[wi + 4]);
      a40 = v0.fma(s, a40);
      a41 = v1.fma(s, a41);
      s = FloatVector.broadcast(S, wp[wi + 5]);
      a50 = v0.fma(s, a50);
      a51 = v1.fma(s, a51);
    }
    a00.intoArray(dst, d0);
    a01.intoArray(dst, d0 + dStep);
    a10.intoArray(dst, d0 + rowStride);
    a11.intoArray(dst, d0 + rowStride + dStep);
    a20.intoArray(dst, d0 + 2 * rowStride);
    a21.intoArray(dst, d0 + 2 * rowStride + dStep);
    a30.intoArray(dst, d0 + 3 * rowStride);
    a31.intoArray(dst, d0 + 3 * rowStride + dStep);
    a40.intoArray(dst, d0 + 4 * rowStride);
    a41.intoArray(dst, d0 + 4 * rowStride + dStep);
    a50.intoArray(dst, d0 + 5 * rowStride);
    a51.intoArray(dst, d0 + 5 * rowStride + dStep);
  }

  /** A 6-row × 1-block tile of {@link #correlate}: 6 accumulators. */
  private static void c6x1(float[] src, int x0, int xStep, int[] taps, int tapCount, float[] wp,
      int w0, float[] bias, int bi, float[] dst, int d0, int dStep, int rowStride) {
    FloatVector a00 = FloatVector.broadcast(S, bias[bi]);
    FloatVector a10 = FloatVector.broadcast(S, bias[bi + 1]);
    FloatVector a20 = FloatVector.broadcast(S, bias[bi + 2]);
    FloatVector a30 = FloatVector.broadcast(S, bias[bi + 3]);
    FloatVector a40 = FloatVector.broadcast(S, bias[bi + 4]);
    FloatVector a50 = FloatVector.broadcast(S, bias[bi + 5]);
    for (int t = 0, wi = w0; t < tapCount; t++, wi += 6) {
      int o = taps[t] * L;
      FloatVector v0 = FloatVector.fromArray(S, src, x0 + o);
      FloatVector s = FloatVector.broadcast(S, wp[wi]);
      a00 = v0.fma(s, a00);
      s = FloatVector.broadcast(S, wp[wi + 1]);
      a10 = v0.fma(s, a10);
      s = FloatVector.broadcast(S, wp[wi + 2]);
      a20 = v0.fma(s, a20);
      s = FloatVector.broadcast(S, wp[wi + 3]);
      a30 = v0.fma(s, a30);
      s = FloatVector.broadcast(S, wp[wi + 4]);
      a40 = v0.fma(s, a40);
      s = FloatVector.broadcast(S, wp[wi + 5]);
      a50 = v0.fma(s, a50);
    }
    a00.intoArray(dst, d0);
    a10.intoArray(dst, d0 + rowStride);
    a20.intoArray(dst, d0 + 2 * rowStride);
    a30.intoArray(dst, d0 + 3 * rowStride);
    a40.intoArray(dst, d0 + 4 * rowStride);
    a50.intoArray(dst, d0 + 5 * rowStride);
  }

  /** A 4-row × 2-block tile of {@link #correlate}: 8 accumulators. */
  private static void c4x2(float[] src, int x0, int xStep, int[] taps, int tapCount, float[] wp,
      int w0, float[] bias, int bi, float[] dst, int d0, int dStep, int rowStride) {
    FloatVector a00 = FloatVector.broadcast(S, bias[bi]);
    FloatVector a01 = a00;
    FloatVector a10 = FloatVector.broadcast(S, bias[bi + 1]);
    FloatVector a11 = a10;
    FloatVector a20 = FloatVector.broadcast(S, bias[bi + 2]);
    FloatVector a21 = a20;
    FloatVector a30 = FloatVector.broadcast(S, bias[bi + 3]);
    FloatVector a31 = a30;
    int x1 = x0 + xStep;
    for (int t = 0, wi = w0; t < tapCount; t++, wi += 4) {
      int o = taps[t] * L;
      FloatVector v0 = FloatVector.fromArray(S, src, x0 + o);
      FloatVector v1 = FloatVector.fromArray(S, src, x1 + o);
      FloatVector s = FloatVector.broadcast(S, wp[wi]);
      a00 = v0.fma(s, a00);
      a01 = v1.fma(s, a01);
      s = FloatVector.broadcast(S, wp[wi + 1]);
      a10 = v0.fma(s, a10);
      a11 = v1.fma(s, a11);
      s = FloatVector.broadcast(S, wp[wi + 2]);
      a20 = v0.fma(s, a20);
      a21 = v1.fma(s, a21);
      s = FloatVector.broadcast(S, wp[wi + 3]);
      a30 = v0.fma(s, a30);
      a31 = v1.fma(s, a31);
    }
    a00.intoArray(dst, d0);
    a01.intoArray(dst, d0 + dStep);
    a10.intoArray(dst, d0 + rowStride);
    a11.intoArray(dst, d0 + rowStride + dStep);
    a20.intoArray(dst, d0 + 2 * rowStride);
    a21.intoArray(dst, d0 + 2 * rowStride + dStep);
    a30.intoArray(dst, d0 + 3 * rowStride);
    a31.intoArray(dst, d0 + 3 * rowStride + dStep);
  }

  /** A 4-row × 1-block tile of {@link #correlate}: 4 accumulators. */
  private static void c4x1(float[] src, int x0, int xStep, int[] taps, int tapCount, float[] wp,
      int w0, float[] bias, int bi, float[] dst, int d0, int dStep, int rowStride) {
    FloatVector a00 = FloatVector.broadcast(S, bias[bi]);
    FloatVector a10 = FloatVector.broadcast(S, bias[bi + 1]);
    FloatVector a20 = FloatVector.broadcast(S, bias[bi + 2]);
    FloatVector a30 = FloatVector.broadcast(S, bias[bi + 3]);
    for (int t = 0, wi = w0; t < tapCount; t++, wi += 4) {
      int o = taps[t] * L;
      FloatVector v0 = FloatVector.fromArray(S, src, x0 + o);
      FloatVector s = FloatVector.broadcast(S, wp[wi]);
      a00 = v0.fma(s, a00);
      s = FloatVector.broadcast(S, wp[wi + 1]);
      a10 = v0.fma(s, a10);
      s = FloatVector.broadcast(S, wp[wi + 2]);
      a20 = v0.fma(s, a20);
      s = FloatVector.broadcast(S, wp[wi + 3]);
      a30 = v0.fma(s, a30);
    }
    a00.intoArray(dst, d0);
    a10.intoArray(dst, d0 + rowStride);
    a20.intoArray(dst, d0 + 2 * rowStride);
    a30.intoArray(dst, d0 + 3 * rowStride);
  }

  /** A 6-row × 2-block tile of {@link #scatter}: 12 accumulators. */
  private static void s6x2(float[] dy, int g0, int gStep, int channels, float[] wp,
      int w0, float[] dx, int base, int[] taps, int t0, int xStep) {
    FloatVector a00 = FloatVector.zero(S);
    FloatVector a01 = FloatVector.zero(S);
    FloatVector a10 = FloatVector.zero(S);
    FloatVector a11 = FloatVector.zero(S);
    FloatVector a20 = FloatVector.zero(S);
    FloatVector a21 = FloatVector.zero(S);
    FloatVector a30 = FloatVector.zero(S);
    FloatVector a31 = FloatVector.zero(S);
    FloatVector a40 = FloatVector.zero(S);
    FloatVector a41 = FloatVector.zero(S);
    FloatVector a50 = FloatVector.zero(S);
    FloatVector a51 = FloatVector.zero(S);
    for (int c = 0, g = g0, wi = w0; c < channels; c++, g += L, wi += 6) {
      FloatVector v0 = FloatVector.fromArray(S, dy, g);
      FloatVector v1 = FloatVector.fromArray(S, dy, g + gStep);
      FloatVector s = FloatVector.broadcast(S, wp[wi]);
      a00 = v0.fma(s, a00);
      a01 = v1.fma(s, a01);
      s = FloatVector.broadcast(S, wp[wi + 1]);
      a10 = v0.fma(s, a10);
      a11 = v1.fma(s, a11);
      s = FloatVector.broadcast(S, wp[wi + 2]);
      a20 = v0.fma(s, a20);
      a21 = v1.fma(s, a21);
      s = FloatVector.broadcast(S, wp[wi + 3]);
      a30 = v0.fma(s, a30);
      a31 = v1.fma(s, a31);
      s = FloatVector.broadcast(S, wp[wi + 4]);
      a40 = v0.fma(s, a40);
      a41 = v1.fma(s, a41);
      s = FloatVector.broadcast(S, wp[wi + 5]);
      a50 = v0.fma(s, a50);
      a51 = v1.fma(s, a51);
    }
    int x0 = base + taps[t0] * L;
    FloatVector.fromArray(S, dx, x0).add(a00).intoArray(dx, x0);
    FloatVector.fromArray(S, dx, x0 + xStep).add(a01).intoArray(dx, x0 + xStep);
    int x1 = base + taps[t0 + 1] * L;
    FloatVector.fromArray(S, dx, x1).add(a10).intoArray(dx, x1);
    FloatVector.fromArray(S, dx, x1 + xStep).add(a11).intoArray(dx, x1 + xStep);
    int x2 = base + taps[t0 + 2] * L;
    FloatVector.fromArray(S, dx, x2).add(a20).intoArray(dx, x2);
    FloatVector.fromArray(S, dx, x2 + xStep).add(a21).intoArray(dx, x2 + xStep);
    int x3 = base + taps[t0 + 3] * L;
    FloatVector.fromArray(S, dx, x3).add(a30).intoArray(dx, x3);
    FloatVector.fromArray(S, dx, x3 + xStep).add(a31).intoArray(dx, x3 + xStep);
    int x4 = base + taps[t0 + 4] * L;
    FloatVector.fromArray(S, dx, x4).add(a40).intoArray(dx, x4);
    FloatVector.fromArray(S, dx, x4 + xStep).add(a41).intoArray(dx, x4 + xStep);
    int x5 = base + taps[t0 + 5] * L;
    FloatVector.fromArray(S, dx, x5).add(a50).intoArray(dx, x5);
    FloatVector.fromArray(S, dx, x5 + xStep).add(a51).intoArray(dx, x5 + xStep);
  }

  /** A 6-row × 1-block tile of {@link #scatter}: 6 accumulators. */
  private static void s6x1(float[] dy, int g0, int gStep, int channels, float[] wp,
      int w0, float[] dx, int base, int[] taps, int t0, int xStep) {
    FloatVector a00 = FloatVector.zero(S);
    FloatVector a10 = FloatVector.zero(S);
    FloatVector a20 = FloatVector.zero(S);
    FloatVector a30 = FloatVector.zero(S);
    FloatVector a40 = FloatVector.zero(S);
    FloatVector a50 = FloatVector.zero(S);
    for (int c = 0, g = g0, wi = w0; c < channels; c++, g += L, wi += 6) {
      FloatVector v0 = FloatVector.fromArray(S, dy, g);
      FloatVector s = FloatVector.broadcast(S, wp[wi]);
      a00 = v0.fma(s, a00);
      s = FloatVector.broadcast(S, wp[wi + 1]);
      a10 = v0.fma(s, a10);
      s = FloatVector.broadcast(S, wp[wi + 2]);
      a20 = v0.fma(s, a20);
      s = FloatVector.broadcast(S, wp[wi + 3]);
      a30 = v0.fma(s, a30);
      s = FloatVector.broadcast(S, wp[wi + 4]);
      a40 = v0.fma(s, a40);
      s = FloatVector.broadcast(S, wp[wi + 5]);
      a50 = v0.fma(s, a50);
    }
    int x0 = base + taps[t0] * L;
    FloatVector.fromArray(S, dx, x0).add(a00).intoArray(dx, x0);
    int x1 = base + taps[t0 + 1] * L;
    FloatVector.fromArray(S, dx, x1).add(a10).intoArray(dx, x1);
    int x2 = base + taps[t0 + 2] * L;
    FloatVector.fromArray(S, dx, x2).add(a20).intoArray(dx, x2);
    int x3 = base + taps[t0 + 3] * L;
    FloatVector.fromArray(S, dx, x3).add(a30).intoArray(dx, x3);
    int x4 = base + taps[t0 + 4] * L;
    FloatVector.fromArray(S, dx, x4).add(a40).intoArray(dx, x4);
    int x5 = base + taps[t0 + 5] * L;
    FloatVector.fromArray(S, dx, x5).add(a50).intoArray(dx, x5);
  }

  /** A 4-row × 2-block tile of {@link #scatter}: 8 accumulators. */
  private static void s4x2(float[] dy, int g0, int gStep, int channels, float[] wp,
      int w0, float[] dx, int base, int[] taps, int t0, int xStep) {
    FloatVector a00 = FloatVector.zero(S);
    FloatVector a01 = FloatVector.zero(S);
    FloatVector a10 = FloatVector.zero(S);
    FloatVector a11 = FloatVector.zero(S);
    FloatVector a20 = FloatVector.zero(S);
    FloatVector a21 = FloatVector.zero(S);
    FloatVector a30 = FloatVector.zero(S);
    FloatVector a31 = FloatVector.zero(S);
    for (int c = 0, g = g0, wi = w0; c < channels; c++, g += L, wi += 4) {
      FloatVector v0 = FloatVector.fromArray(S, dy, g);
      FloatVector v1 = FloatVector.fromArray(S, dy, g + gStep);
      FloatVector s = FloatVector.broadcast(S, wp[wi]);
      a00 = v0.fma(s, a00);
      a01 = v1.fma(s, a01);
      s = FloatVector.broadcast(S, wp[wi + 1]);
      a10 = v0.fma(s, a10);
      a11 = v1.fma(s, a11);
      s = FloatVector.broadcast(S, wp[wi + 2]);
      a20 = v0.fma(s, a20);
      a21 = v1.fma(s, a21);
      s = FloatVector.broadcast(S, wp[wi + 3]);
      a30 = v0.fma(s, a30);
      a31 = v1.fma(s, a31);
    }
    int x0 = base + taps[t0] * L;
    FloatVector.fromArray(S, dx, x0).add(a00).intoArray(dx, x0);
    FloatVector.fromArray(S, dx, x0 + xStep).add(a01).intoArray(dx, x0 + xStep);
    int x1 = base + taps[t0 + 1] * L;
    FloatVector.fromArray(S, dx, x1).add(a10).intoArray(dx, x1);
    FloatVector.fromArray(S, dx, x1 + xStep).add(a11).intoArray(dx, x1 + xStep);
    int x2 = base + taps[t0 + 2] * L;
    FloatVector.fromArray(S, dx, x2).add(a20).intoArray(dx, x2);
    FloatVector.fromArray(S, dx, x2 + xStep).add(a21).intoArray(dx, x2 + xStep);
    int x3 = base + taps[t0 + 3] * L;
    FloatVector.fromArray(S, dx, x3).add(a30).intoArray(dx, x3);
    FloatVector.fromArray(S, dx, x3 + xStep).add(a31).intoArray(dx, x3 + xStep);
  }

  /** A 4-row × 1-block tile of {@link #scatter}: 4 accumulators. */
  private static void s4x1(float[] dy, int g0, int gStep, int channels, float[] wp,
      int w0, float[] dx, int base, int[] taps, int t0, int xStep) {
    FloatVector a00 = FloatVector.zero(S);
    FloatVector a10 = FloatVector.zero(S);
    FloatVector a20 = FloatVector.zero(S);
    FloatVector a30 = FloatVector.zero(S);
    for (int c = 0, g = g0, wi = w0; c < channels; c++, g += L, wi += 4) {
      FloatVector v0 = FloatVector.fromArray(S, dy, g);
      FloatVector s = FloatVector.broadcast(S, wp[wi]);
      a00 = v0.fma(s, a00);
      s = FloatVector.broadcast(S, wp[wi + 1]);
      a10 = v0.fma(s, a10);
      s = FloatVector.broadcast(S, wp[wi + 2]);
      a20 = v0.fma(s, a20);
      s = FloatVector.broadcast(S, wp[wi + 3]);
      a30 = v0.fma(s, a30);
    }
    int x0 = base + taps[t0] * L;
    FloatVector.fromArray(S, dx, x0).add(a00).intoArray(dx, x0);
    int x1 = base + taps[t0 + 1] * L;
    FloatVector.fromArray(S, dx, x1).add(a10).intoArray(dx, x1);
    int x2 = base + taps[t0 + 2] * L;
    FloatVector.fromArray(S, dx, x2).add(a20).intoArray(dx, x2);
    int x3 = base + taps[t0 + 3] * L;
    FloatVector.fromArray(S, dx, x3).add(a30).intoArray(dx, x3);
  }

  /** A 6-row × 2-tap tile of {@link #weightLanes} over positions [p0, p1): 12 accumulators. */
  private static void w6x2(float[] x, int o0, int o1, int[] pos, int p0, int p1,
      float[] dy, int d0, int pStride, float[] lanes, int s0, int laneRow) {
    FloatVector a00 = FloatVector.zero(S);
    FloatVector a01 = FloatVector.zero(S);
    FloatVector a10 = FloatVector.zero(S);
    FloatVector a11 = FloatVector.zero(S);
    FloatVector a20 = FloatVector.zero(S);
    FloatVector a21 = FloatVector.zero(S);
    FloatVector a30 = FloatVector.zero(S);
    FloatVector a31 = FloatVector.zero(S);
    FloatVector a40 = FloatVector.zero(S);
    FloatVector a41 = FloatVector.zero(S);
    FloatVector a50 = FloatVector.zero(S);
    FloatVector a51 = FloatVector.zero(S);
    for (int p = p0, d = d0 + p0 * pStride; p < p1; p++, d += pStride) {
      int q = pos[p] * L;
      FloatVector v0 = FloatVector.fromArray(S, x, o0 + q);
      FloatVector v1 = FloatVector.fromArray(S, x, o1 + q);
      FloatVector g = FloatVector.fromArray(S, dy, d);
      a00 = g.fma(v0, a00);
      a01 = g.fma(v1, a01);
      g = FloatVector.fromArray(S, dy, d + L);
      a10 = g.fma(v0, a10);
      a11 = g.fma(v1, a11);
      g = FloatVector.fromArray(S, dy, d + 2 * L);
      a20 = g.fma(v0, a20);
      a21 = g.fma(v1, a21);
      g = FloatVector.fromArray(S, dy, d + 3 * L);
      a30 = g.fma(v0, a30);
      a31 = g.fma(v1, a31);
      g = FloatVector.fromArray(S, dy, d + 4 * L);
      a40 = g.fma(v0, a40);
      a41 = g.fma(v1, a41);
      g = FloatVector.fromArray(S, dy, d + 5 * L);
      a50 = g.fma(v0, a50);
      a51 = g.fma(v1, a51);
    }
    int at = s0;
    FloatVector.fromArray(S, lanes, at).add(a00).intoArray(lanes, at);
    at = s0 + L;
    FloatVector.fromArray(S, lanes, at).add(a01).intoArray(lanes, at);
    at = s0 + laneRow;
    FloatVector.fromArray(S, lanes, at).add(a10).intoArray(lanes, at);
    at = s0 + laneRow + L;
    FloatVector.fromArray(S, lanes, at).add(a11).intoArray(lanes, at);
    at = s0 + 2 * laneRow;
    FloatVector.fromArray(S, lanes, at).add(a20).intoArray(lanes, at);
    at = s0 + 2 * laneRow + L;
    FloatVector.fromArray(S, lanes, at).add(a21).intoArray(lanes, at);
    at = s0 + 3 * laneRow;
    FloatVector.fromArray(S, lanes, at).add(a30).intoArray(lanes, at);
    at = s0 + 3 * laneRow + L;
    FloatVector.fromArray(S, lanes, at).add(a31).intoArray(lanes, at);
    at = s0 + 4 * laneRow;
    FloatVector.fromArray(S, lanes, at).add(a40).intoArray(lanes, at);
    at = s0 + 4 * laneRow + L;
    FloatVector.fromArray(S, lanes, at).add(a41).intoArray(lanes, at);
    at = s0 + 5 * laneRow;
    FloatVector.fromArray(S, lanes, at).add(a50).intoArray(lanes, at);
    at = s0 + 5 * laneRow + L;
    FloatVector.fromArray(S, lanes, at).add(a51).intoArray(lanes, at);
  }

  /** A 6-row × 1-tap tile of {@link #weightLanes} over positions [p0, p1): 6 accumulators. */
  private static void w6x1(float[] x, int o0, int[] pos, int p0, int p1,
      float[] dy, int d0, int pStride, float[] lanes, int s0, int laneRow) {
    FloatVector a00 = FloatVector.zero(S);
    FloatVector a10 = FloatVector.zero(S);
    FloatVector a20 = FloatVector.zero(S);
    FloatVector a30 = FloatVector.zero(S);
    FloatVector a40 = FloatVector.zero(S);
    FloatVector a50 = FloatVector.zero(S);
    for (int p = p0, d = d0 + p0 * pStride; p < p1; p++, d += pStride) {
      int q = pos[p] * L;
      FloatVector v0 = FloatVector.fromArray(S, x, o0 + q);
      FloatVector g = FloatVector.fromArray(S, dy, d);
      a00 = g.fma(v0, a00);
      g = FloatVector.fromArray(S, dy, d + L);
      a10 = g.fma(v0, a10);
      g = FloatVector.fromArray(S, dy, d + 2 * L);
      a20 = g.fma(v0, a20);
      g = FloatVector.fromArray(S, dy, d + 3 * L);
      a30 = g.fma(v0, a30);
      g = FloatVector.fromArray(S, dy, d + 4 * L);
      a40 = g.fma(v0, a40);
      g = FloatVector.fromArray(S, dy, d + 5 * L);
      a50 = g.fma(v0, a50);
    }
    int at = s0;
    FloatVector.fromArray(S, lanes, at).add(a00).intoArray(lanes, at);
    at = s0 + laneRow;
    FloatVector.fromArray(S, lanes, at).add(a10).intoArray(lanes, at);
    at = s0 + 2 * laneRow;
    FloatVector.fromArray(S, lanes, at).add(a20).intoArray(lanes, at);
    at = s0 + 3 * laneRow;
    FloatVector.fromArray(S, lanes, at).add(a30).intoArray(lanes, at);
    at = s0 + 4 * laneRow;
    FloatVector.fromArray(S, lanes, at).add(a40).intoArray(lanes, at);
    at = s0 + 5 * laneRow;
    FloatVector.fromArray(S, lanes, at).add(a50).intoArray(lanes, at);
  }

}
