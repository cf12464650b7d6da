package dev.nnc.compiler.ast;

import dev.nnc.compiler.diag.SourceSpan;

/**
 * {@code import "layers.nn";} (a file, its path relative to the importing file) or
 * {@code import nn;} (a library shipped with nnc). {@code target} is the path without its quotes,
 * or the library's name; {@code targetSpan} is where it is written.
 */
public record Import(Kind kind, String target, SourceSpan targetSpan, SourceSpan span) {

  /** What an import names. */
  public enum Kind {
    /** A {@code .nn} file, by a path relative to the importing file. */
    FILE,
    /** A library shipped with nnc, by name. */
    LIBRARY
  }
}
