package dev.nnc.compiler.ast;

import dev.nnc.compiler.diag.SourceFile;
import java.util.List;

/** The declarations of one {@code .nn} file, in source order. */
public record Program(SourceFile source, List<Decl> decls) {
  public Program {
    decls = List.copyOf(decls);
  }
}
