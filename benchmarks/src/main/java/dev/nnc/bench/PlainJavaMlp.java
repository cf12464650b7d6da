package dev.nnc.bench;

import java.util.SplittableRandom;

/**
 * The MLP 784-256-10 (ReLU, softmax cross-entropy, SGD) written by hand with simple loops over
 * flat float arrays: the "plain Java loops" baseline of PEERS.md. No blocking, packing or
 * threads; the loop orders are the natural cache-friendly ones (i-k-j).
 */
final class PlainJavaMlp {
  static final int IN = 784;
  static final int HIDDEN = 256;
  static final int OUT = 10;

  final float[] w1 = new float[IN * HIDDEN];
  final float[] b1 = new float[HIDDEN];
  final float[] w2 = new float[HIDDEN * OUT];
  final float[] b2 = new float[OUT];
  final float[] gw1 = new float[IN * HIDDEN];
  final float[] gb1 = new float[HIDDEN];
  final float[] gw2 = new float[HIDDEN * OUT];
  final float[] gb2 = new float[OUT];
  private float[] h = new float[0];
  private float[] logits = new float[0];
  private float[] dh = new float[0];
  private final float lr;

  PlainJavaMlp(long seed, float lr) {
    this.lr = lr;
    SplittableRandom random = new SplittableRandom(seed);
    double std1 = Math.sqrt(2.0 / IN);
    double std2 = Math.sqrt(2.0 / HIDDEN);
    for (int i = 0; i < w1.length; i++) {
      w1[i] = (float) (std1 * Programs.gaussian(random));
    }
    for (int i = 0; i < w2.length; i++) {
      w2[i] = (float) (std2 * Programs.gaussian(random));
    }
  }

  /** One SGD step on examples [0, n) of x (n × 784) and y; returns the mean loss. */
  float trainStep(float[] x, int[] y, int n) {
    if (h.length < n * HIDDEN) {
      h = new float[n * HIDDEN];
      dh = new float[n * HIDDEN];
      logits = new float[n * OUT];
    }
    // Forward: h = relu(x W1 + b1), logits = h W2 + b2.
    for (int b = 0; b < n; b++) {
      int ho = b * HIDDEN;
      for (int j = 0; j < HIDDEN; j++) {
        h[ho + j] = b1[j];
      }
      for (int k = 0; k < IN; k++) {
        float xk = x[b * IN + k];
        int wo = k * HIDDEN;
        for (int j = 0; j < HIDDEN; j++) {
          h[ho + j] += xk * w1[wo + j];
        }
      }
      for (int j = 0; j < HIDDEN; j++) {
        h[ho + j] = Math.max(h[ho + j], 0f);
      }
      int lo = b * OUT;
      for (int j = 0; j < OUT; j++) {
        logits[lo + j] = b2[j];
      }
      for (int k = 0; k < HIDDEN; k++) {
        float hk = h[ho + k];
        for (int j = 0; j < OUT; j++) {
          logits[lo + j] += hk * w2[k * OUT + j];
        }
      }
    }
    // Loss and dlogits = (softmax - onehot) / n, in place.
    float loss = 0;
    for (int b = 0; b < n; b++) {
      int lo = b * OUT;
      float max = logits[lo];
      for (int j = 1; j < OUT; j++) {
        max = Math.max(max, logits[lo + j]);
      }
      float sum = 0;
      for (int j = 0; j < OUT; j++) {
        float e = (float) Math.exp(logits[lo + j] - max);
        logits[lo + j] = e;
        sum += e;
      }
      loss += (float) (Math.log(sum) - Math.log(logits[lo + y[b]]));
      for (int j = 0; j < OUT; j++) {
        logits[lo + j] = logits[lo + j] / sum / n;
      }
      logits[lo + y[b]] -= 1f / n;
    }
    // Backward.
    java.util.Arrays.fill(gw1, 0f);
    java.util.Arrays.fill(gb1, 0f);
    java.util.Arrays.fill(gw2, 0f);
    java.util.Arrays.fill(gb2, 0f);
    for (int b = 0; b < n; b++) {
      int lo = b * OUT;
      int ho = b * HIDDEN;
      for (int j = 0; j < OUT; j++) {
        gb2[j] += logits[lo + j];
      }
      for (int k = 0; k < HIDDEN; k++) {
        float hk = h[ho + k];
        float d = 0;
        for (int j = 0; j < OUT; j++) {
          gw2[k * OUT + j] += hk * logits[lo + j];
          d += logits[lo + j] * w2[k * OUT + j];
        }
        dh[ho + k] = hk > 0 ? d : 0f;
      }
      for (int j = 0; j < HIDDEN; j++) {
        gb1[j] += dh[ho + j];
      }
      for (int k = 0; k < IN; k++) {
        float xk = x[b * IN + k];
        int wo = k * HIDDEN;
        for (int j = 0; j < HIDDEN; j++) {
          gw1[wo + j] += xk * dh[ho + j];
        }
      }
    }
    // SGD update.
    update(w1, gw1);
    update(b1, gb1);
    update(w2, gw2);
    update(b2, gb2);
    return loss / n;
  }

  private void update(float[] w, float[] g) {
    for (int i = 0; i < w.length; i++) {
      w[i] -= lr * g[i];
    }
  }
}
