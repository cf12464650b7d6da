package dev.nnc.spark;

import dev.nnc.runtime.Batch;
import dev.nnc.runtime.Initializer;
import dev.nnc.runtime.Model;
import dev.nnc.runtime.Parameter;
import dev.nnc.runtime.Slot;
import dev.nnc.runtime.optim.OptimizerSpec;
import java.util.List;

/**
 * A model class written by hand against the runtime API, standing in for a generated class on
 * the executors' class path: {@code pred = x·w + b}, loss the batch mean of {@code (pred − t)²}.
 */
public final class HandWrittenRidge implements Model {
  private final Parameter w = Parameter.f32("w", new int[] {5}, Initializer.normal(0.5));
  private final Parameter b = Parameter.f32("b", new int[] {1}, Initializer.zeros());
  private float[] pred = new float[0];

  @Override
  public String name() {
    return "HandWrittenRidge";
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(w, b);
  }

  @Override
  public List<Slot> inputs() {
    return List.of(Slot.input("x", 5), Slot.target("t", 1));
  }

  @Override
  public List<Slot> outputs() {
    return List.of(Slot.output("pred", 1));
  }

  @Override
  public double forward(Batch batch) {
    return pass(batch, false);
  }

  @Override
  public double forwardBackward(Batch batch) {
    return pass(batch, true);
  }

  private double pass(Batch batch, boolean backward) {
    int n = batch.size();
    float[] x = batch.floats(0);
    float[] t = batch.floats(1);
    if (pred.length < n) {
      pred = new float[n];
    }
    if (backward) {
      w.zeroGrad();
      b.zeroGrad();
    }
    double loss = 0;
    for (int i = 0; i < n; i++) {
      double p = b.f32()[0];
      for (int j = 0; j < 5; j++) {
        p += x[i * 5 + j] * w.f32()[j];
      }
      pred[i] = (float) p;
      double d = p - t[i];
      loss += d * d;
      if (backward) {
        for (int j = 0; j < 5; j++) {
          w.gradF32()[j] += (float) (2 * d * x[i * 5 + j] / n);
        }
        b.gradF32()[0] += (float) (2 * d / n);
      }
    }
    return loss / n;
  }

  @Override
  public float[] output(String name) {
    return pred;
  }

  @Override
  public OptimizerSpec defaultOptimizer() {
    return null;
  }
}
