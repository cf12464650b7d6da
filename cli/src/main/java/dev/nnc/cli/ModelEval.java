package dev.nnc.cli;

import dev.nnc.runtime.Batch;
import dev.nnc.runtime.DType;
import dev.nnc.runtime.Model;
import dev.nnc.runtime.Parameter;
import dev.nnc.runtime.Slot;
import dev.nnc.runtime.Tensor;
import dev.nnc.runtime.data.Normalizer;
import dev.nnc.runtime.io.InputFile;
import dev.nnc.runtime.io.SafeTensors;
import dev.nnc.runtime.io.TensorFile;
import dev.nnc.runtime.train.TrainingCheckpoint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code nnc eval MODEL.nn --weights W --inputs X}: one forward and backward pass on one batch,
 * as JSON, for cross-checking nnc against other frameworks. The input goes through the
 * checkpoint's normalization, as in {@code nnc predict} (plain weights from another tool have
 * none: their inputs are taken as given); a model computing in f64 reads the inputs unrounded.
 */
final class ModelEval {
  private ModelEval() {}

  static Map<String, Object> run(Model model, Path weights, Path inputs) {
    for (Path p : new Path[] {weights, inputs}) {
      InputFile.check(p);
    }
    TrainingCheckpoint checkpoint = TrainingCheckpoint.load(weights, model);
    Batch batch = batch(model, inputs, checkpoint.normalizer());
    double loss = model.forwardBackward(batch);
    Map<String, Object> gradient = new LinkedHashMap<>();
    for (Parameter p : model.parameters()) {
      double[] g = new double[p.size()];
      for (int i = 0; i < g.length; i++) {
        g[i] = p.grad(i);
      }
      gradient.put(p.name(), FunctionRunner.nested(g, new dev.nnc.compiler.ir.Shape(
          Arrays.stream(p.shape()).boxed().toList())));
    }
    model.forward(batch);
    Map<String, Object> outputs = new LinkedHashMap<>();
    for (Slot s : model.outputs()) {
      float[] values = model.output(s.name());
      List<Integer> dims = new ArrayList<>();
      dims.add(batch.size());
      Arrays.stream(s.shape()).forEach(dims::add);
      double[] data = new double[batch.size() * s.size()];
      for (int i = 0; i < data.length; i++) {
        data[i] = values[i];
      }
      outputs.put(s.name(), FunctionRunner.nested(data, new dev.nnc.compiler.ir.Shape(dims)));
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("loss", Double.isFinite(loss) ? loss : null);
    result.put("gradient", gradient);
    result.put("outputs", outputs);
    return result;
  }

  /**
   * A batch from a safetensors file holding one tensor per input, label and target; the input
   * goes through {@code normalizer} (null: none).
   */
  static Batch batch(Model model, Path file, Normalizer normalizer) {
    TensorFile tensors = SafeTensors.read(file);
    int size = -1;
    for (Slot s : model.inputs()) {
      Tensor t = tensors.tensors().get(s.name());
      if (t == null) {
        throw new UserError(file + ": no tensor named '" + s.name() + "' (the model's inputs: "
            + names(model.inputs()) + ")");
      }
      int rows = t.shape().length == 0 ? 1 : t.shape()[0];
      int[] expected = s.kind() == Slot.Kind.LABEL ? new int[] {rows} : prepend(rows, s.shape());
      if (!Arrays.equals(t.shape(), expected)) {
        throw new UserError(file + ": tensor " + s.name() + " has shape "
            + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(expected));
      }
      if (s.kind() == Slot.Kind.LABEL && t.dtype() != DType.I32 && t.dtype() != DType.I64) {
        throw new UserError(file + ": label " + s.name() + " must be I32 or I64, got " + t.dtype());
      }
      if (size >= 0 && rows != size) {
        throw new UserError(file + ": tensors have different batch sizes (" + size + " and "
            + rows + ")");
      }
      size = rows;
    }
    if (size < 1) {
      throw new UserError(file + ": the batch is empty");
    }
    Batch batch = Batch.forModel(model, size);
    batch.setSize(size);
    for (int k = 0; k < model.inputs().size(); k++) {
      Slot s = model.inputs().get(k);
      Tensor t = tensors.tensors().get(s.name());
      if (s.kind() == Slot.Kind.LABEL) {
        int[] labels = batch.labels(k);
        for (int i = 0; i < size; i++) {
          long v = t.getLong(i);
          if (v < 0 || v >= s.classes()) {
            throw new UserError(file + ": label " + s.name() + "[" + i + "] = " + v
                + " is not in [0, " + s.classes() + ")");
          }
          labels[i] = (int) v;
        }
      } else {
        double[] values = new double[t.size()];
        for (int i = 0; i < values.length; i++) {
          values[i] = t.getDouble(i);
        }
        if (normalizer != null && s.kind() == Slot.Kind.INPUT) {
          normalizer.applyInPlace(values);
        }
        if (batch.isF64()) {
          System.arraycopy(values, 0, batch.doubles(k), 0, values.length);
        } else {
          float[] floats = batch.floats(k);
          for (int i = 0; i < values.length; i++) {
            floats[i] = (float) values[i];
          }
        }
      }
    }
    return batch;
  }

  private static int[] prepend(int first, int[] rest) {
    int[] out = new int[rest.length + 1];
    out[0] = first;
    System.arraycopy(rest, 0, out, 1, rest.length);
    return out;
  }

  private static String names(List<Slot> slots) {
    List<String> names = new ArrayList<>();
    slots.forEach(s -> names.add(s.name()));
    return String.join(", ", names);
  }
}
