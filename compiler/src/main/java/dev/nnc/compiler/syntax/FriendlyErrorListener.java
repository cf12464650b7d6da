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
    // After one error on a line, recovery often produces echoes; one message a line is clearer.
    if (line == lastErrorLine) {
      return;
    }
    lastErrorLine = line;
    Token offending = (Token) offendingSymbol;
    Parser parser = (Parser) recognizer;
    IntervalSet expected = e != null && e.getExpectedTokens() != null
        ? e.getExpectedTokens() : parser.getExpectedTokens();
    Token previous = previousToken(parser.getInputStream(), offending);
    String message = describe(offending, previous, expected);
    int start = offending.getStartIndex();
    int stop = offending.getStopIndex();
    if (offending.getType() == Token.EOF || start < 0) {
      start = Math.max(0, source.text().length() - 1);
      stop = start;
    }
    diagnostics.error(source.span(start, stop + 1), message);
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

  private static String describe(Token offending, Token previous, IntervalSet expected) {
    String found = offending.getType() == Token.EOF ? "end of file" : quote(offending.getText());
    String after = previous == null ? "" : " after " + quote(previous.getText());
    if (offending.getType() == NnParser.UNKNOWN) {
      if (offending.getText().equals("/")) {
        return "unterminated block comment or stray '/'";
      }
      return "unexpected character " + quote(offending.getText());
    }
    if (expected.contains(NnParser.NUMBER) && expected.contains(NnParser.ID)
        && !expected.contains(NnParser.FN)) {
      return "expected an expression" + after + ", found " + found;
    }
    if (expected.contains(NnParser.FN) && expected.contains(NnParser.MODEL)) {
      return "expected 'fn', 'layer' or 'model' to start a declaration, found " + found;
    }
    if (expected.contains(NnParser.INPUT) && expected.contains(NnParser.LOSS)) {
      return "expected a model statement (input, label, target, param, let, output, loss,"
          + " optimizer), found " + found;
    }
    if (expected.contains(NnParser.LET) && expected.contains(NnParser.RETURN)) {
      return "expected 'let', 'return' or '}', found " + found;
    }
    if (expected.size() == 1) {
      String name = NnParser.VOCABULARY.getDisplayName(expected.getMinElement());
      if (expected.contains(NnParser.ID)) {
        return "expected a name" + after + ", found " + found;
      }
      return "expected " + name + after + ", found " + found;
    }
    if (expected.contains(NnParser.ID)) {
      return "expected a name" + after + ", found " + found;
    }
    if (expected.contains(NnParser.INT)) {
      return "expected a size" + after + ", found " + found;
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

  private static String quote(String text) {
    String shown = text.length() > 20 ? text.substring(0, 20) + "..." : text;
    StringBuilder out = new StringBuilder("'");
    for (char c : shown.toCharArray()) {
      out.append(Character.isISOControl(c) ? '?' : c);
    }
    return out.append('\'').toString();
  }
}
