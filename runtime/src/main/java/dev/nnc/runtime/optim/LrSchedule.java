package dev.nnc.runtime.optim;

import dev.nnc.runtime.NncException;

/** The learning rate of each epoch (0-based) given the base rate; the trainer applies it per epoch. */
public interface LrSchedule {
  double rate(double baseLr, int epoch, int totalEpochs);

  /** The base rate every epoch. */
  static LrSchedule constant() {
    return (base, epoch, total) -> base;
  }

  /** {@code base · gamma^floor(epoch / every)}. */
  static LrSchedule step(int every, double gamma) {
    if (every < 1 || !(gamma > 0) || Double.isInfinite(gamma)) {
      throw new NncException("step schedule needs every >= 1 and gamma > 0, got " + every + ", " + gamma);
    }
    return (base, epoch, total) -> base * StrictMath.pow(gamma, epoch / every);
  }

  /** {@code min + (base − min)·(1 + cos(π·epoch/total))/2}: base at epoch 0, decaying toward min. */
  static LrSchedule cosine(double minLr) {
    if (!(minLr >= 0) || Double.isInfinite(minLr)) {
      throw new NncException("cosine schedule needs a minimum rate >= 0, got " + minLr);
    }
    return (base, epoch, total) ->
        minLr + (base - minLr) * (1 + StrictMath.cos(Math.PI * epoch / Math.max(1, total))) / 2;
  }

  /** Parses {@code constant}, {@code step:EVERY:GAMMA}, {@code cosine} or {@code cosine:MIN_LR}. */
  static LrSchedule parse(String text) {
    String[] parts = text.trim().split(":", -1);
    try {
      if (parts[0].equals("constant") && parts.length == 1) {
        return constant();
      }
      if (parts[0].equals("step") && parts.length == 3) {
        return step(Integer.parseInt(parts[1]), Double.parseDouble(parts[2]));
      }
      if (parts[0].equals("cosine") && parts.length <= 2) {
        return cosine(parts.length == 2 ? Double.parseDouble(parts[1]) : 0);
      }
    } catch (NumberFormatException e) {
      // fall through to the error below
    }
    throw new NncException("bad learning-rate schedule '" + text
        + "' (valid: constant, step:EVERY:GAMMA, cosine, cosine:MIN_LR)");
  }
}
