package dev.nnc.cli;

import dev.nnc.compiler.inspect.Picture;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a picture as Graphviz DOT text, for users who have Graphviz ({@code dot -Tpng}): left to
 * right, a box per node, a cluster per layer instance, each wire labelled with its value (green)
 * over its gradient (red). Deterministic: the picture's order, nothing else.
 */
final class DotWriter {
  private DotWriter() {}

  static String write(Picture picture) {
    StringBuilder out = new StringBuilder();
    out.append("// ").append(picture.title()).append(picture.values()
        ? ": value above each wire, gradient below it" : "").append('\n');
    out.append("digraph nnc {\n");
    out.append("  rankdir=LR;\n");
    out.append("  node [shape=box, style=\"rounded,filled\", fontname=\"monospace\"];\n");
    out.append("  edge [fontname=\"monospace\", fontsize=10, color=\"")
        .append(GraphStyle.LINE).append("\"];\n");
    Map<String, List<Picture.Box>> byGroup = new LinkedHashMap<>();
    List<Picture.Box> ungrouped = new ArrayList<>();
    for (Picture.Group g : picture.groups()) {
      byGroup.put(g.id(), new ArrayList<>());
    }
    for (Picture.Box b : picture.boxes()) {
      if (b.group() != null && byGroup.containsKey(b.group())) {
        byGroup.get(b.group()).add(b);
      } else {
        ungrouped.add(b);
      }
    }
    for (Picture.Box b : ungrouped) {
      box(b, "  ", out);
    }
    for (Picture.Group g : picture.groups()) {
      out.append("  subgraph \"cluster_").append(g.id()).append("\" {\n");
      out.append("    label=").append(quote(g.label())).append(";\n");
      out.append("    style=\"dashed,rounded\"; color=\"").append(GraphStyle.GROUP_STROKE)
          .append("\"; fontname=\"monospace\";\n");
      for (Picture.Box b : byGroup.get(g.id())) {
        box(b, "    ", out);
      }
      out.append("  }\n");
    }
    List<String> first = new ArrayList<>();
    List<String> last = new ArrayList<>();
    for (Picture.Box b : picture.boxes()) {
      if (b.kind() == Picture.Kind.INPUT && picture.groups().isEmpty()) {
        first.add(b.id());
      } else if (b.kind() == Picture.Kind.OUTPUT) {
        last.add(b.id());
      }
    }
    if (!first.isEmpty()) {
      out.append("  { rank=source; ").append(String.join("; ", first)).append("; }\n");
    }
    if (!last.isEmpty()) {
      out.append("  { rank=sink; ").append(String.join("; ", last)).append("; }\n");
    }
    for (Picture.Wire w : picture.wires()) {
      out.append("  ").append(w.from()).append(" -> ").append(w.to());
      List<String> attrs = new ArrayList<>();
      if (!w.value().isEmpty() || !w.gradient().isEmpty()) {
        attrs.add("label=<" + html(w.value(), GraphStyle.VALUE) + "<br/>"
            + html(w.gradient(), GraphStyle.GRADIENT) + ">");
      }
      attrs.add("headport=w");
      out.append(" [").append(String.join(", ", attrs)).append("];\n");
    }
    out.append("}\n");
    return out.toString();
  }

  private static void box(Picture.Box b, String indent, StringBuilder out) {
    String fill = switch (b.kind()) {
      case INPUT -> GraphStyle.INPUT_FILL;
      case OUTPUT -> GraphStyle.OUTPUT_FILL;
      case CONSTANT -> "#ffffff";
      default -> GraphStyle.OP_FILL;
    };
    StringBuilder label = new StringBuilder("<<b>").append(SvgWriter.escape(b.label()))
        .append("</b>");
    if (!b.caption().isEmpty()) {
      label.append("<br/><font point-size=\"9\" color=\"").append(GraphStyle.MUTED).append("\">")
          .append(SvgWriter.escape(b.caption())).append("</font>");
    }
    if (!b.shape().isEmpty()) {
      label.append("<br/><font point-size=\"9\" color=\"").append(GraphStyle.OP_STROKE)
          .append("\">").append(SvgWriter.escape(b.shape())).append("</font>");
    }
    label.append('>');
    out.append(indent).append(b.id()).append(" [label=").append(label).append(", fillcolor=\"")
        .append(fill).append("\"");
    if (b.line() > 0) {
      out.append(", tooltip=\"line ").append(b.line()).append('"');
    }
    out.append("];\n");
  }

  /** A coloured HTML-like label line ({@code &#160;} keeps an empty line's height). */
  private static String html(String text, String colour) {
    return "<font color=\"" + colour + "\">" + (text.isEmpty() ? "&#160;"
        : SvgWriter.escape(text).replace("\n", "<br/>")) + "</font>";
  }

  private static String quote(String text) {
    return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
