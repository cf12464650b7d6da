package dev.nnc.compiler.ir;

import dev.nnc.compiler.diag.SourceSpan;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A checked {@code model}, per example: inputs, labels and targets as variables, trainable
 * parameters with their initializers, named outputs, the per-example loss, and the declared
 * optimizer (null if none). Batching (the mean over examples) is applied by code generation.
 * {@code span} is the model declaration's place in the source, {@code nameSpan} its name's.
 */
public record ModelIr(String name, SourceSpan span, SourceSpan nameSpan, Graph graph, List<DataVar> data,
    List<ParamVar> params, Map<String, Node> outputs, Node loss, Optimizer optimizer) {
  public ModelIr {
    data = List.copyOf(data);
    params = List.copyOf(params);
    outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
  }

  /** What a data variable holds per example. */
  public enum DataKind { INPUT, LABEL, TARGET }

  /** A per-example input, class label (with its class count) or regression target. */
  public record DataVar(Node.Var var, DataKind kind, int classes) {}

  /** A trainable parameter with its stable name ({@code fc1.W}) and initializer. */
  public record ParamVar(Node.Var var, String init, List<Double> initArgs) {
    public ParamVar {
      initArgs = List.copyOf(initArgs);
    }
  }

  /**
   * The declared optimizer, validated by the runtime's own rules: its name and the arguments
   * given, in declaration order ({@code sgd(lr: 0.1, momentum: 0.9)}).
   */
  public record Optimizer(String name, List<Argument> args, SourceSpan span) {
    public Optimizer {
      args = List.copyOf(args);
    }
  }

  /** One named optimizer argument with its value. */
  public record Argument(String name, double value) {}
}
