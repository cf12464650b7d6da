package dev.nnc.bench;

import dev.nnc.runtime.NnMath;
import dev.nnc.runtime.kernels.Conv2d;
import dev.nnc.runtime.kernels.Gemm;
import dev.nnc.runtime.kernels.Pool2d;
import java.util.SplittableRandom;

/**
 * A LeNet-5 SGD training step written BY HAND on the runtime kernels ({@link Conv2d},
 * {@link Pool2d}, {@link Gemm}): a reference for tuning the kernels, timed next to the generated
 * model ({@code LeNetBench.handWrittenStep}). It is meant to be what the compiler would emit (the
 * same kernel calls and plain elementwise loops), not hand-fused code.
 *
 * <p>Network (as PyTorch's in {@code benchmarks/pytorch_lenet.py}): x [1, 28, 28] → conv 5×5
 * (6 channels, padding 2) → ReLU → max-pool 2 → conv 5×5 (16 channels) → ReLU → max-pool 2 →
 * flatten 400 → dense 120 → ReLU → dense 84 → ReLU → dense 10, softmax cross-entropy (batch
 * mean), plain SGD. Dense weights are [in, out] (x @ W), He-initialized like the convolutions'
 * weights; biases start at zero. The step fuses SGD into the weight gradients' products
 * ({@link Conv2d#updateWeights}, {@link Gemm#tnUpdate}) as the generated models do.
 */
public final class LeNetHandStep {
  final Conv2d conv1 = new Conv2d(1, 28, 28, 6, 5, 5, 1, 2);
  final Pool2d pool1 = new Pool2d(6, 28, 28, 2, 2);
  final Conv2d conv2 = new Conv2d(6, 14, 14, 16, 5, 5, 1, 0);
  final Pool2d pool2 = new Pool2d(16, 10, 10, 2, 2);

  final float[] w1 = new float[6 * 25];
  final float[] b1 = new float[6];
  final float[] w2 = new float[16 * 6 * 25];
  final float[] b2 = new float[16];
  final float[] w3 = new float[400 * 120];
  final float[] b3 = new float[120];
  final float[] w4 = new float[120 * 84];
  final float[] b4 = new float[84];
  final float[] w5 = new float[84 * 10];
  final float[] b5 = new float[10];

  private final float lr;
  private int capacity = -1;
  private float[] scratch;
  private float[] a1; // conv1 → relu in place, [n, 6, 28, 28]
  private float[] p1; // [n, 6, 14, 14]
  private int[] arg1;
  private float[] a2; // conv2 → relu in place, [n, 16, 10, 10]
  private float[] p2; // [n, 400]
  private int[] arg2;
  private float[] h3; // [n, 120]
  private float[] h4; // [n, 84]
  private float[] logits; // [n, 10], then the softmax
  private float[] dlogits;
  private float[] dh4;
  private float[] dh3;
  private float[] dp2;
  private float[] da2;
  private float[] dp1;
  private float[] da1;
  private float[] db;

  public LeNetHandStep(long seed, float lr) {
    this.lr = lr;
    SplittableRandom random = new SplittableRandom(seed);
    he(w1, 25, random);
    he(w2, 150, random);
    he(w3, 400, random);
    he(w4, 120, random);
    he(w5, 84, random);
  }

  private static void he(float[] w, int fanIn, SplittableRandom random) {
    double scale = Math.sqrt(2.0 / fanIn);
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) (scale * Programs.gaussian(random));
    }
  }

  private void ensure(int n) {
    if (n <= capacity) {
      return;
    }
    capacity = n;
    scratch = new float[Math.max(conv1.scratchSize(n), conv2.scratchSize(n))];
    a1 = new float[n * conv1.outputSize()];
    p1 = new float[n * pool1.outputSize()];
    arg1 = new int[n * pool1.outputSize()];
    a2 = new float[n * conv2.outputSize()];
    p2 = new float[n * pool2.outputSize()];
    arg2 = new int[n * pool2.outputSize()];
    h3 = new float[n * 120];
    h4 = new float[n * 84];
    logits = new float[n * 10];
    dlogits = new float[n * 10];
    dh4 = new float[n * 84];
    dh3 = new float[n * 120];
    dp2 = new float[n * 400];
    da2 = new float[n * conv2.outputSize()];
    dp1 = new float[n * pool1.outputSize()];
    da1 = new float[n * conv1.outputSize()];
    db = new float[120];
  }

  /** One SGD step on n examples x [n, 784] with labels in [0, 10); returns the mean loss. */
  public double step(float[] x, int[] labels, int n) {
    ensure(n);
    forward(n, x, 0);
    double loss = softmaxCrossEntropy(n, labels);
    // backward, each weight updated once nothing later reads it
    Gemm.nt(n, 84, 10, dlogits, 0, w5, 0, dh4, 0, false);
    updateDense(n, 84, 10, h4, dlogits, w5, b5);
    reluBackward(dh4, h4, n * 84);
    Gemm.nt(n, 120, 84, dh4, 0, w4, 0, dh3, 0, false);
    updateDense(n, 120, 84, h3, dh4, w4, b4);
    reluBackward(dh3, h3, n * 120);
    Gemm.nt(n, 400, 120, dh3, 0, w3, 0, dp2, 0, false);
    updateDense(n, 400, 120, p2, dh3, w3, b3);
    pool2.maxBackward(n, dp2, 0, arg2, 0, da2, 0);
    reluBackward(da2, a2, n * conv2.outputSize());
    conv2.backwardInput(n, da2, 0, w2, 0, dp1, 0, scratch);
    conv2.updateWeights(n, p1, 0, da2, 0, w2, 0, b2, 0, -lr, scratch);
    pool1.maxBackward(n, dp1, 0, arg1, 0, da1, 0);
    reluBackward(da1, a1, n * conv1.outputSize());
    conv1.updateWeights(n, x, 0, da1, 0, w1, 0, b1, 0, -lr, scratch);
    return loss;
  }

  /** The logits of n examples from x[xo ..]. */
  private void forward(int n, float[] x, int xo) {
    conv1.forward(n, x, xo, w1, 0, b1, 0, a1, 0, scratch);
    relu(a1, n * conv1.outputSize());
    pool1.maxForward(n, a1, 0, p1, 0, arg1, 0);
    conv2.forward(n, p1, 0, w2, 0, b2, 0, a2, 0, scratch);
    relu(a2, n * conv2.outputSize());
    pool2.maxForward(n, a2, 0, p2, 0, arg2, 0);
    dense(n, 120, 400, p2, w3, b3, h3);
    relu(h3, n * 120);
    dense(n, 84, 120, h3, w4, b4, h4);
    relu(h4, n * 84);
    dense(n, 10, 84, h4, w5, b5, logits);
  }

  /** The share of examples x [count, 784] whose largest logit is their label (no training). */
  public double accuracy(float[] x, int[] labels) {
    int count = labels.length;
    int chunk = Math.max(1, capacity);
    ensure(chunk);
    int right = 0;
    for (int from = 0; from < count; from += chunk) {
      int n = Math.min(chunk, count - from);
      forward(n, x, from * 784);
      for (int i = 0; i < n; i++) {
        int best = 0;
        for (int j = 1; j < 10; j++) {
          best = logits[i * 10 + j] > logits[i * 10 + best] ? j : best;
        }
        right += best == labels[from + i] ? 1 : 0;
      }
    }
    return (double) right / count;
  }

  /** out [n × m] = in [n × k] · w [k × m] + b. */
  private static void dense(int n, int m, int k, float[] in, float[] w, float[] b, float[] out) {
    Gemm.nn(n, m, k, in, 0, w, 0, out, 0, false);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        out[i * m + j] += b[j];
      }
    }
  }

  /** w += −lr · inᵀ·d (fused), b −= lr · Σ d. */
  private void updateDense(int n, int k, int m, float[] in, float[] d, float[] w, float[] b) {
    Gemm.tnUpdate(k, m, n, in, 0, d, 0, w, 0, -lr);
    java.util.Arrays.fill(db, 0, m, 0f);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        db[j] += d[i * m + j];
      }
    }
    for (int j = 0; j < m; j++) {
      b[j] -= lr * db[j];
    }
  }

  /** ReLU in place, branch-free as the generated code's (NnMath.relu). */
  private static void relu(float[] a, int size) {
    for (int i = 0; i < size; i++) {
      a[i] = NnMath.relu(a[i]);
    }
  }

  /** d *= step(out), out the ReLU's output: the generated code's ReLU gradient. */
  private static void reluBackward(float[] d, float[] out, int size) {
    for (int i = 0; i < size; i++) {
      d[i] = d[i] * NnMath.step(out[i]);
    }
  }

  /** The batch-mean cross-entropy of the logits; dlogits = (softmax − one-hot) / n. */
  private double softmaxCrossEntropy(int n, int[] labels) {
    double loss = 0;
    float inv = 1f / n;
    for (int i = 0; i < n; i++) {
      int o = i * 10;
      float max = logits[o];
      for (int j = 1; j < 10; j++) {
        max = Math.max(max, logits[o + j]);
      }
      float sum = 0f;
      for (int j = 0; j < 10; j++) {
        float e = (float) Math.exp(logits[o + j] - max);
        dlogits[o + j] = e;
        sum += e;
      }
      loss += Math.log(sum) - (logits[o + labels[i]] - max);
      for (int j = 0; j < 10; j++) {
        dlogits[o + j] = dlogits[o + j] / sum * inv;
      }
      dlogits[o + labels[i]] -= inv;
    }
    return loss / n;
  }
}
