package dev.nnc.cli;

import dev.nnc.compiler.inspect.Picture;
import java.util.List;

/**
 * Writes a placed picture as SVG 1.1, by hand and deterministically (same picture, same bytes):
 * a heading with the picture's title and the legend, the layer-instance groups, the wires with
 * arrowheads, the value above each wire and the gradient below it, and the boxes. Every box is a
 * group with {@code id} and {@code data-line} (its {@code .nn} line), which the HTML page uses to
 * highlight the matching source and Java lines.
 */
final class SvgWriter {
  /** Height of the heading above the graph. */
  private static final double HEADING = 44;

  private SvgWriter() {}

  /** A standalone SVG document. */
  static String document(GraphLayout.Placed placed) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + svg(placed);
  }

  /** The {@code <svg>} element alone, for embedding in a page. */
  static String svg(GraphLayout.Placed placed) {
    Picture picture = placed.picture();
    double width = Math.max(placed.width(), 420);
    double height = placed.height() + HEADING;
    StringBuilder out = new StringBuilder();
    out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(num(width))
        .append("\" height=\"").append(num(height)).append("\" viewBox=\"0 0 ")
        .append(num(width)).append(' ').append(num(height)).append("\" font-family=\"")
        .append(escape(GraphStyle.FONT)).append("\">\n");
    out.append("  <title>").append(escape(picture.title())).append("</title>\n");
    out.append("  <defs>\n    <marker id=\"nnc-arrow\" viewBox=\"0 0 8 8\" refX=\"8\" refY=\"4\""
        + " markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">\n      <path d=\"M0,0 L8,4"
        + " L0,8 z\" fill=\"").append(GraphStyle.LINE).append("\"/>\n    </marker>\n  </defs>\n");
    out.append("  <rect x=\"0\" y=\"0\" width=\"").append(num(width)).append("\" height=\"")
        .append(num(height)).append("\" fill=\"#ffffff\"/>\n");
    heading(picture, out);
    out.append("  <g transform=\"translate(0,").append(num(HEADING)).append(")\">\n");
    for (Picture.Group g : picture.groups()) {
      GraphLayout.Rect r = placed.groups().get(g.id());
      if (r == null) {
        continue;
      }
      out.append("    <g class=\"nnc-group\" id=\"").append(escape(g.id())).append('"')
          .append(line(g.line())).append(">\n");
      out.append("      <rect x=\"").append(num(r.x())).append("\" y=\"").append(num(r.y()))
          .append("\" width=\"").append(num(r.w())).append("\" height=\"").append(num(r.h()))
          .append("\" rx=\"8\" fill=\"").append(GraphStyle.GROUP_FILL)
          .append("\" stroke=\"").append(GraphStyle.GROUP_STROKE)
          .append("\" stroke-dasharray=\"5,3\"/>\n");
      text(out, "      ", r.x() + 10, r.y() + 14, GraphStyle.CAPTION_SIZE + 1, "start",
          GraphStyle.MUTED, "bold", g.label());
      out.append("    </g>\n");
    }
    for (GraphLayout.Route route : placed.routes()) {
      wire(route, out);
    }
    for (Picture.Box b : picture.boxes()) {
      box(b, placed.boxes().get(b.id()), out);
    }
    out.append("  </g>\n</svg>\n");
    return out.toString();
  }

  private static void heading(Picture picture, StringBuilder out) {
    text(out, "  ", 12, 18, GraphStyle.LABEL_SIZE - 1, "start", GraphStyle.INK, "bold",
        picture.title());
    out.append("  <text x=\"12\" y=\"35\" font-size=\"").append(num(GraphStyle.WIRE_SIZE))
        .append("\" fill=\"").append(GraphStyle.MUTED).append("\">");
    if (picture.values()) {
      out.append("<tspan fill=\"").append(GraphStyle.VALUE)
          .append("\" font-weight=\"bold\">value</tspan> above each wire, <tspan fill=\"")
          .append(GraphStyle.GRADIENT).append("\" font-weight=\"bold\">gradient</tspan>"
              + " below it</text>\n");
    } else {
      out.append("the shape of each value is in its box; wires carry let names</text>\n");
    }
  }

  private static void wire(GraphLayout.Route route, StringBuilder out) {
    Picture.Wire w = route.wire();
    out.append("    <g class=\"nnc-wire\" data-from=\"").append(escape(w.from()))
        .append("\" data-to=\"").append(escape(w.to())).append("\">\n");
    out.append("      <path d=\"");
    List<double[]> points = route.points();
    for (int i = 0; i < points.size(); i++) {
      out.append(i == 0 ? "M" : " L").append(num(points.get(i)[0])).append(',')
          .append(num(points.get(i)[1]));
    }
    out.append("\" fill=\"none\" stroke=\"").append(GraphStyle.LINE)
        .append("\" stroke-width=\"1.3\" marker-end=\"url(#nnc-arrow)\"/>\n");
    GraphLayout.Rect label = route.label();
    if (label != null) {
      double cx = label.x() + label.w() / 2;
      double y = lineAt(points, cx, label.y() + label.h() / 2);
      String[] above = GraphLayout.lines(w.value());
      for (int i = 0; i < above.length; i++) {
        double base = y - GraphStyle.WIRE_GAP / 2 - 3
            - (above.length - 1 - i) * (GraphStyle.WIRE_SIZE + 2);
        text(out, "      ", cx, base, GraphStyle.WIRE_SIZE, "middle", GraphStyle.VALUE, "normal",
            above[i]);
      }
      String[] below = GraphLayout.lines(w.gradient());
      for (int i = 0; i < below.length; i++) {
        double base = y + GraphStyle.WIRE_GAP / 2 + GraphStyle.WIRE_SIZE
            + i * (GraphStyle.WIRE_SIZE + 2);
        text(out, "      ", cx, base, GraphStyle.WIRE_SIZE, "middle", GraphStyle.GRADIENT,
            "normal", below[i]);
      }
    }
    out.append("    </g>\n");
  }

  /** The height of the wire where it passes {@code x} on a horizontal stretch, else {@code y}. */
  private static double lineAt(List<double[]> points, double x, double fallback) {
    for (int i = 1; i < points.size(); i++) {
      double[] a = points.get(i - 1);
      double[] b = points.get(i);
      if (a[1] == b[1] && Math.min(a[0], b[0]) <= x && x <= Math.max(a[0], b[0])) {
        return a[1];
      }
    }
    return fallback;
  }

  private static void box(Picture.Box b, GraphLayout.Rect r, StringBuilder out) {
    String fill;
    String stroke;
    switch (b.kind()) {
      case INPUT -> {
        fill = GraphStyle.INPUT_FILL;
        stroke = GraphStyle.INPUT_STROKE;
      }
      case OUTPUT -> {
        fill = GraphStyle.OUTPUT_FILL;
        stroke = GraphStyle.OUTPUT_STROKE;
      }
      case CONSTANT -> {
        fill = "#ffffff";
        stroke = GraphStyle.LINE;
      }
      default -> {
        fill = GraphStyle.OP_FILL;
        stroke = GraphStyle.OP_STROKE;
      }
    }
    out.append("    <g class=\"nnc-box nnc-").append(b.kind().name().toLowerCase(java.util.Locale.ROOT))
        .append("\" id=\"").append(escape(b.id())).append('"').append(line(b.line()))
        .append(">\n");
    out.append("      <rect x=\"").append(num(r.x())).append("\" y=\"").append(num(r.y()))
        .append("\" width=\"").append(num(r.w())).append("\" height=\"").append(num(r.h()))
        .append("\" rx=\"").append(b.kind() == Picture.Kind.OP ? "6" : "12")
        .append("\" fill=\"").append(fill).append("\" stroke=\"").append(stroke)
        .append("\" stroke-width=\"1.5\"/>\n");
    double cx = r.x() + r.w() / 2;
    double labelBase = r.y() + GraphStyle.BOX_PAD + GraphStyle.LABEL_SIZE * 0.8;
    text(out, "      ", cx, labelBase, GraphStyle.LABEL_SIZE, "middle", GraphStyle.INK, "bold",
        b.label());
    double base = labelBase;
    if (!b.caption().isEmpty()) {
      base += GraphStyle.CAPTION_SIZE + 4;
      text(out, "      ", cx, base, GraphStyle.CAPTION_SIZE, "middle", GraphStyle.MUTED, "normal",
          b.caption());
    }
    if (!b.shape().isEmpty()) {
      base += GraphStyle.CAPTION_SIZE + (b.caption().isEmpty() ? 4 : 2);
      text(out, "      ", cx, base, GraphStyle.CAPTION_SIZE, "middle", GraphStyle.OP_STROKE,
          "normal", b.shape());
    }
    out.append("    </g>\n");
  }

  private static void text(StringBuilder out, String indent, double x, double y, double size,
      String anchor, String fill, String weight, String text) {
    out.append(indent).append("<text x=\"").append(num(x)).append("\" y=\"").append(num(y))
        .append("\" font-size=\"").append(num(size)).append("\" text-anchor=\"").append(anchor)
        .append("\" fill=\"").append(fill).append('"');
    if (!weight.equals("normal")) {
      out.append(" font-weight=\"").append(weight).append('"');
    }
    out.append(" xml:space=\"preserve\">").append(escape(text)).append("</text>\n");
  }

  /** The {@code data-line} attribute of an element from {@code .nn} line {@code line}, if any. */
  private static String line(int line) {
    return line > 0 ? " data-line=\"" + line + "\"" : "";
  }

  private static String num(double v) {
    return GraphStyle.num(v);
  }

  /** {@code text} safe inside XML text and attribute values. */
  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> {
          // XML 1.0 has no place for other control characters.
          if (c >= 0x20 || c == '\n' || c == '\t') {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }
}
