package dev.nnc.cli;

import dev.nnc.compiler.ir.ElementType;
import dev.nnc.runtime.Model;
import dev.nnc.runtime.Slot;
import dev.nnc.runtime.Tensor;
import dev.nnc.runtime.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Writes a seeded checkpoint and a seeded batch for a sample model, as nnc graph and eval read them. */
final class ModelFiles {
  private ModelFiles() {}

  /**
   * Writes the initialized weights (seed 7) of the model in {@code nn} to {@code weights} and
   * {@code rows} examples of seeded random inputs and labels to {@code inputs}.
   */
  static void write(Path nn, Path weights, Path inputs, int rows) throws IOException {
    Model model = ModelLoader.load(nn, null, ElementType.F32,
        new java.io.PrintWriter(java.io.Writer.nullWriter()));
    model.initialize(7);
    SafeTensors.save(weights, model, Map.of(), Map.of());
    Random random = new Random(11);
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (Slot s : model.inputs()) {
      if (s.kind() == Slot.Kind.LABEL) {
        long[] labels = new long[rows];
        for (int i = 0; i < rows; i++) {
          labels[i] = random.nextInt(s.classes());
        }
        tensors.put(s.name(), Tensor.i64(labels, rows));
      } else {
        float[] x = new float[rows * s.size()];
        for (int i = 0; i < x.length; i++) {
          x[i] = (float) random.nextGaussian();
        }
        int[] shape = new int[s.shape().length + 1];
        shape[0] = rows;
        System.arraycopy(s.shape(), 0, shape, 1, s.shape().length);
        tensors.put(s.name(), Tensor.f32(x, shape));
      }
    }
    SafeTensors.write(inputs, tensors, null);
  }

  /** {@code java ModelFiles MODEL.nn W.safetensors X.safetensors ROWS}. */
  public static void main(String[] args) throws IOException {
    write(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]), Integer.parseInt(args[3]));
  }
}
