package dev.nnc.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * 2 × 2 max pooling, stride 2, L outputs at a time: a row pair's 2L inputs are split into their
 * even and odd columns by lane permutations (one input vector each, then a blend: the Vector
 * API's two-vector permutation compiled to slow code on JDK 17), the maximum is the lanewise max
 * of the four, and the index the first of the four equal to it, by blends of index vectors.
 * Lanes whose maximum is NaN are redone by {@link Pool2d}'s scalar rule. 1.85 against 4.2–4.8 ns
 * an output for the scalar branch-free loop (LeNet's first pooling layer, best of 20).
 */
final class VectorPoolRows implements Pool2d.Rows {
  private static final VectorSpecies<Float> S = species();
  private static final VectorSpecies<Integer> SI = VectorSpecies.of(int.class, S.vectorShape());
  private static final int L = S.length();
  /** Lane i takes lane 2i (mod L) of its vector; the odd columns likewise from 2i + 1. */
  private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(S, i -> (2 * i) % L);
  private static final VectorShuffle<Float> ODD = VectorShuffle.fromOp(S, i -> (2 * i + 1) % L);
  /** The upper half of the lanes: their columns come from the second input vector. */
  private static final VectorMask<Float> UPPER = VectorMask.fromLong(S, -1L << (L / 2));
  /** 2i in lane i: the input column of output i, relative to the first. */
  private static final IntVector TWICE = IntVector.zero(SI).addIndex(2);

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
  public void max2x2(Pool2d pool, float[] x, int xo, int base, float[] y, int yi, int[] argmax,
      int ai) {
    int width = pool.width;
    int outWidth = pool.outWidth;
    for (int r = 0; r < pool.outHeight; r++) {
      int top = base + 2 * r * width;
      int bottom = top + width;
      int out = r * outWidth;
      for (int c0 = 0; c0 < outWidth; c0 += L) {
        // the last vector overlaps the one before it: the same values are stored twice
        int col = Math.min(c0, outWidth - L);
        int t = top + 2 * col;
        int b = bottom + 2 * col;
        FloatVector t0 = FloatVector.fromArray(S, x, xo + t);
        FloatVector t1 = FloatVector.fromArray(S, x, xo + t + L);
        FloatVector b0 = FloatVector.fromArray(S, x, xo + b);
        FloatVector b1 = FloatVector.fromArray(S, x, xo + b + L);
        FloatVector e0 = t0.rearrange(EVEN).blend(t1.rearrange(EVEN), UPPER);
        FloatVector e1 = t0.rearrange(ODD).blend(t1.rearrange(ODD), UPPER);
        FloatVector e2 = b0.rearrange(EVEN).blend(b1.rearrange(EVEN), UPPER);
        FloatVector e3 = b0.rearrange(ODD).blend(b1.rearrange(ODD), UPPER);
        FloatVector max = e0.max(e1).max(e2.max(e3));
        IntVector it = TWICE.add(t);
        IntVector ib = TWICE.add(b);
        IntVector at = ib.add(1);
        at = at.blend(ib, e2.eq(max).cast(SI));
        at = at.blend(it.add(1), e1.eq(max).cast(SI));
        at = at.blend(it, e0.eq(max).cast(SI));
        max.intoArray(y, yi + out + col);
        at.intoArray(argmax, ai + out + col);
        if (max.test(VectorOperators.IS_NAN).anyTrue()) {
          for (int j = col; j < col + L; j++) {
            if (y[yi + out + j] != y[yi + out + j]) {
              argmax[ai + out + j] = Pool2d.lastNaN(x, xo, top + 2 * j, bottom + 2 * j);
            }
          }
        }
      }
    }
  }
}
