package dev.nnc.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.batik.transcoder.TranscoderException;
import org.apache.batik.transcoder.TranscoderInput;
import org.apache.batik.transcoder.TranscoderOutput;
import org.apache.batik.transcoder.image.PNGTranscoder;

/** Renders SVG text to PNG with Apache Batik, a real SVG renderer (fails on what it cannot draw). */
final class SvgRender {
  private SvgRender() {}

  static byte[] png(String svg) throws TranscoderException {
    PNGTranscoder transcoder = new PNGTranscoder();
    TranscoderInput input = new TranscoderInput(new StringReader(svg));
    input.setURI("file:///nnc-graph.svg");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    transcoder.transcode(input, new TranscoderOutput(out));
    return out.toByteArray();
  }

  /** {@code java SvgRender IN.svg OUT.png}: for looking at a picture by hand. */
  public static void main(String[] args) throws IOException, TranscoderException {
    Files.write(Path.of(args[1]), png(Files.readString(Path.of(args[0]))));
  }
}
