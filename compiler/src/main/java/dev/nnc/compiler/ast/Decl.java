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

  /**
   * {@code grad(upstream) = expr} (one expression, for a one-parameter function) or
   * {@code grad(upstream) = (dx: ..., dy: ...)} (one entry per parameter): a derivative stated by
   * hand. Exactly one of {@code expr} and {@code entries} is non-null.
   */
  record CustomGradient(String upstream, SourceSpan upstreamSpan, Expr expr,
      List<GradEntry> entries, SourceSpan span) {
    public CustomGradient {
      entries = entries == null ? null : List.copyOf(entries);
    }
  }

  /** One entry {@code dx: expr} of a stated derivative. */
  record GradEntry(String name, SourceSpan nameSpan, Expr expr, SourceSpan span) {}
}
