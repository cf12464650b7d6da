package dev.nnc.compiler.ir;

/**
 * The settings of a dropout: the probability {@code rate} of zeroing an element, and the
 * {@code site}, a number unique to the call in its graph, from which (with the training seed and
 * step) each element's mask is drawn. The gradient of a dropout is the same dropout of the
 * upstream gradient, so both passes draw the same mask.
 */
public record Dropout(double rate, int site) implements Attributes {
  public Dropout {
    if (!(rate >= 0 && rate < 1)) {
      throw new IllegalArgumentException("rate " + rate);
    }
  }

  @Override
  public String toString() {
    return "rate: " + rate + ", site: " + site;
  }
}
