package dev.nnc.runtime.train;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small line chart written by hand as SVG (the runtime has no dependencies): epochs along the
 * x axis, one line with point markers per series, round-numbered ticks, a legend. Missing values
 * (NaN) break a line. Deterministic: the same data gives the same bytes.
 */
final class LinePlot {
  static final double WIDTH = 440;
  static final double HEIGHT = 270;
  private static final double LEFT = 60;
  private static final double RIGHT = 14;
  private static final double TOP = 30;
  private static final double BOTTOM = 40;

  /** One line of the chart. */
  static final class Series {
    final String name;
    final String colour;
    final double[] values;

    Series(String name, String colour, double[] values) {
      this.name = name;
      this.colour = colour;
      this.values = values.clone();
    }
  }

  private final String title;
  private final String yLabel;
  private final int[] epochs;
  private final List<Series> series = new ArrayList<>();

  LinePlot(String title, String yLabel, int[] epochs) {
    this.title = title;
    this.yLabel = yLabel;
    this.epochs = epochs.clone();
  }

  LinePlot add(String name, String colour, double[] values) {
    series.add(new Series(name, colour, values));
    return this;
  }

  /** Whether any series has a finite value to draw. */
  boolean hasData() {
    for (Series s : series) {
      for (double v : s.values) {
        if (Double.isFinite(v)) {
          return true;
        }
      }
    }
    return false;
  }

  String svg() {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (Series s : series) {
      for (double v : s.values) {
        if (Double.isFinite(v)) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
    }
    if (lo > hi) {
      lo = 0;
      hi = 1;
    }
    if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) {
      double pad = Math.max(Math.abs(hi) * 0.1, 1e-3);
      lo -= pad;
      hi += pad;
    }
    double step = niceStep((hi - lo) / 4);
    double yMin = Math.floor(lo / step) * step;
    double yMax = Math.ceil(hi / step) * step;
    double xMin = epochs.length == 0 ? 0 : epochs[0];
    double xMax = epochs.length == 0 ? 1 : epochs[epochs.length - 1];
    if (xMax - xMin < 1) {
      xMin -= 0.5;
      xMax += 0.5;
    }
    double plotW = WIDTH - LEFT - RIGHT;
    double plotH = HEIGHT - TOP - BOTTOM;
    StringBuilder out = new StringBuilder();
    out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(num(WIDTH))
        .append("\" height=\"").append(num(HEIGHT)).append("\" viewBox=\"0 0 ").append(num(WIDTH))
        .append(' ').append(num(HEIGHT)).append("\" font-family=\"sans-serif\" font-size=\"11\">\n");
    out.append("<title>").append(ReportPage.escape(title)).append("</title>\n");
    out.append("<rect x=\"0\" y=\"0\" width=\"").append(num(WIDTH)).append("\" height=\"")
        .append(num(HEIGHT)).append("\" fill=\"#ffffff\"/>\n");
    out.append("<text x=\"").append(num(LEFT)).append("\" y=\"18\" font-size=\"13\""
        + " font-weight=\"bold\" fill=\"#212121\">").append(ReportPage.escape(title))
        .append("</text>\n");
    // grid and y ticks
    int ticks = (int) Math.round((yMax - yMin) / step);
    for (int i = 0; i <= ticks; i++) {
      double v = yMin + i * step;
      double y = TOP + plotH - (v - yMin) / (yMax - yMin) * plotH;
      out.append("<line x1=\"").append(num(LEFT)).append("\" y1=\"").append(num(y))
          .append("\" x2=\"").append(num(LEFT + plotW)).append("\" y2=\"").append(num(y))
          .append("\" stroke=\"#eeeeee\"/>\n");
      out.append("<text x=\"").append(num(LEFT - 6)).append("\" y=\"").append(num(y + 4))
          .append("\" text-anchor=\"end\" fill=\"#616161\">").append(tick(v, step))
          .append("</text>\n");
    }
    // x ticks: at most about 10 epoch labels
    int every = Math.max(1, (int) Math.ceil(epochs.length / 10.0));
    for (int i = 0; i < epochs.length; i += every) {
      double x = LEFT + (epochs[i] - xMin) / (xMax - xMin) * plotW;
      out.append("<text x=\"").append(num(x)).append("\" y=\"").append(num(TOP + plotH + 16))
          .append("\" text-anchor=\"middle\" fill=\"#616161\">").append(epochs[i])
          .append("</text>\n");
    }
    out.append("<text x=\"").append(num(LEFT + plotW / 2)).append("\" y=\"")
        .append(num(HEIGHT - 6)).append("\" text-anchor=\"middle\" fill=\"#424242\">epoch</text>\n");
    out.append("<text x=\"14\" y=\"").append(num(TOP + plotH / 2))
        .append("\" text-anchor=\"middle\" fill=\"#424242\" transform=\"rotate(-90 14 ")
        .append(num(TOP + plotH / 2)).append(")\">").append(ReportPage.escape(yLabel))
        .append("</text>\n");
    out.append("<rect x=\"").append(num(LEFT)).append("\" y=\"").append(num(TOP))
        .append("\" width=\"").append(num(plotW)).append("\" height=\"").append(num(plotH))
        .append("\" fill=\"none\" stroke=\"#9e9e9e\"/>\n");
    double legendX = LEFT + plotW;
    for (int k = series.size() - 1; k >= 0; k--) {
      Series s = series.get(k);
      legendX -= s.name.length() * 6.2 + 30;
      out.append("<line x1=\"").append(num(legendX)).append("\" y1=\"14\" x2=\"")
          .append(num(legendX + 16)).append("\" y2=\"14\" stroke=\"").append(s.colour)
          .append("\" stroke-width=\"2\"/>\n");
      out.append("<text x=\"").append(num(legendX + 20)).append("\" y=\"18\" fill=\"#424242\">")
          .append(ReportPage.escape(s.name)).append("</text>\n");
    }
    for (Series s : series) {
      StringBuilder path = new StringBuilder();
      StringBuilder marks = new StringBuilder();
      boolean pen = false;
      for (int i = 0; i < s.values.length && i < epochs.length; i++) {
        double v = s.values[i];
        if (!Double.isFinite(v)) {
          pen = false;
          continue;
        }
        double x = LEFT + (epochs[i] - xMin) / (xMax - xMin) * plotW;
        double y = TOP + plotH - (v - yMin) / (yMax - yMin) * plotH;
        path.append(pen ? " L" : (path.length() == 0 ? "M" : " M")).append(num(x)).append(',')
            .append(num(y));
        pen = true;
        marks.append("<circle cx=\"").append(num(x)).append("\" cy=\"").append(num(y))
            .append("\" r=\"2.5\" fill=\"").append(s.colour).append("\"/>\n");
      }
      if (path.length() > 0) {
        out.append("<path d=\"").append(path).append("\" fill=\"none\" stroke=\"")
            .append(s.colour).append("\" stroke-width=\"2\"/>\n");
      }
      out.append(marks);
    }
    out.append("</svg>\n");
    return out.toString();
  }

  /** 1, 2 or 5 times a power of ten, at least {@code rough}. */
  static double niceStep(double rough) {
    double power = Math.pow(10, Math.floor(Math.log10(rough)));
    for (double m : new double[] {1, 2, 5, 10}) {
      if (m * power >= rough * (1 - 1e-9)) {
        return m * power;
      }
    }
    return 10 * power;
  }

  /** A tick value with as many decimals as the step needs. */
  static String tick(double v, double step) {
    int decimals = Math.max(0, -(int) Math.floor(Math.log10(step) + 1e-9));
    BigDecimal d = BigDecimal.valueOf(v).setScale(decimals, java.math.RoundingMode.HALF_EVEN);
    String text = d.toPlainString();
    return text.matches("-0(\\.0*)?") ? text.substring(1) : text;
  }

  /** A coordinate with one decimal, without a needless ".0" or "-0". */
  private static String num(double v) {
    String s = String.format(Locale.ROOT, "%.1f", v);
    s = s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    return s.equals("-0") ? "0" : s;
  }
}
