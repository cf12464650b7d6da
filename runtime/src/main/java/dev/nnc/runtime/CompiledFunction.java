package dev.nnc.runtime;

import java.util.List;

/**
 * What every class generated from a {@code fn} offers for generic use (tools, tests, the
 * {@code nnc eval} command). These methods allocate their results; hot loops should call the
 * generated class's typed {@code value} and {@code valueAndGradient} methods instead, which do
 * not allocate.
 */
public interface CompiledFunction {
  /** The function's name in the {@code .nn} source. */
  String name();

  /** The parameter names, in declaration order. */
  List<String> parameterNames();

  /** The static shape of parameter {@code i} (empty for a scalar). */
  int[] parameterShape(int i);

  /** The shape of the function's value (empty for a scalar). */
  int[] valueShape();

  /** True if the function computes in {@code float} ({@code fn g(x) : f32 = ...}). */
  default boolean singlePrecision() {
    return false;
  }

  /** The value at {@code args} (one flat row-major array per parameter). */
  double[] evaluate(double[][] args);

  /**
   * The value at {@code args}, and its gradient with respect to every parameter written into
   * {@code gradients[i]} (arrays of each parameter's size). For a tensor-valued function the
   * gradient is of {@code sum(upstream * value)}; a null {@code upstream} means all ones.
   */
  double[] evaluateWithGradient(double[][] args, double[] upstream, double[][] gradients);

  /**
   * The Hessian at {@code args} with respect to all parameters flattened in declaration order
   * (row-major within a tensor), as a row-major {@code [P, P]} array; for a tensor-valued
   * function the Hessian of {@code sum(upstream * value)} (null: all ones).
   */
  default double[] evaluateHessian(double[][] args, double[] upstream) {
    throw new UnsupportedOperationException(name() + " was generated without second derivatives");
  }

  /**
   * The Hessian at {@code args} times {@code direction} (one array per parameter), written into
   * {@code out[i]} (arrays of each parameter's size); upstream as in {@link #evaluateHessian}.
   */
  default void evaluateHvp(double[][] args, double[] upstream, double[][] direction,
      double[][] out) {
    throw new UnsupportedOperationException(name() + " was generated without second derivatives");
  }

  /** The Jacobian at {@code args} times {@code direction} (one array per parameter): J v. */
  default double[] evaluateJvp(double[][] args, double[][] direction) {
    throw new UnsupportedOperationException(name() + " was generated without second derivatives");
  }

  /** A single-precision copy of {@code values}, for the generic methods of f32 functions. */
  static float[] toF32(double[] values) {
    float[] out = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (float) values[i];
    }
    return out;
  }

  /** Copies {@code values} into {@code out}, widening to double. */
  static void copy(float[] values, double[] out) {
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
  }

  /** Checks that an argument has its parameter's number of elements. */
  static void checkLength(String name, double[] values, int size) {
    if (values.length != size) {
      throw new IllegalArgumentException(name + " needs " + size + " values, got " + values.length);
    }
  }

  /** Checks that a single-precision argument has its parameter's number of elements. */
  static void checkLength(String name, float[] values, int size) {
    if (values.length != size) {
      throw new IllegalArgumentException(name + " needs " + size + " values, got " + values.length);
    }
  }
}
