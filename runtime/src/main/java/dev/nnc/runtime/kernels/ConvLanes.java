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
 *   <li>input gradient (stride 1): the forward tiles on dy's blocks padded by kernel − 1 −
 *       padding, with the kernels flipped and their two channel axes swapped.
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
     * {@code dst[dsto + k·dstBlock + (r·positions + p)·L + l] = bias[biaso + r] + Σ_t
     * wp[wpo + (r − r % rowTile)·tapCount + t·rowTile + r % rowTile] · src[srco + k·srcBlock +
     * (taps[t] + pos[p])·L + l]}.
     */
    void correlate(float[] src, int srco, int srcBlock, int[] taps, int tapCount, int[] pos,
        int positions, float[] wp, int wpo, float[] bias, int biaso, int rowsPad, int rowTile,
        float[] dst, int dsto, int dstBlock, int b0, int b1);

    /**
     * For rows r < rowsPad, taps t: {@code lanes[laneso + (r·tapCount + t)·L + l] += Σ_{k in
     * [b0, b1), p} dy[dyo + k·dyBlock + (r·positions + p)·L + l] · x[xo + k·xBlock + (taps[t] +
     * pos[p])·L + l]}.
     */
    void weightLanes(float[] x, int xo, int xBlock, int[] taps, int tapCount, int[] pos,
        int positions, float[] dy, int dyo, int dyBlock, int rowsPad, int rowTile, float[] lanes,
        int laneso, int b0, int b1);

    /**
     * For rows r < rows: {@code lanes[laneso + r·L + l] += Σ_{k in [b0, b1), p} dy[dyo + k·dyBlock
     * + (r·positions + p)·L + l]}.
     */
    void rowLanes(float[] dy, int dyo, int dyBlock, int rows, int positions, float[] lanes,
        int laneso, int b0, int b1);
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
  /** The padded input of the forward pass and the weight gradient: [inChannels][hp][wp]. */
  final int hp;
  final int wp;
  /** Tap t = (ci, u, v) at offset (ci·hp + u)·wp + v of a padded input, in pixels. */
  final int[] forwardTaps;
  /** Output position p = (r, c) reads the padded input from r·stride·wp + c·stride, in pixels. */
  final int[] forwardPositions;
  /** Output channels per tile (6 or 4), and their count rounded up to whole tiles. */
  final int outTile;
  final int outRowsPad;
  /**
   * Whether the input gradient runs here: stride 1 and padding below the kernel size (dy is then
   * padded by kernel − 1 − padding ≥ 0).
   */
  final boolean transposable;
  /** dy padded for the input gradient: [outChannels][hq][wq], and its taps and positions. */
  final int qh;
  final int qw;
  final int hq;
  final int wq;
  final int[] inputTaps;
  final int[] inputPositions;
  final int inTile;
  final int inRowsPad;

  private ConvLanes(Conv2d c) {
    this.conv = c;
    this.hp = c.height + 2 * c.padding;
    this.wp = c.width + 2 * c.padding;
    this.forwardTaps = new int[c.taps];
    int t = 0;
    for (int ci = 0; ci < c.inChannels; ci++) {
      for (int u = 0; u < c.kernelHeight; u++) {
        for (int v = 0; v < c.kernelWidth; v++) {
          forwardTaps[t++] = (ci * hp + u) * wp + v;
        }
      }
    }
    this.forwardPositions = new int[c.positions];
    for (int r = 0, p = 0; r < c.outHeight; r++) {
      for (int col = 0; col < c.outWidth; col++) {
        forwardPositions[p++] = r * c.stride * wp + col * c.stride;
      }
    }
    this.outTile = rowTile(c.outChannels);
    this.outRowsPad = roundUp(c.outChannels, outTile);
    this.transposable = c.stride == 1 && c.padding < c.kernelHeight && c.padding < c.kernelWidth;
    this.qh = c.kernelHeight - 1 - c.padding;
    this.qw = c.kernelWidth - 1 - c.padding;
    this.hq = c.outHeight + 2 * qh;
    this.wq = c.outWidth + 2 * qw;
    this.inTile = rowTile(c.inChannels);
    this.inRowsPad = roundUp(c.inChannels, inTile);
    if (transposable) {
      this.inputTaps = new int[c.outChannels * c.kernelHeight * c.kernelWidth];
      t = 0;
      for (int co = 0; co < c.outChannels; co++) {
        for (int u = 0; u < c.kernelHeight; u++) {
          for (int v = 0; v < c.kernelWidth; v++) {
            inputTaps[t++] = (co * hq + u) * wq + v;
          }
        }
      }
      this.inputPositions = new int[c.height * c.width];
      for (int r = 0, p = 0; r < c.height; r++) {
        for (int col = 0; col < c.width; col++) {
          inputPositions[p++] = r * wq + col;
        }
      }
    } else {
      this.inputTaps = new int[0];
      this.inputPositions = new int[0];
    }
  }

  /** The plan for a geometry, or null if its blocks would overflow int offsets. */
  static ConvLanes plan(Conv2d c) {
    long lanes = 64; // the widest vector a JVM may have (SVE 2048 bits)
    long in = (long) c.inChannels * (c.height + 2L * c.padding) * (c.width + 2L * c.padding);
    long out = (long) roundUp(c.outChannels, 6) * c.positions;
    long dyPadded = (long) c.outChannels * (c.outHeight + 2L * c.kernelHeight)
        * (c.outWidth + 2L * c.kernelWidth);
    long dx = (long) roundUp(c.inChannels, 6) * c.height * c.width;
    long block = Math.max(Math.max(in, out), Math.max(dyPadded, dx)) * lanes;
    if (block > Integer.MAX_VALUE / 4) {
      return null;
    }
    return new ConvLanes(c);
  }

  /**
   * 6 rows per tile unless 4 need fewer padding rows (4, 8, 16, 28 ... channels): the 6-row tile
   * keeps 12 accumulators, enough to cover the multiply-add latency; the 4-row tile's 8 are not.
   */
  static int rowTile(int rows) {
    return roundUp(rows, 4) < roundUp(rows, 6) * 8 / 9 ? 4 : 6;
  }

  private static int roundUp(int a, int m) {
    return (a + m - 1) / m * m;
  }

  boolean transposable() {
    return transposable;
  }

  // ---- scratch layout ----
  // [packed weights][bias][lanes of half 0][lanes of half 1][A blocks][B blocks]

  private int forwardBlockIn(int lanes) {
    return conv.inChannels * hp * wp * lanes;
  }

  private int forwardBlockOut(int lanes) {
    return outRowsPad * conv.positions * lanes;
  }

  private int inputBlockIn(int lanes) {
    return conv.outChannels * hq * wq * lanes;
  }

  private int inputBlockOut(int lanes) {
    return inRowsPad * conv.height * conv.width * lanes;
  }

  /** Per half: the weight gradient's lanes, then the bias gradient's. */
  private int laneSums(int lanes) {
    return (outRowsPad * conv.taps + outRowsPad) * lanes;
  }

  private int fixedPart(int lanes) {
    int weights = Math.max(conv.taps * outRowsPad,
        transposable ? inputTaps.length * inRowsPad : 0);
    int bias = Math.max(outRowsPad, inRowsPad);
    return weights + bias + 2 * laneSums(lanes);
  }

  /** Scratch floats for n examples with vectors of {@code lanes} floats. */
  long scratch(int n, int lanes) {
    long blocks = (n + lanes - 1) / lanes;
    long b = Math.max(forwardBlockOut(lanes), transposable ? inputBlockOut(lanes) : 0);
    return fixedPart(lanes) + blocks * (blockA(lanes) + b);
  }

  /** Floats per block of the A region: the larger of the two passes' inputs. */
  private int blockA(int lanes) {
    return Math.max(forwardBlockIn(lanes), transposable ? inputBlockIn(lanes) : 0);
  }

  private int weightsAt() {
    return 0;
  }

  private int biasAt() {
    return Math.max(conv.taps * outRowsPad, transposable ? inputTaps.length * inRowsPad : 0);
  }

  private int lanesAt(int lanes, int half) {
    return biasAt() + Math.max(outRowsPad, inRowsPad) + half * laneSums(lanes);
  }

  private int blocksA(int lanes) {
    return fixedPart(lanes);
  }

  private int blocksB(int n, int lanes) {
    int blocks = (n + lanes - 1) / lanes;
    return fixedPart(lanes) + blocks * blockA(lanes);
  }

  // ---- the three passes ----

  void forward(Tiles tiles, int n, float[] x, int xo, float[] w, int wo, float[] b, int bo,
      float[] y, int yo, float[] scratch) {
    int lanes = tiles.vectorLength();
    packRows(w, wo, conv.outChannels, conv.taps, outTile, outRowsPad, scratch, weightsAt());
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
    Conv2d c = conv;
    // wp[ci][(co, a, bb)] = w[co][ci][kh − 1 − a][kw − 1 − bb]: flipped, channel axes swapped
    int tapCount = inputTaps.length;
    int at = weightsAt();
    for (int rb = 0; rb < inRowsPad; rb += inTile) {
      for (int co = 0, t = 0; co < c.outChannels; co++) {
        for (int a = 0; a < c.kernelHeight; a++) {
          for (int bb = 0; bb < c.kernelWidth; bb++, t++) {
            for (int r = 0; r < inTile; r++) {
              int ci = rb + r;
              scratch[at + rb * tapCount + t * inTile + r] = ci < c.inChannels
                  ? w[wo + ((co * c.inChannels + ci) * c.kernelHeight + c.kernelHeight - 1 - a)
                      * c.kernelWidth + c.kernelWidth - 1 - bb]
                  : 0f;
            }
          }
        }
      }
    }
    Arrays.fill(scratch, biasAt(), biasAt() + inRowsPad, 0f);
    ConvJob job = ConvJob.current();
    job.set(ConvJob.INPUT, this, tiles, n, scratch);
    job.x = dy;
    job.xo = dyo;
    job.y = dx;
    job.yo = dxo;
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
    job.bias = db != null;
    job.run(conv.multiplyAdds(n));
    // dw = half 0's lane sums + half 1's, each added lane by lane in order
    int l0 = lanesAt(lanes, 0);
    int l1 = lanesAt(lanes, 1);
    int taps = conv.taps;
    for (int o = 0; o < conv.outChannels; o++) {
      for (int t = 0; t < taps; t++) {
        int at = (o * taps + t) * lanes;
        float g = sumLanes(scratch, l0 + at, lanes) + sumLanes(scratch, l1 + at, lanes);
        int j = dwo + o * taps + t;
        dw[j] = alpha == 0f ? g : dw[j] + alpha * g;
      }
    }
    if (db != null) {
      int biasLanes = outRowsPad * taps * lanes;
      for (int o = 0; o < conv.outChannels; o++) {
        int at = biasLanes + o * lanes;
        float g = sumLanes(scratch, l0 + at, lanes) + sumLanes(scratch, l1 + at, lanes);
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
   * Packs rows [rows × cols] of w (row-major at wo) for the tiles: tile rb's coefficient of
   * column t, row r at {@code at + rb·cols + t·tile + r}; rows past {@code rows} are 0.
   */
  private static void packRows(float[] w, int wo, int rows, int cols, int tile, int rowsPad,
      float[] to, int at) {
    for (int rb = 0; rb < rowsPad; rb += tile) {
      for (int r = 0; r < tile; r++) {
        int row = rb + r;
        int dst = at + rb * cols + r;
        if (row < rows) {
          for (int t = 0, src = wo + row * cols; t < cols; t++, dst += tile) {
            to[dst] = w[src + t];
          }
        } else {
          for (int t = 0; t < cols; t++, dst += tile) {
            to[dst] = 0f;
          }
        }
      }
    }
  }

  /**
   * Blocks [b0, b1) of n examples [channels][h][w] (at so) into blocks [channelsPad][h + 2·ph][w
   * + 2·pw][L] at {@code dsto + k·block}: zero borders, zero channels from {@code channels} on,
   * zero lanes past n.
   */
  static void toBlocks(float[] src, int so, int n, int channels, int h, int w, int ph, int pw,
      int channelsPad, float[] dst, int dsto, int lanes, int b0, int b1) {
    int hpad = h + 2 * ph;
    int wpad = w + 2 * pw;
    int block = channelsPad * hpad * wpad * lanes;
    int example = channels * h * w;
    boolean borders = ph > 0 || pw > 0 || channelsPad > channels;
    for (int k = b0; k < b1; k++) {
      int base = dsto + k * block;
      int count = Math.min(lanes, n - k * lanes);
      if (borders || count < lanes) {
        Arrays.fill(dst, base, base + block, 0f);
      }
      for (int l = 0; l < count; l++) {
        int from = so + (k * lanes + l) * example;
        for (int ci = 0; ci < channels; ci++) {
          for (int r = 0; r < h; r++, from += w) {
            int to = base + ((ci * hpad + r + ph) * wpad + pw) * lanes + l;
            for (int c = 0; c < w; c++, to += lanes) {
              dst[to] = src[from + c];
            }
          }
        }
      }
    }
  }

  /**
   * The first {@code rows} rows of blocks [b0, b1) (at {@code srco + k·block}, [rows][positions]
   * [L]) back to n examples [rows][positions] at {@code dsto}.
   */
  static void fromBlocks(float[] src, int srco, int block, int rows, int positions, float[] dst,
      int dsto, int n, int lanes, int b0, int b1) {
    int example = rows * positions;
    for (int k = b0; k < b1; k++) {
      int count = Math.min(lanes, n - k * lanes);
      for (int l = 0; l < count; l++) {
        int to = dsto + (k * lanes + l) * example;
        int from = srco + k * block + l;
        for (int j = 0; j < example; j++, from += lanes) {
          dst[to + j] = src[from];
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
    boolean bias;
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
      this.bias = false;
    }

    void run(long work) {
      try {
        Parallel.run(this, 2, work);
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
        if (mode == FORWARD) {
          forward(b0, b1);
        } else if (mode == INPUT) {
          input(b0, b1);
        } else {
          weights(half, b0, b1);
        }
      }
    }

    private void forward(int b0, int b1) {
      ConvLanes p = plan;
      Conv2d c = p.conv;
      int blockA = p.forwardBlockIn(lanes);
      int blockB = p.forwardBlockOut(lanes);
      int a = p.blocksA(lanes);
      int b = p.blocksB(n, lanes);
      toBlocks(x, xo, n, c.inChannels, c.height, c.width, c.padding, c.padding, c.inChannels,
          scratch, a, lanes, b0, b1);
      tiles.correlate(scratch, a, blockA, p.forwardTaps, c.taps, p.forwardPositions, c.positions,
          scratch, p.weightsAt(), scratch, p.biasAt(), p.outRowsPad, p.outTile, scratch, b,
          blockB, b0, b1);
      fromBlocks(scratch, b, blockB, c.outChannels, c.positions, y, yo, n, lanes, b0, b1);
    }

    private void input(int b0, int b1) {
      ConvLanes p = plan;
      Conv2d c = p.conv;
      int blockA = p.inputBlockIn(lanes);
      int blockB = p.inputBlockOut(lanes);
      int a = p.blocksA(lanes);
      int b = p.blocksB(n, lanes);
      toBlocks(x, xo, n, c.outChannels, c.outHeight, c.outWidth, p.qh, p.qw, c.outChannels,
          scratch, a, lanes, b0, b1);
      int pixels = c.height * c.width;
      tiles.correlate(scratch, a, blockA, p.inputTaps, p.inputTaps.length, p.inputPositions,
          pixels, scratch, p.weightsAt(), scratch, p.biasAt(), p.inRowsPad, p.inTile, scratch, b,
          blockB, b0, b1);
      fromBlocks(scratch, b, blockB, c.inChannels, pixels, y, yo, n, lanes, b0, b1);
    }

    private void weights(int half, int b0, int b1) {
      ConvLanes p = plan;
      Conv2d c = p.conv;
      int sums = p.lanesAt(lanes, half);
      Arrays.fill(scratch, sums, sums + p.laneSums(lanes), 0f);
      if (b0 >= b1) {
        return;
      }
      int blockA = p.forwardBlockIn(lanes);
      int blockB = p.forwardBlockOut(lanes);
      int a = p.blocksA(lanes);
      int b = p.blocksB(n, lanes);
      toBlocks(x, xo, n, c.inChannels, c.height, c.width, c.padding, c.padding, c.inChannels,
          scratch, a, lanes, b0, b1);
      toBlocks(y, yo, n, c.outChannels, c.outHeight, c.outWidth, 0, 0, p.outRowsPad, scratch, b,
          lanes, b0, b1);
      tiles.weightLanes(scratch, a, blockA, p.forwardTaps, c.taps, p.forwardPositions,
          c.positions, scratch, b, blockB, p.outRowsPad, p.outTile, scratch, sums, b0, b1);
      if (bias) {
        tiles.rowLanes(scratch, b, blockB, c.outChannels, c.positions, scratch,
            sums + p.outRowsPad * c.taps * lanes, b0, b1);
      }
    }
  }
}
