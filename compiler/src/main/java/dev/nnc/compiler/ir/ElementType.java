package dev.nnc.compiler.ir;

/** The floating-point type generated code computes in. */
public enum ElementType {
  F32("float"),
  F64("double");

  private final String javaName;

  ElementType(String javaName) {
    this.javaName = javaName;
  }

  public String javaName() {
    return javaName;
  }
}
