package dev.nnc.runtime;

import java.util.SplittableRandom;

/**
 * Checks generated gradients against central finite differences at a seeded random point. The
 * tests that the Maven plugin generates call it; any JUnit or plain-Java test can too. A
 * mismatch throws {@link AssertionError} naming the parameter, the element and both values.
 */
public final class GradientCheck {
  /** Entries checked per parameter tensor at most (a seeded sample of large tensors). */
  private static final int SAMPLE = 24;

  private GradientCheck() {}

  /** Checks every parameter of {@code f} at a random point drawn with {@code seed}. */
  public static void check(CompiledFunction f, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int n = f.parameterNames().size();
    double[][] args = new double[n][];
    double[][] grads = new double[n][];
    for (int i = 0; i < n; i++) {
      args[i] = new double[size(f.parameterShape(i))];
      grads[i] = new double[args[i].length];
      for (int k = 0; k < args[i].length; k++) {
        args[i][k] = random.nextDouble(-1, 1);
      }
    }
    // A scalar value is differentiated as it is; a tensor value through a random weighting.
    double[] upstream = new double[size(f.valueShape())];
    for (int k = 0; k < upstream.length; k++) {
      upstream[k] = f.valueShape().length == 0 ? 1 : random.nextDouble(-1, 1);
    }
    f.evaluateWithGradient(args, upstream, grads);
    // f32 functions are checked with a larger step and tolerance.
    boolean single = f.singlePrecision();
    double relStep = single ? 1e-3 : 1e-6;
    double tolerance = single ? 2e-2 : 1e-5;
    for (int i = 0; i < n; i++) {
      for (int k : sample(args[i].length, random)) {
        double saved = args[i][k];
        double h = relStep * Math.max(1, Math.abs(saved));
        args[i][k] = saved + h;
        double plus = dot(f.evaluate(args), upstream);
        args[i][k] = saved - h;
        double minus = dot(f.evaluate(args), upstream);
        args[i][k] = saved;
        compare(f.name(), f.parameterNames().get(i), k, (plus - minus) / (2 * h), grads[i][k],
            tolerance);
      }
    }
  }

  /** Checks every parameter of {@code model} on a random batch drawn with {@code seed}. */
  public static void check(Model model, long seed) {
    model.initialize(seed);
    SplittableRandom random = new SplittableRandom(seed);
    for (Parameter p : model.parameters()) {
      for (int k = 0; k < p.size(); k++) {
        p.set(k, p.get(k) + random.nextDouble(-0.1, 0.1));
      }
    }
    Batch batch = randomBatch(model, 4, random);
    model.forwardBackward(batch);
    boolean single = !model.parameters().isEmpty() && !model.parameters().get(0).isF64();
    double relStep = single ? 1e-2 : 1e-6;
    double tolerance = single ? 5e-2 : 1e-5;
    for (Parameter p : model.parameters()) {
      double[] grad = new double[p.size()];
      for (int k = 0; k < grad.length; k++) {
        grad[k] = p.grad(k);
      }
      for (int k : sample(p.size(), random)) {
        double saved = p.get(k);
        double h = relStep * Math.max(1, Math.abs(saved));
        p.set(k, saved + h);
        double plus = model.forward(batch);
        p.set(k, saved - h);
        double minus = model.forward(batch);
        p.set(k, saved);
        compare(model.name(), p.name(), k, (plus - minus) / (2 * h), grad[k], tolerance);
      }
    }
  }

  /**
   * A batch of {@code size} random examples for {@code model}: inputs and targets uniform in
   * [-1, 1], labels uniform over their classes, drawn from {@code random}.
   */
  public static Batch randomBatch(Model model, int size, SplittableRandom random) {
    Batch batch = Batch.forModel(model, size);
    batch.setSize(size);
    for (int s = 0; s < model.inputs().size(); s++) {
      Slot slot = model.inputs().get(s);
      if (slot.kind() == Slot.Kind.LABEL) {
        int[] labels = batch.labels(s);
        for (int e = 0; e < size; e++) {
          labels[e] = random.nextInt(slot.classes());
        }
      } else {
        for (int k = 0; k < size * slot.size(); k++) {
          // the same values at either precision, so f32 and f64 checks see one batch
          float v = (float) random.nextDouble(-1, 1);
          if (batch.isF64()) {
            batch.doubles(s)[k] = v;
          } else {
            batch.floats(s)[k] = v;
          }
        }
      }
    }
    return batch;
  }

  private static void compare(String owner, String param, int k, double fd, double grad,
      double tolerance) {
    double scale = Math.max(1, Math.max(Math.abs(fd), Math.abs(grad)));
    if (!(Math.abs(fd - grad) <= tolerance * scale)) {
      throw new AssertionError(owner + ": d/d" + param + "[" + k + "] is " + grad
          + " but central finite differences give " + fd);
    }
  }

  private static int[] sample(int size, SplittableRandom random) {
    if (size <= SAMPLE) {
      int[] all = new int[size];
      for (int k = 0; k < size; k++) {
        all[k] = k;
      }
      return all;
    }
    int[] some = new int[SAMPLE];
    for (int k = 0; k < SAMPLE; k++) {
      some[k] = random.nextInt(size);
    }
    return some;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static int size(int[] shape) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }
}
