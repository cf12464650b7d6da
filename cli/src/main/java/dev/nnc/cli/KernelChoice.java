package dev.nnc.cli;

import dev.nnc.runtime.Model;
import dev.nnc.runtime.Parameter;
import dev.nnc.runtime.kernels.Kernels;
import dev.nnc.runtime.kernels.WarmUp;

/**
 * Chooses the matrix kernel for a model the command line runs. The Vector API kernel is 2-4x
 * faster on large products (MNIST's 784×256 layer), but until C2 has compiled it its operations
 * run as Java objects: on the digits sample (64×64 weights) the vector kernel and its warm-up
 * cost 1.3-2.8 s more CPU than the whole 20-epoch run on the portable kernel, whose training
 * loop was faster too (1.4-2.4 s against 4.5-6.2 s, alternating runs on a loaded machine). So
 * models whose largest parameter is below {@link #MIN_VECTOR_PARAMETER} values use the portable
 * kernel. The system property {@code nnc.vector} ({@code true} or {@code false}) overrides the
 * choice either way.
 */
final class KernelChoice {
  /** The size of a 256×128 matrix. */
  static final int MIN_VECTOR_PARAMETER = 32_768;

  private KernelChoice() {}

  /** Sets the kernel for {@code model} and starts the vector kernel's warm-up if it is used. */
  static void apply(Model model) {
    String forced = System.getProperty("nnc.vector");
    int largest = 0;
    for (Parameter p : model.parameters()) {
      largest = Math.max(largest, p.size());
    }
    boolean vector = "true".equals(forced)
        || !"false".equals(forced) && largest >= MIN_VECTOR_PARAMETER;
    if (Kernels.useVector(vector)) {
      WarmUp.start();
    }
  }
}
