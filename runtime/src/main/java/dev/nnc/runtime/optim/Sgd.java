package dev.nnc.runtime.optim;

import dev.nnc.runtime.Parameter;
import dev.nnc.runtime.Tensor;
import java.util.List;

/**
 * Stochastic gradient descent with optional L2 weight decay ({@code g += wd·w}), classical momentum
 * ({@code v = μ·v − lr·g; w += v}) and Nesterov momentum ({@code v = μ·v − lr·g; w += μ·v − lr·g}).
 */
public final class Sgd extends StatefulOptimizer {
  private final double momentum;
  private final boolean nesterov;
  private final double weightDecay;

  public Sgd(double lr, double momentum, boolean nesterov, double weightDecay) {
    super(lr, momentum == 0 ? new String[0] : new String[] {"velocity"});
    this.momentum = momentum;
    this.nesterov = nesterov;
    this.weightDecay = weightDecay;
  }

  @Override
  public double sgdRate() {
    return momentum == 0 && weightDecay == 0 ? lr : Double.NaN;
  }

  @Override
  public void step(List<Parameter> params) {
    step++;
    // An indexed loop: an iterator here would be the only allocation of a training step.
    for (int index = 0; index < params.size(); index++) {
      Parameter p = params.get(index);
      Tensor[] s = momentum == 0 ? null : state(p);
      if (p.isF64()) {
        stepF64(p.f64(), p.gradF64(), s == null ? null : s[0].doubles());
      } else {
        stepF32(p.f32(), p.gradF32(), s == null ? null : s[0].floats());
      }
    }
  }

  private void stepF32(float[] w, float[] grad, float[] v) {
    // Branch-free float loops that C2 vectorizes; the arithmetic stays in single precision.
    float rate = (float) lr;
    float decay = (float) weightDecay;
    float mu = (float) momentum;
    if (v == null) {
      for (int i = 0; i < w.length; i++) {
        w[i] -= rate * (grad[i] + decay * w[i]);
      }
      return;
    }
    if (!nesterov) {
      for (int i = 0; i < w.length; i++) {
        float vi = mu * v[i] - rate * (grad[i] + decay * w[i]);
        v[i] = vi;
        w[i] += vi;
      }
      return;
    }
    for (int i = 0; i < w.length; i++) {
      double g = grad[i] + weightDecay * w[i];
      if (v == null) {
        w[i] = (float) (w[i] - lr * g);
      } else {
        double vi = momentum * v[i] - lr * g;
        v[i] = (float) vi;
        w[i] = (float) (w[i] + (nesterov ? momentum * vi - lr * g : vi));
      }
    }
  }

  private void stepF64(double[] w, double[] grad, double[] v) {
    for (int i = 0; i < w.length; i++) {
      double g = grad[i] + weightDecay * w[i];
      if (v == null) {
        w[i] -= lr * g;
      } else {
        double vi = momentum * v[i] - lr * g;
        v[i] = vi;
        w[i] += nesterov ? momentum * vi - lr * g : vi;
      }
    }
  }
}
