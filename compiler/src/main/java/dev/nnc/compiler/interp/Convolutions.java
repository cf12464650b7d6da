package dev.nnc.compiler.interp;

import dev.nnc.compiler.ir.Conv;
import dev.nnc.compiler.ir.Node;
import dev.nnc.compiler.ir.Op;
import dev.nnc.compiler.ir.Pooling;
import dev.nnc.compiler.ir.Shape;

/**
 * The interpreter's convolution and pooling ops for one example, as the plainest loops over the
 * definitions (the oracle that generated code and the runtime kernels are tested against).
 * Images are [C, H, W] row-major; a window's maximum is its first in row-major order, or its
 * last NaN (as the runtime's kernels and PyTorch's CPU kernels pick it).
 */
final class Convolutions {
  private Convolutions() {}

  /** conv2d, its input gradient or its weight gradient of node {@code a} into {@code out}. */
  static void conv(Node.Apply a, double[][] in, double[] out) {
    Conv conv = (Conv) a.attributes();
    Shape xs;
    Shape ws;
    switch (a.op()) {
      case CONV2D -> {
        xs = a.input(0).shape();
        ws = a.input(1).shape();
      }
      case CONV2D_INPUT_GRAD -> {
        xs = a.shape();
        ws = a.input(1).shape();
      }
      default -> {
        xs = a.input(0).shape();
        ws = a.shape();
      }
    }
    int channels = xs.dim(0);
    int height = xs.dim(1);
    int width = xs.dim(2);
    int outChannels = ws.dim(0);
    int kh = ws.dim(2);
    int kw = ws.dim(3);
    int oh = conv.outSize(height, kh);
    int ow = conv.outSize(width, kw);
    for (int o = 0; o < outChannels; o++) {
      for (int oy = 0; oy < oh; oy++) {
        for (int ox = 0; ox < ow; ox++) {
          int yi = (o * oh + oy) * ow + ox;
          double sum = a.op() == Op.CONV2D ? in[2][o] : 0;
          for (int c = 0; c < channels; c++) {
            for (int ky = 0; ky < kh; ky++) {
              int iy = oy * conv.stride() + ky - conv.padding();
              for (int kx = 0; kx < kw; kx++) {
                int ix = ox * conv.stride() + kx - conv.padding();
                if (iy < 0 || iy >= height || ix < 0 || ix >= width) {
                  continue;
                }
                int xi = (c * height + iy) * width + ix;
                int wi = ((o * channels + c) * kh + ky) * kw + kx;
                switch (a.op()) {
                  case CONV2D -> sum += in[0][xi] * in[1][wi];
                  case CONV2D_INPUT_GRAD -> out[xi] += in[0][yi] * in[1][wi];
                  default -> out[wi] += in[1][yi] * in[0][xi];
                }
              }
            }
          }
          if (a.op() == Op.CONV2D) {
            out[yi] = sum;
          }
        }
      }
    }
  }

  /** A pooling op or one of its gradient ops of node {@code a} into {@code out}. */
  static void pool(Node.Apply a, double[][] in, double[] out) {
    Pooling p = (Pooling) a.attributes();
    Shape xs = a.op() == Op.AVG_POOL2D_GRAD ? a.shape() : a.input(0).shape();
    int channels = xs.dim(0);
    int height = xs.dim(1);
    int width = xs.dim(2);
    int oh = p.outSize(height);
    int ow = p.outSize(width);
    double area = (double) p.size() * p.size();
    for (int c = 0; c < channels; c++) {
      for (int oy = 0; oy < oh; oy++) {
        for (int ox = 0; ox < ow; ox++) {
          int j = (c * oh + oy) * ow + ox;
          int first = (c * height + oy * p.stride()) * width + ox * p.stride();
          switch (a.op()) {
            case MAX_POOL2D -> out[j] = in[0][argmax(in[0], first, width, p.size())];
            case MAX_POOL2D_GRAD -> out[argmax(in[0], first, width, p.size())] += in[1][j];
            case MAX_POOL2D_PICK -> out[j] = in[1][argmax(in[0], first, width, p.size())];
            case AVG_POOL2D -> {
              double sum = 0;
              for (int ky = 0; ky < p.size(); ky++) {
                for (int kx = 0; kx < p.size(); kx++) {
                  sum += in[0][first + ky * width + kx];
                }
              }
              out[j] = sum / area;
            }
            default -> {
              for (int ky = 0; ky < p.size(); ky++) {
                for (int kx = 0; kx < p.size(); kx++) {
                  out[first + ky * width + kx] += in[0][j] / area;
                }
              }
            }
          }
        }
      }
    }
  }

  /**
   * The index of the maximum of the size x size window starting at {@code first} in rows of
   * {@code width}: the first in row-major order, or the last NaN.
   */
  static int argmax(double[] x, int first, int width, int size) {
    int best = first;
    for (int ky = 0; ky < size; ky++) {
      for (int kx = 0; kx < size; kx++) {
        int i = first + ky * width + kx;
        if (x[i] > x[best] || Double.isNaN(x[i])) {
          best = i;
        }
      }
    }
    return best;
  }
}
