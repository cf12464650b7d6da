package dev.nnc.runtime.optim;

import dev.nnc.runtime.Parameter;
import dev.nnc.runtime.Tensor;
import java.util.List;

/**
 * Adam with bias correction ({@code m̂ = m/(1−β1^t), v̂ = v/(1−β2^t), w −= lr·m̂/(√v̂ + ε)}); weight
 * decay is either L2 added to the gradient (Adam) or decoupled {@code w −= lr·wd·w} (AdamW).
 */
public final class Adam extends StatefulOptimizer {
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final double weightDecay;
  private final boolean decoupled;
  /** beta1^t and beta2^t for t = poweredSteps, kept by repeated multiplication (see step). */
  private double beta1Power = 1;
  private double beta2Power = 1;
  private long poweredSteps;

  public Adam(double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled) {
    super(lr, "m", "v");
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.weightDecay = weightDecay;
    this.decoupled = decoupled;
  }

  @Override
  public void step(List<Parameter> params) {
    step++;
    // Powers by repeated multiplication: deterministic, and unlike StrictMath.pow on JDK 17 they
    // allocate nothing. After importState the loop catches up with the restored step count.
    if (poweredSteps > step) {
      beta1Power = 1;
      beta2Power = 1;
      poweredSteps = 0;
    }
    while (poweredSteps < step) {
      beta1Power *= beta1;
      beta2Power *= beta2;
      poweredSteps++;
    }
    double bc1 = 1 - beta1Power;
    double bc2 = 1 - beta2Power;
    // An indexed loop: an iterator here would be the only allocation of a training step.
    for (int index = 0; index < params.size(); index++) {
      Parameter p = params.get(index);
      Tensor[] s = state(p);
      if (p.isF64()) {
        stepF64(p.f64(), p.gradF64(), s[0].doubles(), s[1].doubles(), bc1, bc2);
      } else {
        stepF32(p.f32(), p.gradF32(), s[0].floats(), s[1].floats(), bc1, bc2);
      }
    }
  }

  private void stepF32(float[] w, float[] grad, float[] m, float[] v, double bc1, double bc2) {
    double l2 = decoupled ? 0 : weightDecay;
    double shrink = decoupled ? 1 - lr * weightDecay : 1;
    for (int i = 0; i < w.length; i++) {
      double g = grad[i] + l2 * w[i];
      double mi = beta1 * m[i] + (1 - beta1) * g;
      double vi = beta2 * v[i] + (1 - beta2) * g * g;
      m[i] = (float) mi;
      v[i] = (float) vi;
      w[i] = (float) (w[i] * shrink - lr * (mi / bc1) / (Math.sqrt(vi / bc2) + eps));
    }
  }

  private void stepF64(double[] w, double[] grad, double[] m, double[] v, double bc1, double bc2) {
    double l2 = decoupled ? 0 : weightDecay;
    double shrink = decoupled ? 1 - lr * weightDecay : 1;
    for (int i = 0; i < w.length; i++) {
      double g = grad[i] + l2 * w[i];
      double mi = beta1 * m[i] + (1 - beta1) * g;
      double vi = beta2 * v[i] + (1 - beta2) * g * g;
      m[i] = mi;
      v[i] = vi;
      w[i] = w[i] * shrink - lr * (mi / bc1) / (Math.sqrt(vi / bc2) + eps);
    }
  }
}
