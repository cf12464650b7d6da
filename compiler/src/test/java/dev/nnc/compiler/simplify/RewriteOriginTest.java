package dev.nnc.compiler.simplify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.diag.SourceSpan;
import dev.nnc.compiler.ir.Graph;
import dev.nnc.compiler.ir.GraphOrder;
import dev.nnc.compiler.ir.Node;
import dev.nnc.compiler.ir.Op;
import dev.nnc.compiler.ir.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * A node made by a rewrite keeps the span of the node it replaces (issue 19): for an expression
 * per rule, whose operands come from line 4 and whose top from line 5, every node the simplifier
 * makes comes from line 5.
 */
class RewriteOriginTest {
  private static final SourceSpan OPERANDS = new SourceSpan("f.nn", 10, 20, 4, 3, 4, 12);
  private static final SourceSpan TOP = new SourceSpan("f.nn", 30, 40, 5, 3, 5, 12);

  /** One expression: operands made at line 4, the node a rule rewrites at line 5. */
  private record Case(String rule, Function<Graph, Node> build) {}

  private static Node op(Graph g, Op op, Node... in) {
    return g.apply(op, OPERANDS, in);
  }

  private static Node top(Graph g, Op op, Node... in) {
    return g.apply(op, TOP, in);
  }

  private static Node x(Graph g) {
    return g.vars().isEmpty() ? g.var("x", Shape.SCALAR, true, OPERANDS) : g.vars().get(0);
  }

  private static Node y(Graph g) {
    x(g);
    return g.vars().size() < 2 ? g.var("y", Shape.SCALAR, true, OPERANDS) : g.vars().get(1);
  }

  private static Node v(Graph g) {
    y(g);
    return g.vars().size() < 3 ? g.var("v", Shape.of(3), true, OPERANDS) : g.vars().get(2);
  }

  private static final List<Case> CASES = List.of(
      new Case("sigmoid-form", g -> top(g, Op.DIV, g.scalar(1),
          op(g, Op.ADD, g.scalar(1), op(g, Op.EXP, op(g, Op.NEG, x(g)))))),
      new Case("softplus-form", g -> top(g, Op.LOG,
          op(g, Op.ADD, g.scalar(1), op(g, Op.EXP, x(g))))),
      new Case("log-sigmoid", g -> top(g, Op.LOG, op(g, Op.SIGMOID, x(g)))),
      new Case("log-softmax", g -> top(g, Op.LOG, op(g, Op.SOFTMAX, v(g)))),
      new Case("pow-two", g -> top(g, Op.POW, op(g, Op.SIN, x(g)), g.scalar(2))),
      new Case("pow-minus-one", g -> top(g, Op.POW, op(g, Op.SIN, x(g)), g.scalar(-1))),
      new Case("add-same", g -> top(g, Op.ADD, op(g, Op.SIN, x(g)), op(g, Op.SIN, x(g)))),
      new Case("neg-mul", g -> top(g, Op.MUL, op(g, Op.NEG, x(g)), y(g))),
      new Case("neg-div", g -> top(g, Op.DIV, op(g, Op.NEG, x(g)), y(g))),
      new Case("sub-neg", g -> top(g, Op.SUB, x(g), op(g, Op.NEG, y(g)))),
      new Case("add-neg", g -> top(g, Op.ADD, x(g), op(g, Op.NEG, y(g)))),
      new Case("mul-minus-one", g -> top(g, Op.MUL, op(g, Op.SIN, x(g)), g.scalar(-1))),
      new Case("mul-one", g -> top(g, Op.MUL, x(g), g.constant(1, Shape.of(3)))),
      new Case("where-zero-mul", g -> top(g, Op.MUL, op(g, Op.WHERE,
          op(g, Op.GT, x(g), g.scalar(0)), op(g, Op.SQRT, x(g)), g.scalar(0)), y(g))),
      new Case("where-zero-div", g -> top(g, Op.DIV, op(g, Op.WHERE,
          op(g, Op.GT, x(g), g.scalar(0)), op(g, Op.SQRT, x(g)), g.scalar(0)), y(g))),
      new Case("where-add", g -> {
        Node c = op(g, Op.GT, x(g), g.scalar(0));
        return top(g, Op.ADD, op(g, Op.WHERE, c, op(g, Op.SIN, x(g)), g.scalar(0)),
            op(g, Op.WHERE, c, op(g, Op.COS, y(g)), g.scalar(0)));
      }),
      new Case("mul-scalars", g -> top(g, Op.MUL, x(g), op(g, Op.MUL, y(g), v(g)))),
      new Case("sum-broadcast-scalar", g -> g.apply(Op.SUM, -1, null, TOP,
          g.apply(Op.BROADCAST, -1, Shape.of(3), OPERANDS, x(g)))));

  @Test
  void nodesMadeByARewriteComeFromTheRewrittenNode() {
    for (Case c : CASES) {
      Graph g = new Graph();
      Node root = c.build().apply(g);
      int before = g.size();
      Node result = Simplifier.simplify(g, List.of(root)).get(0);
      List<Node> made = new ArrayList<>();
      for (Node n : GraphOrder.reachable(result)) {
        if (n.id() >= before && n instanceof Node.Apply) {
          made.add(n);
        }
      }
      assertTrue(!made.isEmpty(), c.rule() + " made no node");
      for (Node n : made) {
        assertEquals(TOP, n.origin(), c.rule() + " made " + n + " elsewhere");
      }
    }
  }
}
