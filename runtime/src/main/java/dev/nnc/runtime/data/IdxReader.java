package dev.nnc.runtime.data;

import dev.nnc.runtime.NncException;
import java.nio.file.Path;

/**
 * Reads IDX files (the MNIST format, plain or gzip): a big-endian magic {@code 0x000008NN} (unsigned
 * bytes, NN dimensions), NN big-endian int32 sizes, then the bytes. Images become floats in [0, 1].
 */
public final class IdxReader {
  private static final int UBYTE = 0x08;

  private IdxReader() {}

  /** Images (idx3) and labels (idx1) as a classification dataset [N, rows·cols]. */
  public static Dataset read(Path images, Path labels) {
    Dataset x = readImages(images);
    int[] y = readLabels(labels);
    if (y.length != x.rows()) {
      throw new NncException(labels + ": has " + y.length + " labels but " + images + " has " + x.rows() + " images");
    }
    return Dataset.classification(images.getFileName().toString(), x.features(), x.rows(), x.featureCount(), y);
  }

  /** An idx3 (or any rank ≥ 2) file as N rows of the remaining dimensions, scaled by 1/255. */
  public static Dataset readImages(Path path) {
    byte[] b = FileBytes.read(path);
    int[] dims = header(path, b);
    if (dims.length < 2) {
      throw new NncException(path + ": expected an image file (3 dimensions, magic 0x00000803) but it has "
          + dims.length + " dimension(s)");
    }
    int n = dims[0];
    long per = 1;
    for (int k = 1; k < dims.length; k++) {
      per *= dims[k];
    }
    long need = (long) n * per;
    if (need > Integer.MAX_VALUE) {
      throw new NncException(path + ": " + need + " values are too many for one array");
    }
    int offset = checkLength(path, b, dims, need);
    float[] x = new float[(int) need];
    for (int i = 0; i < x.length; i++) {
      x[i] = (b[offset + i] & 0xff) / 255f;
    }
    return Dataset.unlabeled(path.getFileName().toString(), x, n, (int) per);
  }

  /** An idx1 file of class labels. */
  public static int[] readLabels(Path path) {
    byte[] b = FileBytes.read(path);
    int[] dims = header(path, b);
    if (dims.length != 1) {
      throw new NncException(path + ": expected a label file (1 dimension, magic 0x00000801) but it has "
          + dims.length + " dimensions");
    }
    int offset = checkLength(path, b, dims, dims[0]);
    int[] y = new int[dims[0]];
    for (int i = 0; i < y.length; i++) {
      y[i] = b[offset + i] & 0xff;
    }
    return y;
  }

  private static int[] header(Path path, byte[] b) {
    if (b.length < 4) {
      throw new NncException(path + ": too short for an IDX file (" + b.length + " bytes)");
    }
    int magic = readInt(b, 0);
    int type = (magic >>> 8) & 0xff;
    int rank = magic & 0xff;
    if ((magic >>> 16) != 0 || rank == 0) {
      throw new NncException(path + ": not an IDX file (magic " + String.format("0x%08x", magic)
          + "; expected 0x00000801 or 0x00000803)");
    }
    if (type != UBYTE) {
      throw new NncException(path + ": unsupported IDX element type 0x" + Integer.toHexString(type)
          + " (only unsigned bytes, 0x08, are supported)");
    }
    if (b.length < 4 + 4 * rank) {
      throw new NncException(path + ": truncated IDX header (" + b.length + " bytes)");
    }
    int[] dims = new int[rank];
    for (int k = 0; k < rank; k++) {
      dims[k] = readInt(b, 4 + 4 * k);
      if (dims[k] < 0) {
        throw new NncException(path + ": negative IDX dimension " + dims[k]);
      }
    }
    return dims;
  }

  private static int checkLength(Path path, byte[] b, int[] dims, long need) {
    int offset = 4 + 4 * dims.length;
    long have = b.length - offset;
    if (have < need) {
      throw new NncException(path + ": truncated: the header promises " + need + " data bytes but only " + have
          + " follow");
    }
    if (have > need) {
      throw new NncException(path + ": " + (have - need) + " unexpected bytes after the " + need + " data bytes");
    }
    return offset;
  }

  private static int readInt(byte[] b, int at) {
    return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
  }
}
