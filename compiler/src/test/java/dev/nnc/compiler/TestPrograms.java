package dev.nnc.compiler;

import dev.nnc.compiler.autodiff.DerivedFunction;
import dev.nnc.compiler.check.CheckedProgram;
import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.compiler.interp.Interpreter;
import dev.nnc.compiler.ir.FunctionIr;
import dev.nnc.compiler.ir.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Compiles {@code .nn} text in tests and evaluates functions with the interpreter. */
public final class TestPrograms {
  private TestPrograms() {}

  /** Checks {@code text}, failing with the rendered diagnostics if it has errors. */
  public static CheckedProgram check(String text) {
    Compiler.CheckResult result = Compiler.check(new SourceFile("test.nn", text));
    if (!result.ok()) {
      throw new AssertionError("expected a clean program:\n" + result.render());
    }
    return result.program();
  }

  /** The function {@code name} of {@code text}. */
  public static FunctionIr function(String text, String name) {
    for (FunctionIr fn : check(text).functions()) {
      if (fn.name().equals(name)) {
        return fn;
      }
    }
    throw new AssertionError("no function " + name);
  }

  /** Value then gradients (flat), evaluated by the interpreter on the derived graph. */
  public static List<double[]> valueAndGradient(DerivedFunction d, double[]... args) {
    Map<Node.Var, double[]> inputs = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      inputs.put(d.function().params().get(i), args[i]);
    }
    if (d.upstream() != null) {
      double[] ones = new double[d.upstream().shape().size()];
      java.util.Arrays.fill(ones, 1);
      inputs.put(d.upstream(), ones);
    }
    Interpreter interpreter = new Interpreter(inputs);
    List<double[]> out = new ArrayList<>();
    out.add(interpreter.value(d.value()));
    for (Node g : d.gradients()) {
      out.add(interpreter.value(g));
    }
    return out;
  }
}
