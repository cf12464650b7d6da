package dev.nnc.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's picture, {@code docs/images/neuron.svg}, is what the command in its caption writes
 * today: this fails when the checked-in file is stale ({@code -Dnnc.refreshGolden=true} rewrites
 * it), and the picture must render.
 */
class DocsImageTest {
  @TempDir
  Path dir;

  @Test
  void neuronPictureIsCurrent() throws IOException {
    Path out = dir.resolve("neuron.svg");
    // the command of docs/graphs.md, run from the repository root
    CliRun.of("graph", CliRun.sample("neuron.nn"), "--fn", "neuron", "--at",
        "w0=2,w1=-3,w2=-3,x0=-1,x1=-2", "--format", "svg", "-o", out.toString()).ok();
    String svg = Files.readString(out, StandardCharsets.UTF_8);
    SvgCheck.check(svg);
    assertTrue(svg.contains(">sigmoid</text>"));
    Golden.compare("docs/images/neuron.svg", svg);
  }
}
