package dev.nnc.runtime;

/** The element types a {@link Tensor} (and a safetensors file) may hold. */
public enum DType {
  F32(4),
  F64(8),
  I32(4),
  I64(8);

  private final int bytes;

  DType(int bytes) {
    this.bytes = bytes;
  }

  /** Bytes per element. */
  public int byteSize() {
    return bytes;
  }

  /** The dtype for a safetensors code such as {@code "F32"}; {@code where} prefixes the error. */
  public static DType parse(String code, String where) {
    for (DType t : values()) {
      if (t.name().equals(code)) {
        return t;
      }
    }
    throw new NncException(where + ": unsupported dtype \"" + code + "\" (supported: F32, F64, I32, I64)");
  }
}
