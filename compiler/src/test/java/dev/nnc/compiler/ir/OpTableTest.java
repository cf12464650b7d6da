package dev.nnc.compiler.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.diag.SourceSpan;
import dev.nnc.compiler.interp.Interpreter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Each op's description is consistent (kind, arity, built-in name, scalar function), every op
 * has a sample node that the interpreter evaluates (so a new structural op without an
 * interpreter case fails here by name), and attribute records are part of a node's identity.
 */
class OpTableTest {
  private static final SourceSpan S = SourceSpan.NONE;

  /** One node of every op, on small seeded inputs; elementwise ops on [2, 3] tensors. */
  static Map<Op, Node.Apply> samples(Graph g) {
    Shape m = Shape.of(2, 3);
    Node a = g.var("a", m, true, S);
    Node b = g.var("b", m, true, S);
    Node c = g.var("c", m, true, S);
    Node w = g.var("w", Shape.of(3, 4), true, S);
    Node u = g.var("u", Shape.of(3), true, S);
    Node v = g.var("v", Shape.of(2), true, S);
    Node k = g.var("k", Shape.SCALAR, false, S);
    Node e = g.var("e", m, false, true, S);
    Node image = g.var("image", Shape.of(2, 5, 5), true, S);
    Node kernel = g.var("kernel", Shape.of(3, 2, 3, 3), true, S);
    Node bias = g.var("bias", Shape.of(3), true, S);
    Node convOut = g.var("convOut", Shape.of(3, 3, 3), true, S);
    Node pooled = g.var("pooled", Shape.of(2, 2, 2), true, S);
    Conv conv = new Conv(1, 0);
    Pooling window = new Pooling(2, 2);
    Map<Op, Node.Apply> out = new EnumMap<>(Op.class);
    for (Op op : Op.values()) {
      if (op.isElementwise()) {
        Node[] in = List.of(a, b, c).subList(0, op.arity()).toArray(new Node[0]);
        out.put(op, (Node.Apply) g.apply(op, S, in));
      }
    }
    List<Node> structural = List.of(
        g.apply(Op.SUM, 1, null, S, a),
        g.apply(Op.MAX_REDUCE, 0, null, S, a),
        g.apply(Op.LOGSUMEXP, -1, null, S, a),
        g.apply(Op.MATMUL, S, a, w),
        g.apply(Op.OUTER, S, v, u),
        g.apply(Op.TRANSPOSE, S, a),
        g.apply(Op.BROADCAST, 1, m, S, v),
        g.apply(Op.SUM_TO, 0, Shape.of(3), S, a),
        g.apply(Op.SOFTMAX, S, a),
        g.apply(Op.ARGMAX_MASK, 1, null, S, a),
        g.apply(Op.ARGMAX, S, a),
        g.apply(Op.SLICE, 3, Shape.of(3), S, a),
        g.apply(Op.EMBED, 2, Shape.of(6), S, u),
        g.apply(Op.PICK, S, u, k),
        g.apply(Op.ONEHOT, 0, Shape.of(4), S, g.scalar(2), k),
        g.apply(Op.BATCH_SUM, S, e),
        g.apply(Op.BATCH_BROADCAST, S, a),
        g.apply(Op.CUSTOM, 0, identityRule(m), null, S, g.unary(Op.FLOOR, a), a),
        // convolutional networks: an image [2, 5, 5], weights [3, 2, 3, 3], output [3, 3, 3]
        g.apply(Op.CONV2D, 0, conv, null, S, image, kernel, bias),
        g.apply(Op.CONV2D_INPUT_GRAD, 0, conv, image.shape(), S, convOut, kernel),
        g.apply(Op.CONV2D_WEIGHT_GRAD, 0, conv, kernel.shape(), S, image, convOut),
        g.apply(Op.MAX_POOL2D, 0, window, null, S, image),
        g.apply(Op.MAX_POOL2D_GRAD, 0, window, null, S, image, pooled),
        g.apply(Op.MAX_POOL2D_PICK, 0, window, null, S, image, image),
        g.apply(Op.AVG_POOL2D, 0, window, null, S, image),
        g.apply(Op.AVG_POOL2D_GRAD, 0, window, image.shape(), S, pooled),
        g.apply(Op.RESHAPE, 0, Shape.of(5, 10), S, image),
        g.apply(Op.DROPOUT, 0, new Dropout(0.5, 1), null, S, a));
    for (Node n : structural) {
      out.put(((Node.Apply) n).op(), (Node.Apply) n);
    }
    return out;
  }

  /** A stated derivative {@code grad(g) = g} for a function of one parameter of shape m. */
  static CustomRule identityRule(Shape m) {
    Graph template = new Graph();
    Node.Var x = template.var("x", m, true, S);
    Node.Var g = template.var("g", m, false, S);
    return new CustomRule("ste", S, template, List.of(x), g, List.of(g));
  }

  @Test
  void everyOpHasASampleThatTheInterpreterEvaluates() {
    Graph g = new Graph();
    Map<Op, Node.Apply> samples = samples(g);
    List<Op> missing = new ArrayList<>();
    for (Op op : Op.values()) {
      if (!samples.containsKey(op)) {
        missing.add(op);
      }
    }
    assertTrue(missing.isEmpty(), "ops without a sample in OpTableTest: " + missing);
    Map<Node.Var, double[]> values = new HashMap<>();
    for (Node.Var var : g.vars()) {
      double[] x = new double[var.shape().size() * (var.batched() ? 2 : 1)];
      for (int i = 0; i < x.length; i++) {
        x[i] = var.name().equals("k") ? 1 : 0.25 + 0.5 * i;
      }
      values.put(var, x);
    }
    Interpreter interpreter = new Interpreter(values, 2);
    for (Node.Apply sample : samples.values()) {
      double[] value = interpreter.value(sample);
      assertEquals(sample.shape().size() * (sample.batched() ? 2 : 1), value.length,
          sample.op() + " gave the wrong number of values");
    }
  }

  @Test
  void elementwiseOpsDescribeTheirScalarFunction() {
    for (Op op : Op.values()) {
      boolean elementwise = switch (op.kind()) {
        case UNARY, BINARY, COMPARISON, SELECT -> true;
        case REDUCTION, STRUCTURAL, BATCH -> false;
      };
      assertEquals(elementwise, op.isElementwise(), op.toString());
      switch (op.kind()) {
        case UNARY -> {
          assertEquals(1, op.arity(), op.toString());
          assertNotNull(op.java(), op + " names no Java function");
          assertEquals(-2.0, op == Op.NEG ? op.apply(2.0) : -2.0);
          op.apply(0.5);
        }
        case BINARY, COMPARISON -> {
          assertEquals(2, op.arity(), op.toString());
          assertNotNull(op.java(), op + " names no Java function");
          op.apply(0.5, 1.5);
        }
        case SELECT -> assertEquals(3, op.arity());
        case REDUCTION, STRUCTURAL, BATCH -> assertEquals(null, op.java(), op.toString());
      }
    }
    assertEquals(1.0, Op.LT.apply(1, 2));
    assertEquals(0.0, Op.GE.apply(1, 2));
    assertEquals(5.0, Op.ADD.apply(2, 3));
    assertEquals(Math.exp(0.3), Op.EXP.apply(0.3));
  }

  @Test
  void builtinNamesAreUniqueAndOnlyOnPlainOps() {
    Set<String> names = new HashSet<>();
    for (Op op : Op.values()) {
      if (op.builtin() != null) {
        assertTrue(names.add(op.builtin()), "two ops are built-in " + op.builtin());
        assertFalse(op.javaOperator(), op + " is an operator but has a built-in name");
      }
    }
    assertEquals(null, Op.STEP.builtin(), "step is internal");
    assertEquals("exp", Op.EXP.builtin());
  }

  @Test
  void gradientCarryingInputs() {
    assertFalse(Op.WHERE.carriesGradient(0));
    assertTrue(Op.WHERE.carriesGradient(1));
    assertTrue(Op.WHERE.carriesGradient(2));
    assertTrue(Op.PICK.carriesGradient(0));
    assertFalse(Op.PICK.carriesGradient(1));
    assertFalse(Op.LT.carriesGradient(0));
    assertFalse(Op.ARGMAX.carriesGradient(0));
    assertTrue(Op.MUL.carriesGradient(1));
  }

  @Test
  void infixOpsAreTheOperatorsOfTheLanguage() {
    Set<Op> infix = new HashSet<>();
    for (Op op : Op.values()) {
      if (op.isInfix()) {
        infix.add(op);
      }
    }
    assertEquals(Set.of(Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.POW, Op.MATMUL, Op.LT, Op.LE, Op.GT,
        Op.GE, Op.EQ, Op.NE), infix);
  }

  /** A test-only attribute record, as a convolution would declare its stride and padding. */
  record Window(int size, int stride) implements Attributes {}

  @Test
  void attributesArePartOfANodesIdentity() {
    Graph g = new Graph();
    Node a = g.var("a", Shape.of(2, 3), true, S);
    Node plain = g.apply(Op.SUM, 1, null, S, a);
    assertSame(plain, g.apply(Op.SUM, 1, Attributes.NONE, null, S, a));
    assertSame(Attributes.NONE, ((Node.Apply) plain).attributes());
    assertNotSame(plain, g.apply(Op.SUM, 0, null, S, a));
    IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
        () -> g.apply(Op.SUM, 1, new Window(2, 1), null, S, a));
    assertTrue(wrong.getMessage().contains("SUM takes attributes of type None"),
        wrong.getMessage());
    assertEquals(new Window(2, 1), new Window(2, 1), "attributes compare by value");
  }
}
