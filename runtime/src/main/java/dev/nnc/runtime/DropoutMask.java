package dev.nnc.runtime;

/**
 * The dropout masks of training steps, drawn without state: element {@code index} (counted over
 * the batch, examples one after another) of dropout site {@code site} in step {@code step} of a
 * model initialized with {@code seed} is kept with probability {@code 1 - rate}, as a hash of
 * those four numbers says. A generated model draws the mask in its forward and again in its
 * backward pass, so both see the same mask without storing it; the interpreter draws the same.
 */
public final class DropoutMask {
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  private DropoutMask() {}

  /**
   * The stream of one site in one step: a SplitMix64 state from which {@link #scale} draws
   * each element's number (neighbouring seeds, steps and sites give unrelated streams).
   */
  public static long stream(long seed, long step, int site) {
    long h = mix(seed + GOLDEN);
    h = mix(h ^ (step * 0xBF58476D1CE4E5B9L + 0x632BE59BD9B4E019L));
    return mix(h ^ ((long) site * 0x94D049BB133111EBL + 0x2545F4914F6CDD1DL));
  }

  /**
   * Element {@code index} of {@code stream}'s mask: 0 if dropped, else {@code 1 / (1 - rate)}.
   * f32 code rounds the result, never the rate, so that f32 and f64 code drop the same elements.
   */
  public static double scale(long stream, long index, double rate) {
    return uniform(stream, index) < rate ? 0 : 1 / (1 - rate);
  }

  /** Element {@code index}'s uniform number in [0, 1): SplitMix64's output at that position. */
  static double uniform(long stream, long index) {
    return (mix(stream + (index + 1) * GOLDEN) >>> 11) * 0x1.0p-53;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
