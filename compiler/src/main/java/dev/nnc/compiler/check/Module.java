package dev.nnc.compiler.check;

import dev.nnc.compiler.ast.Import;
import dev.nnc.compiler.ast.Program;
import java.util.List;

/**
 * A parsed file linked to the files its imports name: what the checker builds each file's table
 * of names from. The links form a graph without cycles (the loader reports cycles); a file
 * imported twice is one {@code Module}, compared by identity.
 */
public record Module(Program program, List<Link> imports) {
  public Module {
    imports = List.copyOf(imports);
  }

  /** A file without imports. */
  public Module(Program program) {
    this(program, List.of());
  }

  /** One import statement and the file it names. */
  public record Link(Import statement, Module module) {}

  /** The file's display name: the file of every span in it. */
  public String name() {
    return program.source().name();
  }

  @Override
  public boolean equals(Object other) {
    return this == other;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(this);
  }
}
