package dev.nnc.compiler.emit;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.ast.Decl;
import dev.nnc.compiler.ast.Expr;
import dev.nnc.compiler.ast.Program;
import dev.nnc.compiler.ast.Stmt;
import dev.nnc.compiler.autodiff.Derivatives;
import dev.nnc.compiler.diag.Diagnostics;
import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.compiler.ir.Op;
import dev.nnc.compiler.syntax.SyntaxParser;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The oracle of the line-attribution tests: reads the operations on each line of a {@code .nn}
 * file from its syntax tree (independently of the checker, the IR and the emitter), parses every
 * place comment of generated Java ({@code // line 15: fc2(...) -> Dense line 7: ... -- add
 * gate}) and reports each comment that names a place where the step it describes cannot come
 * from:
 *
 * <ul>
 *   <li>the comment's text is not the source line it names;
 *   <li>the line holds no operation of the declaration the step belongs to (a {@code param}
 *       line, a header, another declaration), or a call in the chain is not a call of that
 *       callee on that line, or names the wrong layer;
 *   <li>a derivative step's rule is not the rule of any operation on the line (the rules of the
 *       ops the line lowers to, and of what the simplifier rewrites those into);
 *   <li>a scalar forward statement computes an operation that nothing on the line becomes;
 *   <li>a statement reads a parameter of one layer instance under a comment inlined from
 *       another instance.
 * </ul>
 */
final class CommentPlaces {
  /** One call in a comment's chain: {@code line 15: fc2(...) -> Dense}. */
  record CallRef(int line, String callee, String declaration) {}

  /** A parsed place comment; {@code gate} is null in a forward pass. */
  record Place(List<CallRef> calls, int line, String text, String gate, boolean elided,
      String file) {}

  private static final Pattern CALL =
      Pattern.compile("(?:[\\w.-]+\\.nn )?line (\\d+): ([A-Za-z_][A-Za-z0-9_.]*)\\(\\.\\.\\.\\) -> "
          + "(?:(?!line \\d)([A-Za-z_]\\w*) )?");
  /** The place itself: {@code line 7: ...}, or {@code nn.nn line 7: ...} in an imported file. */
  private static final Pattern LINE = Pattern.compile("(?:([\\w.-]+\\.nn) )?line (\\d+): (.*)");
  private static final String FAN_OUT = "fan-out: gradients from both uses add";
  private static final String RECOMPUTED = "recomputed forward value";
  /** The gate of the directional derivative's own nodes, which name the function's header. */
  private static final String DIRECTIONAL = "directional derivative: gradient times v";
  /** Appended to the gate of a step of the second sweep (second derivatives). */
  private static final String SECOND_SWEEP = " (second sweep)";

  /** The ops each op may be rewritten into by the simplifier's rules (see simplify/Rules). */
  private static final Map<Op, Set<Op>> REWRITES = new HashMap<>();

  static {
    REWRITES.put(Op.ADD, EnumSet.of(Op.MUL, Op.SUB, Op.WHERE, Op.BROADCAST));
    REWRITES.put(Op.SUB, EnumSet.of(Op.NEG, Op.ADD, Op.WHERE, Op.BROADCAST));
    REWRITES.put(Op.MUL, EnumSet.of(Op.NEG, Op.WHERE, Op.BROADCAST));
    REWRITES.put(Op.DIV, EnumSet.of(Op.SIGMOID, Op.NEG, Op.WHERE, Op.BROADCAST));
    REWRITES.put(Op.POW, EnumSet.of(Op.MUL, Op.DIV, Op.BROADCAST));
    REWRITES.put(Op.LOG, EnumSet.of(Op.SOFTPLUS, Op.NEG, Op.LOGSUMEXP, Op.SUB, Op.BROADCAST));
    REWRITES.put(Op.EXP, EnumSet.of(Op.SOFTMAX));
    REWRITES.put(Op.WHERE, EnumSet.of(Op.BROADCAST));
    REWRITES.put(Op.SUM, EnumSet.of(Op.MUL));
  }

  private final SourceFile source;
  /** The imported files by the name comments give them ({@code nn.nn}). */
  private final Map<String, SourceFile> imported = new HashMap<>();
  /** The declarations of every file, the importing file's and the imported files'. */
  private final Map<String, Decl> decls = new HashMap<>();
  /** The declarations of the importing file. */
  private final Set<Decl> own = new HashSet<>();
  /** Per declaration: the source operations on each line ("+", "neg", "exp", "call:f"...). */
  private final Map<Decl, Map<Integer, Set<String>>> ops = new HashMap<>();
  /** Per declaration: the layer each instance runs ({@code fc2 -> Dense}). */
  private final Map<Decl, Map<String, String>> instances = new HashMap<>();
  /** Every gate name in the rule table. */
  private final Set<String> gates = new HashSet<>();

  CommentPlaces(SourceFile source) {
    this(source, List.of());
  }

  /** The oracle for {@code source}, whose comments may name lines of {@code importedFiles}. */
  CommentPlaces(SourceFile source, java.util.Collection<SourceFile> importedFiles) {
    this.source = source;
    List<Decl> all = new ArrayList<>();
    for (SourceFile file : importedFiles) {
      imported.put(JavaNames.fileName(file.name()), file);
      all.addAll(parse(file).decls());
    }
    List<Decl> mine = parse(source).decls();
    own.addAll(mine);
    all.addAll(mine);
    for (Decl d : all) {
      decls.put(d.name(), d);
    }
    for (Decl d : all) {
      Map<Integer, Set<String>> lines = new TreeMap<>();
      Map<String, String> owned = new HashMap<>();
      List<Stmt> body = d instanceof Decl.Fn fn ? fn.body()
          : d instanceof Decl.Layer l ? l.body() : ((Decl.Model) d).body();
      for (Stmt s : body) {
        if (s instanceof Stmt.Let let && let.value() instanceof Expr.Call call
            && decls.get(call.callee()) instanceof Decl.Layer) {
          owned.put(let.name(), call.callee()); // an instantiation is no operation
        } else if (s instanceof Stmt.Let let) {
          walk(let.value(), lines, owned);
        } else if (s instanceof Stmt.Return r) {
          walk(r.value(), lines, owned);
        } else if (s instanceof Stmt.Output o) {
          walk(o.value(), lines, owned);
        } else if (s instanceof Stmt.Loss l) {
          walk(l.value(), lines, owned);
          add(lines, l.value().span().line(), "batch mean");
        }
      }
      ops.put(d, lines);
      instances.put(d, owned);
    }
    for (Derivatives.Entry e : Derivatives.table().values()) {
      gates.add(e.gate());
    }
  }

  private static Program parse(SourceFile file) {
    Diagnostics diagnostics = new Diagnostics();
    Program program = SyntaxParser.parse(file, diagnostics);
    if (diagnostics.hasErrors()) {
      throw new AssertionError("the source does not parse: " + diagnostics.all());
    }
    return program;
  }

  private void walk(Expr e, Map<Integer, Set<String>> lines, Map<String, String> owned) {
    int line = e.span().line();
    if (e instanceof Expr.Neg n) {
      add(lines, line, "neg");
      walk(n.operand(), lines, owned);
    } else if (e instanceof Expr.Binary b) {
      add(lines, line, b.op().symbol());
      walk(b.left(), lines, owned);
      walk(b.right(), lines, owned);
    } else if (e instanceof Expr.Compare c) {
      add(lines, line, c.op().symbol());
      walk(c.left(), lines, owned);
      walk(c.right(), lines, owned);
    } else if (e instanceof Expr.Call c) {
      if (decls.get(c.callee()) instanceof Decl.Fn || owned.containsKey(c.callee())) {
        add(lines, line, "call:" + c.callee());
      } else {
        long positional = c.args().stream().filter(a -> a.name() == null).count();
        add(lines, line, c.callee() + "/" + positional);
      }
      for (Expr.Arg a : c.args()) {
        walk(a.value(), lines, owned);
      }
    } else if (e instanceof Expr.Index i) {
      add(lines, line, "index");
      walk(i.target(), lines, owned);
    } else if (e instanceof Expr.Member m) {
      if (m.member().equals("T")) {
        add(lines, line, "transpose");
      }
      walk(m.target(), lines, owned);
    }
  }

  private static void add(Map<Integer, Set<String>> lines, int line, String op) {
    lines.computeIfAbsent(line, k -> new HashSet<>()).add(op);
  }

  /** The graph ops a source operation lowers to; null when the oracle does not know it. */
  static Set<Op> lowering(String sourceOp) {
    switch (sourceOp) {
      case "neg": return EnumSet.of(Op.NEG);
      // the training objective: batch_sum(loss) / batchSize, at the loss
      case "batch mean": return EnumSet.of(Op.BATCH_SUM, Op.DIV);
      case "index": return EnumSet.of(Op.SLICE);
      case "transpose": case "transpose/1": return EnumSet.of(Op.TRANSPOSE);
      case "@": return EnumSet.of(Op.MATMUL);
      case "max/1": return EnumSet.of(Op.MAX_REDUCE);
      case "min/1": return EnumSet.of(Op.MAX_REDUCE, Op.NEG);
      case "mean/1": return EnumSet.of(Op.SUM, Op.DIV);
      case "leaky_relu/1": case "leaky_relu/2": return EnumSet.of(Op.LEAKY_RELU);
      case "log_softmax/1": return EnumSet.of(Op.LOGSUMEXP, Op.SUB, Op.BROADCAST);
      case "cross_entropy/2":
        return EnumSet.of(Op.LOGSUMEXP, Op.SUB, Op.PICK, Op.SUM, Op.MUL);
      case "hinge/2": return EnumSet.of(Op.PICK, Op.MAX, Op.ADD, Op.SUB, Op.SUM, Op.MUL);
      case "mse/2": return EnumSet.of(Op.SUB, Op.MUL, Op.SUM, Op.DIV);
      case "bce_with_logits/2": return EnumSet.of(Op.SOFTPLUS, Op.SUB, Op.MUL);
      default:
        break;
    }
    String name = sourceOp.contains("/") ? sourceOp.substring(0, sourceOp.indexOf('/'))
        : sourceOp;
    for (Op op : Op.values()) {
      if (name.equals(op.builtin()) || (op.isInfix() || op.kind() == Op.Kind.COMPARISON
          || op == Op.POW) && name.equals(op.symbol())) {
        return EnumSet.of(op);
      }
    }
    return null;
  }

  /** The ops that {@code ops} may become, rewrites of rewrites included. */
  static Set<Op> closure(Set<Op> ops) {
    Set<Op> out = EnumSet.noneOf(Op.class);
    List<Op> work = new ArrayList<>(ops);
    while (!work.isEmpty()) {
      Op op = work.remove(work.size() - 1);
      if (out.add(op)) {
        work.addAll(REWRITES.getOrDefault(op, Set.of()));
      }
    }
    return out;
  }

  /** The graph ops of {@code line} of {@code decl}, rewrites included; null if unknown. */
  private Set<Op> opsOn(Decl decl, int line) {
    Set<String> written = ops.get(decl).get(line);
    if (written == null) {
      return null;
    }
    Set<Op> out = EnumSet.noneOf(Op.class);
    for (String s : written) {
      if (s.startsWith("call:")) {
        continue;
      }
      Set<Op> lowered = lowering(s);
      if (lowered == null) {
        return null;
      }
      out.addAll(lowered);
    }
    // a batched value shared by all examples enters and leaves the batch where it is used
    out.addAll(EnumSet.of(Op.BROADCAST, Op.SUM_TO, Op.BATCH_SUM, Op.BATCH_BROADCAST));
    return closure(out);
  }

  /** Parses a comment's text (after {@code //}); null if it is no place comment. */
  Place parse(String comment) {
    List<CallRef> calls = new ArrayList<>();
    String rest = comment;
    boolean elided = false;
    while (true) {
      if (rest.startsWith("... -> ")) {
        elided = true;
        rest = rest.substring(7);
        continue;
      }
      Matcher m = CALL.matcher(rest);
      if (!m.lookingAt()) {
        break;
      }
      calls.add(new CallRef(Integer.parseInt(m.group(1)), m.group(2), m.group(3)));
      rest = rest.substring(m.end());
    }
    Matcher m = LINE.matcher(rest);
    if (!m.matches()) {
      return calls.isEmpty() ? null : new Place(calls, -1, rest, null, elided, null);
    }
    String text = m.group(3);
    String gate = null;
    int cut = text.lastIndexOf(" -- ");
    if (cut >= 0) {
      String tail = text.substring(cut + 4);
      // a second-sweep step names the line and gate of the first derivative it differentiates
      String base = tail.endsWith(SECOND_SWEEP)
          ? tail.substring(0, tail.length() - SECOND_SWEEP.length()) : tail;
      if (gates.contains(base) || base.equals(FAN_OUT) || tail.equals(RECOMPUTED)
          || tail.equals(DIRECTIONAL)) {
        gate = tail;
        text = text.substring(0, cut);
      }
    }
    return new Place(calls, Integer.parseInt(m.group(2)), text, gate, elided, m.group(1));
  }

  /**
   * Every problem with the comments of {@code java}, generated from {@code declName} of this
   * source; {@code expectComments}: the class has at least one place comment.
   */
  List<String> check(String java, String declName) {
    List<String> problems = new ArrayList<>();
    Decl decl = decls.get(declName);
    if (decl == null) {
      problems.add("no declaration " + declName);
      return problems;
    }
    String[] lines = java.split("\n");
    List<Place> governing = new ArrayList<>();
    boolean afterStatement = false;
    int places = 0;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].trim();
      String where = "Java line " + (i + 1) + " (" + line + ")";
      if (line.startsWith("//")) {
        String text = line.substring(2).trim();
        Place p = parse(text);
        if (afterStatement) {
          governing.clear();
          afterStatement = false;
        }
        if (p != null) {
          places++;
          governing.add(p);
          problems.addAll(checkPlace(p, decl, where));
        } else if (text.startsWith("gradients that are not computed in place")) {
          governing.clear();
        }
        continue;
      }
      if (line.startsWith("private ") || line.startsWith("public ") || line.startsWith("@")
          || line.equals("}") && lines[i].startsWith("  }")) {
        governing.clear(); // a new member
        afterStatement = false;
        continue;
      }
      if (line.isEmpty() || line.startsWith("*") || line.startsWith("/*")) {
        continue;
      }
      afterStatement = true;
      for (Place p : governing) {
        problems.addAll(checkStatement(p, decl, line, where));
      }
    }
    if (places == 0) {
      problems.add("no place comment in the class of " + declName);
    }
    return problems;
  }

  private List<String> checkPlace(Place p, Decl top, String where) {
    List<String> problems = new ArrayList<>();
    if (p.line() < 1) {
      problems.add(where + ": the comment names no line");
      return problems;
    }
    Decl decl = top;
    for (int k = 0; k < p.calls().size(); k++) {
      CallRef c = p.calls().get(k);
      if (p.elided() && k == p.calls().size() - 1) {
        decl = null; // the declaration of the last call is not shown: check from here only
      }
      if (decl != null) {
        Set<String> onLine = ops.get(decl).getOrDefault(c.line(), Set.of());
        if (!onLine.contains("call:" + c.callee())) {
          problems.add(where + ": line " + c.line() + " has no call of " + c.callee()
              + " in " + decl.name());
        }
        String layer = instances.get(decl).get(c.callee());
        if (layer != null && !layer.equals(c.declaration())) {
          problems.add(where + ": " + c.callee() + " is a " + layer + ", the comment says "
              + c.declaration());
        }
      }
      String callee = c.declaration() != null ? c.declaration() : c.callee();
      decl = decls.get(callee);
      if (decl == null) {
        problems.add(where + ": no declaration " + callee);
        return problems;
      }
    }
    SourceFile file = p.file() == null ? source : imported.get(p.file());
    if (file == null) {
      problems.add(where + ": no imported file " + p.file());
      return problems;
    }
    if (!decl.span().file().equals(file.name())) {
      problems.add(where + ": " + decl.name() + " is not declared in " + file.name());
      return problems;
    }
    if (!p.text().equals(JavaNames.sourceLine(file.line(p.line())))) {
      problems.add(where + ": the text is not line " + p.line() + " of the source");
    }
    if (decl.span().line() > p.line() || decl.span().endLine() < p.line()) {
      problems.add(where + ": line " + p.line() + " is not in " + decl.name());
      return problems;
    }
    if (DIRECTIONAL.equals(p.gate())) {
      if (p.line() != decl.span().line()) {
        problems.add(where + ": the directional derivative names line " + p.line()
            + ", not the header of " + decl.name());
      }
      return problems;
    }
    if (p.gate() != null && p.gate().endsWith(SECOND_SWEEP) && p.line() == decl.span().line()) {
      return problems; // differentiating the directional derivative's own nodes
    }
    if (!ops.get(decl).containsKey(p.line())) {
      problems.add(where + ": line " + p.line() + " has no operation of " + decl.name());
      return problems;
    }
    Set<Op> possible = opsOn(decl, p.line());
    String gate = p.gate() == null || !p.gate().endsWith(SECOND_SWEEP) ? p.gate()
        : p.gate().substring(0, p.gate().length() - SECOND_SWEEP.length());
    // a second-sweep step differentiates a first-derivative node made on this line; its gate is
    // that node's rule, which may be any rule the line's derivative rules produce
    boolean secondSweep = p.gate() != null && p.gate().endsWith(SECOND_SWEEP);
    if (possible != null && gate != null && !gate.equals(FAN_OUT)
        && !gate.equals(RECOMPUTED) && !secondSweep) {
      boolean known = false;
      for (Op op : possible) {
        known |= Derivatives.of(op).gate().equals(gate);
      }
      if (!known) {
        problems.add(where + ": no operation on line " + p.line() + " has the " + gate
            + " (the line lowers to " + possible + ")");
      }
    }
    return problems;
  }

  /** Java's spelling of each scalar elementwise op at the top of a statement's expression. */
  private static final Pattern SCALAR_STATEMENT =
      Pattern.compile("(?:double|float) [A-Za-z_$][\\w$]* = (.*);");

  private List<String> checkStatement(Place p, Decl top, String statement, String where) {
    List<String> problems = new ArrayList<>();
    Decl decl = declOf(p, top);
    if (decl == null || p.line() < 1) {
      return problems;
    }
    // a parameter of an instance read under another instance's inlined comment
    if (!p.calls().isEmpty()) {
      String outer = p.calls().get(0).callee();
      for (String instance : instances.get(top).keySet()) {
        if (!instance.equals(outer)
            && Pattern.compile("\\b" + Pattern.quote(instance) + "_[A-Za-z]").matcher(statement)
                .find()) {
          problems.add(where + ": reads a parameter of " + instance + " under a comment of "
              + outer + "(...)");
        }
      }
    }
    if (p.gate() != null && !p.gate().equals(RECOMPUTED)) {
      return problems;
    }
    Matcher m = SCALAR_STATEMENT.matcher(statement);
    if (!m.matches()) {
      return problems;
    }
    Op op = javaOp(m.group(1).trim());
    Set<Op> possible = opsOn(decl, p.line());
    if (op != null && possible != null && !possible.contains(op)) {
      problems.add(where + ": computes " + op + ", which nothing on line " + p.line()
          + " becomes (" + possible + ")");
    }
    return problems;
  }

  private Decl declOf(Place p, Decl top) {
    if (p.calls().isEmpty()) {
      return top;
    }
    CallRef last = p.calls().get(p.calls().size() - 1);
    return decls.get(last.declaration() != null ? last.declaration() : last.callee());
  }

  /** The op at the top of a scalar Java expression as the emitter writes it; null if unclear. */
  static Op javaOp(String e) {
    if (e.matches("[\\w$.]+(\\[[^\\]]*\\])?") || e.matches("-?[0-9.E+-]+f?")) {
      return null; // a copy or a constant
    }
    if (e.contains(" ? ")) {
      return e.matches("[^?]* != 0(\\.0)?f? \\?.*") ? Op.WHERE : null;
    }
    Matcher call = Pattern.compile("([A-Za-z]\\w*)\\((.*)\\)").matcher(e);
    if (call.matches() && balanced(call.group(2))) {
      for (Op op : Op.values()) {
        if (op.isElementwise() && !op.javaOperator() && op.java().equals(call.group(1))) {
          return op;
        }
      }
      return null;
    }
    if (e.startsWith("-") && !e.contains(" ")) {
      return Op.NEG;
    }
    Matcher binary = Pattern.compile("(\\S+) ([-+*/]) (\\S+)").matcher(e);
    if (binary.matches()) {
      switch (binary.group(2)) {
        case "+": return Op.ADD;
        case "-": return Op.SUB;
        case "*": return Op.MUL;
        default: return Op.DIV;
      }
    }
    return null;
  }

  private static boolean balanced(String s) {
    int depth = 0;
    for (char c : s.toCharArray()) {
      depth += c == '(' ? 1 : c == ')' ? -1 : 0;
      if (depth < 0) {
        return false;
      }
    }
    return depth == 0;
  }

  /** Checks every class generated from this source (simplified or not). */
  static List<String> checkAll(Compiler.CheckResult checked, boolean simplify) {
    List<SourceFile> importedFiles = new ArrayList<>();
    checked.files().forEach((name, file) -> {
      if (!name.equals(checked.source().name())) {
        importedFiles.add(file);
      }
    });
    CommentPlaces oracle = new CommentPlaces(checked.source(), importedFiles);
    List<String> problems = new ArrayList<>();
    for (Compiler.GeneratedSource s : Compiler.generate(checked, "gen", simplify)) {
      String decl = null;
      for (Decl d : oracle.own) {
        if (d.span().start() <= s.origin().start() && s.origin().end() <= d.span().end()
            && !(d instanceof Decl.Layer)) {
          decl = d.name();
        }
      }
      for (String problem : oracle.check(s.code(), decl)) {
        problems.add(s.qualifiedName() + ": " + problem);
      }
    }
    return problems;
  }
}
