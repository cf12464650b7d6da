package dev.nnc.runtime.io;

import dev.nnc.runtime.Tensor;
import java.util.Collections;
import java.util.Map;

/** The contents of a safetensors file: named tensors (sorted by name) and string metadata. */
public final class TensorFile {
  private final Map<String, Tensor> tensors;
  private final Map<String, String> metadata;

  public TensorFile(Map<String, Tensor> tensors, Map<String, String> metadata) {
    this.tensors = Collections.unmodifiableMap(tensors);
    this.metadata = Collections.unmodifiableMap(metadata);
  }

  public Map<String, Tensor> tensors() {
    return tensors;
  }

  public Map<String, String> metadata() {
    return metadata;
  }
}
