package dev.nnc.compiler.syntax;

import dev.nnc.compiler.ast.Program;
import dev.nnc.compiler.diag.Diagnostics;
import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.grammar.NnLexer;
import dev.nnc.grammar.NnParser;
import java.util.List;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.atn.PredictionMode;

/**
 * The one entry point from {@code .nn} text to an AST: lexes, guards against pathological
 * nesting, parses with friendly error messages, and builds the immutable AST.
 */
public final class SyntaxParser {
  /** Deeper bracket nesting than this is reported instead of risking the parser's stack. */
  public static final int MAX_NESTING = 256;

  private SyntaxParser() {}

  /** Parses {@code source}; returns null (with diagnostics reported) if the text is not valid. */
  public static Program parse(SourceFile source, Diagnostics diagnostics) {
    NnLexer lexer = new NnLexer(CharStreams.fromString(source.text(), source.name()));
    lexer.removeErrorListeners();
    CommonTokenStream tokens = new CommonTokenStream(lexer);
    tokens.fill();
    if (!checkNesting(tokens.getTokens(), source, diagnostics)) {
      return null;
    }
    NnParser parser = new NnParser(tokens);
    parser.removeErrorListeners();
    parser.addErrorListener(new FriendlyErrorListener(source, diagnostics));
    parser.getInterpreter().setPredictionMode(PredictionMode.SLL);
    NnParser.ProgramContext tree = parser.program();
    if (diagnostics.hasErrors()) {
      return null;
    }
    return new AstBuilder(source, diagnostics).build(tree);
  }

  private static boolean checkNesting(List<Token> tokens, SourceFile source, Diagnostics diagnostics) {
    int depth = 0;
    int unary = 0;
    int powers = 0;
    for (Token token : tokens) {
      String text = token.getText();
      if (token.getChannel() != Token.DEFAULT_CHANNEL) {
        continue;
      }
      if (text.equals("(") || text.equals("[") || text.equals("{")) {
        depth++;
      } else if (text.equals(")") || text.equals("]") || text.equals("}")) {
        depth = Math.max(0, depth - 1);
      }
      // Prefix signs and right-associative powers nest as deeply as brackets do.
      unary = text.equals("-") || text.equals("+") ? unary + 1 : 0;
      powers = text.equals(";") ? 0 : text.equals("^") ? powers + 1 : powers;
      if (depth > MAX_NESTING || unary > MAX_NESTING || powers > MAX_NESTING) {
        diagnostics.error(source.span(token.getStartIndex(), token.getStopIndex() + 1),
            "expression nested too deeply (more than " + MAX_NESTING + " levels)");
        return false;
      }
    }
    return true;
  }
}
