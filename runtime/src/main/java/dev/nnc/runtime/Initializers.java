package dev.nnc.runtime;

import java.util.SplittableRandom;

/**
 * The weight initialization schemes. Random draws come from a {@link SplittableRandom} seeded from
 * (seed, parameter name), so each parameter's values depend only on the seed and its own name, not
 * on parameter order. Fans: for rank 4, convolution weights {@code [c_out, c_in, kh, kw]},
 * fan_in = c_in kh kw and fan_out = c_out kh kw (as PyTorch counts them); for rank 2 and 3
 * (weights laid out {@code [n_in, n_out]}, or {@code [..., in, out]}) fan_out is the last dimension
 * and fan_in the product of the others; for rank 1 ({@code [n]}) fan_in = fan_out = n; for a
 * scalar both are 1.
 */
public final class Initializers {
  private Initializers() {}

  public static void zeros(Parameter p) {
    fill(p, 0.0);
  }

  public static void ones(Parameter p) {
    fill(p, 1.0);
  }

  public static void normal(Parameter p, double std, long seed) {
    SplittableRandom r = random(p, seed);
    for (int i = 0; i < p.size(); i += 2) {
      // Box-Muller with StrictMath: identical on every JVM.
      double u1 = 1.0 - r.nextDouble();
      double u2 = r.nextDouble();
      double radius = std * StrictMath.sqrt(-2.0 * StrictMath.log(u1));
      double angle = 2.0 * Math.PI * u2;
      p.set(i, radius * StrictMath.cos(angle));
      if (i + 1 < p.size()) {
        p.set(i + 1, radius * StrictMath.sin(angle));
      }
    }
  }

  public static void uniform(Parameter p, double a, double b, long seed) {
    SplittableRandom r = random(p, seed);
    for (int i = 0; i < p.size(); i++) {
      p.set(i, a + (b - a) * r.nextDouble());
    }
  }

  /** Uniform on ±sqrt(6 / (fan_in + fan_out)). */
  public static void xavier(Parameter p, long seed) {
    double limit = Math.sqrt(6.0 / (fanIn(p.shape()) + fanOut(p.shape())));
    uniform(p, -limit, limit, seed);
  }

  /** Normal(0, sqrt(2 / fan_in)). */
  public static void he(Parameter p, long seed) {
    normal(p, Math.sqrt(2.0 / fanIn(p.shape())), seed);
  }

  public static int fanIn(int[] shape) {
    if (shape.length < 2) {
      return shape.length == 0 ? 1 : Math.max(1, shape[0]);
    }
    if (shape.length == 4) {
      // conv2d weights [c_out, c_in, kh, kw]: each output sums c_in * kh * kw inputs
      return Math.max(1, shape[1] * shape[2] * shape[3]);
    }
    return Math.max(1, Shapes.size(shape) / Math.max(1, shape[shape.length - 1]));
  }

  public static int fanOut(int[] shape) {
    if (shape.length == 4) {
      return Math.max(1, shape[0] * shape[2] * shape[3]);
    }
    return shape.length == 0 ? 1 : Math.max(1, shape[shape.length - 1]);
  }

  private static SplittableRandom random(Parameter p, long seed) {
    long mixed = seed * 0x9E3779B97F4A7C15L + p.name().hashCode();
    return new SplittableRandom(mixed ^ (mixed >>> 31));
  }

  private static void fill(Parameter p, double v) {
    for (int i = 0; i < p.size(); i++) {
      p.set(i, v);
    }
  }
}
