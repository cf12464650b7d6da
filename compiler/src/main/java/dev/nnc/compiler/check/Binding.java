package dev.nnc.compiler.check;

import dev.nnc.compiler.ast.Decl;
import dev.nnc.compiler.ir.Node;
import java.util.Map;

/** What a name in scope stands for: a tensor value or a layer instance. */
sealed interface Binding permits Binding.Value, Binding.Instance {

  /**
   * A tensor value; {@code label} marks a class-index label. A null node marks a name whose
   * definition failed with an error already reported, so that its uses stay quiet.
   */
  record Value(Node node, boolean label) implements Binding {}

  /**
   * A layer instance ({@code let fc1 = Dense(784, 256);}) with its path ({@code fc1}), its
   * compile-time integer arguments, its real-valued ones ({@code Dropout(0.5)}'s rate, never a
   * size) and the parameters it owns.
   */
  record Instance(String path, Decl.Layer layer, Map<String, Integer> args,
      Map<String, Double> reals, Map<String, Binding> members) implements Binding {}
}
