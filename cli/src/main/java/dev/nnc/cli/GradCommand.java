package dev.nnc.cli;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.autodiff.DerivedFunction;
import dev.nnc.compiler.autodiff.DerivedModel;
import dev.nnc.compiler.inspect.MathPrinter;
import dev.nnc.compiler.inspect.ModelGradientPrinter;
import dev.nnc.compiler.ir.FunctionIr;
import dev.nnc.compiler.ir.ModelIr;
import dev.nnc.compiler.ir.Node;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code nnc grad FILE [--fn NAME | --model NAME] [--order 2]}: the simplified derivatives of
 * functions, and the gradients of models' batch losses, as readable math.
 */
@Command(name = "grad", mixinStandardHelpOptions = true,
    description = "Print each parameter's simplified derivative as math, naming shared"
        + " subexpressions once: of every fn, and of every model's batch loss.")
final class GradCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "the .nn file")
  Path file;

  @Option(names = "--fn", paramLabel = "NAME", description = "only this function")
  String fn;

  @Option(names = "--model", paramLabel = "NAME", description = "only this model")
  String model;

  @Option(names = "--order", paramLabel = "N", description = "1 (default): first derivatives;"
      + " 2: also the second derivatives of fns (the Hessian for scalar parameters, else the"
      + " Hessian-vector product along v_<parameter>)")
  int order = 1;

  @Option(names = "--no-simplify", description = "show the derivative before simplification")
  boolean noSimplify;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (order != 1 && order != 2) {
      throw new UserError("--order must be 1 or 2, got " + order, 2);
    }
    if (fn != null && model != null) {
      throw new UserError("give --fn or --model, not both", 2);
    }
    Compiler.CheckResult checked = SourceLoader.load(file, spec.commandLine().getErr());
    List<FunctionIr> fns = model != null ? List.of() : fn == null
        ? checked.program().functions() : FunctionRunner.select(checked, fn, Map.of());
    List<ModelIr> models = fn != null ? List.of() : selectModels(checked);
    if (fns.isEmpty() && models.isEmpty()) {
      throw new UserError(file + " has no fn and no model to differentiate");
    }
    if (order == 2 && fns.isEmpty()) {
      throw new UserError("--order 2 prints second derivatives of fns; " + file + " has none"
          + (model != null ? " selected" : ""), 2);
    }
    boolean first = true;
    for (FunctionIr f : fns) {
      if (!first) {
        out.println();
      }
      first = false;
      printFunction(out, f);
    }
    if (order == 1) {
      for (ModelIr m : models) {
        if (!first) {
          out.println();
        }
        first = false;
        for (String line : ModelGradientPrinter.print(DerivedModel.derive(m, !noSimplify))) {
          out.println(line);
        }
      }
    }
    out.flush();
    return 0;
  }

  private List<ModelIr> selectModels(Compiler.CheckResult checked) {
    List<ModelIr> all = checked.program().models();
    if (model == null) {
      return all;
    }
    List<String> names = new ArrayList<>();
    for (ModelIr m : all) {
      if (m.name().equals(model)) {
        return List.of(m);
      }
      names.add(m.name());
    }
    throw new UserError(file + " has no model '" + model + "'"
        + (names.isEmpty() ? "" : "; it has: " + String.join(", ", names)), 2);
  }

  private void printFunction(PrintWriter out, FunctionIr f) {
    DerivedFunction d = DerivedFunction.derive(f, !noSimplify);
    Map<String, Node> roots = new LinkedHashMap<>();
    roots.put(f.name(), d.value());
    roots.putAll(MathPrinter.gradientRoots(f.params(), d.gradients()));
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
    if (order == 2) {
      roots.putAll(secondOrderRoots(d));
      if (d.upstream() != null || f.params().stream().anyMatch(p -> !p.shape().isScalar())) {
        out.println("  (second derivatives as the Hessian-vector product along the direction"
            + " v_<parameter>)");
      }
    }
    for (String line : new MathPrinter(f.graph()).print(roots)) {
      out.println("  " + line.replace("$upstream", "upstream")
          .replace(DerivedFunction.DIRECTION, "v_"));
    }
  }

  /**
   * For a scalar function of scalar parameters, the Hessian's upper triangle ({@code d2/dx dy}; the rest
   * follows by symmetry); otherwise the Hessian-vector product per parameter.
   */
  private Map<String, Node> secondOrderRoots(DerivedFunction d) {
    List<Node.Var> params = d.function().params();
    Map<String, Node> roots = new LinkedHashMap<>();
    if (d.upstream() == null && params.stream().allMatch(p -> p.shape().isScalar())) {
      for (int i = 0; i < params.size(); i++) {
        List<Node> row = d.hessianRow(i, !noSimplify);
        for (int j = i; j < params.size(); j++) {
          roots.put(i == j ? "d2/d" + params.get(i).name() + "^2"
              : "d2/d" + params.get(i).name() + " d" + params.get(j).name(), row.get(j));
        }
      }
      return roots;
    }
    for (int i = 0; i < params.size(); i++) {
      roots.put("hvp/" + params.get(i).name(), d.hvp().get(i));
    }
    return roots;
  }
}
