package dev.nnc.runtime.kernels;

/**
 * One matrix product in progress, with the calling thread's packed rows and accumulators. The
 * left operand is read through strides, so A and Aᵀ share one loop:
 * {@code A[i][p] = a[ao + i * rowStride + p * colStride]}.
 */
final class GemmJob implements Parallel.Split {
  private static final ThreadLocal<GemmJob> CURRENT = ThreadLocal.withInitial(GemmJob::new);

  private float[][] packed = new float[0][];
  /** Per thread slot: the portable kernel's accumulators, or the vector kernel's panel or tile. */
  private final float[][] accumulators = new float[2][];
  /** Cᵀ of a narrow product before it is transposed into C. */
  private float[] transposedOut = new float[0];
  /** The scaled right operand of {@link Gemm#tnUpdate}. */
  private float[] scaled = new float[0];

  /** The right operand as separate rows (packed), or null when it is read in place from b. */
  float[][] rows;
  /** The right operand in place: row p starts at bo + p * n (vector kernel only). */
  float[] b;
  int bo;
  int n;
  int k;
  float[] a;
  int ao;
  int rowStride;
  int colStride;
  float[] c;
  int co;
  boolean accumulate;
  /** C is at most two vectors wide, B in {@link #narrowB}: {@link RowKernel#narrowRows}. */
  boolean narrowRows;
  /** A narrow product's B, k rows of {@link #narrowWidth} floats (padded) one after another. */
  float[] narrowB = new float[0];
  int narrowWidth;
  /**
   * A is mostly zeros, so the portable kernel, which skips zero coefficients, runs even when the
   * vector kernel is on (MNIST pixels are about 80% zeros: its first layer's two large products
   * then do a fifth of the work).
   */
  boolean sparse;

  /**
   * Prepares the right operand, a stored [k × n] matrix: the vector kernel reads it in place
   * (any offset is fine for vector loads); the portable kernel needs its rows packed.
   */
  void useRows(float[] b, int bo, int k, int n) {
    if (vectorRows()) {
      this.b = b;
      this.bo = bo;
      this.rows = null;
    } else {
      this.b = null;
      this.rows = pack(b, bo, k, n, false);
    }
  }

  static GemmJob current() {
    return CURRENT.get();
  }

  void set(int m, int n, int k, float[] a, int ao, int rowStride, int colStride, float[] c,
      int co, boolean accumulate) {
    this.n = n;
    this.k = k;
    this.a = a;
    this.ao = ao;
    this.rowStride = rowStride;
    this.colStride = colStride;
    this.c = c;
    this.co = co;
    this.accumulate = accumulate;
    this.narrowRows = false;
    this.sparse = false;
  }

  /**
   * Marks the product just {@link #set} (m rows) as {@link #sparse} if the vector kernel would
   * otherwise run it and its left operand is mostly zeros.
   */
  void detectSparse(int m) {
    sparse = vectorRows() && mostlyZero(a, ao, rowStride, colStride, m, k);
  }

  /** Whether the vector kernel's {@link RowKernel#rows} computes the product just {@link #set}. */
  private boolean vectorRows() {
    return Kernels.vector() != null && n >= Kernels.MIN_VECTOR_WIDTH && !sparse;
  }

  /**
   * Whether at least 60% of A[m×k] is zero, judged from about 1024 entries (every few rows, all
   * of each): a pass over all of A, or a larger sample, costs a visible share of a small product
   * (see docs/performance.md, "Mostly-zero operands"). It stops as soon as more than 40% of the
   * entries it would look at have been found nonzero (the same answer), so a dense A costs 40%
   * of the sample.
   */
  static boolean mostlyZero(float[] a, int ao, int rowStride, int colStride, int m, int k) {
    int step = (int) Math.max(1, (long) m * k / 1024);
    long sampled = (long) ((m + step - 1) / step) * k;
    long nonzero = 0;
    for (int i = 0; i < m; i += step) {
      int at = ao + i * rowStride;
      for (int p = 0; p < k; p++, at += colStride) {
        nonzero += a[at] != 0 ? 1 : 0;
      }
      if (nonzero * 5 > sampled * 2) {
        return false;
      }
    }
    return true;
  }

  /**
   * Copies the right operand of a narrow product, stored [k×n] (or [n×k] with {@code
   * transposed}), into {@link #narrowB}: k rows of {@code width} floats, padded, in one
   * array, so the tiles read B's rows at a constant stride.
   */
  void packNarrow(float[] b, int bo, int n, int k, boolean transposed, int width) {
    if (narrowB.length < k * width) {
      narrowB = new float[k * width];
    }
    float[] to = narrowB;
    // A row-major B goes to the vector kernel's whole-vector copies (short scalar loops per row
    // dominated the small products; see docs/performance.md); the rows it leaves, and a
    // transposed B, are copied here.
    RowKernel vector = Kernels.vector();
    int first = transposed || vector == null ? 0 : vector.copyNarrowRows(b, bo, n, k, to, width);
    // B[p][j] = b[bo + p * pStride + j * jStride]
    int pStride = transposed ? 1 : n;
    int jStride = transposed ? k : 1;
    for (int p = first; p < k; p++) {
      int row = p * width;
      for (int j = 0, from = bo + p * pStride; j < n; j++, from += jStride) {
        to[row + j] = b[from];
      }
      // A loop, not Arrays.fill: a call per row for a few floats cost more than the copy.
      for (int j = row + n; j < row + width; j++) {
        to[j] = 0f;
      }
    }
    narrowWidth = width;
  }

  /**
   * Computes a narrow C[m×n] (+)= A·B, A stored row-major [m×k], with the vector kernel's
   * {@link RowKernel#narrowRows}; B must have been copied with {@link #packNarrow}.
   */
  void runNarrowRows(int m, int n, int k, float[] a, int ao, float[] c, int co,
      boolean accumulate) {
    set(m, n, k, a, ao, k, 1, c, co, accumulate);
    narrowRows = true;
    Parallel.run(this, m, (long) m * n * k);
  }

  /**
   * Computes a narrow product C[m×n] (+)= … as Cᵀ[n×m] = L·R, where the right operand R (k rows
   * of m) is already set up and the left operand L[j][p] = left[lo + j * rowStride + p *
   * colStride]; then adds or copies Cᵀ into C.
   */
  void transposed(int m, int n, int k, float[] left, int lo, int rowStride, int colStride,
      float[] c, int co, boolean accumulate) {
    if (transposedOut.length < n * m) {
      transposedOut = new float[n * m];
    }
    float[] out = transposedOut;
    set(n, m, k, left, lo, rowStride, colStride, out, 0, false);
    Parallel.run(this, n, (long) m * n * k);
    // Column j of C at a time: the inner loop runs over C's many rows (n is below 16), so its
    // bookkeeping is paid n times, not m times, and Cᵀ is read front to back.
    for (int j = 0; j < n; j++) {
      int from = j * m;
      if (accumulate) {
        for (int i = 0, at = co + j; i < m; i++, at += n) {
          c[at] += out[from + i];
        }
      } else {
        for (int i = 0, at = co + j; i < m; i++, at += n) {
          c[at] = out[from + i];
        }
      }
    }
  }

  /**
   * Copies the right operand, a stored [rows × cols] matrix, into arrays of their own: its rows,
   * or with {@code transpose} its columns (the rows of its transpose).
   */
  float[][] pack(float[] b, int bo, int rows, int cols, boolean transpose) {
    int outRows = transpose ? cols : rows;
    int width = transpose ? rows : cols;
    if (packed.length < outRows) {
      float[][] grown = new float[Math.max(outRows, packed.length * 2)][];
      System.arraycopy(packed, 0, grown, 0, packed.length);
      packed = grown;
    }
    for (int p = 0; p < outRows; p++) {
      if (packed[p] == null || packed[p].length < width) {
        packed[p] = new float[Math.max(width, packed[p] == null ? 0 : packed[p].length * 2)];
      }
    }
    if (transpose && cols <= 16) {
      // Short source rows (dlogits·W2ᵀ: 10 floats): a few packed rows, each filled by one long
      // loop over all source rows, which stay in L1.
      for (int p = 0; p < cols; p++) {
        float[] to = packed[p];
        for (int j = 0, from = bo + p; j < rows; j++, from += cols) {
          to[j] = b[from];
        }
      }
    } else if (transpose) {
      // In blocks of 16 source rows: each packed row then receives a whole cache line at once,
      // and the 16 source lines being read stay in L1.
      for (int j0 = 0; j0 < rows; j0 += 16) {
        int j1 = Math.min(rows, j0 + 16);
        for (int p = 0; p < cols; p++) {
          float[] to = packed[p];
          for (int j = j0; j < j1; j++) {
            to[j] = b[bo + j * cols + p];
          }
        }
      }
    } else {
      for (int p = 0; p < rows; p++) {
        System.arraycopy(b, bo + p * cols, packed[p], 0, cols);
      }
    }
    return packed;
  }

  /** Computes rows [from, to) of C, with the vector kernel when it is enabled. */
  @Override
  public void compute(int from, int to, int slot) {
    RowKernel vector = Kernels.vector();
    if (narrowRows && vector != null) {
      vector.narrowRows(this, from, to, slot);
      return;
    }
    if (vectorRows()) {
      // rows == null means b in place; the vector kernel handles both.
      vector.rows(this, from, to, slot);
      return;
    }
    computeScalar(from, to, slot);
  }

  /** The scratch array for {@link Gemm#tnUpdate}'s scaled B, at least {@code size} long. */
  float[] scaled(int size) {
    if (scaled.length < size) {
      scaled = new float[size];
    }
    return scaled;
  }

  /** Thread {@code slot}'s scratch array, at least {@code size} long. */
  float[] scratch(int slot, int size) {
    float[] acc = accumulators[slot];
    if (acc == null || acc.length < size) {
      acc = new float[size];
      accumulators[slot] = acc;
    }
    return acc;
  }

  /** The portable path: rows [from, to) of C with accumulator set {@code slot} (one per thread). */
  void computeScalar(int from, int to, int slot) {
    float[] acc = scratch(slot, n);
    for (int i = from; i < to; i++) {
      int row = co + i * n;
      if (accumulate) {
        System.arraycopy(c, row, acc, 0, n);
      } else {
        java.util.Arrays.fill(acc, 0, n, 0f);
      }
      int ai = ao + i * rowStride;
      int p = 0;
      // Four rows of B per pass: one load and store of acc[j] serves four multiply-adds.
      for (; p + 4 <= k; p += 4) {
        int at = ai + p * colStride;
        float s0 = a[at];
        float s1 = a[at + colStride];
        float s2 = a[at + 2 * colStride];
        float s3 = a[at + 3 * colStride];
        if (s0 != 0 || s1 != 0 || s2 != 0 || s3 != 0) {
          axpy4(acc, s0, rows[p], s1, rows[p + 1], s2, rows[p + 2], s3, rows[p + 3], n);
        }
      }
      for (; p < k; p++) {
        float s = a[ai + p * colStride];
        if (s != 0) {
          axpy(acc, s, rows[p], n);
        }
      }
      System.arraycopy(acc, 0, c, row, n);
    }
  }

  /** acc[j] += s0 * r0[j] + s1 * r1[j] + s2 * r2[j] + s3 * r3[j], vectorized by C2. */
  private static void axpy4(float[] acc, float s0, float[] r0, float s1, float[] r1, float s2,
      float[] r2, float s3, float[] r3, int n) {
    for (int j = 0; j < n; j++) {
      acc[j] += s0 * r0[j] + s1 * r1[j] + s2 * r2[j] + s3 * r3[j];
    }
  }

  /** acc[j] += s * row[j]: the loop C2 turns into vector instructions. */
  private static void axpy(float[] acc, float s, float[] row, int n) {
    for (int j = 0; j < n; j++) {
      acc[j] += s * row[j];
    }
  }
}
