package dev.nnc.compiler.ast;

import dev.nnc.compiler.diag.SourceFile;
import java.util.List;

/** The imports and the declarations of one {@code .nn} file, each in source order. */
public record Program(SourceFile source, List<Import> imports, List<Decl> decls) {
  public Program {
    imports = List.copyOf(imports);
    decls = List.copyOf(decls);
  }

  /** A file without imports. */
  public Program(SourceFile source, List<Decl> decls) {
    this(source, List.of(), decls);
  }
}
