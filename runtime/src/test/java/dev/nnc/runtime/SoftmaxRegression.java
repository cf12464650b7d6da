package dev.nnc.runtime;

import dev.nnc.runtime.optim.OptimizerSpec;
import java.util.List;
import java.util.Map;

/** A hand-written linear softmax classifier (logits = x @ W + b, cross-entropy loss) for tests. */
public final class SoftmaxRegression implements Model {
  private final int features;
  private final int classes;
  private final Parameter w;
  private final Parameter b;
  private float[] probs = new float[0];
  private double[] dLogits = new double[0];

  public SoftmaxRegression(int features, int classes, boolean f64) {
    this.features = features;
    this.classes = classes;
    int[] wShape = {features, classes};
    int[] bShape = {classes};
    this.w = f64 ? Parameter.f64("fc.W", wShape, Initializer.xavier()) : Parameter.f32("fc.W", wShape, Initializer.xavier());
    this.b = f64 ? Parameter.f64("fc.b", bShape, Initializer.zeros()) : Parameter.f32("fc.b", bShape, Initializer.zeros());
  }

  @Override
  public String name() {
    return "SoftmaxRegression";
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(w, b);
  }

  @Override
  public List<Slot> inputs() {
    return List.of(Slot.input("x", features), Slot.label("y", classes));
  }

  @Override
  public List<Slot> outputs() {
    return List.of(Slot.output("probs", classes));
  }

  @Override
  public double forward(Batch batch) {
    int n = batch.size();
    if (probs.length < n * classes) {
      probs = new float[batch.capacity() * classes];
      dLogits = new double[batch.capacity() * classes];
    }
    double[] x = batch.doubles(0); // the floats widened, or an f64 batch's values
    int[] y = batch.labels(1);
    double loss = 0;
    double[] logits = new double[classes];
    for (int r = 0; r < n; r++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < classes; c++) {
        double z = b.get(c);
        for (int i = 0; i < features; i++) {
          z += x[r * features + i] * w.get(i * classes + c);
        }
        logits[c] = z;
        max = Math.max(max, z);
      }
      double sum = 0;
      for (int c = 0; c < classes; c++) {
        sum += Math.exp(logits[c] - max);
      }
      for (int c = 0; c < classes; c++) {
        double p = Math.exp(logits[c] - max) / sum;
        probs[r * classes + c] = (float) p;
        dLogits[r * classes + c] = (p - (c == y[r] ? 1 : 0)) / n;
      }
      loss += -(logits[y[r]] - max - Math.log(sum));
    }
    return loss / n;
  }

  @Override
  public double forwardBackward(Batch batch) {
    double loss = forward(batch);
    w.zeroGrad();
    b.zeroGrad();
    double[] x = batch.doubles(0);
    for (int r = 0; r < batch.size(); r++) {
      for (int c = 0; c < classes; c++) {
        double d = dLogits[r * classes + c];
        b.setGrad(c, b.grad(c) + d);
        for (int i = 0; i < features; i++) {
          int k = i * classes + c;
          w.setGrad(k, w.grad(k) + x[r * features + i] * d);
        }
      }
    }
    return loss;
  }

  @Override
  public float[] output(String name) {
    if (!name.equals("probs")) {
      throw new NncException("no output " + name);
    }
    return probs;
  }

  @Override
  public OptimizerSpec defaultOptimizer() {
    return OptimizerSpec.parse("sgd", Map.of("lr", 0.5, "momentum", 0.9));
  }
}
