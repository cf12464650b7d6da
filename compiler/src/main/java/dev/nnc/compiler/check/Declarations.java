package dev.nnc.compiler.check;

import dev.nnc.compiler.ast.Decl;
import dev.nnc.compiler.diag.Diagnostics;
import dev.nnc.compiler.diag.SourceSpan;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The top-level names each file sees: its own declarations and those of the files it imports.
 * Imports are not transitive: a file sees what the files it imports declare, not what they
 * import. A name resolves in the table of the file it is written in (the file of its span), so
 * an imported function or layer finds its own file's names wherever it is inlined.
 */
final class Declarations {
  private final Map<String, Map<String, Decl>> byFile = new HashMap<>();
  /** Every loaded file's declarations by name (the first of a name), for hints. */
  private final Map<String, Decl> anywhere = new HashMap<>();
  /** The libraries nnc ships by name, for the hint that one of them declares a name. */
  private final Map<String, Module> libraries;

  Declarations(Map<String, Module> libraries) {
    this.libraries = libraries;
  }

  /** The names visible in {@code module}'s file. */
  Map<String, Decl> of(Module module) {
    return byFile.getOrDefault(module.name(), Map.of());
  }

  /** The names visible where {@code span} is written. */
  Map<String, Decl> at(SourceSpan span) {
    return byFile.getOrDefault(span.file(), Map.of());
  }

  /**
   * Builds the table of {@code module}: its own declarations, then those of each import.
   * Reports a name declared twice in the file, a built-in's name, a name that the file and an
   * imported file both declare (at the file's declaration), and a name that two imported files
   * both declare (at the second import); each message names both places. The table keeps the
   * first declaration of a name.
   */
  void declare(Module module, Diagnostics diagnostics) {
    Map<String, Decl> table = new LinkedHashMap<>();
    for (Decl decl : module.program().decls()) {
      anywhere.putIfAbsent(decl.name(), decl);
      Decl previous = table.putIfAbsent(decl.name(), decl);
      if (previous != null) {
        diagnostics.error(decl.nameSpan(), "'" + decl.name() + "' is already declared at line "
            + previous.nameSpan().line());
      } else if (Builtins.TABLE.containsKey(decl.name())) {
        diagnostics.error(decl.nameSpan(), "'" + decl.name()
            + "' is a built-in function and cannot be redeclared");
      }
    }
    Set<String> own = Set.copyOf(table.keySet());
    Map<Module, Module.Link> imported = new IdentityHashMap<>();
    Map<String, Module.Link> importedBy = new HashMap<>();
    for (Module.Link link : module.imports()) {
      Module.Link first = imported.putIfAbsent(link.module(), link);
      if (first != null) {
        diagnostics.warning(link.statement().targetSpan(), link.module().name() + " is already"
            + " imported at line " + first.statement().span().line());
        continue;
      }
      for (Decl decl : link.module().program().decls()) {
        Decl previous = table.get(decl.name());
        if (previous == null) {
          if (!Builtins.TABLE.containsKey(decl.name())) { // reported in its own file
            table.put(decl.name(), decl);
            importedBy.put(decl.name(), link);
          }
        } else if (previous.nameSpan().file().equals(decl.nameSpan().file())) {
          continue; // declared twice in the imported file: reported there
        } else if (own.contains(decl.name())) {
          diagnostics.error(previous.nameSpan(), "'" + decl.name() + "' is already declared at "
              + decl.nameSpan().position() + " (imported at line "
              + link.statement().span().line() + ")");
        } else {
          Module.Link earlier = importedBy.get(decl.name());
          diagnostics.error(link.statement().targetSpan(), "'" + decl.name()
              + "' is declared both at " + previous.nameSpan().position() + " (imported at line "
              + earlier.statement().span().line() + ") and at " + decl.nameSpan().position()
              + " (imported here)");
        }
      }
    }
    byFile.put(module.name(), Collections.unmodifiableMap(table));
  }

  /**
   * Where a name that is not visible at {@code span} is declared, as the end of an "unknown
   * function" message: in a loaded file this one does not import (imports are not transitive),
   * or in a library; "" if nowhere.
   */
  String hint(String name, SourceSpan span) {
    Decl decl = anywhere.get(name);
    if (decl != null && !decl.nameSpan().file().equals(span.file())) {
      return " (it is declared at " + decl.nameSpan().position() + ", but this file does not"
          + " import that file; imports are not transitive)";
    }
    for (Map.Entry<String, Module> library : libraries.entrySet()) {
      for (Decl d : library.getValue().program().decls()) {
        if (d.name().equals(name)) {
          return " (the standard library declares it: add 'import " + library.getKey() + ";')";
        }
      }
    }
    return "";
  }

  /** {@code main} and every file it imports, directly or not, each once, imported files first. */
  static List<Module> dependenciesFirst(Module main) {
    List<Module> order = new ArrayList<>();
    visit(main, Collections.newSetFromMap(new IdentityHashMap<>()), order);
    return order;
  }

  private static void visit(Module module, Set<Module> seen, List<Module> order) {
    if (!seen.add(module)) {
      return;
    }
    for (Module.Link link : module.imports()) {
      visit(link.module(), seen, order);
    }
    order.add(module);
  }
}
