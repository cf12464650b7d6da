package dev.nnc.cli;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.ir.ElementType;
import dev.nnc.runtime.Batch;
import dev.nnc.runtime.Model;
import dev.nnc.runtime.Slot;
import dev.nnc.runtime.data.Batcher;
import dev.nnc.runtime.data.Dataset;
import dev.nnc.runtime.data.Normalizer;
import dev.nnc.runtime.io.Json;
import dev.nnc.runtime.io.SafeTensors;
import dev.nnc.runtime.kernels.WarmUp;
import java.util.List;
import java.util.Map;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code nnc predict MODEL.nn --weights W --data ...}: writes the outputs for every example. */
@Command(name = "predict", mixinStandardHelpOptions = true,
    description = "Run a trained model on data and write its outputs as CSV, one row per example.")
final class PredictCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL.nn", description = "the .nn file with the model")
  Path file;

  @Option(names = "--model", paramLabel = "NAME", description = "the model, if the file has several")
  String modelName;

  @Option(names = "--weights", required = true, paramLabel = "W.safetensors",
      description = "the trained parameters")
  Path weights;

  @Option(names = "--data", paramLabel = "DATA", description = "digits (default), mnist:DIR (its"
      + " test set) or csv:FILE[:LABEL_COLUMN]; a table is used whole")
  String data;

  @Option(names = "--output", paramLabel = "FILE.csv", description = "where to write (default:"
      + " standard output)")
  Path output;

  @Option(names = "--batch", defaultValue = "256", description = "batch size (default ${DEFAULT-VALUE})")
  int batch;

  /** The input normalization training used, saved in the checkpoint's metadata. */
  private static Normalizer normalizer(Path weights, String json) {
    try {
      Map<?, ?> map = (Map<?, ?>) Json.parse(json);
      return Normalizer.of(doubles(map.get("offsets")), doubles(map.get("scales")));
    } catch (RuntimeException e) {
      throw new UserError(weights + ": the normalizer metadata is malformed");
    }
  }

  private static double[] doubles(Object list) {
    List<?> values = (List<?>) list;
    double[] out = new double[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ((Number) values.get(i)).doubleValue();
    }
    return out;
  }

  /** A value as CSV: integers (class indices) without decimals, others with 6 significant digits. */
  private static String number(float v) {
    return v == Math.rint(v) && Math.abs(v) < 1e7 ? Integer.toString((int) v)
        : String.format(Locale.ROOT, "%.6g", v);
  }

  @Override
  public Integer call() {
    WarmUp.start();
    Compiler.CheckResult checked = SourceLoader.load(file, spec.commandLine().getErr());
    if (!Files.isRegularFile(weights)) {
      throw new UserError(weights + ": no such file");
    }
    // a checkpoint of `nnc train --f64` holds F64 parameters: compute as it was trained
    boolean f64 = SafeTensors.read(weights).tensors().entrySet().stream()
        .anyMatch(e -> !e.getKey().startsWith(SafeTensors.OPTIMIZER_PREFIX)
            && e.getValue().dtype() == dev.nnc.runtime.DType.F64);
    Model model = ModelLoader.load(checked, modelName, f64 ? ElementType.F64 : ElementType.F32);
    var checkpoint = SafeTensors.load(weights, model);
    boolean regression = model.inputs().stream().anyMatch(s -> s.kind() == Slot.Kind.TARGET);
    Dataset rows = DataOption.whole(data, regression);
    String normalizer = checkpoint.metadata().get("normalizer");
    if (normalizer != null) {
      rows = normalizer(weights, normalizer).apply(rows);
    }
    StringBuilder csv = new StringBuilder("example");
    for (Slot s : model.outputs()) {
      for (int i = 0; i < s.size(); i++) {
        csv.append(',').append(s.name()).append(s.size() == 1 ? "" : "[" + i + "]");
      }
    }
    csv.append('\n');
    Batcher batcher = new Batcher(rows, Batch.forModel(model, Math.min(batch,
        Math.max(1, rows.rows()))));
    batcher.resetOrder();
    int example = 0;
    for (int k = 0; k < batcher.batchCount(); k++) {
      Batch b = batcher.fill(k);
      model.predict(b);
      for (int e = 0; e < b.size(); e++) {
        csv.append(example++);
        for (Slot s : model.outputs()) {
          float[] values = model.output(s.name());
          for (int i = 0; i < s.size(); i++) {
            csv.append(',').append(number(values[e * s.size() + i]));
          }
        }
        csv.append('\n');
      }
    }
    if (output == null) {
      spec.commandLine().getOut().print(csv);
      spec.commandLine().getOut().flush();
    } else {
      CompileCommand.writeAtomically(output, csv.toString());
      spec.commandLine().getOut().println("wrote " + example + " predictions to " + output);
    }
    return 0;
  }
}
