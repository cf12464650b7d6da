package dev.nnc.runtime.data;

/** A train part and a test part of one dataset. */
public final class Split {
  private final Dataset train;
  private final Dataset test;

  public Split(Dataset train, Dataset test) {
    this.train = train;
    this.test = test;
  }

  public Dataset train() {
    return train;
  }

  public Dataset test() {
    return test;
  }
}
