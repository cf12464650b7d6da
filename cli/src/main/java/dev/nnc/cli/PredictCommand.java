package dev.nnc.cli;

import dev.nnc.compiler.ir.ElementType;
import dev.nnc.runtime.Batch;
import dev.nnc.runtime.Model;
import dev.nnc.runtime.Slot;
import dev.nnc.runtime.data.Batcher;
import dev.nnc.runtime.data.Dataset;
import dev.nnc.runtime.io.AtomicFile;
import dev.nnc.runtime.io.InputFile;
import dev.nnc.runtime.io.SafeTensors;
import dev.nnc.runtime.train.TrainingCheckpoint;
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
    description = "Run a trained model on data and write its outputs as CSV, one row per example;"
        + " the inputs go through the normalization the checkpoint records.")
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

  /** A value as CSV: integers (class indices) without decimals, others with 6 significant digits. */
  private static String number(float v) {
    return v == Math.rint(v) && Math.abs(v) < 1e7 ? Integer.toString((int) v)
        : String.format(Locale.ROOT, "%.6g", v);
  }

  @Override
  public Integer call() {
    if (output != null) {
      AtomicFile.checkWritable(output); // before the work, not after it
    }
    InputFile.check(weights);
    // a checkpoint of `nnc train --f64` holds F64 parameters: compute as it was trained
    boolean f64 = SafeTensors.read(weights).tensors().entrySet().stream()
        .anyMatch(e -> !e.getKey().startsWith(SafeTensors.OPTIMIZER_PREFIX)
            && e.getValue().dtype() == dev.nnc.runtime.DType.F64);
    Model model = ModelLoader.load(file, modelName, f64 ? ElementType.F64 : ElementType.F32,
        spec.commandLine().getErr());
    KernelChoice.apply(model);
    TrainingCheckpoint checkpoint = TrainingCheckpoint.load(weights, model);
    boolean regression = model.inputs().stream().anyMatch(s -> s.kind() == Slot.Kind.TARGET);
    Dataset rows = DataOption.whole(data, regression);
    if (rows.rows() == 0) {
      throw new UserError(rows.name() + ": no examples to predict");
    }
    if (checkpoint.normalizer() != null) {
      rows = checkpoint.normalizer().apply(rows);
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
      AtomicFile.writeString(output, csv.toString());
      spec.commandLine().getOut().println("wrote " + example + " predictions to " + output);
    }
    return 0;
  }
}
