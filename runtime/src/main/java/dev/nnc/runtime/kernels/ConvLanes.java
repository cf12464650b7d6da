package dev.nnc.runtime.kernels;

import java.util.Arrays;

/**
 * The batch-lane convolution: the batch is regrouped into blocks of L examples (L = floats per
 * vector) stored {@code [channel][row][column][L]}, so that one vector holds one pixel of L
 * examples. A convolution is then a matrix product whose every "row of B" is one vector at a
 * computed address (implicit im2col, nothing copied per tap): a tile of 6 (or 4) output channels
 * × 2 blocks keeps 12 (or 8) accumulators in registers while the taps (input channel, kernel
 * row, kernel column) run, each tap one table lookup, two loads, six broadcasts of packed
 * weights and twelve fused multiply-adds. Every lane holds an example, whatever the image or
 * kernel size (LeNet's 10-wide rows would fill 10 of 16 lanes laid out by rows), and the only
 * copies are one transposition of each tensor in and out, where im2col would copy every input
 * pixel kernelHeight · kernelWidth times.
 *
 * <ul>
 *   <li>forward: x's blocks padded by the convolution's padding, the tiles, y from the blocks;
 *   <li>weight gradient: x's and dy's blocks; a tile of 6 (or 4) output channels × 2 taps sums
 *       dy·x over the positions into per-lane sums, which are added up lane by lane at the end;
 *   <li>input gradient: dy's blocks; a tile of 6 (or 4) taps × 2 blocks computes wᵀ·dy at one
 *       output position (the output channels are the shared dimension) and adds each tap's
 *       vector into the padded dx blocks where that tap read x (col2im without the columns);
 *       the interior of those blocks is dx. Only the products the forward pass made are made:
 *       a correlation of dy padded by kernel − 1 − padding with the flipped kernel would also
 *       multiply the padding's zeros (LeNet's second layer: 400 taps per pixel, of which 150
 *       on average meet dy).
 * </ul>
 *
 * <p>The batch's blocks are always cut into the same two halves, run on one or two threads by
 * {@link Parallel}; the weight gradient sums each half apart and adds the two, so results do not
 * depend on the thread count.
 */
final class ConvLanes {
  /** The vector loops; implemented with the Vector API in {@code VectorConvTiles}. */
  interface Tiles {
    /** Floats per vector: the examples in a block. */
    int vectorLength();

    /**
     * For blocks k in [b0, b1), rows r < rowsPad (a multiple of rowTile, 6 or 4), positions p:
     * {@code dst[dsto + k·dstBlock + (p·rowsPad + r)·L + l] = bias[biaso + r] + Σ_t
     * wp[wpo + (r − r % rowTile)·tapCount + t·rowTile + r % rowTile] · src[srco + k·srcBlock +
     * (taps[t] + pos[p])·L + l]}; {@code sixes[t] = 6·t}, the 6-row tiles' weight offsets.
     */
    void correlate(float[] src, int srco, int srcBlock, int[] taps, int[] sixes, int tapCount,
        int[] pos, int positions, float[] wp, int wpo, float[] bias, int biaso, int rowsPad,
        int rowTile, float[] dst, int dsto, int dstBlock, int b0, int b1);

    /**
     * The input gradient's accumulation: for blocks k in [b0, b1), positions p, tap rows t <
     * tapRowsPad (a multiple of rowTile): {@code dx[dxo + k·dxBlock + (taps[t] + pos[p])·L + l]
     * += Σ_{c < channels} wp[wpo + (t − t % rowTile)·channels + c·rowTile + t % rowTile] ·
     * dy[dyo + k·dyBlock + (p·channelsPad + c)·L + l]}.
     */
    void scatter(float[] dy, int dyo, int dyBlock, int channels, int channelsPad, int positions,
        int[] pos, float[] wp, int wpo, int[] taps, int tapRowsPad, int rowTile, float[] dx,
        int dxo, int dxBlock, int b0, int b1);

    /**
     * In tiles of 6 rows (rowsPad a multiple of 6), for rows r < rowsPad, taps t: {@code
     * lanes[laneso + (r·tapCount + t)·L + l] += Σ_{k in [b0, b1), p} dy[dyo + k·dyBlock +
     * (p·rowsPad + r)·L + l] · x[xo + k·xBlock + (taps[t] + pos[p])·L + l]}.
     */
    void weightLanes(float[] x, int xo, int xBlock, int[] taps, int tapCount, int[] pos,
        int positions, float[] dy, int dyo, int dyBlock, int rowsPad, float[] lanes, int laneso,
        int b0, int b1);
  }

  private static final String TILES_CLASS = "dev.nnc.runtime.kernels.VectorConvTiles";
  private static final Tiles TILES = load();

  private static Tiles load() {
    if (!ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
      return null;
    }
    try {
      return (Tiles) Class.forName(TILES_CLASS).getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      return null;
    }
  }

  /** The vector loops, or null when the JVM lacks the Vector API module. */
  static Tiles tiles() {
    return TILES;
  }

  final Conv2d conv;
  /** The padded input of every pass: [inChannels][hp][wp] per block. */
  final int hp;
  final int wp;
  /**
   * Tap t = (ci, u, v) at offset (ci·hp + u)·wp + v of a padded input, in pixels; then the
   * bias's tap, the plane of ones after the input channels (see {@link #weightGradients}); then
   * zeros up to {@link #tapRowsPad}.
   */
  final int[] taps;
  /** Output position p = (r, c) reads the padded input from r·stride·wp + c·stride, in pixels. */
  final int[] positions;
  /** 6·t for each tap t: where a 6-row tile finds tap t's weights (see VectorConvTiles.c6x2). */
  final int[] sixes;
  /** Output channels per forward tile (6 or 4), and their count rounded up to whole tiles. */
  final int outTile;
  final int outRowsPad;
  /**
   * Output channels of the weight gradient rounded up to whole 6-row tiles: 6 rows × 2 taps
   * beat 4 × 3 (which spills an accumulator) even with padding rows (LeNet's 16 channels as 18:
   * 53 against 41 GFLOP/s).
   */
  final int weightRowsPad;
  /** Taps per tile of the input gradient (6 or 4), and their count rounded up to whole tiles. */
  final int tapTile;
  final int tapRowsPad;

  private ConvLanes(Conv2d c) {
    this.conv = c;
    this.hp = c.height + 2 * c.padding;
    this.wp = c.width + 2 * c.padding;
    this.tapTile = rowTile(c.taps);
    this.tapRowsPad = roundUp(c.taps, tapTile);
    this.taps = new int[Math.max(tapRowsPad, c.taps + 1)];
    int t = 0;
    for (int ci = 0; ci < c.inChannels; ci++) {
      for (int u = 0; u < c.kernelHeight; u++) {
        for (int v = 0; v < c.kernelWidth; v++) {
          taps[t++] = (ci * hp + u) * wp + v;
        }
      }
    }
    taps[t] = c.inChannels * hp * wp;
    this.positions = new int[c.positions];
    for (int r = 0, p = 0; r < c.outHeight; r++) {
      for (int col = 0; col < c.outWidth; col++) {
        positions[p++] = r * c.stride * wp + col * c.stride;
      }
    }
    this.outTile = rowTile(c.outChannels);
    this.outRowsPad = roundUp(c.outChannels, outTile);
    this.weightRowsPad = roundUp(c.outChannels, 6);
    this.sixes = new int[c.taps];
    for (int i = 0; i < c.taps; i++) {
      sixes[i] = 6 * i;
    }
  }

  /** The plan for a geometry, or null if its blocks would overflow int offsets. */
  static ConvLanes plan(Conv2d c) {
    long lanes = 64; // the widest vector a JVM may have (SVE 2048 bits)
    long in = (c.inChannels + 1L) * (c.height + 2L * c.padding) * (c.width + 2L * c.padding);
    long out = (long) roundUp(c.outChannels, 6) * c.positions;
    if ((in + out) * lanes > Integer.MAX_VALUE / 4) {
      return null;
    }
    return new ConvLanes(c);
  }

  /**
   * 6 rows per tile unless 4 need fewer padding rows (4, 8, 16, 20 ... rows): a padding row costs
   * as much as a real one, and the 4-row tiles' 8 accumulators kept up well enough. LeNet's second
   * layer (16 channels) as four 4-row tiles against three 6-row ones (18 rows): forward 1.65
   * against 2.16 ms, weight gradient 2.0 against 2.2 ms at batch 128 (CPU time, best runs).
   */
  static int rowTile(int rows) {
    return roundUp(rows, 4) < roundUp(rows, 6) ? 4 : 6;
  }

  private static int roundUp(int a, int m) {
    return (a + m - 1) / m * m;
  }

  // ---- scratch layout ----
  // [packed weights][bias][lanes of half 0][lanes of half 1][in blocks][out blocks]
  // in blocks: x padded [inChannels + 1][hp][wp][L] (forward, weight gradient: the last plane
  // holds ones for the bias's tap), or dx padded (input gradient); out blocks: y or dy,
  // pixel-major [positions][outRowsPad or weightRowsPad][L].

  private int inBlock(int lanes) {
    return (conv.inChannels + 1) * hp * wp * lanes;
  }

  private int outBlock(int lanes) {
    return Math.max(outRowsPad, weightRowsPad) * conv.positions * lanes;
  }

  /** Per half: the weight gradient's lanes [weightRowsPad][taps + 1][L], the bias's last. */
  private int laneSums(int lanes) {
    return weightRowsPad * (conv.taps + 1) * lanes;
  }

  private int packedWeights() {
    return Math.max(conv.taps * outRowsPad, tapRowsPad * conv.outChannels);
  }

  private int fixedPart(int lanes) {
    return packedWeights() + outRowsPad + 2 * laneSums(lanes);
  }

  /**
   * Blocks a half of the batch goes through at a time: each group is moved into blocks, computed
   * and moved out before the next, so its blocks stay in L2 between the three steps (LeNet's
   * first layer, 2 blocks: 430 KB). Two, the forward and input-gradient tiles' block count.
   */
  static final int GROUP = 2;

  /**
   * Scratch floats for n examples with vectors of {@code lanes} floats: a group of blocks per
   * half, whatever n.
   */
  long scratch(int n, int lanes) {
    return fixedPart(lanes) + (long) slots(n, lanes) * ((long) inBlock(lanes) + outBlock(lanes));
  }

  private static int weightsAt() {
    return 0;
  }

  private int biasAt() {
    return packedWeights();
  }

  private int lanesAt(int lanes, int half) {
    return biasAt() + outRowsPad + half * laneSums(lanes);
  }

  /**
   * Where block k of a group starting at block g of a half goes: {@code at + k·block} is in the
   * half's group slots for k in [g, g + GROUP). The in blocks come first, the out blocks after
   * {@link #slots}(n) in blocks.
   */
  private int inBlocksAt(int n, int lanes, int half, int g) {
    return fixedPart(lanes) + (firstSlot(n, lanes, half) - g) * inBlock(lanes);
  }

  private int outBlocksAt(int n, int lanes, int half, int g) {
    return fixedPart(lanes) + slots(n, lanes) * inBlock(lanes)
        + (firstSlot(n, lanes, half) - g) * outBlock(lanes);
  }

  /** The first half's blocks: the larger half. */
  private static int firstHalf(int n, int lanes) {
    return ((n + lanes - 1) / lanes + 1) / 2;
  }

  /** Half 0's slots come first, then half 1's. */
  private static int firstSlot(int n, int lanes, int half) {
    return half == 0 ? 0 : Math.min(GROUP, firstHalf(n, lanes));
  }

  /** Group slots in scratch: up to GROUP blocks per half (fewer for a small batch). */
  private static int slots(int n, int lanes) {
    int blocks = (n + lanes - 1) / lanes;
    int first = firstHalf(n, lanes);
    return Math.min(GROUP, first) + Math.min(GROUP, blocks - first);
  }

  // ---- the three passes ----

  void forward(Tiles tiles, int n, float[] x, int xo, float[] w, int wo, float[] b, int bo,
      float[] y, int yo, float[] scratch) {
    // tile rb's weight of tap t, row r at rb·taps + t·outTile + r (rows past outChannels: 0)
    int taps = conv.taps;
    for (int rb = 0; rb < outRowsPad; rb += outTile) {
      for (int r = 0; r < outTile; r++) {
        int row = rb + r;
        int dst = weightsAt() + rb * taps + r;
        for (int t = 0, src = wo + row * taps; t < taps; t++, dst += outTile) {
          scratch[dst] = row < conv.outChannels ? w[src + t] : 0f;
        }
      }
    }
    int biasAt = biasAt();
    for (int r = 0; r < outRowsPad; r++) {
      scratch[biasAt + r] = b != null && r < conv.outChannels ? b[bo + r] : 0f;
    }
    ConvJob job = ConvJob.current();
    job.set(ConvJob.FORWARD, this, tiles, n, scratch);
    job.x = x;
    job.xo = xo;
    job.y = y;
    job.yo = yo;
    job.run(conv.multiplyAdds(n));
  }

  void backwardInput(Tiles tiles, int n, float[] dy, int dyo, float[] w, int wo, float[] dx,
      int dxo, float[] scratch) {
    // wᵀ for the scatter tiles: tile rb's weight of channel c, tap row r at rb·outChannels +
    // c·tapTile + r = w[c][rb + r] (taps past the kernel's: 0)
    int taps = conv.taps;
    int channels = conv.outChannels;
    for (int rb = 0; rb < tapRowsPad; rb += tapTile) {
      for (int c = 0; c < channels; c++) {
        int dst = weightsAt() + rb * channels + c * tapTile;
        for (int r = 0; r < tapTile; r++) {
          int t = rb + r;
          scratch[dst + r] = t < taps ? w[wo + c * taps + t] : 0f;
        }
      }
    }
    ConvJob job = ConvJob.current();
    job.set(ConvJob.INPUT, this, tiles, n, scratch);
    job.x = dx;
    job.xo = dxo;
    job.y = dy;
    job.yo = dyo;
    job.run(conv.multiplyAdds(n));
  }

  void weightGradients(Tiles tiles, int n, float[] x, int xo, float[] dy, int dyo, float[] dw,
      int dwo, float[] db, int dbo, float alpha, float[] scratch) {
    int lanes = tiles.vectorLength();
    ConvJob job = ConvJob.current();
    job.set(ConvJob.WEIGHTS, this, tiles, n, scratch);
    job.x = x;
    job.xo = xo;
    job.y = dy;
    job.yo = dyo;
    job.tapCount = db != null ? conv.taps + 1 : conv.taps;
    job.run(conv.multiplyAdds(n));
    // dw = half 0's lane sums + half 1's, each added lane by lane in order; db likewise from
    // the bias's tap, whose x is 1
    int l0 = lanesAt(lanes, 0);
    int l1 = lanesAt(lanes, 1);
    boolean two = job.blocks > 1; // a single block is all in the first half
    int taps = conv.taps;
    int tapCount = job.tapCount;
    for (int o = 0; o < conv.outChannels; o++) {
      for (int t = 0; t < taps; t++) {
        int at = (o * tapCount + t) * lanes;
        float g = sumLanes(scratch, l0 + at, lanes);
        g = two ? g + sumLanes(scratch, l1 + at, lanes) : g;
        int j = dwo + o * taps + t;
        dw[j] = alpha == 0f ? g : dw[j] + alpha * g;
      }
      if (db != null) {
        int at = (o * tapCount + taps) * lanes;
        float g = sumLanes(scratch, l0 + at, lanes);
        g = two ? g + sumLanes(scratch, l1 + at, lanes) : g;
        db[dbo + o] = alpha == 0f ? g : db[dbo + o] + alpha * g;
      }
    }
  }

  private static float sumLanes(float[] a, int from, int lanes) {
    float s = 0f;
    for (int l = 0; l < lanes; l++) {
      s += a[from + l];
    }
    return s;
  }

  /**
   * Blocks [b0, b1) of n examples [channels][h][w] (at so) into blocks [channelsPad][h + 2·ph][w
   * + 2·pw][L], {@code block} floats apart from {@code dsto}: zero borders, channels from {@code
   * channels} on filled with {@code fill}, zero lanes past n (before the fill). A pixel's L lanes
   * are written together (one cache line or half of one), read from L examples' rows, which the
   * CPU streams side by side.
   */
  static void toBlocks(float[] src, int so, int n, int channels, int h, int w, int ph, int pw,
      int channelsPad, float fill, float[] dst, int dsto, int block, int lanes, int b0, int b1) {
    int hpad = h + 2 * ph;
    int wpad = w + 2 * pw;
    int example = channels * h * w;
    for (int k = b0; k < b1; k++) {
      int base = dsto + k * block;
      int count = Math.min(lanes, n - k * lanes);
      int first = so + k * lanes * example;
      if (count < lanes) {
        Arrays.fill(dst, base, base + block, 0f);
      } else if (ph > 0 || pw > 0) {
        zeroBorders(dst, base, channels, hpad, wpad, ph, pw, lanes);
      }
      if (channelsPad > channels) {
        int plane = hpad * wpad * lanes;
        Arrays.fill(dst, base + channels * plane, base + channelsPad * plane, fill);
      }
      for (int ci = 0; ci < channels; ci++) {
        for (int r = 0; r < h; r++) {
          int to = base + ((ci * hpad + r + ph) * wpad + pw) * lanes;
          int from = first + (ci * h + r) * w;
          if (count == 8 && lanes == 8) {
            gather8(src, from, example, w, dst, to, 8);
          } else if (count == lanes) {
            for (int c = 0; c < w; c++, to += lanes) {
              for (int l = 0, at = from + c; l < lanes; l++, at += example) {
                dst[to + l] = src[at];
              }
            }
          } else {
            for (int c = 0; c < w; c++, to += lanes) {
              for (int l = 0, at = from + c; l < count; l++, at += example) {
                dst[to + l] = src[at];
              }
            }
          }
        }
      }
    }
  }

  /**
   * {@code count} pixels of 8 examples ({@code stride} apart, from {@code from}) into 8-lane
   * groups from {@code to}: unrolled, 0.57 against 0.69 ns a float for the loop over lanes
   * (gathers with the Vector API: 1.27; best of 30 on this machine).
   */
  private static void gather8(float[] src, int from, int stride, int count, float[] dst,
      int to, int toStep) {
    for (int c = from, end = from + count; c < end; c++, to += toStep) {
      dst[to] = src[c];
      dst[to + 1] = src[c + stride];
      dst[to + 2] = src[c + 2 * stride];
      dst[to + 3] = src[c + 3 * stride];
      dst[to + 4] = src[c + 4 * stride];
      dst[to + 5] = src[c + 5 * stride];
      dst[to + 6] = src[c + 6 * stride];
      dst[to + 7] = src[c + 7 * stride];
    }
  }

  /** The inverse of {@link #gather8}: 8-lane groups from {@code from} to 8 examples' pixels. */
  private static void scatter8(float[] src, int from, int fromStep, float[] dst, int to,
      int stride, int count) {
    for (int c = to, end = to + count; c < end; c++, from += fromStep) {
      dst[c] = src[from];
      dst[c + stride] = src[from + 1];
      dst[c + 2 * stride] = src[from + 2];
      dst[c + 3 * stride] = src[from + 3];
      dst[c + 4 * stride] = src[from + 4];
      dst[c + 5 * stride] = src[from + 5];
      dst[c + 6 * stride] = src[from + 6];
      dst[c + 7 * stride] = src[from + 7];
    }
  }

  /** Zeroes the padding rows and columns of a block's first {@code channels} channels. */
  private static void zeroBorders(float[] dst, int base, int channels, int hpad, int wpad, int ph,
      int pw, int lanes) {
    int row = wpad * lanes;
    for (int ci = 0; ci < channels; ci++) {
      int plane = base + ci * hpad * row;
      Arrays.fill(dst, plane, plane + ph * row, 0f);
      Arrays.fill(dst, plane + (hpad - ph) * row, plane + hpad * row, 0f);
      for (int r = ph; r < hpad - ph; r++) {
        int at = plane + r * row;
        Arrays.fill(dst, at, at + pw * lanes, 0f);
        Arrays.fill(dst, at + (wpad - pw) * lanes, at + row, 0f);
      }
    }
  }

  /**
   * The inverse of {@link #toBlocks}: the interior of blocks [b0, b1) (at {@code srco + k·block},
   * [channels..][h + 2·ph][w + 2·pw][L]) back to n examples [channels][h][w] at {@code dsto}.
   */
  static void fromBlocks(float[] src, int srco, int block, int channels, int h, int w, int ph,
      int pw, float[] dst, int dsto, int n, int lanes, int b0, int b1) {
    int hpad = h + 2 * ph;
    int wpad = w + 2 * pw;
    int example = channels * h * w;
    for (int k = b0; k < b1; k++) {
      int count = Math.min(lanes, n - k * lanes);
      int first = dsto + k * lanes * example;
      for (int ci = 0; ci < channels; ci++) {
        for (int r = 0; r < h; r++) {
          int from = srco + k * block + ((ci * hpad + r + ph) * wpad + pw) * lanes;
          int to = first + (ci * h + r) * w;
          if (count == 8 && lanes == 8) {
            scatter8(src, from, 8, dst, to, example, w);
          } else if (count == lanes) {
            for (int c = 0; c < w; c++, from += lanes) {
              for (int l = 0, at = to + c; l < lanes; l++, at += example) {
                dst[at] = src[from + l];
              }
            }
          } else {
            for (int c = 0; c < w; c++, from += lanes) {
              for (int l = 0, at = to + c; l < count; l++, at += example) {
                dst[at] = src[from + l];
              }
            }
          }
        }
      }
    }
  }

  /**
   * Blocks [b0, b1) of n examples [channels][positions] (at so) into pixel-major blocks
   * [positions][channelsPad][L], {@code block} floats apart from {@code dsto}: a pixel's
   * channels side by side, so that a tile reads its rows (or its shared dimension) at fixed
   * distances from one index. Channels from {@code channels} on and lanes past n are zero.
   */
  static void toPixels(float[] src, int so, int n, int channels, int positions,
      int channelsPad, float[] dst, int dsto, int block, int lanes, int b0, int b1) {
    int example = channels * positions;
    int pixel = channelsPad * lanes;
    for (int k = b0; k < b1; k++) {
      int base = dsto + k * block;
      int count = Math.min(lanes, n - k * lanes);
      int first = so + k * lanes * example;
      if (count < lanes) {
        Arrays.fill(dst, base, base + positions * pixel, 0f);
      } else if (channelsPad > channels) {
        for (int p = 0; p < positions; p++) {
          int at = base + p * pixel + channels * lanes;
          Arrays.fill(dst, at, at + (channelsPad - channels) * lanes, 0f);
        }
      }
      for (int c = 0; c < channels; c++) {
        int to = base + c * lanes;
        int from = first + c * positions;
        if (count == 8 && lanes == 8) {
          gather8(src, from, example, positions, dst, to, pixel);
        } else {
          for (int p = 0; p < positions; p++, to += pixel) {
            for (int l = 0, at = from + p; l < count; l++, at += example) {
              dst[to + l] = src[at];
            }
          }
        }
      }
    }
  }

  /** The inverse of {@link #toPixels}: the first {@code channels} channels back to examples. */
  static void fromPixels(float[] src, int srco, int block, int channels, int positions,
      int channelsPad, float[] dst, int dsto, int n, int lanes, int b0, int b1) {
    int example = channels * positions;
    int pixel = channelsPad * lanes;
    for (int k = b0; k < b1; k++) {
      int count = Math.min(lanes, n - k * lanes);
      int first = dsto + k * lanes * example;
      for (int c = 0; c < channels; c++) {
        int from = srco + k * block + c * lanes;
        int to = first + c * positions;
        if (count == 8 && lanes == 8) {
          scatter8(src, from, pixel, dst, to, example, positions);
        } else {
          for (int p = 0; p < positions; p++, from += pixel) {
            for (int l = 0, at = to + p; l < count; l++, at += example) {
              dst[at] = src[from + l];
            }
          }
        }
      }
    }
  }

  /** One pass of a call, split by halves of the batch's blocks. */
  static final class ConvJob implements Parallel.Split {
    static final int FORWARD = 0;
    static final int INPUT = 1;
    static final int WEIGHTS = 2;
    private static final ThreadLocal<ConvJob> CURRENT = ThreadLocal.withInitial(ConvJob::new);

    int mode;
    ConvLanes plan;
    Tiles tiles;
    int n;
    int lanes;
    float[] scratch;
    /** The input of the pass (x, or dy for the input gradient) and its output (y, dx) or dy. */
    float[] x;
    int xo;
    float[] y;
    int yo;
    /** Taps of the weight gradient: the kernel's, and the bias's if there is a bias. */
    int tapCount;
    /** Blocks in the batch and in its first half. */
    int blocks;
    int firstHalf;

    static ConvJob current() {
      return CURRENT.get();
    }

    void set(int mode, ConvLanes plan, Tiles tiles, int n, float[] scratch) {
      this.mode = mode;
      this.plan = plan;
      this.tiles = tiles;
      this.n = n;
      this.lanes = tiles.vectorLength();
      this.scratch = scratch;
      this.blocks = (n + lanes - 1) / lanes;
      this.firstHalf = (blocks + 1) / 2;
      this.tapCount = plan.conv.taps;
    }

    void run(long work) {
      try {
        // one block: no second half to hand to the worker
        Parallel.run(this, blocks > 1 ? 2 : 1, work);
      } finally {
        scratch = null;
        x = null;
        y = null;
      }
    }

    @Override
    public void compute(int from, int to, int slot) {
      for (int half = from; half < to; half++) {
        int b0 = half == 0 ? 0 : firstHalf;
        int b1 = half == 0 ? firstHalf : blocks;
        if (mode == WEIGHTS) {
          int sums = plan.lanesAt(lanes, half);
          Arrays.fill(scratch, sums, sums + plan.laneSums(lanes), 0f);
        }
        for (int g = b0; g < b1; g += GROUP) {
          int g1 = Math.min(b1, g + GROUP);
          if (mode == FORWARD) {
            forward(half, g, g1);
          } else if (mode == INPUT) {
            input(half, g, g1);
          } else {
            weights(half, g, g1);
          }
        }
      }
    }

    /** Blocks [g, g1) of a half, in its group slots: x in, the tiles, y out. */
    private void forward(int h, int g, int g1) {
      ConvLanes p = plan;
      Conv2d c = p.conv;
      int in = p.inBlocksAt(n, lanes, h, g);
      int out = p.outBlocksAt(n, lanes, h, g);
      int inBlock = p.inBlock(lanes);
      int outBlock = p.outBlock(lanes);
      toBlocks(x, xo, n, c.inChannels, c.height, c.width, c.padding, c.padding, c.inChannels, 0f,
          scratch, in, inBlock, lanes, g, g1);
      tiles.correlate(scratch, in, inBlock, p.taps, p.sixes, c.taps, p.positions, c.positions,
          scratch, weightsAt(), scratch, p.biasAt(), p.outRowsPad, p.outTile, scratch, out,
          outBlock, g, g1);
      fromPixels(scratch, out, outBlock, c.outChannels, c.positions, p.outRowsPad, y, yo, n, lanes,
          g, g1);
    }

    /** dx: dy's blocks, then each tap's wᵀ·dy added into the padded dx blocks, then dx. */
    private void input(int h, int g, int g1) {
      ConvLanes p = plan;
      Conv2d c = p.conv;
      int in = p.inBlocksAt(n, lanes, h, g);
      int out = p.outBlocksAt(n, lanes, h, g);
      int inBlock = p.inBlock(lanes);
      int outBlock = p.outBlock(lanes);
      toPixels(y, yo, n, c.outChannels, c.positions, p.outRowsPad, scratch, out, outBlock, lanes,
          g, g1);
      Arrays.fill(scratch, in + g * inBlock, in + g1 * inBlock, 0f);
      tiles.scatter(scratch, out, outBlock, c.outChannels, p.outRowsPad, c.positions, p.positions,
          scratch, weightsAt(), p.taps, p.tapRowsPad, p.tapTile, scratch, in, inBlock, g, g1);
      fromBlocks(scratch, in, inBlock, c.inChannels, c.height, c.width, c.padding, c.padding, x,
          xo, n, lanes, g, g1);
    }

    /** Blocks [g, g1): x's and dy's blocks in, their products into the half's lane sums. */
    private void weights(int h, int g, int g1) {
      ConvLanes p = plan;
      Conv2d c = p.conv;
      int sums = p.lanesAt(lanes, h);
      int in = p.inBlocksAt(n, lanes, h, g);
      int out = p.outBlocksAt(n, lanes, h, g);
      int inBlock = p.inBlock(lanes);
      int outBlock = p.outBlock(lanes);
      // with a bias, the plane after x's channels holds ones: the bias's tap
      boolean bias = tapCount > c.taps;
      toBlocks(x, xo, n, c.inChannels, c.height, c.width, c.padding, c.padding,
          bias ? c.inChannels + 1 : c.inChannels, 1f, scratch, in, inBlock, lanes, g, g1);
      toPixels(y, yo, n, c.outChannels, c.positions, p.weightRowsPad, scratch, out, outBlock,
          lanes, g, g1);
      tiles.weightLanes(scratch, in, inBlock, p.taps, tapCount, p.positions, c.positions, scratch,
          out, outBlock, p.weightRowsPad, scratch, sums, g, g1);
    }
  }
}
