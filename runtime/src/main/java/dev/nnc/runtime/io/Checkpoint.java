package dev.nnc.runtime.io;

import dev.nnc.runtime.Tensor;
import java.util.Collections;
import java.util.Map;

/** What loading a checkpoint returns besides the parameters: its metadata and the optimizer state. */
public final class Checkpoint {
  private final Map<String, String> metadata;
  private final Map<String, Tensor> optimizerState;

  public Checkpoint(Map<String, String> metadata, Map<String, Tensor> optimizerState) {
    this.metadata = Collections.unmodifiableMap(metadata);
    this.optimizerState = Collections.unmodifiableMap(optimizerState);
  }

  /** String metadata such as {@code model}, {@code epoch}. */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** The optimizer state (names like {@code fc1.W.m}, {@code step}); empty if none was saved. */
  public Map<String, Tensor> optimizerState() {
    return optimizerState;
  }
}
