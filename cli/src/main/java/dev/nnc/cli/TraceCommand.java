package dev.nnc.cli;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.inspect.Trace;
import dev.nnc.compiler.ir.FunctionIr;
import dev.nnc.compiler.ir.Node;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code nnc trace FILE --fn NAME --at ...}: each node's value and gradient in forward order. */
@Command(name = "trace", mixinStandardHelpOptions = true,
    description = "Print every node of a fn's graph with its forward value and its gradient.")
final class TraceCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "the .nn file")
  Path file;

  @Option(names = "--fn", required = true, paramLabel = "NAME", description = "the function")
  String fn;

  @Option(names = "--at", required = true, paramLabel = "VALUES",
      description = "parameter values, e.g. 'x=-2,y=5,z=-4'")
  String at;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Compiler.CheckResult checked = SourceLoader.load(file, spec.commandLine().getErr());
    Map<String, AtValues.Value> values = AtValues.parse(at);
    FunctionIr f = FunctionRunner.select(checked, fn, values).get(0);
    double[][] args = FunctionRunner.arguments(f, values);
    Map<Node.Var, double[]> inputs = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      inputs.put(f.params().get(i), args[i]);
    }
    List<Trace.Row> rows = Trace.of(f, inputs);
    int width = 4;
    for (Trace.Row r : rows) {
      width = Math.max(width, label(r).length());
    }
    width = Math.min(width, 48);
    int lineWidth = 5;
    for (Trace.Row r : rows) {
      lineWidth = Math.max(lineWidth, line(r, checked.source().name()).length());
    }
    String format = "%-" + width + "s  %-" + lineWidth + "s  %-20s  %s%n";
    out.printf(format, "node", "line", "value", "gradient");
    for (Trace.Row r : rows) {
      String grad = r.gradient() == null ? "-" : FunctionRunner.text(r.gradient(), r.node().shape());
      out.printf(format, label(r), line(r, checked.source().name()),
          FunctionRunner.text(r.value(), r.node().shape()), grad);
    }
    out.flush();
    return 0;
  }

  /** The row's line: a number in the traced file, {@code layers.nn:3} in an imported one. */
  private static String line(Trace.Row r, String file) {
    if (r.line() <= 0) {
      return "";
    }
    String origin = r.node().origin().file();
    return origin.equals(file) ? Integer.toString(r.line())
        : origin.substring(origin.lastIndexOf('/') + 1) + ":" + r.line();
  }

  private static String label(Trace.Row r) {
    return r.definition().equals("input") ? r.name() : r.name() + " = " + r.definition();
  }
}
