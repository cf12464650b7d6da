package dev.nnc.compiler.inspect;

import dev.nnc.compiler.ir.Node;
import dev.nnc.compiler.ir.Op;
import java.util.ArrayList;
import java.util.List;

/**
 * The label of an operation's box, written the way backprop lectures draw gates: the operator
 * alone ({@code +}, {@code *}, {@code exp}), with a constant operand folded in ({@code +1},
 * {@code *-1}, {@code 1/x}, {@code x^2}, {@code max(0, x)}, where {@code x} stands for the wire
 * coming in), and an axis or offset where the op has one.
 */
final class OpLabel {
  private OpLabel() {}

  static String of(Node.Apply a) {
    Op op = a.op();
    if (op == Op.NEG) {
      return "-x";
    }
    if (op.isInfix() && a.inputs().size() == 2) {
      String symbol = op.symbol();
      if (a.input(1) instanceof Node.Const c) {
        return commutes(op) ? symbol + NumberText.number(c.value())
            : "x" + symbol + NumberText.number(c.value());
      }
      if (a.input(0) instanceof Node.Const c) {
        return commutes(op) ? symbol + NumberText.number(c.value())
            : NumberText.number(c.value()) + symbol + "x";
      }
      return symbol;
    }
    String name = switch (op) {
      case TRANSPOSE -> ".T";
      case BATCH_SUM -> "sum over batch";
      case BATCH_BROADCAST -> "to every example";
      case SLICE -> "slice at " + a.attr();
      case EMBED -> "embed at " + a.attr();
      case SUM, MAX_REDUCE, LOGSUMEXP, ARGMAX_MASK -> a.attr() == -1 ? op.symbol()
          : op.symbol() + " axis " + a.attr();
      case BROADCAST -> a.attr() == -1 ? "broadcast" : "broadcast axis " + a.attr();
      default -> op.symbol();
    };
    boolean constants = false;
    List<String> args = new ArrayList<>();
    for (Node in : a.inputs()) {
      if (in instanceof Node.Const c) {
        constants = true;
        args.add(NumberText.number(c.value()));
      } else {
        args.add("x");
      }
    }
    return constants ? name + "(" + String.join(", ", args) + ")" : name;
  }

  private static boolean commutes(Op op) {
    return op == Op.ADD || op == Op.MUL;
  }
}
