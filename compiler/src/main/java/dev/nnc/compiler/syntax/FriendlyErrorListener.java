package dev.nnc.compiler.syntax;

import dev.nnc.compiler.diag.Diagnostics;
import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.grammar.NnParser;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenStream;
import org.antlr.v4.runtime.misc.IntervalSet;

/** Turns ANTLR's token-set messages into sentences such as "expected an expression after '+'". */
final class FriendlyErrorListener extends BaseErrorListener {
  /** How far back to look for an unclosed bracket, so that huge inputs stay linear. */
  private static final int MAX_SCAN = 10_000;

  private final SourceFile source;
  private final Diagnostics diagnostics;
  private int lastErrorLine = -1;

  FriendlyErrorListener(SourceFile source, Diagnostics diagnostics) {
    this.source = source;
    this.diagnostics = diagnostics;
  }

  @Override
  public void syntaxError(Recognizer<?, ?> recognizer, Object offendingSymbol, int line,
      int charPositionInLine, String antlrMessage, RecognitionException e) {
    Token offending = (Token) offendingSymbol;
    // SyntaxParser reports an unterminated comment itself, wherever recovery leaves the parser.
    // After one error on a line, recovery often produces echoes; one message a line is clearer.
    if (offending.getType() == NnParser.UNTERMINATED_COMMENT || line == lastErrorLine) {
      return;
    }
    lastErrorLine = line;
    Parser parser = (Parser) recognizer;
    IntervalSet expected = e != null && e.getExpectedTokens() != null
        ? e.getExpectedTokens() : parser.getExpectedTokens();
    TokenStream tokens = parser.getInputStream();
    Token previous = previousToken(tokens, offending);
    String message = describe(offending, previous, expected, tokens);
    int start = offending.getStartIndex();
    int stop = offending.getStopIndex();
    if (previous != null && isMissingSemicolon(offending, previous, expected)) {
      // A forgotten ';' belongs at the end of the statement, not at the next line's first token.
      start = previous.getStopIndex() + 1;
      stop = start;
    } else if (offending.getType() == Token.EOF || start < 0) {
      start = Math.max(0, source.text().length() - 1);
      stop = start;
    }
    diagnostics.error(source.span(start, stop + 1), message);
  }

  private static boolean isMissingSemicolon(Token offending, Token previous, IntervalSet expected) {
    return expects(expected, "';'") && !isCloser(offending)
        && (offending.getType() == Token.EOF || offending.getLine() > previous.getLine());
  }

  private static Token previousToken(TokenStream tokens, Token offending) {
    for (int i = offending.getTokenIndex() - 1; i >= 0; i--) {
      Token token = tokens.get(i);
      if (token.getChannel() == Token.DEFAULT_CHANNEL) {
        return token;
      }
    }
    return null;
  }

  private static String describe(Token offending, Token previous, IntervalSet expected,
      TokenStream tokens) {
    String found = offending.getType() == Token.EOF ? "end of file" : quote(offending.getText());
    String after = previous == null ? "" : " after " + quote(previous.getText());
    if (offending.getType() == NnParser.UNKNOWN) {
      return "unexpected character " + quote(offending.getText());
    }
    if (expected.contains(NnParser.NUMBER) && expected.contains(NnParser.ID)
        && !expected.contains(NnParser.FN)) {
      return "expected an expression" + after + ", found " + found;
    }
    if (isCloser(offending) && !expects(expected, quote(offending.getText()))
        && unclosed(tokens, offending, opener(offending.getText())) == null) {
      return "unmatched " + found + ": there is no open '" + opener(offending.getText())
          + "' for it to close";
    }
    if (expects(expected, "';'")) {
      return "expected ';'" + after + ", found " + found;
    }
    if (expected.contains(NnParser.INT) && !expected.contains(NnParser.NUMBER)) {
      return (expected.contains(NnParser.ID) ? "expected a size" : "expected an integer") + after
          + ", found " + found;
    }
    if (expects(expected, "')'") || expects(expected, "']'")) {
      String closer = expects(expected, "')'") ? ")" : "]";
      Token open = unclosed(tokens, offending, opener(closer));
      String where = open == null ? ""
          : " to close the '" + open.getText() + "' at line " + open.getLine() + ", column "
              + (open.getCharPositionInLine() + 1);
      return "expected '" + closer + "'" + where + ", found " + found;
    }
    if (expected.contains(NnParser.STRING)) {
      return "expected a file in quotes (import \"layers.nn\";) or a library name (import nn;)"
          + after + ", found " + found;
    }
    if (expected.contains(NnParser.ID) && isReserved(offending)) {
      return "expected a name" + after + ", found " + found + ", which is a reserved word";
    }
    if (expected.contains(NnParser.FN) && expected.contains(NnParser.MODEL)) {
      return "expected 'fn', 'layer' or 'model' to start a declaration, found " + found;
    }
    if (expected.contains(NnParser.INPUT) && expected.contains(NnParser.LOSS)
        && !expected.contains(NnParser.ID)) {
      return "expected a model statement (input, label, target, param, let, output, loss,"
          + " optimizer), found " + found;
    }
    if (expected.contains(NnParser.LET) && expected.contains(NnParser.RETURN)) {
      return "expected 'let', 'return' or '}', found " + found;
    }
    if (expected.contains(NnParser.ID)) {
      return "expected a name" + after + ", found " + found;
    }
    if (expected.size() == 1) {
      return "expected " + NnParser.VOCABULARY.getDisplayName(expected.getMinElement()) + after
          + ", found " + found;
    }
    StringBuilder names = new StringBuilder();
    int shown = 0;
    for (int type : expected.toList()) {
      if (shown == 4) {
        names.append(", ...");
        break;
      }
      names.append(shown == 0 ? "" : ", ").append(NnParser.VOCABULARY.getDisplayName(type));
      shown++;
    }
    return "unexpected " + found + after + " (expected " + names + ")";
  }

  /** Whether {@code expected} holds the literal token spelled {@code literal} (quotes included). */
  private static boolean expects(IntervalSet expected, String literal) {
    for (int type : expected.toList()) {
      if (literal.equals(NnParser.VOCABULARY.getLiteralName(type))) {
        return true;
      }
    }
    return false;
  }

  private static boolean isCloser(Token token) {
    String text = token.getText();
    return token.getType() != Token.EOF && (text.equals(")") || text.equals("]"));
  }

  private static String opener(String closer) {
    return closer.equals(")") ? "(" : "[";
  }

  private static boolean isReserved(Token token) {
    int type = token.getType();
    return type == NnParser.FN || type == NnParser.LET || type == NnParser.RETURN
        || type == NnParser.LAYER || type == NnParser.MODEL;
  }

  /** The innermost bracket {@code open} before {@code offending} that is still unclosed. */
  private static Token unclosed(TokenStream tokens, Token offending, String open) {
    String close = open.equals("(") ? ")" : "]";
    int depth = 0;
    int limit = Math.max(0, offending.getTokenIndex() - MAX_SCAN);
    for (int i = offending.getTokenIndex() - 1; i >= limit; i--) {
      String text = tokens.get(i).getText();
      if (text.equals(close)) {
        depth++;
      } else if (text.equals(open)) {
        if (depth == 0) {
          return tokens.get(i);
        }
        depth--;
      } else if (text.equals(";") || text.equals("{") || text.equals("}")) {
        return null;
      }
    }
    return null;
  }

  private static String quote(String text) {
    String shown = text.length() > 20 ? text.substring(0, 20) + "..." : text;
    StringBuilder out = new StringBuilder("'");
    for (char c : shown.toCharArray()) {
      out.append(Character.isISOControl(c) ? '?' : c);
    }
    return out.append('\'').toString();
  }
}
