package dev.nnc.compiler.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.nnc.compiler.diag.SourceSpan;
import dev.nnc.compiler.ir.Conv;
import dev.nnc.compiler.ir.Dropout;
import dev.nnc.compiler.ir.Graph;
import dev.nnc.compiler.ir.Node;
import dev.nnc.compiler.ir.Op;
import dev.nnc.compiler.ir.Pooling;
import dev.nnc.compiler.ir.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The derivative table covers every op, each rule keeps its shape contract, and each elementwise
 * rule's output is itself differentiable: second derivatives match finite differences of the
 * first.
 */
class DerivativeRuleTableTest {
  private static final SourceSpan S = SourceSpan.NONE;

  @Test
  void everyOpHasARule() {
    List<Op> missing = new ArrayList<>();
    for (Op op : Op.values()) {
      if (!Derivatives.table().containsKey(op)) {
        missing.add(op);
      }
    }
    assertTrue(missing.isEmpty(), "ops without a derivative rule: " + missing);
    assertEquals(Op.values().length, Derivatives.table().size());
    for (Op op : Op.values()) {
      assertNotNull(Derivatives.of(op).gate(), op.toString());
      assertFalse(Derivatives.of(op).gate().isBlank(), op + " has an unnamed gate");
    }
  }

  /**
   * Applies each elementwise op to tensor inputs and checks that its rule gives a gradient of the
   * output's or the input's shape for inputs that carry gradient, and nothing otherwise.
   */
  @Test
  void elementwiseRulesKeepTheShapeContract() {
    Shape shape = Shape.of(2, 3);
    for (Op op : Op.values()) {
      if (!op.isElementwise()) {
        continue;
      }
      Graph g = new Graph();
      Node[] in = new Node[op.arity()];
      for (int i = 0; i < in.length; i++) {
        in[i] = g.var("v" + i, shape, true, SourceSpan.NONE);
      }
      Node.Apply y = (Node.Apply) g.apply(op, SourceSpan.NONE, in);
      Node seed = g.var("seed", shape, false, SourceSpan.NONE);
      for (int i = 0; i < in.length; i++) {
        Node grad = Derivatives.of(op).rule().gradient(g, y, seed, i);
        if (!op.carriesGradient(i)) {
          assertNull(grad, op + " input " + i + " must receive no gradient");
          continue;
        }
        if (grad == null) {
          fail(op + " input " + i + " carries gradient but its rule gave none");
        }
        assertEquals(shape, grad.shape(), op + " input " + i);
      }
    }
  }

  /** The structural rules give gradients of the input's shape (after summing broadcasts). */
  @Test
  void structuralRulesGiveInputShapes() {
    Graph g = new Graph();
    Node a = g.var("a", Shape.of(2, 3), true, SourceSpan.NONE);
    Node b = g.var("b", Shape.of(3, 4), true, SourceSpan.NONE);
    Node u = g.var("u", Shape.of(3), true, SourceSpan.NONE);
    Node v = g.var("v", Shape.of(2), true, SourceSpan.NONE);
    Node k = g.var("k", Shape.SCALAR, false, SourceSpan.NONE);
    Node image = g.var("image", Shape.of(2, 5, 5), true, S);
    Node kernel = g.var("kernel", Shape.of(3, 2, 3, 3), true, S);
    Node bias = g.var("bias", Shape.of(3), true, S);
    Node convOut = g.var("convOut", Shape.of(3, 3, 3), true, S);
    Node pooled = g.var("pooled", Shape.of(2, 2, 2), true, S);
    Conv conv = new Conv(1, 0);
    Pooling window = new Pooling(2, 2);
    List<Node> ys = List.of(
        g.apply(Op.MATMUL, SourceSpan.NONE, a, b),
        g.apply(Op.MATMUL, SourceSpan.NONE, a, u),
        g.apply(Op.MATMUL, SourceSpan.NONE, v, a),
        g.apply(Op.MATMUL, SourceSpan.NONE, u, u),
        g.apply(Op.OUTER, SourceSpan.NONE, v, u),
        g.apply(Op.TRANSPOSE, SourceSpan.NONE, a),
        g.apply(Op.BROADCAST, -1, Shape.of(2, 3), SourceSpan.NONE, u),
        g.apply(Op.BROADCAST, 1, Shape.of(2, 3), SourceSpan.NONE, v),
        g.apply(Op.SUM_TO, 0, Shape.of(3), SourceSpan.NONE, a),
        g.apply(Op.SUM, -1, null, SourceSpan.NONE, a),
        g.apply(Op.SUM, 0, null, SourceSpan.NONE, a),
        g.apply(Op.SUM, 1, null, SourceSpan.NONE, a),
        g.apply(Op.MAX_REDUCE, 0, null, SourceSpan.NONE, a),
        g.apply(Op.LOGSUMEXP, 1, null, SourceSpan.NONE, a),
        g.apply(Op.SOFTMAX, SourceSpan.NONE, a),
        g.apply(Op.SLICE, 3, Shape.of(3), SourceSpan.NONE, a),
        g.apply(Op.EMBED, 2, Shape.of(6), SourceSpan.NONE, u),
        g.apply(Op.PICK, SourceSpan.NONE, u, k),
        g.apply(Op.ONEHOT, 0, Shape.of(4), SourceSpan.NONE, g.scalar(2), k),
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
    for (Node node : ys) {
      Node.Apply y = (Node.Apply) node;
      Node seed = g.constant(1, y.shape());
      for (int i = 0; i < y.inputs().size(); i++) {
        Node grad = Derivatives.of(y.op()).rule().gradient(g, y, seed, i);
        if (!y.op().carriesGradient(i)) {
          assertNull(grad, y.op() + " input " + i);
          continue;
        }
        assertNotNull(grad, y.op() + " input " + i);
        Shape want = y.input(i).shape();
        assertTrue(grad.shape().equals(want) || grad.shape().equals(y.shape()),
            y.op() + " input " + i + ": gradient " + grad.shape() + " for input " + want);
        assertEquals(want, g.sumTo(grad, want).shape());
      }
    }
  }

  @Test
  void forwardOnlyOpsGiveNoGradient() {
    for (Op op : Op.values()) {
      if (op.differentiable()) {
        continue;
      }
      assertNull(Derivatives.of(op).rule().gradient(new Graph(), null, null, 0),
          op + " is forward-only but its rule produced a gradient");
    }
  }

  /**
   * For every differentiable elementwise op, the gradient of the sum of its first derivatives
   * (built by the rules, then differentiated again by the same rules) against central differences
   * of those first derivatives, at points away from kinks.
   */
  @Test
  void elementwiseRulesAreDifferentiableAgain() {
    double[][] points = {{0.7, 1.3, 0.9}, {1.6, 0.45, 1.1}, {0.3, 2.2, 0.6}};
    for (Op op : Op.values()) {
      if (!op.isElementwise() || !op.differentiable()) {
        continue;
      }
      for (double[] point : points) {
        Graph g = new Graph();
        List<Node.Var> vars = new ArrayList<>();
        for (int i = 0; i < op.arity(); i++) {
          vars.add(g.var("v" + i, Shape.SCALAR, op.carriesGradient(i), SourceSpan.NONE));
        }
        Node y = g.apply(op, SourceSpan.NONE, vars.toArray(new Node[0]));
        Node firstSum = g.scalar(0);
        for (Node grad : ReverseMode.gradients(g, y, g.scalar(1)).values()) {
          firstSum = g.add(firstSum, grad);
        }
        Map<Node.Var, Node> second = ReverseMode.gradients(g, firstSum, g.scalar(1));
        for (Node.Var v : second.keySet()) {
          double h = 1e-5;
          double up = evaluate(firstSum, vars, point, v.index(), h);
          double down = evaluate(firstSum, vars, point, v.index(), -h);
          double fd = (up - down) / (2 * h);
          double exact = evaluate(second.get(v), vars, point, v.index(), 0);
          assertTrue(Math.abs(fd - exact) <= 1e-6 + 1e-5 * Math.abs(fd), op + " at "
              + java.util.Arrays.toString(point) + ": second derivative in " + v.name() + " is "
              + exact + ", finite differences give " + fd);
        }
      }
    }
  }

  /**
   * The convolutional ops' gradients are differentiable again (second derivatives): for scalar
   * functions of conv2d, pooling, reshape and dropout, the gradient of {@code r . grad f} (r a
   * fixed random direction per parameter, so a Hessian-vector product) matches central
   * differences of {@code r . grad f}. The first gradients are made of the backward ops (the
   * input and weight gradients of conv2d, max-pool routing, avg-pool spreading), so this runs
   * each of their own rules, simplified and not.
   */
  @Test
  void convolutionRulesAreDifferentiableAgain() {
    String text = """
        fn conv(x: [2, 5, 4], W: [3, 2, 3, 2], b: [3]) =
            sum(conv2d(x, W, b, stride: 2, padding: 1) ^ 2) + sum(conv2d(x * x, W) * 0.5);
        fn maxpool(x: [2, 4, 5], v: [2, 2, 2]) =
            sum(max_pool2d(x, size: 2) ^ 2 * v) + sum(max_pool2d(x, size: 3, stride: 1) ^ 3);
        fn avgpool(x: [1, 5, 5]) = sum(avg_pool2d(x, size: 2, stride: 1) ^ 3);
        fn views(x: [2, 3, 2], V: [4, 3]) =
            sum((reshape(x, [3, 4]) @ V) ^ 2) + sum(flatten(dropout(x, rate: 0.3)) ^ 3);
        """;
    java.util.Random random = new java.util.Random(17);
    for (String name : List.of("conv", "maxpool", "avgpool", "views")) {
      for (boolean simplify : new boolean[] {false, true}) {
        dev.nnc.compiler.ir.FunctionIr fn = dev.nnc.compiler.TestPrograms.function(text, name);
        DerivedFunction d = DerivedFunction.derive(fn, simplify);
        Graph g = fn.graph();
        // s = sum over parameters of sum(r_p * df/dp), r_p fixed (not differentiated)
        Map<Node.Var, double[]> values = new java.util.HashMap<>();
        Node s = g.scalar(0);
        for (int p = 0; p < fn.params().size(); p++) {
          Node.Var param = fn.params().get(p);
          double[] x = new double[param.shape().size()];
          for (int i = 0; i < x.length; i++) {
            // evenly spaced values in a random order: no ties in a pooling window
            x[i] = -1.5 + 3.0 * i / x.length;
          }
          shuffle(x, random);
          values.put(param, x);
          Node.Var r = g.var("r" + p + simplify, param.shape(), false, S);
          double[] rv = new double[x.length];
          for (int i = 0; i < rv.length; i++) {
            rv[i] = random.nextDouble() * 2 - 1;
          }
          values.put(r, rv);
          s = g.add(s, g.apply(Op.SUM, -1, null, S, g.mul(r, d.gradients().get(p))));
        }
        Map<Node.Var, Node> second = ReverseMode.gradients(g, s, g.scalar(1));
        for (Node.Var param : fn.params()) {
          double[] exact = new dev.nnc.compiler.interp.Interpreter(values).value(second.get(param));
          double[] x = values.get(param);
          for (int i = 0; i < x.length; i++) {
            double saved = x[i];
            double h = 1e-5;
            x[i] = saved + h;
            double up = new dev.nnc.compiler.interp.Interpreter(values).value(s)[0];
            x[i] = saved - h;
            double down = new dev.nnc.compiler.interp.Interpreter(values).value(s)[0];
            x[i] = saved;
            double fd = (up - down) / (2 * h);
            assertTrue(Math.abs(fd - exact[i]) <= 1e-5 + 1e-5 * Math.abs(fd), name
                + (simplify ? " (simplified)" : "") + ": second derivative in " + param.name()
                + "[" + i + "] is " + exact[i] + ", finite differences give " + fd);
          }
        }
      }
    }
  }

  private static void shuffle(double[] x, java.util.Random random) {
    for (int i = x.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      double t = x[i];
      x[i] = x[j];
      x[j] = t;
    }
  }

  private static double evaluate(Node node, List<Node.Var> vars, double[] point, int shifted,
      double h) {
    Map<Node.Var, double[]> values = new java.util.HashMap<>();
    for (Node.Var v : vars) {
      values.put(v, new double[] {point[v.index()] + (v.index() == shifted ? h : 0)});
    }
    return new dev.nnc.compiler.interp.Interpreter(values).value(node)[0];
  }
}
