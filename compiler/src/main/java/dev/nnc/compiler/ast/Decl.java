package dev.nnc.compiler.ast;

import dev.nnc.compiler.diag.SourceSpan;
import java.util.List;

/** A top-level declaration: a function, a layer or a model. */
public sealed interface Decl permits Decl.Fn, Decl.Layer, Decl.Model {

  String name();

  SourceSpan nameSpan();

  SourceSpan span();

  /**
   * {@code fn name(params) [: f32] = expr;} or a block of lets ending in {@code return}.
   * {@code elementType} is null unless written; {@code customGradient} is null unless a
   * {@code grad(g) = ...} clause states the derivative.
   */
  record Fn(String name, SourceSpan nameSpan, List<Param> params, String elementType,
      SourceSpan elementTypeSpan, List<Stmt> body, CustomGradient customGradient, SourceSpan span)
      implements Decl {
    public Fn {
      params = List.copyOf(params);
      body = List.copyOf(body);
    }
  }

  /** {@code layer Name(args)(params) { ... }}: args are compile-time integers. */
  record Layer(String name, SourceSpan nameSpan, List<Ident> args, List<Param> params,
      List<Stmt> body, SourceSpan span) implements Decl {
    public Layer {
      args = List.copyOf(args);
      params = List.copyOf(params);
      body = List.copyOf(body);
    }
  }

  /** {@code model Name { ... }}. */
  record Model(String name, SourceSpan nameSpan, List<Stmt> body, SourceSpan span)
      implements Decl {
    public Model {
      body = List.copyOf(body);
    }
  }

  /** A function or layer parameter; {@code shape} is null for a scalar. */
  record Param(String name, ShapeExpr shape, SourceSpan span) {}

  /** A name with its place. */
  record Ident(String name, SourceSpan span) {}

  /** {@code grad(upstream) = expr}: the derivative of a one-argument function, stated by hand. */
  record CustomGradient(String upstream, Expr expr, SourceSpan span) {}
}
