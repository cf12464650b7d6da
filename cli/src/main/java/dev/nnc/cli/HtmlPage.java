package dev.nnc.cli;

import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.compiler.inspect.Picture;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One self-contained HTML page (inline CSS, script and SVG; nothing fetched): the {@code .nn}
 * source, the graph and the generated Java side by side. Hovering a box, a source line or a Java
 * line highlights everything with the same {@code .nn} line: a box carries its line, a Java line
 * the lines named by the {@code // line N:} comment of the step it belongs to. The page is also
 * well-formed XML, so tools (and tests) can parse it.
 */
final class HtmlPage {
  private static final Pattern LINE = Pattern.compile("\\bline (\\d+)");

  private HtmlPage() {}

  static String write(Picture picture, GraphLayout.Placed placed, SourceFile source,
      String java) {
    StringBuilder out = new StringBuilder();
    out.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n");
    out.append("<head>\n<meta charset=\"utf-8\"/>\n<title>")
        .append(SvgWriter.escape("nnc graph: " + picture.title() + " (" + source.name() + ")"))
        .append("</title>\n<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n");
    out.append("<header><b>").append(SvgWriter.escape(picture.title())).append("</b> in <code>")
        .append(SvgWriter.escape(source.name())).append("</code>: hover a box or a line to see"
            + " the matching source, graph and Java.</header>\n<main>\n");
    out.append("<section id=\"nnc-source\"><h2>.nn source</h2>\n<pre>");
    for (int i = 1; i <= source.lineCount(); i++) {
      line(out, Integer.toString(i), i, source.line(i));
    }
    out.append("</pre></section>\n");
    out.append("<section id=\"nnc-graph\"><h2>graph <label><input type=\"checkbox\""
        + " id=\"nnc-fit\"/> fit to the pane</label></h2>\n")
        .append(SvgWriter.svg(placed)).append("</section>\n");
    out.append("<section id=\"nnc-java\"><h2>generated Java</h2>\n<pre>");
    String[] lines = java.split("\n", -1);
    List<String> owners = javaLines(lines);
    for (int i = 0; i < lines.length; i++) {
      if (i == lines.length - 1 && lines[i].isEmpty()) {
        break;
      }
      line(out, owners.get(i), i + 1, lines[i]);
    }
    out.append("</pre></section>\n</main>\n");
    out.append("<script>//<![CDATA[\n").append(SCRIPT).append("//]]></script>\n");
    out.append("</body>\n</html>\n");
    return out.toString();
  }

  /** One numbered line of a listing; {@code lines} are the {@code .nn} lines it matches. */
  private static void line(StringBuilder out, String lines, int number, String text) {
    out.append("<span class=\"l\"");
    if (!lines.isEmpty()) {
      out.append(" data-line=\"").append(lines).append('"');
    }
    out.append("><span class=\"n\">").append(number).append("</span>")
        .append(SvgWriter.escape(text)).append("</span>");
  }

  /**
   * The {@code .nn} lines of each Java line: a {@code // line N: ...} comment starts a step
   * (every {@code line N} it names counts), which runs over the following lines at the same or
   * deeper indentation until a blank line, a shallower line, a {@code return} or the next comment.
   */
  static List<String> javaLines(String[] lines) {
    List<String> owners = new ArrayList<>();
    String current = "";
    int indent = 0;
    for (String line : lines) {
      String trimmed = line.strip();
      int lead = line.length() - line.stripLeading().length();
      if (trimmed.startsWith("// line ")) {
        List<String> numbers = new ArrayList<>();
        Matcher m = LINE.matcher(trimmed);
        while (m.find()) {
          if (!numbers.contains(m.group(1))) {
            numbers.add(m.group(1));
          }
        }
        current = String.join(" ", numbers);
        indent = lead;
      } else if (trimmed.isEmpty() || lead < indent || trimmed.startsWith("return ")
          || trimmed.startsWith("//")) {
        current = "";
      }
      owners.add(current);
    }
    return owners;
  }

  private static final String STYLE = String.join("\n",
      "body { margin: 0; font-family: system-ui, sans-serif; color: #212121; }",
      "header { padding: 8px 12px; border-bottom: 1px solid #ddd; font-size: 14px; }",
      "main { display: flex; gap: 6px; height: calc(100vh - 40px); padding: 6px;"
          + " box-sizing: border-box; }",
      "section { overflow: auto; border: 1px solid #ddd; border-radius: 4px; min-width: 0; }",
      "#nnc-source { flex: 0 0 22%; }",
      "#nnc-graph { flex: 1 1 46%; }",
      "#nnc-java { flex: 0 0 30%; }",
      "h2 { font-size: 12px; margin: 0; padding: 4px 8px; background: #f5f5f5;"
          + " position: sticky; top: 0; left: 0; }",
      "pre { margin: 0; font: 12px/1.45 'DejaVu Sans Mono', Menlo, Consolas, monospace; }",
      "span.l { display: block; white-space: pre; padding: 0 8px 0 0; }",
      "span.n { display: inline-block; width: 3.5em; padding-right: 0.8em; text-align: right;"
          + " color: #9e9e9e; user-select: none; }",
      "span.l.hl { background: #fff59d; }",
      "h2 label { font-weight: normal; margin-left: 1em; }",
      "#nnc-graph.fit svg { max-width: 100%; height: auto; }",
      "g.nnc-box { cursor: default; }",
      "g.nnc-box.hl rect { stroke: #ff6f00; stroke-width: 3; }",
      "g.nnc-group.hl rect { stroke: #ff6f00; }",
      "");

  private static final String SCRIPT = String.join("\n",
      "(function () {",
      "  var marked = document.querySelectorAll('[data-line]');",
      "  function lines(el) { return el.getAttribute('data-line').split(' '); }",
      "  function shares(a, b) {",
      "    for (var i = 0; i < a.length; i++) { if (b.indexOf(a[i]) >= 0) { return true; } }",
      "    return false;",
      "  }",
      "  function mark(from, on) {",
      "    var want = lines(from);",
      "    var pane = from.closest('section');",
      "    var scrolled = {};",
      "    for (var i = 0; i < marked.length; i++) {",
      "      var el = marked[i];",
      "      if (!shares(want, lines(el))) { continue; }",
      "      el.classList.toggle('hl', on);",
      "      var home = el.closest('section');",
      "      if (on && home !== pane && !scrolled[home.id]) {",
      "        scrolled[home.id] = true;",
      "        el.scrollIntoView({block: 'nearest', inline: 'nearest'});",
      "      }",
      "    }",
      "  }",
      "  var fit = document.getElementById('nnc-fit');",
      "  fit.addEventListener('change', function () {",
      "    document.getElementById('nnc-graph').classList.toggle('fit', fit.checked);",
      "  });",
      "  for (var i = 0; i < marked.length; i++) {",
      "    marked[i].addEventListener('mouseenter', function () { mark(this, true); });",
      "    marked[i].addEventListener('mouseleave', function () { mark(this, false); });",
      "  }",
      "})();",
      "");
}
