package dev.nnc.cli.models;

import java.lang.invoke.MethodHandles;

/**
 * The package that models compiled by the command line live in: their classes are defined as
 * hidden classes of this package (through {@link #lookup}), not by a class loader of their own.
 * A class-data-sharing archive never takes in a hidden class, and a generated model class taken
 * in from a class loader made the next runs' training up to three times slower (JDK 17).
 */
public final class ModelHost {
  private ModelHost() {}

  /** A lookup with full privileges in this package, to define hidden classes in it. */
  public static MethodHandles.Lookup lookup() {
    return MethodHandles.lookup();
  }
}
