package dev.nnc.cli;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.emit.FunctionEmitter;
import dev.nnc.compiler.inspect.Picture;
import dev.nnc.compiler.inspect.PictureBuilder;
import dev.nnc.compiler.ir.ElementType;
import dev.nnc.compiler.ir.FunctionIr;
import dev.nnc.compiler.ir.ModelIr;
import dev.nnc.runtime.Batch;
import dev.nnc.runtime.Model;
import dev.nnc.runtime.Parameter;
import dev.nnc.runtime.Slot;
import dev.nnc.runtime.io.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.nnc.compiler.ast.Decl;
import dev.nnc.compiler.ast.Program;
import dev.nnc.compiler.syntax.SyntaxParser;
import dev.nnc.compiler.diag.Diagnostics;
import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.runtime.io.AtomicFile;
import dev.nnc.runtime.train.TrainingCheckpoint;
import dev.nnc.runtime.io.InputFile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code nnc graph FILE [--fn NAME | --model NAME] [--at VALUES | --weights W --inputs X]
 * --format svg|dot|html -o OUT}: the computational graph as a picture, laid out left to right,
 * with values above the wires and gradients below them when values are given.
 */
@Command(name = "graph", mixinStandardHelpOptions = true,
    description = "Draw the computational graph of a fn or a model as SVG, DOT or an HTML page"
        + " (source, graph and generated Java side by side). With --at (a fn) or --weights and"
        + " --inputs (a model), each wire shows its value above and its gradient below.")
final class GraphCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "the .nn file")
  Path file;

  @Option(names = "--fn", paramLabel = "NAME", description = "the function to draw")
  String fn;

  @Option(names = "--model", paramLabel = "NAME", description = "the model to draw")
  String modelName;

  @Option(names = "--at", paramLabel = "VALUES",
      description = "fn parameter values, e.g. 'x=-2,y=5,z=-4'")
  String at;

  @Option(names = "--weights", paramLabel = "W.safetensors",
      description = "model: the parameters (a checkpoint of nnc train --save)")
  Path weights;

  @Option(names = "--inputs", paramLabel = "X.safetensors",
      description = "model: one batch, a tensor [B, ...] per input/target and I32/I64 per label")
  Path inputs;

  @Option(names = "--f64", description = "model: the weights are F64 (nnc train --f64)")
  boolean f64;

  @Option(names = "--no-simplify", description = "draw the graph as written, not simplified")
  boolean noSimplify;

  @Option(names = "--format", paramLabel = "FORMAT",
      description = "svg, dot or html (default: from the extension of -o)")
  String format;

  @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT",
      description = "the file to write (replaced atomically)")
  Path output;

  @Override
  public Integer call() {
    String kind = format();
    if (fn != null && modelName != null) {
      throw new UserError("give --fn or --model, not both", 2);
    }
    if ((weights == null) != (inputs == null)) {
      throw new UserError("values for a model need both --weights and --inputs", 2);
    }
    if (at != null && (weights != null || modelName != null)) {
      throw new UserError("--at gives a fn's values; a model's come from --weights and --inputs",
          2);
    }
    if (fn != null && weights != null) {
      throw new UserError("--weights and --inputs give a model's values; a fn's come from --at",
          2);
    }
    checkTarget();
    Compiler.CheckResult checked = SourceLoader.load(file, spec.commandLine().getErr());
    boolean model = modelName != null || weights != null
        || (fn == null && at == null && checked.program().functions().isEmpty());
    Picture picture;
    String className;
    // Code generation and loading a model derive gradients into the checked graphs; the
    // picture is built from a fresh check of the same text so it starts from clean graphs.
    Compiler.CheckResult fresh = Compiler.check(checked.source());
    if (model) {
      ModelIr chosen = ModelLoader.select(fresh, modelName);
      Map<String, double[]> values = null;
      int examples = 1;
      if (weights != null) {
        Model compiled = ModelLoader.load(file, chosen.name(),
            f64 ? ElementType.F64 : ElementType.F32, spec.commandLine().getErr());
        Batch batch = batch(compiled);
        values = values(compiled, batch);
        examples = batch.size();
      }
      picture = PictureBuilder.model(fresh.source(), declarations(fresh), chosen,
          !noSimplify, values, examples);
      className = FunctionEmitter.className(chosen.name());
    } else {
      FunctionIr f = function(fresh);
      Map<String, double[]> values = null;
      if (at != null) {
        Map<String, AtValues.Value> given = AtValues.parse(at);
        FunctionRunner.select(fresh, f.name(), given);
        double[][] args = FunctionRunner.arguments(f, given);
        values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
          values.put(f.params().get(i).name(), args[i]);
        }
      }
      picture = PictureBuilder.function(fresh.source(), f, !noSimplify, values);
      className = FunctionEmitter.className(f.name());
    }
    String text = switch (kind) {
      case "dot" -> DotWriter.write(picture);
      case "html" -> HtmlPage.write(picture, GraphLayout.place(picture), checked.source(),
          java(checked, className));
      default -> SvgWriter.document(GraphLayout.place(picture));
    };
    AtomicFile.writeString(output, text);
    spec.commandLine().getOut().println("wrote " + output);
    return 0;
  }

  /** The format from --format, else from the extension of -o. */
  private String format() {
    String kind = format;
    if (kind == null) {
      String name = output.getFileName() == null ? "" : output.getFileName().toString()
          .toLowerCase(Locale.ROOT);
      kind = name.endsWith(".svg") ? "svg" : name.endsWith(".dot") || name.endsWith(".gv") ? "dot"
          : name.endsWith(".html") || name.endsWith(".htm") ? "html" : null;
      if (kind == null) {
        throw new UserError("--format: give svg, dot or html (the name " + output
            + " does not say which)", 2);
      }
    }
    if (!kind.equals("svg") && !kind.equals("dot") && !kind.equals("html")) {
      throw new UserError("--format: expected svg, dot or html, got '" + kind + "'", 2);
    }
    return kind;
  }

  /** -o must name a regular file (or nothing yet) in an existing directory. */
  private void checkTarget() {
    if (Files.exists(output) && !Files.isRegularFile(output)) {
      throw new UserError("-o " + output + ": not a regular file; refusing to replace it");
    }
    Path parent = output.toAbsolutePath().getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      throw new UserError("-o " + output + ": directory " + parent + " does not exist");
    }
  }

  private FunctionIr function(Compiler.CheckResult checked) {
    List<FunctionIr> fns = checked.program().functions();
    List<String> names = new ArrayList<>();
    fns.forEach(f -> names.add(f.name()));
    if (fn == null) {
      if (fns.size() == 1) {
        return fns.get(0);
      }
      throw new UserError(fns.isEmpty() ? checked.source().name() + " declares no fn"
          : checked.source().name() + " declares several fns (" + String.join(", ", names)
              + "); choose one with --fn", 2);
    }
    for (FunctionIr f : fns) {
      if (f.name().equals(fn)) {
        return f;
      }
    }
    throw new UserError(checked.source().name() + " has no fn '" + fn + "'"
        + (names.isEmpty() ? "" : "; it has: " + String.join(", ", names)), 2);
  }

  /** The weights loaded into {@code model} and the batch of --inputs, as nnc eval reads them. */
  private Batch batch(Model model) {
    for (Path p : new Path[] {weights, inputs}) {
      InputFile.check(p);
    }
    TrainingCheckpoint checkpoint = TrainingCheckpoint.load(weights, model);
    return ModelEval.batch(model, inputs, checkpoint.normalizer());
  }

  /** Every parameter's and every input slot's values by name, as doubles. */
  private static Map<String, double[]> values(Model model, Batch batch) {
    Map<String, double[]> values = new LinkedHashMap<>();
    for (Parameter p : model.parameters()) {
      double[] v = new double[p.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = p.get(i);
      }
      values.put(p.name(), v);
    }
    for (int k = 0; k < model.inputs().size(); k++) {
      Slot s = model.inputs().get(k);
      double[] v;
      if (s.kind() == Slot.Kind.LABEL) {
        int[] labels = batch.labels(k);
        v = new double[batch.size()];
        for (int i = 0; i < v.length; i++) {
          v[i] = labels[i];
        }
      } else {
        float[] floats = batch.floats(k);
        v = new double[batch.size() * s.size()];
        for (int i = 0; i < v.length; i++) {
          v[i] = floats[i];
        }
      }
      values.put(s.name(), v);
    }
    return values;
  }

  /**
   * The declarations of the checked file and of every file it imports, the file's own first:
   * the picture finds the model's declaration and the layers its instances come from there.
   */
  private static Program declarations(Compiler.CheckResult checked) {
    List<Decl> decls = new ArrayList<>();
    for (SourceFile source : checked.files().values()) {
      Program parsed = SyntaxParser.parse(source, new Diagnostics());
      if (parsed != null) {
        decls.addAll(parsed.decls());
      }
    }
    return new Program(checked.source(), decls);
  }

  /** The generated Java of the class {@code className} (what nnc compile writes for it). */
  private String java(Compiler.CheckResult checked, String className) {
    // A fresh check again: generating code derives gradients into the graphs it is given.
    Compiler.CheckResult again = Compiler.check(checked.source());
    for (Compiler.GeneratedSource s : Compiler.generate(again, "", !noSimplify)) {
      if (s.qualifiedName().equals(className)) {
        return s.code();
      }
    }
    return "";
  }
}
