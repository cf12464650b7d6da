package dev.nnc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.inspect.Picture;
import dev.nnc.compiler.inspect.PictureBuilder;
import dev.nnc.compiler.ir.FunctionIr;
import dev.nnc.compiler.ir.ModelIr;
import dev.nnc.runtime.io.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * {@code nnc graph}: golden SVG and DOT of the textbook examples, every SVG rendered by Batik and
 * parsed as XML, the HTML page well-formed with the source and the Java in it, model pictures
 * with values from a checkpoint, no overlapping labels, and one-line errors.
 */
class GraphCommandTest {
  private static final String CHAIN_AT = "x=-2,y=5,z=-4";
  private static final String NEURON_AT = "w0=2,w1=-3,w2=-3,x0=-1,x1=-2";

  @TempDir
  Path dir;

  private String graph(String file, String out, String... options) throws IOException {
    List<String> args = new ArrayList<>(List.of("graph", file, "-o", dir.resolve(out).toString()));
    args.addAll(List.of(options));
    CliRun run = CliRun.of(args.toArray(String[]::new)).ok();
    assertEquals("wrote " + dir.resolve(out) + "\n", run.out());
    return Files.readString(dir.resolve(out), StandardCharsets.UTF_8);
  }

  /** Each wire's value and gradient text, keyed {@code from->to} by the boxes' labels. */
  private static Map<String, String[]> wires(String svg) {
    Document doc = SvgCheck.parse(svg);
    Map<String, String> labels = new LinkedHashMap<>();
    NodeList groups = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "g");
    for (int i = 0; i < groups.getLength(); i++) {
      Element g = (Element) groups.item(i);
      if (g.getAttribute("class").startsWith("nnc-box")) {
        labels.put(g.getAttribute("id"),
            g.getElementsByTagNameNS("http://www.w3.org/2000/svg", "text").item(0)
                .getTextContent());
      }
    }
    Map<String, String[]> out = new LinkedHashMap<>();
    for (int i = 0; i < groups.getLength(); i++) {
      Element g = (Element) groups.item(i);
      if (!g.getAttribute("class").equals("nnc-wire")) {
        continue;
      }
      StringBuilder value = new StringBuilder();
      StringBuilder gradient = new StringBuilder();
      NodeList texts = g.getElementsByTagNameNS("http://www.w3.org/2000/svg", "text");
      for (int k = 0; k < texts.getLength(); k++) {
        Element t = (Element) texts.item(k);
        StringBuilder target = t.getAttribute("fill").equals(GraphStyle.VALUE) ? value : gradient;
        target.append(target.length() == 0 ? "" : "\n").append(t.getTextContent());
      }
      out.put(labels.get(g.getAttribute("data-from")) + "->" + labels.get(g.getAttribute("data-to")),
          new String[] {value.toString(), gradient.toString()});
    }
    return out;
  }

  @Test
  void chainRuleExampleMatchesTheLecture() throws IOException {
    String svg = graph(CliRun.sample("chain.nn"), "chain.svg", "--at", CHAIN_AT);
    SvgCheck.check(svg);
    Map<String, String[]> wires = wires(svg);
    // values above, gradients below: (x + y) * z at (-2, 5, -4)
    assertEquals(List.of("-2", "-4"), List.of(wires.get("x->+")));
    assertEquals(List.of("5", "-4"), List.of(wires.get("y->+")));
    assertEquals(List.of("-4", "3"), List.of(wires.get("z->*")));
    assertEquals(List.of("3", "-4"), List.of(wires.get("+->*")));
    assertEquals(List.of("-12", "1"), List.of(wires.get("*->f")));
    Golden.compare("cli/src/test/resources/graph/chain.svg", svg);
    String dot = graph(CliRun.sample("chain.nn"), "chain.dot", "--at", CHAIN_AT);
    assertTrue(dot.contains("rankdir=LR;"), dot);
    assertTrue(dot.contains("<font color=\"" + GraphStyle.VALUE + "\">-12</font><br/><font color=\""
        + GraphStyle.GRADIENT + "\">1</font>"), dot);
    Golden.compare("cli/src/test/resources/graph/chain.dot", dot);
  }

  @Test
  void namedValueShowsItsName() throws IOException {
    Path file = dir.resolve("q.nn");
    Files.writeString(file, "fn f(x, y, z) {\n  let q = x + y;\n  return q * z;\n}\n");
    String svg = graph(file.toString(), "q.svg", "--at", CHAIN_AT, "--format", "svg");
    SvgCheck.check(svg);
    assertEquals(List.of("q = 3", "-4"), List.of(wires(svg).get("+->*")));
  }

  @Test
  void sigmoidNeuronSimplifiedAndAsWritten() throws IOException {
    String svg = graph(CliRun.sample("neuron.nn"), "neuron.svg", "--fn", "neuron", "--at",
        NEURON_AT);
    SvgCheck.check(svg);
    Map<String, String[]> wires = wires(svg);
    assertEquals(List.of("0.731", "1"), List.of(wires.get("sigmoid->neuron")));
    assertEquals(List.of("s = 1", "0.197"), List.of(wires.get("+->sigmoid")));
    // its golden is docs/images/neuron.svg (DocsImageTest)
    Golden.compare("cli/src/test/resources/graph/neuron.dot",
        graph(CliRun.sample("neuron.nn"), "neuron.dot", "--fn", "neuron", "--at", NEURON_AT));

    String raw = graph(CliRun.sample("neuron.nn"), "raw.svg", "--fn", "neuron", "--at", NEURON_AT,
        "--no-simplify");
    SvgCheck.check(raw);
    Map<String, String[]> gates = wires(raw);
    assertEquals(List.of("-1", "-0.197"), List.of(gates.get("-x->exp")));
    assertEquals(List.of("0.368", "-0.534"), List.of(gates.get("exp->+1")));
    assertEquals(List.of("1.37", "-0.534"), List.of(gates.get("+1->1/x")));
    assertEquals(List.of("0.731", "1"), List.of(gates.get("1/x->neuron")));
    Golden.compare("cli/src/test/resources/graph/neuron_unsimplified.svg", raw);
  }

  @Test
  void everySampleFunctionDrawsWithoutValuesAndWithThem() throws IOException {
    String[][] cases = {
        {"sqnorm.nn", "W=[[0.1,0.5],[-0.3,0.8]],x=[0.2,0.4]"},
        {"softmax_loss.nn", "W=[[1,2,3,4],[0,1,0,1],[-1,0,2,1]],b=[0.1,0.2,0.3],"
            + "x=[0.5,-1,2,0],y=[0,1,0]"},
        {"svm.nn", "W=[[1,2,3,4],[0,1,0,1],[-1,0,2,1]],b=[0.1,0.2,0.3],x=[0.5,-1,2,0],y=[0,1,0]"},
    };
    for (String[] c : cases) {
      SvgCheck.check(graph(CliRun.sample(c[0]), c[0] + ".plain.svg"));
      String svg = graph(CliRun.sample(c[0]), c[0] + ".svg", "--at", c[1]);
      SvgCheck.check(svg);
      assertTrue(svg.contains("fill=\"" + GraphStyle.GRADIENT + "\""), c[0]);
      SvgCheck.check(graph(CliRun.sample(c[0]), c[0] + ".raw.svg", "--at", c[1],
          "--no-simplify"));
    }
  }

  @Test
  void htmlPageIsWellFormedAndSelfContained() throws IOException {
    // as written: every gate is on the line it is written on
    String html = graph(CliRun.sample("neuron.nn"), "neuron.html", "--at", NEURON_AT,
        "--no-simplify");
    Document doc = SvgCheck.parse(html);
    assertEquals("html", doc.getDocumentElement().getLocalName());
    // the .nn source, line by line
    String source = Files.readString(Path.of(CliRun.sample("neuron.nn")));
    for (String line : source.split("\n")) {
      assertTrue(html.contains(">" + SvgWriter.escape(line) + "</span>"), line);
    }
    // the generated Java, exactly what nnc compile writes
    String java = Compiler.generate(Compiler.check(Path.of(CliRun.sample("neuron.nn")),
        CliRun.sample("neuron.nn")), "", false).get(0).code();
    for (String line : java.split("\n")) {
      assertTrue(html.contains(">" + SvgWriter.escape(line) + "</span>"), line);
    }
    // the graph, inline, drawn by Batik
    Matcher svg = Pattern.compile("<svg .*?</svg>\n", Pattern.DOTALL).matcher(html);
    assertTrue(svg.find());
    SvgCheck.check(svg.group());
    // nothing from the network: no external scripts, styles, images or links
    assertFalse(Pattern.compile("\\s(src|href)=").matcher(html).find(), "external reference");
    assertFalse(html.contains("<link"), "external stylesheet");
    assertTrue(html.contains("<script>") && html.contains("<style>"));
    // hovering line 5 has something to highlight in all three panes
    String fiveSource = "<span class=\"l\" data-line=\"5\"><span class=\"n\">5</span>";
    assertTrue(html.contains(fiveSource));
    assertTrue(html.contains("<g class=\"nnc-box nnc-op\" id=\"n"));
    assertTrue(Pattern.compile("<g class=\"nnc-box nnc-op\" id=\"n\\d+\" data-line=\"5\">")
        .matcher(html).find());
    assertTrue(Pattern.compile("<span class=\"l\" data-line=\"5\"><span class=\"n\">\\d+</span>"
        + " {4}// line 5:").matcher(html).find());
  }

  @Test
  void javaLinesBelongToTheStepTheirCommentNames() {
    String[] java = {
        "  public double f(double x) {",
        "    // line 4: let s = x * x;",
        "    double s = x * x;",
        "    for (int i = 0; i < 3; i++) {",
        "      s += i;",
        "    }",
        "    // line 15: fc2(...) -> Dense line 7: return x @ W + b;",
        "    double t = s;",
        "",
        "    return t;",
        "  }"};
    assertEquals(List.of("", "4", "4", "4", "4", "4", "15 7", "15 7", "", "", ""),
        HtmlPage.javaLines(java));
  }

  @Test
  void modelPictureWithCheckpointValues() throws IOException {
    Path nn = Path.of(CliRun.sample("digits.nn"));
    Path weights = dir.resolve("w.safetensors");
    Path inputs = dir.resolve("x.safetensors");
    ModelFiles.write(nn, weights, inputs, 3);
    String svg = graph(nn.toString(), "digits.svg", "--weights", weights.toString(), "--inputs",
        inputs.toString());
    SvgCheck.check(svg);
    assertTrue(svg.contains("<g class=\"nnc-group\" id=\"g_hidden\""), "layer instance group");
    assertTrue(svg.contains("<g class=\"nnc-group\" id=\"g_classify\""), "layer instance group");
    String[] loss = wires(svg).get("batch mean->loss");
    assertEquals("1", loss[1]);
    // the loss drawn is the loss nnc eval computes on the same batch (f32 there, f64 here)
    CliRun eval = CliRun.of("eval", nn.toString(), "--weights", weights.toString(), "--inputs",
        inputs.toString(), "--json").ok();
    double expected = ((Number) ((Map<?, ?>) Json.parse(eval.out().trim())).get("loss"))
        .doubleValue();
    assertEquals(expected, Double.parseDouble(loss[0]), 0.006 * Math.abs(expected));
    // deterministic: same input, same bytes
    assertEquals(svg, graph(nn.toString(), "again.svg", "--weights", weights.toString(),
        "--inputs", inputs.toString()));
    String html = graph(nn.toString(), "digits.html", "--model", "Digits", "--weights",
        weights.toString(), "--inputs", inputs.toString());
    SvgCheck.parse(html);
    assertTrue(html.contains("public final class Digits"));
    String plain = graph(nn.toString(), "plain.svg", "--no-simplify");
    SvgCheck.check(plain);
    SvgCheck.check(graph(CliRun.sample("mnist.nn"), "mnist.svg"));
  }

  /** The largest picture nnc should draw for the MNIST MLP: one screen. */
  private static final double SCREEN_WIDTH = 1600;
  private static final double SCREEN_HEIGHT = 1000;

  /**
   * The MNIST MLP (issue 19: "fits on one screen"), without values and with a checkpoint's values
   * and gradients, is at most {@value #SCREEN_WIDTH} x {@value #SCREEN_HEIGHT} pixels, by the
   * SVG's width and height and by its viewBox.
   */
  @Test
  void mnistPictureFitsOneScreen() throws IOException {
    Path nn = Path.of(CliRun.sample("mnist.nn"));
    Path weights = dir.resolve("mnist-w.safetensors");
    Path inputs = dir.resolve("mnist-x.safetensors");
    ModelFiles.write(nn, weights, inputs, 4);
    String plain = graph(nn.toString(), "mnist-plain.svg", "--model", "Mnist");
    String valued = graph(nn.toString(), "mnist-values.svg", "--model", "Mnist", "--weights",
        weights.toString(), "--inputs", inputs.toString());
    for (String svg : List.of(plain, valued)) {
      SvgCheck.check(svg);
      Element root = SvgCheck.parse(svg).getDocumentElement();
      double width = Double.parseDouble(root.getAttribute("width"));
      double height = Double.parseDouble(root.getAttribute("height"));
      String[] box = root.getAttribute("viewBox").trim().split("\\s+");
      String what = (svg == plain ? "without" : "with") + " values: " + width + " x " + height;
      System.out.println("mnist picture " + what);
      assertTrue(width <= SCREEN_WIDTH && height <= SCREEN_HEIGHT, what);
      assertTrue(Double.parseDouble(box[2]) <= SCREEN_WIDTH
          && Double.parseDouble(box[3]) <= SCREEN_HEIGHT, what + ", viewBox " + String.join(" ", box));
    }
    assertTrue(valued.contains("<g class=\"nnc-group\" id=\"g_fc1\""), "layer instance group");
    assertTrue(valued.contains("<g class=\"nnc-group\" id=\"g_fc2\""), "layer instance group");
  }

  /**
   * No two boxes, no two wire labels and no label and box overlap, and every wire passes through
   * the middle of its label (values above it, gradients below), for every sample.
   */
  @Test
  void nothingOverlaps() throws IOException {
    try (var files = Files.list(CliRun.root().resolve("generated-samples/src/main/nn"))) {
      for (Path nn : files.sorted().toList()) {
        Compiler.CheckResult checked = Compiler.check(nn, nn.toString());
        List<Picture> pictures = new ArrayList<>();
        for (FunctionIr fn : checked.program().functions()) {
          Map<String, double[]> at = new LinkedHashMap<>();
          for (var p : fn.params()) {
            double[] v = new double[p.shape().size()];
            for (int i = 0; i < v.length; i++) {
              v[i] = Math.sin(i + 1.0) * 3;
            }
            at.put(p.name(), v);
          }
          pictures.add(PictureBuilder.function(checked.source(), fn, true, at));
        }
        for (ModelIr m : checked.program().models()) {
          pictures.add(PictureBuilder.model(checked.source(), dev.nnc.compiler.syntax.SyntaxParser.parse(checked.source(), new dev.nnc.compiler.diag.Diagnostics()), m,
              true, null, 1));
        }
        for (Picture p : pictures) {
          assertNoOverlap(nn.getFileName() + " " + p.title(), GraphLayout.place(p));
        }
      }
    }
  }

  private static void assertNoOverlap(String what, GraphLayout.Placed placed) {
    List<GraphLayout.Rect> rects = new ArrayList<>(placed.boxes().values());
    for (GraphLayout.Route r : placed.routes()) {
      if (r.label() == null) {
        continue;
      }
      rects.add(r.label());
      double middle = r.label().y() + r.label().h() / 2;
      boolean through = false;
      for (int i = 1; i < r.points().size(); i++) {
        double[] a = r.points().get(i - 1);
        double[] b = r.points().get(i);
        double cx = r.label().x() + r.label().w() / 2;
        through |= a[1] == b[1] && Math.abs(a[1] - middle) < 1.5
            && Math.min(a[0], b[0]) <= cx && cx <= Math.max(a[0], b[0]);
      }
      assertTrue(through, what + ": the wire " + r.wire() + " misses the middle of its label");
    }
    for (int i = 0; i < rects.size(); i++) {
      for (int j = i + 1; j < rects.size(); j++) {
        GraphLayout.Rect a = rects.get(i);
        GraphLayout.Rect b = rects.get(j);
        boolean overlap = a.x() < b.x() + b.w() - 0.5 && b.x() < a.x() + a.w() - 0.5
            && a.y() < b.y() + b.h() - 0.5 && b.y() < a.y() + a.h() - 0.5;
        assertFalse(overlap, what + ": " + a + " overlaps " + b);
      }
    }
  }

  @Test
  void badRequestsAreOneLineErrors() throws IOException {
    String chain = CliRun.sample("chain.nn");
    String out = dir.resolve("out.svg").toString();
    CliRun.of("graph", chain, "--fn", "nope", "-o", out).userError(2, "no fn 'nope'", "f");
    CliRun.of("graph", CliRun.sample("mnist.nn"), "--model", "Nope", "-o", out)
        .userError(2, "no model 'Nope'");
    CliRun.of("graph", chain, "--fn", "f", "--model", "M", "-o", out).userError(2, "not both");
    CliRun.of("graph", chain, "--at", "x=1", "-o", out).userError(2, "no value for parameter y");
    CliRun.of("graph", CliRun.sample("mnist.nn"), "--model", "Mnist", "--at", "x=1", "-o", out)
        .userError(2, "--at", "--weights");
    CliRun.of("graph", chain, "--fn", "f", "--weights", "w", "--inputs", "x", "-o", out)
        .userError(2, "--weights", "--at");
    CliRun.of("graph", chain, "--at", "x=1,y=2,z=3,w=4", "-o", out).userError(2, "'w'");
    CliRun.of("graph", chain, "--format", "png", "-o", out).userError(2, "svg, dot or html");
    CliRun.of("graph", chain, "-o", dir.resolve("out.png").toString())
        .userError(2, "--format");
    CliRun.of("graph", chain, "-o", dir.toString(), "--format", "svg")
        .userError(1, "not a regular file");
    CliRun.of("graph", chain, "-o", dir.resolve("no/such/dir/out.svg").toString())
        .userError(1, "does not exist");
    CliRun.of("graph", CliRun.sample("mnist.nn"), "--weights", "w.safetensors", "-o", out)
        .userError(2, "--inputs");
    CliRun.of("graph", dir.resolve("missing.nn").toString(), "-o", out)
        .userError(1, "no such file");
    CliRun.of("graph", CliRun.sample("mnist.nn"), "--weights", dir.resolve("w").toString(),
        "--inputs", dir.resolve("x").toString(), "-o", out).userError(1, "no such file");
    assertFalse(Files.exists(dir.resolve("out.svg")), "nothing written after an error");
  }

  @Test
  void outputReplacesAFileAtomically() throws IOException {
    Path out = dir.resolve("pic.svg");
    Files.writeString(out, "old");
    String svg = graph(CliRun.sample("chain.nn"), "pic.svg");
    assertTrue(svg.startsWith("<?xml"));
    try (var files = Files.list(dir)) {
      assertEquals(List.of(out), files.toList(), "no temporary file left behind");
    }
  }
}
