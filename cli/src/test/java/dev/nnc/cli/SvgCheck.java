package dev.nnc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.xml.sax.InputSource;

/** Checks for every picture nnc writes: well-formed XML, and drawn by Batik at its stated size. */
final class SvgCheck {
  private SvgCheck() {}

  /** Parses {@code xml} strictly (namespaces on), failing on any error. */
  static Document parse(String xml) {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setNamespaceAware(true);
      factory.setExpandEntityReferences(false);
      var builder = factory.newDocumentBuilder();
      builder.setErrorHandler(new org.xml.sax.helpers.DefaultHandler() {
        @Override
        public void error(org.xml.sax.SAXParseException e) throws org.xml.sax.SAXException {
          throw e;
        }
      });
      return builder.parse(new InputSource(new StringReader(xml)));
    } catch (Exception e) {
      throw new AssertionError("not well-formed XML: " + e.getMessage(), e);
    }
  }

  /** Parses the SVG and renders it to PNG with Batik; returns the rendered image. */
  static BufferedImage check(String svg) {
    Element root = parse(svg).getDocumentElement();
    assertEquals("svg", root.getLocalName());
    assertEquals("http://www.w3.org/2000/svg", root.getNamespaceURI());
    byte[] png;
    try {
      png = SvgRender.png(svg);
    } catch (Exception e) {
      throw new AssertionError("Batik could not render the SVG: " + e.getMessage(), e);
    }
    BufferedImage image;
    try {
      image = ImageIO.read(new ByteArrayInputStream(png));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    assertEquals(Math.round(Double.parseDouble(root.getAttribute("width"))), image.getWidth(),
        1.0, "rendered width");
    assertEquals(Math.round(Double.parseDouble(root.getAttribute("height"))), image.getHeight(),
        1.0, "rendered height");
    assertTrue(inked(image), "the rendered picture is blank");
    return image;
  }

  static BufferedImage check(Path svg) throws IOException {
    return check(Files.readString(svg, StandardCharsets.UTF_8));
  }

  /** Whether anything but the white background was drawn. */
  private static boolean inked(BufferedImage image) {
    for (int y = 0; y < image.getHeight(); y += 2) {
      for (int x = 0; x < image.getWidth(); x += 2) {
        if ((image.getRGB(x, y) & 0xffffff) != 0xffffff) {
          return true;
        }
      }
    }
    return false;
  }
}
