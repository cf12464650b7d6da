package dev.nnc.compiler.emit;

/**
 * Integer index expressions for generated code, folded when constant so that emitted indices
 * read {@code x[3]} rather than {@code x[0 * 2 + 3]}.
 */
final class Ix {
  private Ix() {}

  static String of(int value) {
    return Integer.toString(value);
  }

  static String add(String a, String b) {
    Integer x = constant(a);
    Integer y = constant(b);
    if (x != null && y != null) {
      return of(x + y);
    }
    if (Integer.valueOf(0).equals(x)) {
      return b;
    }
    if (Integer.valueOf(0).equals(y)) {
      return a;
    }
    return a + " + " + b;
  }

  static String mul(String a, int b) {
    Integer x = constant(a);
    if (x != null) {
      return of(x * b);
    }
    if (b == 1) {
      return a;
    }
    if (b == 0) {
      return "0";
    }
    return group(a) + " * " + b;
  }

  static String div(String a, int b) {
    Integer x = constant(a);
    if (x != null) {
      return of(x / b);
    }
    return b == 1 ? a : group(a) + " / " + b;
  }

  static String mod(String a, int b) {
    Integer x = constant(a);
    if (x != null) {
      return of(x % b);
    }
    return b == 1 ? "0" : group(a) + " % " + b;
  }

  private static String group(String a) {
    return a.matches("[A-Za-z0-9_]+") ? a : "(" + a + ")";
  }

  private static Integer constant(String s) {
    return s.matches("-?[0-9]+") ? Integer.valueOf(s) : null;
  }
}
