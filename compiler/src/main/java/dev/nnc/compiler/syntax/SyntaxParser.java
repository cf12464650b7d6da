package dev.nnc.compiler.syntax;

import dev.nnc.compiler.ast.Program;
import dev.nnc.compiler.diag.Diagnostics;
import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.grammar.NnLexer;
import dev.nnc.grammar.NnParser;
import java.util.List;
import java.util.Set;
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

  /** Longer names are reported: they would not survive as Java identifiers in generated code. */
  public static final int MAX_NAME_LENGTH = 255;

  /**
   * Tokens that end a chain {@code a ^ b ^ c ...}, besides a binary sign; a unary sign does not
   * ({@code a ^ -b ^ c}).
   */
  private static final Set<String> ENDS_POWER_CHAIN =
      Set.of(";", ",", "=", "*", "/", "@", "<", "<=", ">", ">=", "==", "!=", "{", "}");

  private SyntaxParser() {}

  /** Parses {@code source}; returns null (with diagnostics reported) if the text is not valid. */
  public static Program parse(SourceFile source, Diagnostics diagnostics) {
    NnLexer lexer = new NnLexer(CharStreams.fromString(source.text(), source.name()));
    lexer.removeErrorListeners();
    CommonTokenStream tokens = new CommonTokenStream(lexer);
    tokens.fill();
    if (!checkTokens(tokens.getTokens(), source, diagnostics)) {
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

  /**
   * Reports what the parser would handle badly or not at all: an unterminated block comment,
   * over-long names and pathological nesting. Returns false if parsing should not go on.
   */
  private static boolean checkTokens(List<Token> tokens, SourceFile source, Diagnostics diagnostics) {
    int depth = 0;
    int unary = 0;
    int powers = 0;
    boolean endsOperand = false;
    boolean ok = true;
    for (Token token : tokens) {
      if (token.getType() == NnLexer.UNTERMINATED_COMMENT) {
        diagnostics.error(source.span(token.getStartIndex(), token.getStartIndex() + 2),
            "unterminated block comment: '/*' has no closing '*/'");
        ok = false;
        continue;
      }
      if (token.getType() == NnLexer.UNTERMINATED_STRING) {
        diagnostics.error(source.span(token.getStartIndex(), token.getStartIndex() + 1),
            "unterminated string: '\"' has no closing '\"' on its line");
        ok = false;
        continue;
      }
      if (token.getChannel() != Token.DEFAULT_CHANNEL) {
        continue;
      }
      String text = token.getText();
      if (token.getType() == NnLexer.ID && text.length() > MAX_NAME_LENGTH) {
        diagnostics.error(source.span(token.getStartIndex(), token.getStopIndex() + 1),
            "name '" + text.substring(0, 24) + "...' is too long (" + text.length()
                + " characters; at most " + MAX_NAME_LENGTH + ")");
      }
      if (text.equals("(") || text.equals("[") || text.equals("{")) {
        depth++;
      } else if (text.equals(")") || text.equals("]") || text.equals("}")) {
        depth = Math.max(0, depth - 1);
      }
      // Prefix signs and chains of right-associative powers nest as deeply as brackets do; any
      // other operator ends a chain (what is inside brackets is counted by depth).
      boolean sign = text.equals("-") || text.equals("+");
      unary = sign ? unary + 1 : 0;
      powers = text.equals("^") ? powers + 1
          : ENDS_POWER_CHAIN.contains(text) || (sign && endsOperand) ? 0 : powers;
      endsOperand = token.getType() == NnLexer.ID || token.getType() == NnLexer.INT
          || token.getType() == NnLexer.NUMBER || text.equals(")") || text.equals("]");
      if (depth > MAX_NESTING || unary > MAX_NESTING || powers > MAX_NESTING) {
        diagnostics.error(source.span(token.getStartIndex(), token.getStopIndex() + 1),
            "expression nested too deeply (more than " + MAX_NESTING + " levels)");
        return false;
      }
    }
    return ok;
  }
}
