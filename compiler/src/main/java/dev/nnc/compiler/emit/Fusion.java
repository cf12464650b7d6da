package dev.nnc.compiler.emit;

import dev.nnc.compiler.ir.Node;
import dev.nnc.compiler.ir.Op;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Loop fusion for the batched passes of a model. An elementwise value that only the next
 * elementwise steps read is computed inside their loop and held in a local variable, so it
 * needs no buffer and no pass over memory of its own: {@code dh = dy * step(z)} is one loop with
 * {@code step(z)} a local, not two loops and a buffer.
 *
 * <p>Measured with C2 (JDK 17), a loop that stores two arrays, or also adds into a batch sum,
 * vectorizes worse than separate loops, so a fused loop is a chain of locals ending in the one
 * value it stores, and batch sums (bias gradients) keep loops of their own.
 *
 * <p>Two scheduling moves make such steps adjacent: an elementwise statement is deferred until
 * just before its first reader in the pass (so {@code relu'(z)} is computed where the gradient
 * it masks arrives, not at the start of the backward pass), and a batch sum is hoisted to just
 * after the last value it reads. Both keep every input before its reader.
 *
 * <p>A statement joins a loop only if it reads the loop's earlier values at its own element,
 * never through a transpose, slice or broadcast of them (those read other elements, which may
 * not be computed yet).
 */
final class Fusion {
  /** How the statements of a {@link Group} are emitted. */
  enum Kind {
    /** One statement. */
    STATEMENT,
    /** One loop nest over the elements, earlier values held in locals. */
    LOOP,
    /**
     * {@code softmax(x)} then {@code logsumexp(x)} over the same rows: one pass computes the
     * max and the exponentials for both.
     */
    SOFTMAX_LOGSUMEXP
  }

  /** Statements emitted together, as {@code kind} says. */
  record Group(List<Node> nodes, Set<Node> locals, Kind kind) {
    Group {
      nodes = List.copyOf(nodes);
    }

    static Group statement(Node n) {
      return new Group(List.of(n), Set.of(), Kind.STATEMENT);
    }

    boolean fused() {
      return kind == Kind.LOOP;
    }

    int size() {
      return nodes.get(0).shape().size();
    }
  }

  private Fusion() {}

  /** The stored nodes each statement reads, through views: who reads whom, over all passes. */
  static Map<Node, Set<Node>> readers(Collection<List<Node>> passes) {
    Map<Node, Set<Node>> readers = new IdentityHashMap<>();
    for (List<Node> pass : passes) {
      for (Node n : pass) {
        for (Node in : ((Node.Apply) n).inputs()) {
          for (Node leaf : storedLeaves(in)) {
            readers.computeIfAbsent(leaf, k -> new HashSet<>()).add(n);
          }
        }
      }
    }
    return readers;
  }

  /** The nodes with storage behind {@code n}: itself, or what a view of it reads. */
  static List<Node> storedLeaves(Node n) {
    List<Node> out = new ArrayList<>();
    collect(n, out);
    return out;
  }

  private static void collect(Node n, List<Node> out) {
    if (n instanceof Node.Apply a && Code.isView(a)) {
      for (Node in : a.inputs()) {
        collect(in, out);
      }
    } else {
      out.add(n);
    }
  }

  /** True if {@code n} reads {@code member} through a view (at other elements than its own). */
  private static boolean readsThroughView(Node.Apply n, Set<Node> members) {
    for (Node in : n.inputs()) {
      if (in instanceof Node.Apply a && Code.isView(a)) {
        for (Node leaf : storedLeaves(a)) {
          if (members.contains(leaf)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** An elementwise statement over a batch with more than one element per example. */
  static boolean elementwise(Node n) {
    return n instanceof Node.Apply a && a.batched() && a.op().isElementwise()
        && !a.shape().isScalar();
  }

  /**
   * A batch sum of a per-example tensor (not of an outer product or a convolution's weight
   * gradient, which are kernel calls or loops of their own).
   */
  static boolean batchSum(Node n) {
    return n instanceof Node.Apply a && a.op() == Op.BATCH_SUM && !a.shape().isScalar()
        && a.input(0).batched() && a.input(0).shape().size() == a.shape().size()
        && !(a.input(0) instanceof Node.Apply o
            && (o.op() == Op.OUTER || o.op() == Op.CONV2D_WEIGHT_GRAD));
  }

  /**
   * The pass's statements, reordered and grouped. {@code readers} is from {@link #readers};
   * {@code keep} are nodes that must stay in buffers whoever reads them (the loss, outputs,
   * gradients).
   */
  static List<Group> plan(List<Node> pass, Map<Node, Set<Node>> readers, Set<Node> keep) {
    List<Node> order = schedule(pass, readers);
    List<Group> groups = new ArrayList<>();
    List<Node> run = new ArrayList<>();
    Set<Node> members = new HashSet<>();
    for (Node n : order) {
      boolean joins = !run.isEmpty() && (elementwise(n) || batchSum(n))
          && n.shape().size() == run.get(0).shape().size()
          && !readsThroughView((Node.Apply) n, members)
          && (elementwise(n) ? !hasBatchSum(run) : true);
      if (!joins) {
        close(run, groups, readers, keep);
        run = new ArrayList<>();
        members = new HashSet<>();
        if (elementwise(n)) {
          run.add(n);
          members.add(n);
        } else {
          groups.add(Group.statement(n));
        }
        continue;
      }
      run.add(n);
      members.add(n);
    }
    close(run, groups, readers, keep);
    return groups;
  }

  /**
   * The groups with each {@code softmax(x)} and {@code logsumexp(x)} of the same rows among
   * them (the cross-entropy next to the probabilities) joined into one group, at the place of
   * the earlier: both read only x, which is computed before either. {@code pairable} says which
   * statements may join (not one the caller must emit on its own).
   */
  static List<Group> shareSoftmaxMax(List<Group> groups, Predicate<Node> pairable) {
    Map<Node, Node> softmaxOf = new IdentityHashMap<>();
    Map<Node, Node> logsumexpOf = new IdentityHashMap<>();
    for (Group g : groups) {
      if (g.kind() != Kind.STATEMENT || !pairable.test(g.nodes().get(0))) {
        continue;
      }
      Node.Apply a = (Node.Apply) g.nodes().get(0);
      if (a.op() == Op.SOFTMAX) {
        softmaxOf.putIfAbsent(a.input(0), a);
      } else if (a.op() == Op.LOGSUMEXP && overLastAxis(a)) {
        logsumexpOf.putIfAbsent(a.input(0), a);
      }
    }
    List<Group> out = new ArrayList<>();
    Set<Node> joined = new HashSet<>();
    for (Group g : groups) {
      Node n = g.nodes().get(0);
      if (joined.contains(n)) {
        continue;
      }
      Node x = g.kind() == Kind.STATEMENT ? ((Node.Apply) n).input(0) : null;
      Node softmax = x == null ? null : softmaxOf.get(x);
      Node logsumexp = x == null ? null : logsumexpOf.get(x);
      if (softmax != null && logsumexp != null && (n == softmax || n == logsumexp)) {
        out.add(new Group(List.of(softmax, logsumexp), Set.of(), Kind.SOFTMAX_LOGSUMEXP));
        joined.add(softmax);
        joined.add(logsumexp);
      } else {
        out.add(g);
      }
    }
    return out;
  }

  /** A logsumexp over the last axis of its input: one value per softmax row. */
  private static boolean overLastAxis(Node.Apply logsumexp) {
    Node x = logsumexp.input(0);
    int last = x.shape().rank() - 1;
    return logsumexp.attr() == last || (logsumexp.attr() == -1 && x.shape().rank() == 1);
  }

  /** Batch sums come last in a loop: an elementwise statement after one starts a new loop. */
  private static boolean hasBatchSum(List<Node> run) {
    return batchSum(run.get(run.size() - 1));
  }

  /**
   * Splits a run of loop-compatible statements into fused loops. Measured with C2 (JDK 17): a
   * loop that stores two arrays, or adds into a batch sum, vectorizes worse than separate loops,
   * so a fused loop is a chain of values held in locals ending in the one value it stores; batch
   * sums stay loops of their own.
   */
  private static void close(List<Node> run, List<Group> groups, Map<Node, Set<Node>> readers,
      Set<Node> keep) {
    List<Node> segment = new ArrayList<>();
    for (int i = 0; i < run.size(); i++) {
      Node n = run.get(i);
      if (batchSum(n)) {
        emitSegment(segment, groups, readers);
        segment = new ArrayList<>();
        groups.add(Group.statement(n));
        continue;
      }
      segment.add(n);
      if (!local(n, run.subList(i + 1, run.size()), readers, keep)) {
        emitSegment(segment, groups, readers);
        segment = new ArrayList<>();
      }
    }
    emitSegment(segment, groups, readers);
  }

  /**
   * True if {@code n} can live in a local: not kept, read by someone, and every reader is an
   * elementwise statement later in the same run (it joins n's loop).
   */
  private static boolean local(Node n, List<Node> rest,
      Map<Node, Set<Node>> readers, Set<Node> keep) {
    Set<Node> r = readers.getOrDefault(n, Set.of());
    if (keep.contains(n) || r.isEmpty()) {
      return false;
    }
    for (Node reader : r) {
      if (!rest.contains(reader) || !elementwise(reader)) {
        return false;
      }
    }
    return true;
  }

  private static void emitSegment(List<Node> segment, List<Group> groups,
      Map<Node, Set<Node>> readers) {
    if (segment.isEmpty()) {
      return;
    }
    if (segment.size() == 1) {
      groups.add(Group.statement(segment.get(0)));
      return;
    }
    // Every member but the last was found local, the last is stored; a local whose reader came
    // after the segment ended (behind another stored value) needs its buffer after all, and then
    // the statements are emitted one by one.
    List<Node> earlier = segment.subList(0, segment.size() - 1);
    for (Node n : earlier) {
      if (!segment.containsAll(readers.getOrDefault(n, Set.of()))) {
        for (Node m : segment) {
          groups.add(Group.statement(m));
        }
        return;
      }
    }
    groups.add(new Group(segment, new LinkedHashSet<>(earlier), Kind.LOOP));
  }

  /**
   * Defers elementwise statements to just before their first reader in the pass, and hoists
   * batch sums to just after their input.
   */
  static List<Node> schedule(List<Node> pass, Map<Node, Set<Node>> readers) {
    Set<Node> inPass = new HashSet<>(pass);
    Map<Node, Integer> position = new HashMap<>();
    for (int i = 0; i < pass.size(); i++) {
      position.put(pass.get(i), i);
    }
    List<Node> out = new ArrayList<>();
    Set<Node> emitted = new HashSet<>();
    Set<Node> deferred = new LinkedHashSet<>();
    for (Node n : pass) {
      if (emitted.contains(n)) {
        continue;
      }
      boolean readLater = false;
      for (Node r : readers.getOrDefault(n, Set.of())) {
        if (inPass.contains(r) && position.get(r) > position.get(n)) {
          readLater = true;
          break;
        }
      }
      if (elementwise(n) && readLater) {
        deferred.add(n);
        continue;
      }
      emit(n, out, emitted, deferred, readers, inPass);
    }
    for (Node n : List.copyOf(deferred)) {
      if (!emitted.contains(n)) {
        emit(n, out, emitted, deferred, readers, inPass);
      }
    }
    return out;
  }

  private static void emit(Node n, List<Node> out, Set<Node> emitted, Set<Node> deferred,
      Map<Node, Set<Node>> readers, Set<Node> inPass) {
    for (Node in : ((Node.Apply) n).inputs()) {
      for (Node leaf : storedLeaves(in)) {
        if (deferred.contains(leaf) && !emitted.contains(leaf)) {
          emit(leaf, out, emitted, deferred, readers, inPass);
        }
      }
    }
    deferred.remove(n);
    if (emitted.contains(n)) {
      return; // a batch sum hoisted while its inputs were emitted just now
    }
    out.add(n);
    emitted.add(n);
    // A batch sum reading only what is now computed follows at once (the bias gradient after
    // the gradient it sums), unless it was already emitted.
    List<Node> byId = new ArrayList<>(readers.getOrDefault(n, Set.of()));
    byId.sort(java.util.Comparator.comparingInt(Node::id));
    for (Node r : byId) {
      if (batchSum(r) && inPass.contains(r) && !emitted.contains(r)
          && ready(r, emitted, inPass)) {
        out.add(r);
        emitted.add(r);
      }
    }
  }

  private static boolean ready(Node n, Set<Node> emitted, Set<Node> inPass) {
    for (Node in : ((Node.Apply) n).inputs()) {
      for (Node leaf : storedLeaves(in)) {
        if (inPass.contains(leaf) && !emitted.contains(leaf)) {
          return false;
        }
      }
    }
    return true;
  }
}
