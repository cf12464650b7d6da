package dev.nnc.compiler.autodiff;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random {@code .nn} functions over 2-3 parameters drawn from {@code a, b} (scalars),
 * {@code v: [3]} and {@code M: [2, 3]}, built from the built-ins. Every subexpression carries a
 * bound on its magnitude for parameters in [-1.5, 1.5], and the grammar only builds forms that
 * are finite and well conditioned there: exp only of bounded arguments, log and sqrt only of
 * positive forms such as {@code 1 + e * e}, division only by {@code 1 + e * e}; a subexpression
 * whose bound grows too large is squashed with tanh. A smooth function uses no kinks (relu, abs,
 * max, min, where, hinge), so that finite differences apply.
 */
final class ExpressionGrammar {
  /** The shapes the grammar builds. */
  enum Kind {
    SCALAR(""), V3("[3]"), V2("[2]"), MAT("[2, 3]");

    final String shape;

    Kind(String shape) {
      this.shape = shape;
    }
  }

  /** An expression with its shape and a bound on its magnitude. */
  record E(String text, Kind kind, double bound) {}

  /** A generated function. */
  record Fn(String name, String text, List<String> params, List<Integer> sizes, boolean smooth) {}

  static final double CAP = 12;

  private final Random random;
  private final boolean smooth;
  private final boolean hasA;
  private final boolean hasB;
  private final boolean hasV;
  private final boolean hasM;

  private ExpressionGrammar(Random random, boolean smooth, boolean a, boolean b, boolean v,
      boolean m) {
    this.random = random;
    this.smooth = smooth;
    this.hasA = a;
    this.hasB = b;
    this.hasV = v;
    this.hasM = m;
  }

  /** The parameter sets, each of 2 or 3 parameters. */
  private static final boolean[][] PARAM_SETS = {
      {true, true, false, false},
      {true, false, true, false},
      {false, false, true, true},
      {true, true, true, false},
      {true, false, false, true},
      {true, false, true, true},
      {false, true, true, false},
      {true, true, false, true},
  };

  /** Function number {@code index} of a pool generated from {@code seed}. */
  static Fn function(long seed, int index, boolean smooth) {
    Random random = new Random(seed * 1_000_003L + index);
    boolean[] set = PARAM_SETS[random.nextInt(PARAM_SETS.length)];
    ExpressionGrammar g = new ExpressionGrammar(random, smooth, set[0], set[1], set[2], set[3]);
    List<String> params = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    List<String> decls = new ArrayList<>();
    if (set[0]) {
      params.add("a");
      sizes.add(1);
      decls.add("a");
    }
    if (set[1]) {
      params.add("b");
      sizes.add(1);
      decls.add("b");
    }
    if (set[2]) {
      params.add("v");
      sizes.add(3);
      decls.add("v: [3]");
    }
    if (set[3]) {
      params.add("M");
      sizes.add(6);
      decls.add("M: [2, 3]");
    }
    // most functions are scalar; some return a tensor (seeded with ones upstream)
    Kind result = Kind.SCALAR;
    if (random.nextInt(5) == 0) {
      List<Kind> tensors = g.available().subList(1, g.available().size());
      if (!tensors.isEmpty()) {
        result = tensors.get(random.nextInt(tensors.size()));
      }
    }
    int depth = 3 + random.nextInt(2);
    E body = g.gen(result, depth);
    if (result != Kind.SCALAR) {
      // a tensor value that is a bare parameter or view does not compile yet (see
      // emit/TensorValuedTest): keep an op on top
      body = e("tanh(" + body.text() + ")", result, 1);
    }
    String name = (smooth ? "s" : "k") + index;
    String text;
    if (random.nextBoolean()) {
      text = "fn " + name + "(" + String.join(", ", decls) + ") = " + body.text() + ";\n";
    } else {
      E first = g.gen(Kind.SCALAR, 2);
      text = "fn " + name + "(" + String.join(", ", decls) + ") {\n  let t = " + first.text()
          + ";\n  return t * t + (" + body.text() + ");\n}\n";
    }
    return new Fn(name, text, params, sizes, smooth);
  }

  private List<Kind> available() {
    List<Kind> out = new ArrayList<>();
    out.add(Kind.SCALAR);
    if (hasV || hasM) {
      out.add(Kind.V3);
    }
    if (hasM) {
      out.add(Kind.V2);
      out.add(Kind.MAT);
    }
    return out;
  }

  private boolean chance(int percent) {
    return random.nextInt(100) < percent;
  }

  private <T> T pick(List<T> options) {
    return options.get(random.nextInt(options.size()));
  }

  private static E e(String text, Kind kind, double bound) {
    return new E(text, kind, bound);
  }

  /** Squashes a subexpression whose bound is too large. */
  private static E tame(E x) {
    return x.bound() <= CAP ? x : e("tanh(" + x.text() + ")", x.kind(), 1);
  }

  private E leaf(Kind kind) {
    switch (kind) {
      case SCALAR: {
        List<E> options = new ArrayList<>();
        if (hasA) {
          options.add(e("a", kind, 1.5));
        }
        if (hasB) {
          options.add(e("b", kind, 1.5));
        }
        if (hasV) {
          options.add(e("v[" + random.nextInt(3) + "]", kind, 1.5));
        }
        if (hasM) {
          options.add(e("M[" + random.nextInt(2) + ", " + random.nextInt(3) + "]", kind, 1.5));
        }
        if (chance(12)) {
          double c = pick(List.of(0.5, 2.0, -1.5, 3.0, 0.25));
          return e(Double.toString(c), kind, Math.abs(c));
        }
        return pick(options);
      }
      case V3:
        if (hasV && (!hasM || chance(70))) {
          return e("v", kind, 1.5);
        }
        return chance(50) ? e("M[" + random.nextInt(2) + "]", kind, 1.5)
            : e("sum(M, axis: 0)", kind, 3);
      case V2:
        return hasV && chance(60) ? e("(M @ v)", kind, 6.75) : e("sum(M, axis: 1)", kind, 4.5);
      default:
        return e("M", kind, 1.5);
    }
  }

  /** An expression of {@code kind} of at most {@code depth} levels. */
  E gen(Kind kind, int depth) {
    if (depth <= 0 || chance(10)) {
      return leaf(kind);
    }
    int choice = random.nextInt(smooth ? 10 : 14);
    if (choice < 3) {
      return unary(gen(kind, depth - 1));
    }
    if (choice < 6) {
      return binary(kind, depth);
    }
    if (choice < 9) {
      return special(kind, depth);
    }
    if (choice == 9) {
      return binary(kind, depth);
    }
    return kink(kind, depth);
  }

  private E unary(E x) {
    Kind k = x.kind();
    String t = x.text();
    double b = x.bound();
    switch (random.nextInt(15)) {
      case 0:
        return e("sin(" + t + ")", k, 1);
      case 1:
        return e("cos(" + t + ")", k, 1);
      case 2:
        return e("tanh(" + t + ")", k, 1);
      case 3:
        return e("sigmoid(" + t + ")", k, 1);
      case 4:
        return e("softplus(" + t + ")", k, b + 1);
      case 5:
        return b <= 3 ? e("exp(" + t + ")", k, Math.exp(b)) : e("exp(tanh(" + t + "))", k, Math.E);
      case 6:
        return e("log(1 + " + paren(t) + " * " + paren(t) + ")", k, Math.log(1 + b * b));
      case 7:
        return e("log(sigmoid(" + t + "))", k, b + 1);
      case 8:
        return b <= 3 ? e("log(1 + exp(" + t + "))", k, b + 1) : e("softplus(" + t + ")", k, b + 1);
      case 9:
        return e("sqrt(1 + " + paren(t) + " ^ 2)", k, 1 + b);
      case 10:
        return e("-" + paren(t), k, b);
      case 11:
        return b <= 3 ? e("1 / (1 + exp(-" + paren(t) + "))", k, 1) : e("sigmoid(" + t + ")", k, 1);
      case 12:
        return e("gelu(" + t + ")", k, b);
      case 13:
        return e("silu(" + t + ")", k, b);
      default:
        return e("tan(0.5 * tanh(" + t + "))", k, 0.6);
    }
  }

  private static String paren(String t) {
    return "(" + t + ")";
  }

  /** A second operand for an elementwise op on {@code kind}: same shape or broadcast. */
  private E operand(Kind kind, int depth) {
    if (kind != Kind.SCALAR && chance(25)) {
      return gen(Kind.SCALAR, depth);
    }
    if (kind == Kind.MAT && chance(25)) {
      return gen(Kind.V3, depth);
    }
    return gen(kind, depth);
  }

  private E binary(Kind kind, int depth) {
    E x = tame(gen(kind, depth - 1));
    E y = tame(operand(kind, depth - 1));
    boolean swap = y.kind() == kind && chance(50);
    E l = swap ? y : x;
    E r = swap ? x : y;
    String lt = paren(l.text());
    String rt = paren(r.text());
    switch (random.nextInt(8)) {
      case 0:
        return e(lt + " + " + rt, kind, l.bound() + r.bound());
      case 1:
        return e(lt + " - " + rt, kind, l.bound() + r.bound());
      case 2:
        return tame(e(lt + " * " + rt, kind, l.bound() * r.bound()));
      case 3:
        return e(lt + " / (1 + " + rt + " * " + rt + ")", kind, l.bound());
      case 4:
        return e(lt + " ^ 2", kind, l.bound() * l.bound());
      case 5:
        return l.bound() <= 2.5 ? e(lt + " ^ 3", kind, Math.pow(l.bound(), 3))
            : e("(1 + " + lt + " ^ 2) ^ 0.5", kind, 1 + l.bound());
      case 6:
        return e("(1 + " + lt + " * " + lt + ") ^ sigmoid(" + r.text() + ")", kind,
            1 + l.bound() * l.bound());
      default:
        return r.bound() <= 2 ? e("(2 + tanh(" + l.text() + ")) ^ " + rt, kind,
            Math.pow(3, r.bound())) : e("(2 + tanh(" + l.text() + ")) ^ tanh(" + r.text() + ")",
            kind, 3);
    }
  }

  private E special(Kind kind, int depth) {
    List<Kind> av = available();
    switch (kind) {
      case SCALAR: {
        List<Integer> options = new ArrayList<>(List.of(0, 1));
        if (av.contains(Kind.V3)) {
          options.addAll(List.of(2, 3, 4, 5, 6, 7, 8, 9, 10));
        }
        if (av.contains(Kind.MAT)) {
          options.addAll(List.of(11, 12, 13, 14));
        }
        switch (pick(options)) {
          case 0: {
            E x = tame(gen(Kind.SCALAR, depth - 1));
            E t = gen(Kind.SCALAR, depth - 1);
            return e("bce_with_logits(" + x.text() + ", sigmoid(" + t.text() + "))", kind,
                2 * x.bound() + 1);
          }
          case 1:
            return unary(gen(Kind.SCALAR, depth - 1));
          case 2:
            return sum("sum", gen(Kind.V3, depth - 1), 3);
          case 3:
            return sum("mean", gen(Kind.V3, depth - 1), 1);
          case 4: {
            E x = tame(gen(Kind.V3, depth - 1));
            return e("logsumexp(" + x.text() + ")", kind, x.bound() + 1.1);
          }
          case 5: {
            E x = tame(gen(Kind.V3, depth - 1));
            E y = tame(gen(Kind.V3, depth - 1));
            return tame(e(paren(x.text()) + " @ " + paren(y.text()), kind,
                3 * x.bound() * y.bound()));
          }
          case 6: {
            E x = tame(gen(Kind.V3, depth - 1));
            return e("cross_entropy(" + x.text() + ", " + random.nextInt(3) + ")", kind,
                2 * x.bound() + 1.1);
          }
          case 7: {
            E x = tame(gen(Kind.V3, depth - 1));
            E y = gen(Kind.V3, depth - 1);
            return e("cross_entropy(" + x.text() + ", softmax(" + y.text() + "))", kind,
                2 * x.bound() + 1.1);
          }
          case 8: {
            E x = tame(gen(Kind.V3, depth - 1));
            E y = tame(gen(Kind.V3, depth - 1));
            return tame(e("mse(" + x.text() + ", " + y.text() + ")", kind,
                Math.pow(x.bound() + y.bound(), 2)));
          }
          case 9: {
            E x = tame(gen(Kind.V3, depth - 1));
            return e(paren(x.text()) + "[" + random.nextInt(3) + "]", kind, x.bound());
          }
          case 10: {
            E x = tame(gen(Kind.V3, depth - 1));
            return e("sum(log_softmax(" + x.text() + ") * softmax(" + x.text() + "))", kind,
                2 * x.bound() + 1.1);
          }
          case 11:
            return sum("sum", gen(Kind.MAT, depth - 1), 6);
          case 12: {
            E x = tame(gen(Kind.MAT, depth - 1));
            return e("logsumexp(" + x.text() + ")", kind, x.bound() + 1.8);
          }
          case 13: {
            E x = tame(gen(Kind.MAT, depth - 1));
            return e(paren(x.text()) + "[" + random.nextInt(2) + ", " + random.nextInt(3) + "]",
                kind, x.bound());
          }
          default: {
            E x = tame(gen(Kind.V2, depth - 1));
            E y = tame(gen(Kind.V2, depth - 1));
            return tame(e(paren(x.text()) + " @ " + paren(y.text()), kind,
                2 * x.bound() * y.bound()));
          }
        }
      }
      case V3: {
        List<Integer> options = new ArrayList<>(List.of(0, 1));
        if (av.contains(Kind.MAT)) {
          options.addAll(List.of(2, 3, 4, 5, 6, 7));
        }
        E x;
        switch (pick(options)) {
          case 0:
            return e("softmax(" + gen(Kind.V3, depth - 1).text() + ")", kind, 1);
          case 1:
            x = tame(gen(Kind.V3, depth - 1));
            return e("log_softmax(" + x.text() + ")", kind, 2 * x.bound() + 1.1);
          case 2:
            x = tame(gen(Kind.MAT, depth - 1));
            return e("sum(" + x.text() + ", axis: 0)", kind, 2 * x.bound());
          case 3:
            x = tame(gen(Kind.MAT, depth - 1));
            return e("logsumexp(" + x.text() + ", axis: 0)", kind, x.bound() + 0.7);
          case 4:
            x = tame(gen(Kind.MAT, depth - 1));
            return e("mean(" + x.text() + ", axis: 0)", kind, x.bound());
          case 5: {
            x = tame(gen(Kind.MAT, depth - 1));
            E y = tame(gen(Kind.V2, depth - 1));
            return tame(e(paren(x.text()) + ".T @ " + paren(y.text()), kind,
                2 * x.bound() * y.bound()));
          }
          case 6: {
            x = tame(gen(Kind.MAT, depth - 1));
            E y = tame(gen(Kind.V2, depth - 1));
            return tame(e(paren(y.text()) + " @ " + paren(x.text()), kind,
                2 * x.bound() * y.bound()));
          }
          default:
            x = tame(gen(Kind.MAT, depth - 1));
            return e(paren(x.text()) + "[" + random.nextInt(2) + "]", kind, x.bound());
        }
      }
      case V2: {
        E x = tame(gen(Kind.MAT, depth - 1));
        switch (random.nextInt(4)) {
          case 0: {
            E y = tame(gen(Kind.V3, depth - 1));
            return tame(e(paren(x.text()) + " @ " + paren(y.text()), kind,
                3 * x.bound() * y.bound()));
          }
          case 1:
            return e("sum(" + x.text() + ", axis: 1)", kind, 3 * x.bound());
          case 2:
            return e("logsumexp(" + x.text() + ", axis: 1)", kind, x.bound() + 1.1);
          default:
            return e("mean(" + x.text() + ", axis: 1)", kind, x.bound());
        }
      }
      default: {
        E x = tame(gen(Kind.MAT, depth - 1));
        switch (random.nextInt(4)) {
          case 0:
            return e("softmax(" + x.text() + ")", kind, 1);
          case 1:
            return e("log_softmax(" + x.text() + ")", kind, 2 * x.bound() + 1.1);
          case 2:
            return e("transpose(" + paren(x.text()) + ".T)", kind, x.bound());
          default: {
            E y = tame(gen(Kind.V3, depth - 1));
            return e(paren(x.text()) + " * " + paren(y.text()), kind, x.bound() * y.bound());
          }
        }
      }
    }
  }

  private static E sum(String fn, E x, int n) {
    return tame(e(fn + "(" + x.text() + ")", Kind.SCALAR, n * x.bound()));
  }

  /** The non-smooth built-ins: kinks where finite differences do not apply. */
  private E kink(Kind kind, int depth) {
    E x = tame(gen(kind, depth - 1));
    String t = x.text();
    switch (random.nextInt(kind == Kind.SCALAR && available().contains(Kind.V3) ? 9 : 7)) {
      case 0:
        return e("relu(" + t + ")", kind, x.bound());
      case 1:
        return e("abs(" + t + ")", kind, x.bound());
      case 2:
        return e("leaky_relu(" + t + ", 0.1)", kind, x.bound());
      case 3: {
        E y = tame(operand(kind, depth - 1));
        return e("max(" + t + ", " + y.text() + ")", kind, Math.max(x.bound(), y.bound()));
      }
      case 4: {
        E y = tame(operand(kind, depth - 1));
        return e("min(" + y.text() + ", " + t + ")", kind, Math.max(x.bound(), y.bound()));
      }
      case 5: {
        E y = tame(operand(kind, depth - 1));
        E z = tame(gen(kind, depth - 1));
        String cmp = pick(List.of(">", "<", ">=", "<="));
        return e("where(" + paren(t) + " " + cmp + " " + paren(y.text()) + ", " + z.text() + ", " + t + ")", kind,
            Math.max(x.bound(), z.bound()));
      }
      case 6:
        return kind == Kind.SCALAR || kind == Kind.MAT || !available().contains(Kind.MAT)
            ? e("leaky_relu(" + t + ")", kind, x.bound())
            : e("max(" + tame(gen(Kind.MAT, depth - 1)).text() + ", axis: "
                + (kind == Kind.V3 ? 0 : 1) + ")", kind, CAP);
      case 7: {
        E y = tame(gen(Kind.V3, depth - 1));
        return e(pick(List.of("max", "min")) + "(" + y.text() + ")", kind, y.bound());
      }
      default: {
        E y = tame(gen(Kind.V3, depth - 1));
        return e("hinge(" + y.text() + ", " + random.nextInt(3) + ")", kind, 3 * y.bound() + 3);
      }
    }
  }
}
