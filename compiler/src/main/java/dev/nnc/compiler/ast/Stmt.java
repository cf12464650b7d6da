package dev.nnc.compiler.ast;

import dev.nnc.compiler.diag.SourceSpan;
import java.util.List;

/** A statement of a function block, layer body or model body. */
public sealed interface Stmt
    permits Stmt.Let, Stmt.Return, Stmt.ParamDecl, Stmt.Input, Stmt.Label, Stmt.Target,
        Stmt.Output, Stmt.Loss, Stmt.Optimizer {

  SourceSpan span();

  /** {@code let name = expr;}. */
  record Let(String name, SourceSpan nameSpan, Expr value, SourceSpan span) implements Stmt {}

  /** {@code return expr;}. */
  record Return(Expr value, SourceSpan span) implements Stmt {}

  /** {@code param W: [n, m] init he;}; {@code init} is null when not written. */
  record ParamDecl(String name, SourceSpan nameSpan, ShapeExpr shape, Init init, SourceSpan span)
      implements Stmt {}

  /** {@code input x: [784];}: a per-example input. */
  record Input(String name, SourceSpan nameSpan, ShapeExpr shape, SourceSpan span)
      implements Stmt {}

  /** {@code label y: class(10);}: a per-example class index. */
  record Label(String name, SourceSpan nameSpan, int classes, SourceSpan classesSpan,
      SourceSpan span) implements Stmt {}

  /** {@code target t: [n];}: a per-example real-valued target. */
  record Target(String name, SourceSpan nameSpan, ShapeExpr shape, SourceSpan span)
      implements Stmt {}

  /** {@code output name = expr;}. */
  record Output(String name, SourceSpan nameSpan, Expr value, SourceSpan span) implements Stmt {}

  /** {@code loss expr;}. */
  record Loss(Expr value, SourceSpan span) implements Stmt {}

  /** {@code optimizer sgd(lr: 0.1, momentum: 0.9);}. */
  record Optimizer(String name, SourceSpan nameSpan, List<Expr.Arg> args, SourceSpan span)
      implements Stmt {
    public Optimizer {
      args = List.copyOf(args);
    }
  }

  /** An initializer such as {@code he} or {@code normal(0.01)}. */
  record Init(String name, SourceSpan nameSpan, List<Expr.Arg> args, SourceSpan span) {
    public Init {
      args = List.copyOf(args);
    }
  }
}
