package dev.nnc.cli;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.autodiff.DerivedFunction;
import dev.nnc.compiler.inspect.MathPrinter;
import dev.nnc.compiler.ir.FunctionIr;
import dev.nnc.compiler.ir.Node;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code nnc grad FILE [--fn NAME]}: the simplified derivatives as readable math. */
@Command(name = "grad", mixinStandardHelpOptions = true,
    description = "Print each parameter's simplified derivative as math, naming shared"
        + " subexpressions once.")
final class GradCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "the .nn file")
  Path file;

  @Option(names = "--fn", paramLabel = "NAME", description = "only this function")
  String fn;

  @Option(names = "--no-simplify", description = "show the derivative before simplification")
  boolean noSimplify;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Compiler.CheckResult checked = SourceLoader.load(file, spec.commandLine().getErr());
    List<FunctionIr> fns = fn == null ? checked.program().functions()
        : FunctionRunner.select(checked, fn, Map.of());
    if (fns.isEmpty()) {
      throw new UserError(file + " has no fn; nnc grad prints the derivatives of functions (for a"
          + " model's generated gradient code see nnc compile)");
    }
    boolean first = true;
    for (FunctionIr f : fns) {
      DerivedFunction d = DerivedFunction.derive(f, !noSimplify);
      Map<String, Node> roots = new LinkedHashMap<>();
      roots.put(f.name(), d.value());
      roots.putAll(MathPrinter.gradientRoots(f.params(), d.gradients()));
      if (!first) {
        out.println();
      }
      first = false;
      StringBuilder header = new StringBuilder("fn " + f.name() + "(");
      for (int i = 0; i < f.params().size(); i++) {
        Node.Var p = f.params().get(i);
        header.append(i == 0 ? "" : ", ").append(p.name())
            .append(p.shape().isScalar() ? "" : ": " + p.shape());
      }
      out.println(header.append(')'));
      if (d.upstream() != null) {
        out.println("  (a tensor value: gradients are of sum(upstream * " + f.name() + "))");
      }
      for (String line : new MathPrinter(f.graph()).print(roots)) {
        out.println("  " + line.replace("$upstream", "upstream"));
      }
    }
    out.flush();
    return 0;
  }
}
