package dev.nnc.compiler;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The compiler's packages form layers: each may use only the packages listed for it below (the
 * phases before it), never one after it, so there is no package cycle. The test reads every main
 * source file and finds each reference to another compiler package (imports and fully qualified
 * names, Javadoc links included).
 */
class LayeringTest {
  /**
   * What each package may use. The pipeline is {@code ir < interp < simplify < autodiff < emit};
   * the front end ({@code ast}, {@code syntax}) is beside it, {@code check} lowers the AST to
   * {@code ir}, {@code inspect} prints what the phases before {@code emit} make (reading the AST only to
   * group a picture's nodes by the source's layer instances), and the root
   * package ({@code Compiler}) drives them all.
   */
  static final Map<String, Set<String>> ALLOWED = new LinkedHashMap<>();

  static {
    ALLOWED.put("diag", Set.of());
    ALLOWED.put("ast", Set.of("diag"));
    ALLOWED.put("syntax", Set.of("ast", "diag"));
    ALLOWED.put("ir", Set.of("diag"));
    ALLOWED.put("interp", Set.of("ir", "diag"));
    ALLOWED.put("simplify", Set.of("interp", "ir", "diag"));
    ALLOWED.put("autodiff", Set.of("simplify", "interp", "ir", "diag"));
    ALLOWED.put("check", Set.of("ast", "ir", "diag"));
    ALLOWED.put("emit", Set.of("autodiff", "simplify", "interp", "ir", "diag"));
    ALLOWED.put("inspect", Set.of("autodiff", "simplify", "interp", "ir", "ast", "diag"));
    ALLOWED.put("", Set.of("diag", "ast", "syntax", "ir", "interp", "simplify", "autodiff",
        "check", "emit", "inspect"));
  }

  private static final Path ROOT = Path.of("src/main/java/dev/nnc/compiler");

  /** A subpackage reference, or a class of the root package (a capitalized name). */
  private static final Pattern REFERENCE =
      Pattern.compile("dev\\.nnc\\.compiler\\.(?:([a-z][a-z0-9_]*)\\b|([A-Z]))");

  @Test
  void everyPackageUsesOnlyTheLayersBeforeIt() throws IOException {
    Map<String, Set<String>> violations = new TreeMap<>();
    Set<String> packages = new TreeSet<>();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(ROOT)) {
      files = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
    assertTrue(files.size() > 40, "found only " + files.size() + " sources under " + ROOT);
    for (Path file : files) {
      Path dir = ROOT.relativize(file).getParent();
      String pkg = dir == null ? "" : dir.toString().replace('/', '.');
      packages.add(pkg);
      Set<String> allowed = ALLOWED.get(pkg);
      assertTrue(allowed != null, "package '" + pkg + "' has no place in LayeringTest.ALLOWED");
      Matcher m = REFERENCE.matcher(Files.readString(file));
      while (m.find()) {
        String used = m.group(1) != null ? m.group(1) : "";
        if (!used.equals(pkg) && !allowed.contains(used)) {
          violations.computeIfAbsent(ROOT.relativize(file).toString(), k -> new TreeSet<>())
              .add(used.isEmpty() ? "(root package)" : used);
        }
      }
    }
    assertTrue(violations.isEmpty(), "references to a later layer: " + violations);
    assertTrue(packages.containsAll(ALLOWED.keySet()),
        "packages in ALLOWED that no longer exist: " + missing(packages));
  }

  private static Set<String> missing(Set<String> packages) {
    Set<String> gone = new TreeSet<>(ALLOWED.keySet());
    gone.removeAll(packages);
    return gone;
  }

  /** The table itself has no cycle: repeatedly removing packages that use nothing left empties it. */
  @Test
  void theAllowedTableIsAcyclic() {
    Map<String, Set<String>> left = new LinkedHashMap<>();
    ALLOWED.forEach((k, v) -> left.put(k, new TreeSet<>(v)));
    List<String> order = new ArrayList<>();
    boolean progress = true;
    while (!left.isEmpty() && progress) {
      progress = false;
      for (String pkg : List.copyOf(left.keySet())) {
        Set<String> uses = left.get(pkg);
        uses.retainAll(left.keySet());
        if (uses.isEmpty()) {
          left.remove(pkg);
          order.add(pkg);
          progress = true;
        }
      }
    }
    assertTrue(left.isEmpty(), "packages in a cycle: " + left.keySet() + " (layered: " + order
        + ")");
    assertTrue(order.indexOf("ir") < order.indexOf("interp")
        && order.indexOf("interp") < order.indexOf("simplify")
        && order.indexOf("simplify") < order.indexOf("autodiff")
        && order.indexOf("autodiff") < order.indexOf("emit"), "layer order " + order);
  }
}
