package dev.nnc.compiler.syntax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.ast.Decl;
import dev.nnc.compiler.ast.Expr;
import dev.nnc.compiler.ast.Program;
import dev.nnc.compiler.ast.ShapeExpr;
import dev.nnc.compiler.ast.Stmt;
import dev.nnc.compiler.diag.Diagnostics;
import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.compiler.diag.SourceSpan;
import dev.nnc.compiler.ir.ModelIr;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every construct of LANGUAGE.md parses to the expected AST, with correct source spans. */
class SyntaxParserTest {

  // ---- helpers ----

  private static Program parse(String text) {
    Diagnostics diagnostics = new Diagnostics();
    Program program = SyntaxParser.parse(new SourceFile("t.nn", text), diagnostics);
    assertTrue(!diagnostics.hasErrors() && program != null,
        () -> "unexpected diagnostics for\n" + text + "\n" + diagnostics.all());
    return program;
  }

  /** The body expression of {@code fn f(...) = EXPR;}. */
  private static Expr expr(String exprText) {
    Decl.Fn fn = (Decl.Fn) parse("fn f(a, b, c, x, y, W) = " + exprText + ";").decls().get(0);
    return ((Stmt.Return) fn.body().get(0)).value();
  }

  /** A compact prefix form: {@code (+ a (* b c))}, {@code (call f a axis:1)}, {@code (. x T)}. */
  private static String sexp(Expr e) {
    if (e instanceof Expr.Number n) {
      return n.text();
    }
    if (e instanceof Expr.Name n) {
      return n.name();
    }
    if (e instanceof Expr.Neg n) {
      return "(neg " + sexp(n.operand()) + ")";
    }
    if (e instanceof Expr.Binary b) {
      return "(" + b.op().symbol() + " " + sexp(b.left()) + " " + sexp(b.right()) + ")";
    }
    if (e instanceof Expr.Compare c) {
      return "(" + c.op().symbol() + " " + sexp(c.left()) + " " + sexp(c.right()) + ")";
    }
    if (e instanceof Expr.Call c) {
      return "(call " + c.callee() + c.args().stream()
          .map(a -> " " + (a.name() == null ? "" : a.name() + ":") + sexp(a.value()))
          .collect(Collectors.joining()) + ")";
    }
    if (e instanceof Expr.Index i) {
      return "(index " + sexp(i.target()) + i.indices().stream().map(x -> " " + sexp(x))
          .collect(Collectors.joining()) + ")";
    }
    Expr.Member m = (Expr.Member) e;
    return "(. " + sexp(m.target()) + " " + m.member() + ")";
  }

  private static void assertSpan(SourceSpan span, int line, int column, int endLine,
      int endColumn) {
    assertEquals(line + ":" + column + "-" + endLine + ":" + endColumn,
        span.line() + ":" + span.column() + "-" + span.endLine() + ":" + span.endColumn(),
        "span " + span);
  }

  // ---- expressions ----

  @ParameterizedTest(name = "{0}  =>  {1}")
  @CsvSource(delimiter = '|', value = {
      // unary minus binds looser than ^
      "-x^2           | (neg (^ x 2))",
      "-2^2           | (neg (^ 2 2))",
      // ^ is right-associative and binds tighter than * and unary minus on its right
      "2^3^2          | (^ 2 (^ 3 2))",
      "a^-b           | (^ a (neg b))",
      "a^b*c          | (* (^ a b) c)",
      // the usual arithmetic precedence and left associativity
      "a+b*c          | (+ a (* b c))",
      "a*b+c          | (+ (* a b) c)",
      "a-b-c          | (- (- a b) c)",
      "a/b/c          | (/ (/ a b) c)",
      "a*b@c          | (@ (* a b) c)",
      "a@b*c          | (* (@ a b) c)",
      "W@x+b          | (+ (@ W x) b)",
      "(a+b)*c        | (* (+ a b) c)",
      "-a-b           | (- (neg a) b)",
      "a - -b         | (- a (neg b))",
      "+a             | a",
      "--a            | (neg (neg a))",
      // postfix binds tightest
      "x.T            | (. x T)",
      "-x.T           | (neg (. x T))",
      "W.T@x          | (@ (. W T) x)",
      "x.T.T          | (. (. x T) T)",
      "x[1]           | (index x 1)",
      "W[0, 1]        | (index W 0 1)",
      "x[1]^2         | (^ (index x 1) 2)",
      "f(x)[0]        | (index (call f x) 0)",
      "fc1.W^2        | (^ (. fc1 W) 2)",
      "W[0][1]        | (index (index W 0) 1)",
      // calls, named arguments
      "exp(-x)        | (call exp (neg x))",
      "sum(W, axis: 1)| (call sum W axis:1)",
      "leaky_relu(x, 0.01) | (call leaky_relu x 0.01)",
      "f()            | (call f)",
      "sum((W@x)^2)   | (call sum (^ (@ W x) 2))",
      // comparisons are loosest
      "where(x < y + 1, x, y) | (call where (< x (+ y 1)) x y)",
      "where(a*b >= c, a, b)  | (call where (>= (* a b) c) a b)",
      "where(a == b, a, b)    | (call where (== a b) a b)",
      "where(a != b, a, b)    | (call where (!= a b) a b)",
      "where(a <= b, a, b)    | (call where (<= a b) a b)",
      "where(a > b, a, b)     | (call where (> a b) a b)",
      // comments anywhere between tokens
      "a /* inline */ + // to the end of the line\\n b | (+ a b)",
  })
  void expressionStructure(String source, String expected) {
    assertEquals(expected, sexp(expr(source.replace("\\n", "\n"))));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource({"1, 1.0", "0.5, 0.5", ".5, 0.5", "1e-3, 0.001", "2.5E+4, 25000.0", "7., 7.0",
      "10, 10.0", "3e2, 300.0", "0, 0.0", "1.5e-300, 1.5e-300"})
  void numberForms(String text, double value) {
    Expr.Number n = assertInstanceOf(Expr.Number.class, expr(text));
    assertEquals(value, n.value());
    assertEquals(text, n.text());
  }

  @Test
  void contextualKeywordsAreNames() {
    Program p = parse("fn f(input, loss, param, label, target, output, optimizer, init, class,"
        + " grad) = input * loss + param - label / target ^ output + optimizer + init + class"
        + " + grad;\n"
        + "model loss { input input: [2]; label label: class(2); param param: [2, 2] init init;"
        + " let output = param @ input; output loss = output; loss cross_entropy(output, label); }");
    Decl.Fn fn = (Decl.Fn) p.decls().get(0);
    assertEquals(List.of("input", "loss", "param", "label", "target", "output", "optimizer",
        "init", "class", "grad"), fn.params().stream().map(Decl.Param::name).toList());
    assertEquals("(+ (+ (+ (+ (- (+ (* input loss) param) (/ label (^ target output))) optimizer)"
        + " init) class) grad)", sexp(((Stmt.Return) fn.body().get(0)).value()));
    Decl.Model model = (Decl.Model) p.decls().get(1);
    assertEquals("loss", model.name());
    Stmt.ParamDecl param = (Stmt.ParamDecl) model.body().get(2);
    assertEquals("param", param.name());
    assertEquals("init", param.init().name());
    // ... and they check as ordinary names.
    Compiler.CheckResult result = Compiler.check(new SourceFile("k.nn",
        "fn f(input, loss) = input * loss;\n"
            + "fn g(output, grad) { let class = output + grad; return f(class, output); }\n"));
    assertTrue(result.ok(), result::render);
  }

  // ---- declarations ----

  @Test
  void fnWithExpressionBodyAndElementType() {
    Decl.Fn fn = (Decl.Fn) parse("fn g(x) : f32 = x * x;").decls().get(0);
    assertEquals("g", fn.name());
    assertEquals("f32", fn.elementType());
    assertSpan(fn.elementTypeSpan(), 1, 11, 1, 13);
    assertEquals(1, fn.body().size());
    assertNull(fn.customGradient());
    assertNull(fn.params().get(0).shape());
  }

  @Test
  void fnWithBlockBody() {
    Decl.Fn fn = (Decl.Fn) parse("fn neuron(w0, w1, x0) {\n  let s = w0*x0 + w1;\n"
        + "  let t = -s;\n  return 1 / (1 + exp(t));\n}").decls().get(0);
    assertEquals(3, fn.params().size());
    assertNull(fn.elementType());
    assertEquals(3, fn.body().size());
    Stmt.Let s = assertInstanceOf(Stmt.Let.class, fn.body().get(0));
    assertEquals("s", s.name());
    assertEquals("(+ (* w0 x0) w1)", sexp(s.value()));
    assertEquals("(neg s)", sexp(((Stmt.Let) fn.body().get(1)).value()));
    Stmt.Return r = assertInstanceOf(Stmt.Return.class, fn.body().get(2));
    assertEquals("(/ 1 (+ 1 (call exp t)))", sexp(r.value()));
  }

  @Test
  void fnWithShapes() {
    Decl.Fn fn = (Decl.Fn) parse("fn sqnorm(W: [2, 2], x: [2], s: []) = sum((W @ x)^2);")
        .decls().get(0);
    ShapeExpr w = fn.params().get(0).shape();
    assertEquals(List.of(2, 2), w.dims().stream().map(ShapeExpr.Dim::size).toList());
    assertEquals(1, fn.params().get(1).shape().dims().size());
    assertTrue(fn.params().get(2).shape().dims().isEmpty());
    assertSpan(w.span(), 1, 14, 1, 19);
  }

  @Test
  void fnWithCustomGradient() {
    Decl.Fn fn = (Decl.Fn) parse("fn softplus2(x) = log(1 + exp(x)) grad(g) = g * sigmoid(x);")
        .decls().get(0);
    assertNotNull(fn.customGradient());
    assertEquals("g", fn.customGradient().upstream());
    assertEquals("(* g (call sigmoid x))", sexp(fn.customGradient().expr()));
    assertEquals("(call log (+ 1 (call exp x)))",
        sexp(((Stmt.Return) fn.body().get(0)).value()));
  }

  @Test
  void layerDeclaration() {
    Decl.Layer layer = (Decl.Layer) parse("layer Dense(n_in, n_out)(x: [n_in]) {\n"
        + "  param W: [n_in, n_out] init he;\n"
        + "  param b: [n_out] init normal(0.01);\n"
        + "  param c: [3] init uniform(-1, 1);\n"
        + "  param d: [n_out];\n"
        + "  let h = x @ W;\n"
        + "  return h + b;\n"
        + "}").decls().get(0);
    assertEquals("Dense", layer.name());
    assertEquals(List.of("n_in", "n_out"), layer.args().stream().map(Decl.Ident::name).toList());
    assertEquals("n_in", layer.params().get(0).shape().dims().get(0).symbol());
    assertEquals(6, layer.body().size());
    Stmt.ParamDecl w = (Stmt.ParamDecl) layer.body().get(0);
    assertEquals("W", w.name());
    assertEquals(List.of("n_in", "n_out"),
        w.shape().dims().stream().map(ShapeExpr.Dim::symbol).toList());
    assertEquals("he", w.init().name());
    assertTrue(w.init().args().isEmpty());
    Stmt.ParamDecl b = (Stmt.ParamDecl) layer.body().get(1);
    assertEquals("normal", b.init().name());
    assertEquals("0.01", sexp(b.init().args().get(0).value()));
    Stmt.ParamDecl c = (Stmt.ParamDecl) layer.body().get(2);
    assertEquals("(neg 1)", sexp(c.init().args().get(0).value()));
    assertNull(((Stmt.ParamDecl) layer.body().get(3)).init());
    assertInstanceOf(Stmt.Let.class, layer.body().get(4));
    assertInstanceOf(Stmt.Return.class, layer.body().get(5));
  }

  @Test
  void modelDeclarationWithEveryStatement() {
    Decl.Model model = (Decl.Model) parse("model Mlp {\n"
        + "  input x: [784];\n"
        + "  label y: class(10);\n"
        + "  target t: [10];\n"
        + "  param w: [7, 1] init zeros;\n"
        + "  let fc1 = Dense(784, 256);\n"
        + "  output probs = softmax(fc1(x));\n"
        + "  loss cross_entropy(fc1(x), y) + 1e-4 * sum(fc1.W^2);\n"
        + "  optimizer sgd(lr: 0.1, momentum: 0.9);\n"
        + "}").decls().get(0);
    List<Stmt> body = model.body();
    assertEquals(8, body.size());
    Stmt.Input x = assertInstanceOf(Stmt.Input.class, body.get(0));
    assertEquals(List.of(784), x.shape().dims().stream().map(ShapeExpr.Dim::size).toList());
    Stmt.Label y = assertInstanceOf(Stmt.Label.class, body.get(1));
    assertEquals(10, y.classes());
    assertSpan(y.classesSpan(), 3, 18, 3, 19);
    assertInstanceOf(Stmt.Target.class, body.get(2));
    assertInstanceOf(Stmt.ParamDecl.class, body.get(3));
    Stmt.Let let = assertInstanceOf(Stmt.Let.class, body.get(4));
    assertEquals("(call Dense 784 256)", sexp(let.value()));
    Stmt.Output out = assertInstanceOf(Stmt.Output.class, body.get(5));
    assertEquals("probs", out.name());
    Stmt.Loss loss = assertInstanceOf(Stmt.Loss.class, body.get(6));
    assertEquals("(+ (call cross_entropy (call fc1 x) y) (* 1e-4 (call sum (^ (. fc1 W) 2))))",
        sexp(loss.value()));
    Stmt.Optimizer opt = assertInstanceOf(Stmt.Optimizer.class, body.get(7));
    assertEquals("sgd", opt.name());
    assertEquals(List.of("lr", "momentum"), opt.args().stream().map(Expr.Arg::name).toList());
  }

  @Test
  void emptyProgramsParse() {
    assertTrue(parse("").decls().isEmpty());
    assertTrue(parse("// only a comment\n/* and\n a block */\n").decls().isEmpty());
  }

  // ---- spans ----

  @Test
  void spansHaveLinesAndColumns() {
    Program p = parse("// header\n"
        + "fn f(x, y) {\n"
        + "\tlet s = x +\n"
        + "    y * 2;\n"
        + "  return exp(s);\n"
        + "}\n"
        + "model M { input in: [3]; }\n");
    Decl.Fn fn = (Decl.Fn) p.decls().get(0);
    assertSpan(fn.nameSpan(), 2, 4, 2, 4);
    assertSpan(fn.span(), 2, 1, 6, 1);
    assertSpan(fn.params().get(1).span(), 2, 9, 2, 9);
    Stmt.Let let = (Stmt.Let) fn.body().get(0);
    // a tab is one column
    assertSpan(let.nameSpan(), 3, 6, 3, 6);
    assertSpan(let.span(), 3, 2, 4, 10);
    Expr.Binary sum = (Expr.Binary) let.value();
    assertSpan(sum.span(), 3, 10, 4, 9);
    assertSpan(sum.left().span(), 3, 10, 3, 10);
    assertSpan(sum.right().span(), 4, 5, 4, 9);
    Expr.Call call = (Expr.Call) ((Stmt.Return) fn.body().get(1)).value();
    assertSpan(call.calleeSpan(), 5, 10, 5, 12);
    assertSpan(call.span(), 5, 10, 5, 15);
    assertSpan(call.args().get(0).span(), 5, 14, 5, 14);
    Decl.Model model = (Decl.Model) p.decls().get(1);
    assertSpan(model.nameSpan(), 7, 7, 7, 7);
    Stmt.Input in = (Stmt.Input) model.body().get(0);
    assertSpan(in.nameSpan(), 7, 17, 7, 18);
    assertSpan(in.shape().span(), 7, 21, 7, 23);
    assertEquals("t.nn", in.span().file());
  }

  @Test
  void spansOfPostfixAndUnaryExpressions() {
    //               col: 1234567890123456789012345678901234
    Decl.Fn fn = (Decl.Fn) parse("fn f(W: [2, 2]) = -W.T[0, 1] ^ 2;").decls().get(0);
    Expr.Neg neg = (Expr.Neg) ((Stmt.Return) fn.body().get(0)).value();
    assertSpan(neg.span(), 1, 19, 1, 32);
    Expr.Binary pow = (Expr.Binary) neg.operand();
    assertSpan(pow.span(), 1, 20, 1, 32);
    Expr.Index index = (Expr.Index) pow.left();
    assertSpan(index.span(), 1, 20, 1, 28);
    Expr.Member member = (Expr.Member) index.target();
    assertSpan(member.span(), 1, 20, 1, 22);
    assertSpan(member.memberSpan(), 1, 22, 1, 22);
  }

  @Test
  void crlfLineEndingsCountLinesOnce() {
    Program p = parse("fn f(x) = x;\r\nfn g(y) =\r\n  y;\r\n");
    Decl.Fn g = (Decl.Fn) p.decls().get(1);
    assertSpan(g.nameSpan(), 2, 4, 2, 4);
    assertSpan(((Stmt.Return) g.body().get(0)).value().span(), 3, 3, 3, 3);
  }

  // ---- the samples of LANGUAGE.md ----

  @Test
  void languageSamplesCheckClean() throws IOException, URISyntaxException {
    Path file = Path.of(SyntaxParserTest.class.getResource("/samples/language.nn").toURI());
    Compiler.CheckResult result = Compiler.check(file, "language.nn");
    assertTrue(result.ok(), result::render);
    assertTrue(result.diagnostics().isEmpty(), result::render);
    assertEquals(List.of("f", "neuron", "sqnorm"),
        result.program().functions().stream().map(f -> f.name()).toList());
    assertEquals(1, result.program().models().size());
    ModelIr mlp = result.program().models().get(0);
    assertEquals("Mlp", mlp.name());
    assertEquals(List.of("fc1.W", "fc1.b", "fc2.W", "fc2.b"),
        mlp.params().stream().map(p -> p.var().name()).toList());
    assertEquals(List.of("he", "zeros", "he", "zeros"),
        mlp.params().stream().map(ModelIr.ParamVar::init).toList());
    assertEquals(List.of(784, 256), mlp.params().get(0).var().shape().dims());
    assertEquals(List.of("probs", "predicted"), List.copyOf(mlp.outputs().keySet()));
    assertTrue(mlp.loss().shape().isScalar());
    assertEquals("sgd", mlp.optimizer().name());
    assertEquals(10, mlp.data().stream().filter(d -> d.kind() == ModelIr.DataKind.LABEL)
        .findFirst().orElseThrow().classes());
  }
}
