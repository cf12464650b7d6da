package dev.nnc.compiler.syntax;

import dev.nnc.compiler.ast.Decl;
import dev.nnc.compiler.ast.Expr;
import dev.nnc.compiler.ast.Import;
import dev.nnc.compiler.ast.Program;
import dev.nnc.compiler.ast.ShapeExpr;
import dev.nnc.compiler.ast.Stmt;
import dev.nnc.compiler.diag.Diagnostics;
import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.compiler.diag.SourceSpan;
import dev.nnc.grammar.NnBaseVisitor;
import dev.nnc.grammar.NnParser;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;

/** Builds the immutable AST from a parse tree, passing each node its source span. */
final class AstBuilder extends NnBaseVisitor<Object> {
  private final SourceFile source;
  private final Diagnostics diagnostics;

  AstBuilder(SourceFile source, Diagnostics diagnostics) {
    this.source = source;
    this.diagnostics = diagnostics;
  }

  Program build(NnParser.ProgramContext tree) {
    List<Import> imports = new ArrayList<>();
    for (NnParser.ImportDeclContext ctx : tree.importDecl()) {
      imports.add(importDecl(ctx));
    }
    List<Decl> decls = new ArrayList<>();
    for (NnParser.DeclarationContext decl : tree.declaration()) {
      decls.add((Decl) visit(decl.getChild(0)));
    }
    return new Program(source, imports, decls);
  }

  /** {@code import "layers.nn";} or {@code import nn;}. */
  private Import importDecl(NnParser.ImportDeclContext ctx) {
    if (ctx.path != null) {
      String text = ctx.path.getText();
      return new Import(Import.Kind.FILE, text.substring(1, text.length() - 1), span(ctx.path,
          ctx.path), span(ctx));
    }
    return new Import(Import.Kind.LIBRARY, ctx.library.getText(), span(ctx.library), span(ctx));
  }

  // ---- declarations ----

  @Override
  public Decl.Fn visitFnDecl(NnParser.FnDeclContext ctx) {
    List<Decl.Param> params = params(ctx.paramList());
    String elementType = ctx.elemType == null ? null : ctx.elemType.getText();
    SourceSpan elementTypeSpan = ctx.elemType == null ? null : span(ctx.elemType);
    List<Stmt> body = new ArrayList<>();
    Decl.CustomGradient custom = null;
    if (ctx.fnBody() instanceof NnParser.ExprBodyContext single) {
      Expr value = expr(single.body);
      body.add(new Stmt.Return(value, value.span()));
      if (single.gradBody() != null) {
        custom = customGradient(single);
      }
    } else {
      NnParser.BlockContext block = ((NnParser.BlockBodyContext) ctx.fnBody()).block();
      for (NnParser.BlockStmtContext stmt : block.blockStmt()) {
        if (stmt instanceof NnParser.LetStmtContext let) {
          body.add(new Stmt.Let(let.name.getText(), span(let.name), expr(let.expr()), span(let)));
        } else {
          NnParser.ReturnStmtContext ret = (NnParser.ReturnStmtContext) stmt;
          body.add(new Stmt.Return(expr(ret.expr()), span(ret)));
        }
      }
    }
    return new Decl.Fn(ctx.name.getText(), span(ctx.name), params, elementType, elementTypeSpan,
        body, custom, span(ctx));
  }

  private Decl.CustomGradient customGradient(NnParser.ExprBodyContext ctx) {
    SourceSpan span = span(ctx.upstream.getStart(), ctx.gradBody().getStop());
    if (ctx.gradBody() instanceof NnParser.GradSingleContext single) {
      return new Decl.CustomGradient(ctx.upstream.getText(), span(ctx.upstream),
          expr(single.expr()), null, span);
    }
    List<Decl.GradEntry> entries = new ArrayList<>();
    for (NnParser.GradEntryContext e : ((NnParser.GradTupleContext) ctx.gradBody()).gradEntry()) {
      entries.add(new Decl.GradEntry(e.name.getText(), span(e.name), expr(e.expr()), span(e)));
    }
    return new Decl.CustomGradient(ctx.upstream.getText(), span(ctx.upstream), null, entries,
        span);
  }

  @Override
  public Decl.Layer visitLayerDecl(NnParser.LayerDeclContext ctx) {
    List<Decl.Ident> args = new ArrayList<>();
    // ident() lists the layer name first, then its compile-time arguments.
    List<NnParser.IdentContext> idents = ctx.ident();
    for (int i = 1; i < idents.size(); i++) {
      args.add(new Decl.Ident(idents.get(i).getText(), span(idents.get(i))));
    }
    List<Stmt> body = new ArrayList<>();
    for (NnParser.LayerStmtContext stmt : ctx.layerStmt()) {
      if (stmt instanceof NnParser.LayerParamContext p) {
        body.add(paramDecl(p.paramDecl()));
      } else if (stmt instanceof NnParser.LayerLetContext let) {
        body.add(new Stmt.Let(let.name.getText(), span(let.name), expr(let.expr()), span(let)));
      } else {
        NnParser.LayerReturnContext ret = (NnParser.LayerReturnContext) stmt;
        body.add(new Stmt.Return(expr(ret.expr()), span(ret)));
      }
    }
    return new Decl.Layer(ctx.name.getText(), span(ctx.name), args, params(ctx.paramList()), body,
        span(ctx));
  }

  @Override
  public Decl.Model visitModelDecl(NnParser.ModelDeclContext ctx) {
    List<Stmt> body = new ArrayList<>();
    for (NnParser.ModelStmtContext stmt : ctx.modelStmt()) {
      body.add((Stmt) visit(stmt));
    }
    return new Decl.Model(ctx.name.getText(), span(ctx.name), body, span(ctx));
  }

  @Override
  public Stmt visitInputStmt(NnParser.InputStmtContext ctx) {
    return new Stmt.Input(ctx.name.getText(), span(ctx.name), shape(ctx.shape()), span(ctx));
  }

  @Override
  public Stmt visitLabelStmt(NnParser.LabelStmtContext ctx) {
    return new Stmt.Label(ctx.name.getText(), span(ctx.name), integer(ctx.classes),
        span(ctx.classes, ctx.classes), span(ctx));
  }

  @Override
  public Stmt visitTargetStmt(NnParser.TargetStmtContext ctx) {
    return new Stmt.Target(ctx.name.getText(), span(ctx.name), shape(ctx.shape()), span(ctx));
  }

  @Override
  public Stmt visitModelParam(NnParser.ModelParamContext ctx) {
    return paramDecl(ctx.paramDecl());
  }

  @Override
  public Stmt visitModelLet(NnParser.ModelLetContext ctx) {
    return new Stmt.Let(ctx.name.getText(), span(ctx.name), expr(ctx.expr()), span(ctx));
  }

  @Override
  public Stmt visitOutputStmt(NnParser.OutputStmtContext ctx) {
    return new Stmt.Output(ctx.name.getText(), span(ctx.name), expr(ctx.expr()), span(ctx));
  }

  @Override
  public Stmt visitLossStmt(NnParser.LossStmtContext ctx) {
    return new Stmt.Loss(expr(ctx.expr()), span(ctx));
  }

  @Override
  public Stmt visitOptimizerStmt(NnParser.OptimizerStmtContext ctx) {
    return new Stmt.Optimizer(ctx.name.getText(), span(ctx.name), args(ctx.argList()), span(ctx));
  }

  private Stmt.ParamDecl paramDecl(NnParser.ParamDeclContext ctx) {
    Stmt.Init init = null;
    if (ctx.init != null) {
      init = new Stmt.Init(ctx.init.getText(), span(ctx.init), args(ctx.argList()),
          span(ctx.init.getStart(), ctx.getStop()));
    }
    // without a shape, a scalar: the shape [] written at the name
    ShapeExpr shape = ctx.shape() != null ? shape(ctx.shape())
        : new ShapeExpr(List.of(), span(ctx.name));
    return new Stmt.ParamDecl(ctx.name.getText(), span(ctx.name), shape, init, span(ctx));
  }

  private List<Decl.Param> params(NnParser.ParamListContext ctx) {
    List<Decl.Param> params = new ArrayList<>();
    if (ctx != null) {
      for (NnParser.ParamContext p : ctx.param()) {
        params.add(new Decl.Param(p.name.getText(), p.shape() == null ? null : shape(p.shape()),
            span(p)));
      }
    }
    return params;
  }

  private ShapeExpr shape(NnParser.ShapeContext ctx) {
    List<ShapeExpr.Dim> dims = new ArrayList<>();
    for (NnParser.DimContext dim : ctx.dim()) {
      if (dim instanceof NnParser.IntDimContext literal) {
        dims.add(new ShapeExpr.Dim(integer(literal.INT().getSymbol()), null, span(dim)));
      } else {
        dims.add(new ShapeExpr.Dim(0, dim.getText(), span(dim)));
      }
    }
    return new ShapeExpr(dims, span(ctx));
  }

  private List<Expr.Arg> args(NnParser.ArgListContext ctx) {
    List<Expr.Arg> args = new ArrayList<>();
    if (ctx != null) {
      for (NnParser.ArgContext arg : ctx.arg()) {
        args.add(new Expr.Arg(arg.name == null ? null : arg.name.getText(), expr(arg.expr()),
            span(arg)));
      }
    }
    return args;
  }

  // ---- expressions ----

  private Expr expr(NnParser.ExprContext ctx) {
    return (Expr) visit(ctx);
  }

  @Override
  public Expr visitMemberExpr(NnParser.MemberExprContext ctx) {
    return new Expr.Member(expr(ctx.expr()), ctx.member.getText(), span(ctx.member), span(ctx));
  }

  @Override
  public Expr visitIndexExpr(NnParser.IndexExprContext ctx) {
    List<Expr> indices = new ArrayList<>();
    for (int i = 1; i < ctx.expr().size(); i++) {
      indices.add(expr(ctx.expr(i)));
    }
    return new Expr.Index(expr(ctx.expr(0)), indices, span(ctx));
  }

  @Override
  public Expr visitListExpr(NnParser.ListExprContext ctx) {
    List<Expr> items = new ArrayList<>();
    for (NnParser.ExprContext e : ctx.expr()) {
      items.add(expr(e));
    }
    return new Expr.Sizes(items, span(ctx));
  }

  @Override
  public Expr visitCallExpr(NnParser.CallExprContext ctx) {
    return new Expr.Call(ctx.callee.getText(), span(ctx.callee), args(ctx.argList()), span(ctx));
  }

  @Override
  public Expr visitPowExpr(NnParser.PowExprContext ctx) {
    return new Expr.Binary(Expr.BinaryOp.POW, expr(ctx.expr(0)), expr(ctx.expr(1)), span(ctx));
  }

  @Override
  public Expr visitNegExpr(NnParser.NegExprContext ctx) {
    return new Expr.Neg(expr(ctx.expr()), span(ctx));
  }

  @Override
  public Expr visitPlusExpr(NnParser.PlusExprContext ctx) {
    return expr(ctx.expr());
  }

  @Override
  public Expr visitMulExpr(NnParser.MulExprContext ctx) {
    return binaryChain(ctx);
  }

  @Override
  public Expr visitAddExpr(NnParser.AddExprContext ctx) {
    return binaryChain(ctx);
  }

  /**
   * Builds a left-deep chain of {@code + - * / @} with a loop over its left spine rather than
   * recursion, so that a megabyte of {@code x+x+...} stays cheap.
   */
  private Expr binaryChain(NnParser.ExprContext top) {
    Deque<NnParser.ExprContext> spine = new ArrayDeque<>();
    NnParser.ExprContext left = top;
    while (left instanceof NnParser.AddExprContext || left instanceof NnParser.MulExprContext) {
      spine.push(left);
      left = left.getRuleContext(NnParser.ExprContext.class, 0);
    }
    Expr acc = expr(left);
    while (!spine.isEmpty()) {
      NnParser.ExprContext ctx = spine.pop();
      Token op = ctx instanceof NnParser.AddExprContext add ? add.op
          : ((NnParser.MulExprContext) ctx).op;
      Expr.BinaryOp binaryOp = switch (op.getText()) {
        case "+" -> Expr.BinaryOp.ADD;
        case "-" -> Expr.BinaryOp.SUB;
        case "*" -> Expr.BinaryOp.MUL;
        case "/" -> Expr.BinaryOp.DIV;
        default -> Expr.BinaryOp.MATMUL;
      };
      Expr right = expr(ctx.getRuleContext(NnParser.ExprContext.class, 1));
      acc = new Expr.Binary(binaryOp, acc, right, span(ctx));
    }
    return acc;
  }

  @Override
  public Expr visitCompareExpr(NnParser.CompareExprContext ctx) {
    Expr.CompareOp op = switch (ctx.op.getText()) {
      case "<" -> Expr.CompareOp.LT;
      case "<=" -> Expr.CompareOp.LE;
      case ">" -> Expr.CompareOp.GT;
      case ">=" -> Expr.CompareOp.GE;
      case "==" -> Expr.CompareOp.EQ;
      default -> Expr.CompareOp.NE;
    };
    return new Expr.Compare(op, expr(ctx.expr(0)), expr(ctx.expr(1)), span(ctx));
  }

  @Override
  public Expr visitNumberExpr(NnParser.NumberExprContext ctx) {
    return number(ctx.NUMBER().getSymbol(), ctx);
  }

  @Override
  public Expr visitIntExpr(NnParser.IntExprContext ctx) {
    return number(ctx.INT().getSymbol(), ctx);
  }

  @Override
  public Expr visitNameExpr(NnParser.NameExprContext ctx) {
    return new Expr.Name(ctx.getText(), span(ctx));
  }

  @Override
  public Expr visitParenExpr(NnParser.ParenExprContext ctx) {
    return expr(ctx.expr());
  }

  private Expr number(Token token, ParserRuleContext ctx) {
    String text = token.getText();
    double value = Double.parseDouble(text);
    if (Double.isInfinite(value)) {
      diagnostics.error(span(ctx), "number " + shorten(text) + " is too large for a 64-bit float");
      value = 0;
    }
    return new Expr.Number(value, text, span(ctx));
  }

  private int integer(Token token) {
    String text = token.getText();
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      diagnostics.error(span(token, token), "size " + shorten(text) + " is too large");
      return 1;
    }
  }

  private static String shorten(String text) {
    return text.length() > 24 ? text.substring(0, 24) + "..." : text;
  }

  private SourceSpan span(ParserRuleContext ctx) {
    return span(ctx.getStart(), ctx.getStop());
  }

  private SourceSpan span(Token start, Token stop) {
    Token last = stop == null ? start : stop;
    return source.span(start.getStartIndex(), Math.max(start.getStartIndex(), last.getStopIndex() + 1));
  }
}
