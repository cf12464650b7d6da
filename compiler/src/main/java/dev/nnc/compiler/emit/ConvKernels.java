package dev.nnc.compiler.emit;

import dev.nnc.compiler.ir.Conv;
import dev.nnc.compiler.ir.ElementType;
import dev.nnc.compiler.ir.Node;
import dev.nnc.compiler.ir.Op;
import dev.nnc.compiler.ir.Pooling;
import dev.nnc.compiler.ir.Shape;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Which convolutions and poolings of an f32 model run on the runtime's batch kernels
 * ({@code dev.nnc.runtime.kernels.Conv2d} and {@code Pool2d}, see docs/convolution.md), and the
 * members they need: one static kernel object per geometry, one scratch array that every
 * convolution shares, sized for the batch capacity, and an index array per max pooling (the
 * positions of the maxima, which the backward pass routes the gradient to). A statement runs on
 * a kernel when its tensors are whole per-example arrays (not views other than a reshape) and
 * its weights are the same for every example; everything else computes with plain loops
 * ({@link ConvCode}), as f64 models and functions always do.
 */
final class ConvKernels {
  /** A static kernel object: its field name, its class and its constructor's arguments. */
  record Kernel(String field, String type, List<Integer> arguments) {}

  /** An index array of a max pooling: its field name and its kernel. */
  record Argmax(String field, Kernel kernel) {}

  private final Map<List<Integer>, Kernel> kernels = new LinkedHashMap<>();
  private int convolutions;
  private int poolings;
  private final Map<Node, Kernel> kernelOf = new IdentityHashMap<>();
  private final Map<Node, Argmax> argmaxOf = new IdentityHashMap<>();
  /** The index arrays in order of creation (an identity map's order changes from run to run). */
  private final List<Argmax> argmaxes = new ArrayList<>();
  private final String scratch;

  /**
   * The kernels of the statements {@code nodes} (every pass of one model) in a model computing in
   * {@code type}; {@code newName} allocates a member name from a hint.
   */
  ConvKernels(ElementType type, Collection<Node> nodes, Function<String, String> newName) {
    boolean convolves = false;
    if (type == ElementType.F32) {
      List<Node.Apply> pools = new ArrayList<>();
      for (Node n : nodes) {
        if (!(n instanceof Node.Apply a)) {
          continue;
        }
        Node.Apply conv = convolution(a);
        if (conv != null) {
          kernelOf.put(a, convKernel(conv, newName));
          convolves = true;
        } else if (batchPool(a)) {
          kernelOf.put(a, poolKernel(a, newName));
          if (a.op() == Op.MAX_POOL2D) {
            pools.add(a);
            if (!argmaxOf.containsKey(a)) {
              Argmax argmax = new Argmax(newName.apply("argmax"), kernelOf.get(a));
              argmaxOf.put(a, argmax);
              argmaxes.add(argmax);
            }
          }
        }
      }
      // the backward pass of a max pooling reads its forward pass's maxima
      for (Node n : nodes) {
        if (n instanceof Node.Apply a && a.op() == Op.MAX_POOL2D_GRAD && batched(a.input(1))) {
          for (Node.Apply pool : pools) {
            if (pool.input(0) == a.input(0) && pool.attributes().equals(a.attributes())) {
              kernelOf.put(a, kernelOf.get(pool));
              argmaxOf.put(a, argmaxOf.get(pool));
              break;
            }
          }
        }
      }
    }
    this.scratch = convolves ? newName.apply("scratch") : null;
  }

  /** The kernel object that computes statement {@code n} for the whole batch, or null. */
  Kernel of(Node n) {
    return kernelOf.get(n);
  }

  /** The index array a max pooling writes or its gradient reads, or null. */
  Argmax argmax(Node n) {
    return argmaxOf.get(n);
  }

  /** The kernel objects, one per geometry, in order of first use. */
  Collection<Kernel> kernels() {
    return kernels.values();
  }

  /** The index arrays of the max poolings, each once, in order. */
  List<Argmax> argmaxes() {
    return List.copyOf(argmaxes);
  }

  /** The scratch array every convolution shares, or null if none runs on a kernel. */
  String scratch() {
    return scratch;
  }

  /**
   * The convolution that statement {@code a} computes on the Conv2d kernel for the whole batch,
   * or null: conv2d and its input gradient of batched whole arrays with unbatched weights (and
   * a stored or absent bias), and the weight gradient summed over the batch,
   * {@code batch_sum(conv2d_weight_grad(x, g))}.
   */
  static Node.Apply convolution(Node.Apply a) {
    switch (a.op()) {
      case CONV2D -> {
        Node b = a.input(2);
        boolean bias = b instanceof Node.Const c && c.value() == 0
            || !b.batched() && storage(b) != null;
        return batched(a.input(0)) && weights(a.input(1)) && bias ? a : null;
      }
      case CONV2D_INPUT_GRAD -> {
        return batched(a.input(0)) && weights(a.input(1)) ? a : null;
      }
      case BATCH_SUM -> {
        return a.input(0) instanceof Node.Apply w && w.op() == Op.CONV2D_WEIGHT_GRAD
            && batched(w.input(0)) && batched(w.input(1)) ? w : null;
      }
      default -> {
        return null;
      }
    }
  }

  /** A pooling or avg-pool gradient of a batched whole array (max-pool gradients: see above). */
  private static boolean batchPool(Node.Apply a) {
    return (a.op() == Op.MAX_POOL2D || a.op() == Op.AVG_POOL2D || a.op() == Op.AVG_POOL2D_GRAD)
        && batched(a.input(0));
  }

  /**
   * The node whose array holds {@code n}'s values from index 0 in the same order: {@code n}
   * itself if it has storage, what a reshape views, else null (a transpose or a broadcast reads
   * other elements, a constant has no array).
   */
  static Node storage(Node n) {
    if (n instanceof Node.Apply a && a.op() == Op.RESHAPE) {
      return storage(a.input(0));
    }
    if (n instanceof Node.Var || n instanceof Node.Apply a && !Code.isView(a)) {
      return n;
    }
    return null;
  }

  /** A per-example tensor with storage of its own. */
  private static boolean batched(Node n) {
    return n.batched() && storage(n) != null;
  }

  /** Weights the same for every example, with storage of their own. */
  private static boolean weights(Node n) {
    return !n.batched() && storage(n) != null;
  }

  private Kernel convKernel(Node.Apply conv, Function<String, String> newName) {
    Conv c = (Conv) conv.attributes();
    Shape x = conv.op() == Op.CONV2D_INPUT_GRAD ? conv.shape() : conv.input(0).shape();
    Shape w = conv.op() == Op.CONV2D_WEIGHT_GRAD ? conv.shape() : conv.input(1).shape();
    List<Integer> args = List.of(x.dim(0), x.dim(1), x.dim(2), w.dim(0), w.dim(2), w.dim(3),
        c.stride(), c.padding());
    return kernels.computeIfAbsent(args,
        k -> new Kernel(newName.apply("CONV" + ++convolutions), "Conv2d", k));
  }

  private Kernel poolKernel(Node.Apply pool, Function<String, String> newName) {
    Pooling p = (Pooling) pool.attributes();
    Shape x = pool.op() == Op.AVG_POOL2D_GRAD ? pool.shape() : pool.input(0).shape();
    List<Integer> args = List.of(x.dim(0), x.dim(1), x.dim(2), p.size(), p.stride(), -1);
    return kernels.computeIfAbsent(args,
        k -> new Kernel(newName.apply("POOL" + ++poolings), "Pool2d", k.subList(0, 5)));
  }
}
