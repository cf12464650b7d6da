package dev.nnc.cli;

/**
 * The look of a graph picture, shared by the layout (which needs the size of every text before
 * anything is drawn) and the SVG writer: a monospace font, so a text's width is its length times
 * a fixed advance on every machine and the layout never depends on installed fonts; the colours
 * of backprop lectures (values green above a wire, gradients red below it).
 */
final class GraphStyle {
  private GraphStyle() {}

  static final String FONT = "'DejaVu Sans Mono', Menlo, Consolas, 'Liberation Mono', monospace";

  /** The big text of a box: an op or a name. */
  static final double LABEL_SIZE = 13;
  /** The small text under it: the {@code .nn} text and line, or a shape. */
  static final double CAPTION_SIZE = 9;
  /** A wire's value and gradient. */
  static final double WIRE_SIZE = 10;
  /** Advance of one character of a monospace font, as a fraction of the font size. */
  static final double ADVANCE = 0.6;

  static final double BOX_PAD = 8;
  /** The gap a wire's line takes between its value and its gradient. */
  static final double WIRE_GAP = 6;

  static final String VALUE = "#2e7d32";
  static final String GRADIENT = "#c62828";
  static final String INK = "#212121";
  static final String MUTED = "#616161";
  static final String LINE = "#546e7a";
  static final String OP_FILL = "#e3f2fd";
  static final String OP_STROKE = "#1565c0";
  static final String INPUT_FILL = "#fff8e1";
  static final String INPUT_STROKE = "#f9a825";
  static final String OUTPUT_FILL = "#f3e5f5";
  static final String OUTPUT_STROKE = "#6a1b9a";
  static final String GROUP_FILL = "#fafafa";
  static final String GROUP_STROKE = "#9e9e9e";

  /** The width of {@code text} at {@code size} (code points, so "…" counts once). */
  static double width(String text, double size) {
    return text.codePointCount(0, text.length()) * size * ADVANCE;
  }

  /** A coordinate with one decimal: short, and the same bytes on every run. */
  static String num(double v) {
    long tenths = Math.round(v * 10);
    if (tenths == 0) {
      return "0";
    }
    return tenths % 10 == 0 ? Long.toString(tenths / 10)
        : (tenths < 0 ? "-" : "") + Math.abs(tenths) / 10 + "." + Math.abs(tenths) % 10;
  }
}
