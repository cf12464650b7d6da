package dev.nnc.compiler.emit;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Splits a schedule of statements into consecutive chunks whose estimated cost stays within a
 * budget, so that every emitted method stays under HotSpot's 8000-byte JIT limit.
 */
final class Chunks {
  private Chunks() {}

  static <T> List<List<T>> split(List<T> nodes, ToIntFunction<T> cost, int budget) {
    List<List<T>> out = new ArrayList<>();
    List<T> current = new ArrayList<>();
    int used = 0;
    for (T n : nodes) {
      int c = cost.applyAsInt(n);
      if (used + c > budget && !current.isEmpty()) {
        out.add(current);
        current = new ArrayList<>();
        used = 0;
      }
      current.add(n);
      used += c;
    }
    if (!current.isEmpty()) {
      out.add(current);
    }
    return out;
  }
}
