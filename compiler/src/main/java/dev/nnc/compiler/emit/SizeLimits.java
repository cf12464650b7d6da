package dev.nnc.compiler.emit;

import dev.nnc.compiler.ir.ElementType;
import dev.nnc.compiler.ir.FunctionIr;
import dev.nnc.compiler.ir.ModelIr;
import dev.nnc.compiler.ir.Node;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The sizes nnc compiles, reported as errors at the declaration instead of failing in javac.
 * A class file holds at most 65,535 constants (each field, distinct number and method name
 * takes one to three); javac's time and memory grow with the class. The limits are counted in
 * generated statements: one statement computes one value (a scalar, or a loop over a tensor).
 * See docs/emitter.md.
 */
public final class SizeLimits {
  /** Statements of one {@code fn}'s class: its value and its gradient, after simplification. */
  public static final int MAX_FUNCTION_STATEMENTS = 20_000;

  /** Statements of one {@code model}'s class: its loss, outputs and gradients. */
  public static final int MAX_MODEL_STATEMENTS = 1_000;

  /**
   * Estimated constant-pool entries of one class: below the class-file limit of 65,535 with a
   * margin for what the estimate leaves out.
   */
  public static final int MAX_CONSTANTS = 60_000;

  private SizeLimits() {}

  /**
   * Before differentiation: why {@code fn} is too large, if its value alone (not yet simplified)
   * already has more statements than {@link #MAX_FUNCTION_STATEMENTS}, else null. A program past
   * the limit is reported without deriving it.
   */
  public static String beforeDerivation(FunctionIr fn) {
    int statements = statements(List.of(fn.value()));
    return statements > MAX_FUNCTION_STATEMENTS
        ? tooMany("fn " + fn.name(), "its value alone needs", statements,
            MAX_FUNCTION_STATEMENTS)
        : null;
  }

  /** As {@link #beforeDerivation(FunctionIr)} for a model's loss and outputs. */
  public static String beforeDerivation(ModelIr model) {
    List<Node> roots = new ArrayList<>(model.outputs().values());
    roots.add(model.loss());
    int statements = statements(roots);
    return statements > MAX_MODEL_STATEMENTS
        ? tooMany("model " + model.name(), "its loss and outputs alone need", statements,
            MAX_MODEL_STATEMENTS)
        : null;
  }

  /** Why a class of {@code statements} and about {@code constants} constants is too large, or null. */
  static String check(String what, String parts, int statements, int maxStatements,
      int constants) {
    if (statements > maxStatements) {
      return tooMany(what, parts + " need", statements, maxStatements);
    }
    if (constants > MAX_CONSTANTS) {
      return what + " is too large to compile: its class would hold about "
          + String.format(Locale.ROOT, "%,d", constants) + " constants (distinct numbers, and values that"
          + " methods share), more than the " + String.format(Locale.ROOT, "%,d", MAX_CONSTANTS)
          + " nnc allows in one class";
    }
    return null;
  }

  private static String tooMany(String what, String parts, int statements, int max) {
    return what + " is too large to compile: " + parts + " " + String.format(Locale.ROOT, "%,d", statements)
        + " Java statements, more than the " + String.format(Locale.ROOT, "%,d", max) + " nnc supports in"
        + " one class";
  }

  /**
   * Constant-pool entries for the distinct numbers {@code statements} read (through views): two
   * per double, one per float; 0 and 1 (and a float 2) have instructions of their own.
   */
  static int poolNumbers(Collection<Node> statements, ElementType type) {
    Set<Double> numbers = new HashSet<>();
    for (Node n : statements) {
      for (Node in : ((Node.Apply) n).inputs()) {
        for (Node leaf : Fusion.storedLeaves(in)) {
          if (leaf instanceof Node.Const c) {
            numbers.add(type == ElementType.F32 ? (double) (float) c.value() : c.value());
          }
        }
      }
    }
    numbers.removeAll(List.of(0.0, 1.0));
    if (type == ElementType.F32) {
      numbers.remove(2.0);
      return numbers.size();
    }
    return 2 * numbers.size();
  }

  /** Statements needed to compute {@code roots}: every operation but the views. */
  private static int statements(List<Node> roots) {
    int count = 0;
    for (Node n : IrFacts.reachable(roots)) {
      if (n instanceof Node.Apply a && !Code.isView(a)) {
        count++;
      }
    }
    return count;
  }
}
