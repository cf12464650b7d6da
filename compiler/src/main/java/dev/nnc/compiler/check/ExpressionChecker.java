package dev.nnc.compiler.check;

import dev.nnc.compiler.ast.Decl;
import dev.nnc.compiler.ast.Expr;
import dev.nnc.compiler.ast.Stmt;
import dev.nnc.compiler.check.Binding.Instance;
import dev.nnc.compiler.check.Binding.Value;
import dev.nnc.compiler.diag.Diagnostics;
import dev.nnc.compiler.diag.SourceSpan;
import dev.nnc.compiler.ir.Node;
import dev.nnc.compiler.ir.Op;
import dev.nnc.compiler.ir.Shape;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks the statements and expressions of a body (a fn, a model, an inlined layer or function)
 * and lowers them into the scope's graph: names, operators, indexing, members and calls. Calls of
 * built-ins go through {@link Builtins}, calls of user functions and layer instances through the
 * {@link Inliner}, and {@code let l = Layer(...)} through the {@link LayerChecker}. Every method
 * returns null after reporting an error.
 */
final class ExpressionChecker {
  private final Diagnostics diagnostics;
  private final Declarations decls;
  private final Inliner inliner;
  private final LayerChecker layers;
  /** The class count of each label variable, for checking it against the scores it indexes. */
  private final Map<Node, Integer> labelClasses = new HashMap<>();

  ExpressionChecker(Diagnostics diagnostics, Declarations decls, Constants constants) {
    this.diagnostics = diagnostics;
    this.decls = decls;
    this.inliner = new Inliner(diagnostics, this, constants);
    this.layers = new LayerChecker(diagnostics, constants, decls);
  }

  /** The inliner of this program's calls (its size budget spans all declarations). */
  Inliner inliner() {
    return inliner;
  }

  /** The checker of this program's layer declarations and instances. */
  LayerChecker layers() {
    return layers;
  }

  /** Records that {@code label} is a class label with {@code classes} classes. */
  void label(Node label, int classes) {
    labelClasses.put(label, classes);
  }

  /** Lowers let/return statements; returns the returned node or null. */
  Node body(List<Stmt> stmts, Scope scope, SourceSpan nameSpan, String what) {
    Node result = null;
    boolean returned = false;
    for (Stmt stmt : stmts) {
      if (returned) {
        error(stmt.span(), "unreachable statement after return");
        break;
      }
      if (stmt instanceof Stmt.Let let) {
        bindLet(let, scope);
      } else if (stmt instanceof Stmt.Return ret) {
        Value v = value(ret.value(), scope);
        result = v == null ? null : v.node();
        returned = true;
      }
    }
    if (!returned) {
      error(nameSpan, what + " has no return statement");
    }
    return result;
  }

  /** Binds {@code let name = value;}: a layer instance, or a value named in the graph. */
  void bindLet(Stmt.Let let, Scope scope) {
    if (scope.names.containsKey(let.name())) {
      error(let.nameSpan(), "'" + let.name() + "' is already defined in this scope");
      return;
    }
    if (let.value() instanceof Expr.Call call
        && decls.at(call.span()).get(call.callee()) instanceof Decl.Layer layer) {
      // Inside a layer's body the instance was made with the enclosing instance (its
      // parameters are named by path, block1.conv.W); a model's let makes it here.
      Instance instance = scope.names.get(Scope.SELF) instanceof Instance self
          ? layers.nested(self, let.name())
          : layers.instantiate(layer, call, let.name(), scope);
      if (instance != null) {
        scope.names.put(let.name(), instance);
      } else {
        scope.names.put(let.name(), new Value(null, false));
      }
      return;
    }
    Value v = value(let.value(), scope);
    if (v != null && v.node() != null) {
      // A let inside a layer body is named after its instance: fc1.h, not h for every instance.
      scope.graph.name(v.node(), scope.names.get(Scope.SELF) instanceof Instance self
          ? self.path() + "." + let.name() : let.name());
    }
    scope.names.put(let.name(), v == null ? new Value(null, false) : v);
  }

  /** Lowers an expression that may not be a class label; null after an error. */
  Value value(Expr expr, Scope scope) {
    return value(expr, scope, false);
  }

  /** Lowers an expression to a tensor value; null after an error (already reported). */
  Value value(Expr expr, Scope scope, boolean labelAllowed) {
    if (expr instanceof Expr.Number n) {
      return new Value(scope.graph.scalar(n.value()), false);
    }
    if (expr instanceof Expr.Name n) {
      Binding b = lookup(n.name(), n.span(), scope);
      if (b == null) {
        return null;
      }
      if (b instanceof Instance i) {
        error(n.span(), "'" + n.name() + "' is a layer instance; call it, e.g. " + n.name() + "(x),"
            + " or name one of its parameters, e.g. " + n.name() + "."
            + (i.members().isEmpty() ? "W" : i.members().keySet().iterator().next()));
        return null;
      }
      Value v = (Value) b;
      if (v.node() == null) {
        return null;
      }
      if (v.label() && !labelAllowed) {
        error(n.span(), "'" + n.name() + "' is a class label; it can only be the label argument"
            + " of cross_entropy, hinge or bce_with_logits");
        return null;
      }
      return v;
    }
    if (expr instanceof Expr.Neg neg) {
      Value v = value(neg.operand(), scope);
      return v == null ? null
          : new Value(scope.graph.apply(Op.NEG, scope.at(neg.span()), v.node()), false);
    }
    if (expr instanceof Expr.Binary bin) {
      return binaryChain(bin, scope);
    }
    if (expr instanceof Expr.Compare cmp) {
      error(cmp.span(), "a comparison ('" + cmp.op().symbol() + "') can only be the condition of"
          + " where(...)");
      return null;
    }
    if (expr instanceof Expr.Call call) {
      return call(call, scope);
    }
    if (expr instanceof Expr.Index index) {
      return index(index, scope);
    }
    if (expr instanceof Expr.Member member) {
      return member(member, scope);
    }
    if (expr instanceof Expr.Sizes sizes) {
      error(sizes.span(), "a list of sizes can only be the shape argument of reshape,"
          + " e.g. reshape(x, [4, 4])");
      return null;
    }
    throw new IllegalStateException("unknown expression " + expr);
  }

  /**
   * Lowers a left-deep chain such as {@code a + b - c * d} with a loop over its left spine, so
   * that a megabyte of {@code x+x+...} neither recurses half a million deep nor runs slowly in
   * frames that were entered before the JIT compiled them.
   */
  private Value binaryChain(Expr.Binary top, Scope scope) {
    Deque<Expr.Binary> spine = new ArrayDeque<>();
    Expr leftmost = top;
    while (leftmost instanceof Expr.Binary b) {
      spine.push(b);
      leftmost = b.left();
    }
    Value acc = value(leftmost, scope);
    boolean failed = acc == null;
    while (!spine.isEmpty()) {
      Expr.Binary bin = spine.pop();
      // The right operand is checked even after a failure, so that its errors are reported too.
      Value b = value(bin.right(), scope);
      if (failed || b == null) {
        failed = true;
        continue;
      }
      CallSite site = new CallSite(scope.graph, diagnostics, scope.at(bin.span()),
          "'" + bin.op().symbol() + "'");
      Node node = switch (bin.op()) {
        case ADD -> site.binary(Op.ADD, acc.node(), b.node());
        case SUB -> site.binary(Op.SUB, acc.node(), b.node());
        case MUL -> site.binary(Op.MUL, acc.node(), b.node());
        case DIV -> site.binary(Op.DIV, acc.node(), b.node());
        case POW -> site.binary(Op.POW, acc.node(), b.node());
        case MATMUL -> site.matmul(acc.node(), b.node());
      };
      failed = node == null;
      acc = failed ? null : new Value(node, false);
    }
    return failed ? null : acc;
  }

  /**
   * The layer instance {@code e} names: an instance in scope ({@code block1}) or one nested in
   * it ({@code block1.conv}); null if {@code e} names none.
   */
  private Instance instance(Expr e, Scope scope) {
    if (e instanceof Expr.Name n && scope.names.get(n.name()) instanceof Instance i) {
      scope.used.add(n.name());
      return i;
    }
    if (e instanceof Expr.Member m) {
      Instance outer = instance(m.target(), scope);
      if (outer != null && outer.members().get(m.member()) instanceof Instance i) {
        return i;
      }
    }
    return null;
  }

  private Value member(Expr.Member member, Scope scope) {
    Instance i = instance(member.target(), scope);
    if (i != null) {
      Binding b = i.members().get(member.member());
      if (b == null) {
        error(member.memberSpan(), i.path() + " (a " + i.layer().name() + ") has no parameter '"
            + member.member() + "'" + Suggestions.didYouMean(member.member(), i.members().keySet()));
        return null;
      }
      if (b instanceof Instance nested) {
        error(member.span(), nested.path() + " is a layer instance; name one of its parameters,"
            + " e.g. " + nested.path() + "." + (nested.members().isEmpty() ? "W"
                : nested.members().keySet().iterator().next()));
        return null;
      }
      Value v = (Value) b;
      return v.node() == null ? null : v;
    }
    if (member.target() instanceof Expr.Member inner && instance(inner.target(), scope) != null) {
      Instance outer = instance(inner.target(), scope);
      error(inner.memberSpan(), outer.path() + " (a " + outer.layer().name() + ") has no"
          + " parameter or layer instance '" + inner.member() + "'"
          + Suggestions.didYouMean(inner.member(), outer.members().keySet()));
      return null;
    }
    if (member.member().equals("T")) {
      Value v = value(member.target(), scope);
      if (v == null) {
        return null;
      }
      Node t = new CallSite(scope.graph, diagnostics, scope.at(member.span()), ".T")
          .transpose(v.node());
      return t == null ? null : new Value(t, false);
    }
    error(member.memberSpan(), "unknown member '." + member.member() + "': only .T (transpose) and"
        + " a layer instance's parameters (fc1.W) can follow a '.'");
    return null;
  }

  private Value index(Expr.Index index, Scope scope) {
    Value v = value(index.target(), scope);
    if (v == null) {
      return null;
    }
    Shape shape = v.node().shape();
    if (index.indices().size() > shape.rank()) {
      int n = index.indices().size();
      error(index.span(), shape.isScalar() ? "cannot index a scalar"
          : "cannot index " + shape + " with " + n + (n == 1 ? " index" : " indices"));
      return null;
    }
    int offset = 0;
    int stride = shape.size();
    for (int i = 0; i < index.indices().size(); i++) {
      Expr e = index.indices().get(i);
      Integer k = Constants.integer(e, scope.sizes);
      stride /= shape.dim(i);
      if (k == null) {
        error(e.span(), "an index must be an integer constant");
        return null;
      }
      if (k < 0 || k >= shape.dim(i)) {
        error(e.span(), "index " + k + " is out of range for axis " + i + " of " + shape);
        return null;
      }
      offset += k * stride;
    }
    Shape result = new Shape(shape.dims().subList(index.indices().size(), shape.rank()));
    return new Value(scope.graph.apply(Op.SLICE, offset, result, scope.at(index.span()),
        v.node()), false);
  }

  private Value call(Expr.Call call, Scope scope) {
    String name = call.callee();
    Binding local = scope.names.get(name);
    if (local != null) {
      scope.used.add(name);
    }
    if (local instanceof Instance instance) {
      Node node = inliner.callLayer(instance, call, scope);
      return node == null ? null : new Value(node, false);
    }
    if (local != null) {
      if (((Value) local).node() != null) {
        error(call.calleeSpan(), "'" + name + "' is a value, not a function");
      }
      return null;
    }
    Decl decl = decls.at(call.span()).get(name);
    if (decl instanceof Decl.Fn fn) {
      Node node = inliner.callFn(fn, call, scope);
      return node == null ? null : new Value(node, false);
    }
    if (decl instanceof Decl.Layer) {
      error(call.span(), "layer " + name + " must be instantiated first, e.g. 'let l = " + name
          + "(...);' and then called as l(x)");
      return null;
    }
    if (decl instanceof Decl.Model) {
      error(call.calleeSpan(), "'" + name + "' is a model and cannot be called");
      return null;
    }
    Builtins.Builtin builtin = Builtins.TABLE.get(name);
    if (builtin == null) {
      Set<String> candidates = new LinkedHashSet<>(Builtins.TABLE.keySet());
      candidates.addAll(decls.at(call.span()).keySet());
      for (Map.Entry<String, Binding> e : scope.names.entrySet()) {
        if (e.getValue() instanceof Instance) {
          candidates.add(e.getKey());
        }
      }
      String hint = decls.hint(name, call.span());
      error(call.calleeSpan(), "unknown function '" + name + "'"
          + (hint.isEmpty() ? Suggestions.didYouMean(name, candidates) : hint));
      return null;
    }
    CallArguments args = CallArguments.check(call, builtin, scope, this, diagnostics);
    if (args == null) {
      return null;
    }
    SourceSpan at = scope.at(call.span());
    CallSite site = new CallSite(scope.graph, diagnostics, at, name,
        node -> labelClasses.getOrDefault(node, 0));
    // the graph's conveniences (broadcast, ...) a lowering uses make nodes at the call too
    Node node = scope.graph.at(at, () -> builtin.lowering().lower(site, args));
    return node == null ? null : new Value(node, false);
  }

  /** Lowers a comparison, allowed only as the condition of where(...). */
  Value compare(Expr.Compare cmp, Scope scope) {
    Value a = value(cmp.left(), scope);
    Value b = value(cmp.right(), scope);
    if (a == null || b == null) {
      return null;
    }
    Op op = switch (cmp.op()) {
      case LT -> Op.LT;
      case LE -> Op.LE;
      case GT -> Op.GT;
      case GE -> Op.GE;
      case EQ -> Op.EQ;
      case NE -> Op.NE;
    };
    Node node = new CallSite(scope.graph, diagnostics, scope.at(cmp.span()),
        "'" + cmp.op().symbol() + "'").binary(op, a.node(), b.node());
    return node == null ? null : new Value(node, false);
  }

  private Binding lookup(String name, SourceSpan span, Scope scope) {
    Binding b = scope.names.get(name);
    if (b != null) {
      scope.used.add(name);
      return b;
    }
    if (decls.at(span).containsKey(name) || Builtins.TABLE.containsKey(name)) {
      error(span, "'" + name + "' is a function; call it with arguments");
      return null;
    }
    Set<String> candidates = new LinkedHashSet<>();
    for (String k : scope.names.keySet()) {
      if (!k.startsWith("$")) {
        candidates.add(k);
      }
    }
    error(span, "undefined name '" + name + "'" + Suggestions.didYouMean(name, candidates));
    return null;
  }

  private void error(SourceSpan span, String message) {
    diagnostics.error(span, message);
  }
}
