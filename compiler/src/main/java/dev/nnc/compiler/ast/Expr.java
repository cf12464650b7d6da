package dev.nnc.compiler.ast;

import dev.nnc.compiler.diag.SourceSpan;
import java.util.List;

/** An expression of the {@code .nn} language; every node carries its source span. */
public sealed interface Expr
    permits Expr.Number, Expr.Name, Expr.Neg, Expr.Binary, Expr.Compare, Expr.Call, Expr.Index,
        Expr.Member, Expr.Sizes {

  SourceSpan span();

  /** A numeric literal; {@code text} is the spelling in the source. */
  record Number(double value, String text, SourceSpan span) implements Expr {}

  /** A reference to a parameter, let binding, input, layer instance or parameter. */
  record Name(String name, SourceSpan span) implements Expr {}

  /** Unary minus. */
  record Neg(Expr operand, SourceSpan span) implements Expr {}

  /** An arithmetic binary operator. */
  record Binary(BinaryOp op, Expr left, Expr right, SourceSpan span) implements Expr {}

  /** A comparison; legal only as the condition of {@code where}. */
  record Compare(CompareOp op, Expr left, Expr right, SourceSpan span) implements Expr {}

  /** A call of a built-in, a user {@code fn}, or a layer instance. */
  record Call(String callee, SourceSpan calleeSpan, List<Arg> args, SourceSpan span) implements Expr {
    public Call {
      args = List.copyOf(args);
    }
  }

  /** Constant-index element access {@code x[i]} or {@code W[i, j]}. */
  record Index(Expr target, List<Expr> indices, SourceSpan span) implements Expr {
    public Index {
      indices = List.copyOf(indices);
    }
  }

  /** {@code x.T} (transpose) or {@code fc1.W} (a layer instance's parameter). */
  record Member(Expr target, String member, SourceSpan memberSpan, SourceSpan span)
      implements Expr {}

  /** A bracketed list {@code [d1, d2]}: the shape argument of {@code reshape}. */
  record Sizes(List<Expr> items, SourceSpan span) implements Expr {
    public Sizes {
      items = List.copyOf(items);
    }
  }

  /** One argument of a call; {@code name} is null for a positional argument. */
  record Arg(String name, Expr value, SourceSpan span) {}

  /** Arithmetic operators with their source spelling. */
  enum BinaryOp {
    ADD("+"), SUB("-"), MUL("*"), DIV("/"), POW("^"), MATMUL("@");

    private final String symbol;

    BinaryOp(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }
  }

  /** Comparison operators with their source spelling. */
  enum CompareOp {
    LT("<"), LE("<="), GT(">"), GE(">="), EQ("=="), NE("!=");

    private final String symbol;

    CompareOp(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }
  }
}
