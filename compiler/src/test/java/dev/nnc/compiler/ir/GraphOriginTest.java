package dev.nnc.compiler.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.nnc.compiler.diag.SourceSpan;
import org.junit.jupiter.api.Test;

/**
 * The graph's conveniences make nodes at the origin set by {@link Graph#at}, never at their first
 * operand's (issue 19: a rewritten sigmoid was labelled with its operand's line).
 */
class GraphOriginTest {
  private static final SourceSpan LINE_4 = new SourceSpan("f.nn", 10, 20, 4, 3, 4, 12);
  private static final SourceSpan LINE_5 = new SourceSpan("f.nn", 30, 40, 5, 3, 5, 12);
  private static final SourceSpan LINE_6 = new SourceSpan("f.nn", 50, 60, 6, 3, 6, 12);

  @Test
  void conveniencesUseTheCurrentOriginNotTheOperands() {
    Graph g = new Graph();
    Node x = g.var("x", Shape.SCALAR, true, LINE_4);
    Node v = g.var("v", Shape.of(3), true, LINE_4);
    Node s = g.apply(Op.EXP, LINE_4, x);
    Node[] made = g.at(LINE_5, () -> new Node[] {g.add(s, x), g.sub(s, x), g.mul(s, x),
        g.div(s, x), g.neg(s), g.unary(Op.SIGMOID, s), g.broadcast(s, Shape.of(3)),
        g.broadcastAxis(v, 0, Shape.of(2, 3)), g.sumTo(v, Shape.SCALAR)});
    for (Node n : made) {
      assertEquals(LINE_5, n.origin(), n.toString());
    }
  }

  @Test
  void outsideAtNodesHaveNoOriginAndNestingRestores() {
    Graph g = new Graph();
    Node x = g.var("x", Shape.SCALAR, true, LINE_4);
    assertEquals(SourceSpan.NONE, g.neg(x).origin());
    Node inner = g.at(LINE_5, () -> {
      Node sin = g.at(LINE_6, () -> g.unary(Op.SIN, x));
      assertEquals(LINE_6, sin.origin());
      assertEquals(LINE_5, g.currentOrigin());
      return g.unary(Op.COS, x);
    });
    assertEquals(LINE_5, inner.origin());
    assertSame(SourceSpan.NONE, g.currentOrigin());
  }

  @Test
  void anInternedNodeKeepsTheOriginOfItsFirstMaking() {
    Graph g = new Graph();
    Node x = g.var("x", Shape.SCALAR, true, LINE_4);
    Node first = g.at(LINE_5, () -> g.mul(x, x));
    Node again = g.at(LINE_6, () -> g.mul(x, x));
    assertSame(first, again);
    assertEquals(LINE_5, again.origin());
  }
}
