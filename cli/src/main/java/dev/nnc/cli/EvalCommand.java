package dev.nnc.cli;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.ir.FunctionIr;
import dev.nnc.runtime.io.InputFile;
import dev.nnc.runtime.io.Json;
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

/** {@code nnc eval FILE --at ...}: value and gradient of functions at a point. */
@Command(name = "eval", mixinStandardHelpOptions = true,
    description = "Evaluate value and gradient of fns at a point (--at), or a model's loss,"
        + " gradients and outputs on one batch (--weights, --inputs), by compiling the"
        + " generated Java in memory.")
final class EvalCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "the .nn file")
  Path file;

  @Option(names = "--fn", paramLabel = "NAME", description = "the function (default: every fn"
      + " whose parameters are all given)")
  String fn;

  @Option(names = "--at", paramLabel = "VALUES",
      description = "fn parameter values, e.g. 'x=-2,y=5' or 'W=[[0.1,0.5],[-0.3,0.8]],x=[0.2,0.4]'")
  String at;

  @Option(names = "--hessian", description = "fn: also the Hessian with respect to all"
      + " parameters, flattened in declaration order (row-major within a tensor)")
  boolean hessian;

  @Option(names = "--direction", paramLabel = "VALUES", description = "fn: a direction, one value"
      + " per parameter as in --at; adds the Jacobian-vector product (jvp) and the"
      + " Hessian-vector product (hvp)")
  String direction;

  @Option(names = "--weights", paramLabel = "W.safetensors",
      description = "model: the parameters (names and shapes as in the .nn file); the inputs go"
          + " through the normalization it records, as in predict")
  Path weights;

  @Option(names = "--inputs", paramLabel = "X.safetensors",
      description = "model: one batch, a tensor [B, ...] per input/target and I32/I64 per label")
  Path inputs;

  @Option(names = "--model", paramLabel = "NAME", description = "the model, if the file has several")
  String modelName;

  @Option(names = "--f64", description = "model: compute in double precision (weights must be"
      + " F64; F64 inputs are used unrounded)")
  boolean f64;

  @Option(names = "--json", description = "print JSON: {\"value\": v, \"gradient\": {...}}")
  boolean json;

  @Option(names = "--interpret", description = "use the reference interpreter instead of"
      + " generated code")
  boolean interpret;

  @Option(names = "--no-simplify", description = "differentiate without the simplifier")
  boolean noSimplify;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if ((weights == null) != (inputs == null)) {
      throw new UserError("evaluating a model needs both --weights and --inputs", 2);
    }
    if (weights == null && at == null) {
      throw new UserError("give --at for a fn, or --weights and --inputs for a model", 2);
    }
    if (weights != null && (hessian || direction != null)) {
      throw new UserError("--hessian and --direction are for fns (--at), not models", 2);
    }
    if (weights != null) {
      InputFile.check(weights); // before compiling the model
      InputFile.check(inputs);
      var model = ModelLoader.load(file, modelName,
          f64 ? dev.nnc.compiler.ir.ElementType.F64 : dev.nnc.compiler.ir.ElementType.F32,
          spec.commandLine().getErr());
      KernelChoice.apply(model);
      out.println(Json.write(ModelEval.run(model, weights, inputs)));
      out.flush();
      return 0;
    }
    Compiler.CheckResult checked = SourceLoader.load(file, spec.commandLine().getErr());
    Map<String, AtValues.Value> values = AtValues.parse(at);
    List<FunctionIr> fns = FunctionRunner.select(checked, fn, values);
    FunctionRunner.SecondOrder second = new FunctionRunner.SecondOrder(hessian,
        direction == null ? null : AtValues.parse(direction));
    List<FunctionRunner.Result> results =
        FunctionRunner.run(checked, fns, values, second, interpret, !noSimplify,
            spec.commandLine().getErr());
    if (json) {
      Map<String, Object> all = new LinkedHashMap<>();
      for (FunctionRunner.Result r : results) {
        Map<String, Object> one = new LinkedHashMap<>();
        one.put("value", FunctionRunner.nested(r.value(), r.fn().value().shape()));
        Map<String, Object> grad = new LinkedHashMap<>();
        for (int i = 0; i < r.fn().params().size(); i++) {
          var p = r.fn().params().get(i);
          grad.put(p.name(), FunctionRunner.nested(r.gradient().get(p.name()), p.shape()));
        }
        one.put("gradient", grad);
        if (r.hessian() != null) {
          List<Object> rows = new java.util.ArrayList<>();
          for (double[] row : r.hessian()) {
            rows.add(FunctionRunner.nested(row, dev.nnc.compiler.ir.Shape.of(row.length)));
          }
          one.put("hessian", rows);
        }
        if (r.jvp() != null) {
          one.put("jvp", FunctionRunner.nested(r.jvp(), r.fn().value().shape()));
          Map<String, Object> hvp = new LinkedHashMap<>();
          for (var p : r.fn().params()) {
            hvp.put(p.name(), FunctionRunner.nested(r.hvp().get(p.name()), p.shape()));
          }
          one.put("hvp", hvp);
        }
        all.put(r.fn().name(), one);
      }
      out.println(Json.write(fn != null ? all.get(fn) : all));
    } else {
      for (FunctionRunner.Result r : results) {
        out.println(r.fn().name() + " = " + FunctionRunner.text(r.value(), r.fn().value().shape()));
        for (var p : r.fn().params()) {
          out.println("  d" + r.fn().name() + "/d" + p.name() + " = "
              + FunctionRunner.text(r.gradient().get(p.name()), p.shape()));
        }
        if (r.hessian() != null) {
          out.println("  hessian (parameters flattened in declaration order) =");
          for (double[] row : r.hessian()) {
            out.println("    " + FunctionRunner.text(row,
                dev.nnc.compiler.ir.Shape.of(row.length)));
          }
        }
        if (r.jvp() != null) {
          out.println("  jvp = " + FunctionRunner.text(r.jvp(), r.fn().value().shape()));
          for (var p : r.fn().params()) {
            out.println("  hvp/" + p.name() + " = "
                + FunctionRunner.text(r.hvp().get(p.name()), p.shape()));
          }
        }
      }
    }
    out.flush();
    return 0;
  }
}
