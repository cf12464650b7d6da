package dev.nnc.compiler.ast;

import dev.nnc.compiler.diag.SourceSpan;
import java.util.List;

/** A written shape such as {@code [784, n_out]}; an empty list is a scalar. */
public record ShapeExpr(List<Dim> dims, SourceSpan span) {
  public ShapeExpr {
    dims = List.copyOf(dims);
  }

  /** One dimension: a literal size, or a layer argument's name ({@code symbol != null}). */
  public record Dim(int size, String symbol, SourceSpan span) {}
}
