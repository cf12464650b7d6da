package dev.nnc.spark;

import java.util.SplittableRandom;

/**
 * The order in which an epoch visits the training examples, numbered globally (partition by
 * partition): the permutation the local {@code Trainer} uses for the same seed and epoch, so that
 * step k on Spark trains on exactly the examples of the local trainer's step k. Every executor
 * computes it from the seed; no data moves between partitions.
 */
final class GlobalOrder {
  private GlobalOrder() {}

  /**
   * The seeded Fisher-Yates permutation of {@code 0..rows-1} for {@code epoch}: the local
   * trainer's per-epoch seed {@code seed ^ (epoch · 0x9E3779B97F4A7C15)} and its shuffle
   * (SplittableRandom, from the last position down). MiniBatchParityTest fails if they part.
   */
  static int[] of(long seed, int epoch, int rows) {
    int[] order = new int[rows];
    for (int i = 0; i < rows; i++) {
      order[i] = i;
    }
    SplittableRandom r = new SplittableRandom(seed ^ (epoch * 0x9E3779B97F4A7C15L));
    for (int i = rows - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
    return order;
  }
}
