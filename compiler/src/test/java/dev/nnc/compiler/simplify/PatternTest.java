package dev.nnc.compiler.simplify;

import static dev.nnc.compiler.simplify.Pattern.any;
import static dev.nnc.compiler.simplify.Pattern.constant;
import static dev.nnc.compiler.simplify.Pattern.either;
import static dev.nnc.compiler.simplify.Pattern.op;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.diag.SourceSpan;
import dev.nnc.compiler.ir.Graph;
import dev.nnc.compiler.ir.Node;
import dev.nnc.compiler.ir.Op;
import dev.nnc.compiler.ir.Shape;
import org.junit.jupiter.api.Test;

/** The pattern helper of the rules: binding, repeated names, either order and backtracking. */
class PatternTest {
  private final Graph g = new Graph();
  private final Node x = g.var("x", Shape.SCALAR, true, SourceSpan.NONE);
  private final Node y = g.var("y", Shape.SCALAR, true, SourceSpan.NONE);

  @Test
  void opPatternsBindTheirVariables() {
    Pattern.Match m = new Pattern.Match();
    Node n = g.sub(x, g.neg(y));
    assertTrue(op(Op.SUB, any("a"), op(Op.NEG, any("b"))).matches(n, m));
    assertSame(x, m.get("a"));
    assertSame(y, m.get("b"));
    assertFalse(op(Op.ADD, any("a"), any("b")).matches(n, new Pattern.Match()));
    assertFalse(op(Op.SUB, any("a"), op(Op.EXP, any("b"))).matches(n, new Pattern.Match()));
    assertThrows(IllegalArgumentException.class, () -> m.get("c"));
  }

  @Test
  void aRepeatedNameMustBindTheSameNode() {
    assertTrue(op(Op.ADD, any("x"), any("x")).matches(g.add(x, x), new Pattern.Match()));
    assertFalse(op(Op.ADD, any("x"), any("x")).matches(g.add(x, y), new Pattern.Match()));
  }

  @Test
  void eitherTriesBothOrdersAndForgetsTheFailedOne() {
    Pattern p = either(Op.MUL, any("a"), constant(2));
    Pattern.Match m = new Pattern.Match();
    assertTrue(p.matches(g.mul(g.scalar(2), y), m));
    // the first order bound a to the constant before failing on y; only y remains bound
    assertSame(y, m.get("a"));
    assertTrue(p.matches(g.mul(x, g.scalar(2)), new Pattern.Match()));
    assertFalse(p.matches(g.mul(x, y), new Pattern.Match()));
    assertFalse(op(Op.MUL, any("a"), constant(2)).matches(g.mul(g.scalar(2), y),
        new Pattern.Match()));
  }

  @Test
  void asBindsTheMatchedNode() {
    Node e = g.unary(Op.EXP, x);
    Pattern.Match m = new Pattern.Match();
    assertTrue(op(Op.LOG, op(Op.EXP, any("x")).as("e")).matches(g.unary(Op.LOG, e), m));
    assertSame(e, m.get("e"));
    assertSame(e, m.apply("e"));
  }
}
