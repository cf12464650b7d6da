package dev.nnc.runtime.train;

import java.util.List;
import java.util.Locale;

/**
 * The HTML page of a {@link TrainingReport}: one self-contained file (inline CSS and SVG, nothing
 * fetched) with plots of the loss and the accuracy (train and test) and of the learning rate per
 * epoch, a table of the numbers, and the same numbers with every digit as JSON in a
 * {@code <script type="application/json" id="nnc-history">} block for tools. While the run is
 * going the page reloads itself every few seconds. It is well-formed XML as well as HTML.
 */
final class ReportPage {
  private static final String TRAIN = "#1565c0";
  private static final String TEST = "#ef6c00";
  private static final String RATE = "#6a1b9a";
  /** Seconds between reloads of a page whose run is still going. */
  static final int REFRESH = 5;

  private ReportPage() {}

  static String write(String title, List<TrainingReport.Row> rows, int totalEpochs) {
    int n = rows.size();
    int[] epochs = new int[n];
    double[] trainLoss = new double[n];
    double[] testLoss = new double[n];
    double[] trainAcc = new double[n];
    double[] testAcc = new double[n];
    double[] rate = new double[n];
    for (int i = 0; i < n; i++) {
      EpochStats s = rows.get(i).stats();
      epochs[i] = s.epoch();
      trainLoss[i] = s.trainLoss();
      testLoss[i] = s.testLoss();
      trainAcc[i] = 100 * rows.get(i).trainAccuracy();
      testAcc[i] = 100 * s.testAccuracy();
      rate[i] = s.learningRate();
    }
    boolean done = n > 0 && epochs[n - 1] >= totalEpochs;
    StringBuilder out = new StringBuilder();
    out.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n")
        .append("<head>\n<meta charset=\"utf-8\"/>\n");
    if (!done) {
      out.append("<meta http-equiv=\"refresh\" content=\"").append(REFRESH).append("\"/>\n");
    }
    out.append("<title>").append(escape("nnc train: " + title)).append("</title>\n")
        .append("<style>\n")
        .append("body { font-family: system-ui, sans-serif; margin: 16px; color: #212121; }\n")
        .append(".plots { display: flex; flex-wrap: wrap; gap: 12px; }\n")
        .append(".plots svg { border: 1px solid #e0e0e0; border-radius: 4px; }\n")
        .append("table { border-collapse: collapse; margin-top: 16px; font-size: 13px; }\n")
        .append("th, td { padding: 3px 10px; text-align: right; border-bottom: 1px solid #eee; }\n")
        .append("</style>\n</head>\n<body>\n");
    out.append("<h1 style=\"font-size: 18px\">").append(escape(title)).append("</h1>\n");
    out.append("<p>").append(done ? "Finished: " + n + " epoch" + (n == 1 ? "" : "s") + "."
        : "Training: epoch " + (n == 0 ? 0 : epochs[n - 1]) + " of " + totalEpochs
            + "; this page reloads every " + REFRESH + " seconds.")
        .append(" Train loss is the mean over each epoch's batches as the weights changed;"
            + " train accuracy is measured on the training set after the epoch.</p>\n");
    out.append("<div class=\"plots\">\n");
    out.append(new LinePlot("Loss", "loss", epochs).add("train", TRAIN, trainLoss)
        .add("test", TEST, testLoss).svg());
    LinePlot accuracy = new LinePlot("Accuracy", "accuracy (%)", epochs)
        .add("train", TRAIN, trainAcc).add("test", TEST, testAcc);
    if (accuracy.hasData()) {
      out.append(accuracy.svg());
    }
    out.append(new LinePlot("Learning rate", "learning rate", epochs)
        .add("learning rate", RATE, rate).svg());
    out.append("</div>\n");
    out.append("<table>\n<tr><th>epoch</th><th>train loss</th><th>train acc</th>"
        + "<th>test loss</th><th>test acc</th><th>learning rate</th><th>seconds</th></tr>\n");
    for (TrainingReport.Row r : rows) {
      EpochStats s = r.stats();
      out.append("<tr><td>").append(s.epoch()).append("</td><td>")
          .append(fixed(s.trainLoss(), "%.4f")).append("</td><td>")
          .append(percent(r.trainAccuracy())).append("</td><td>")
          .append(fixed(s.testLoss(), "%.4f")).append("</td><td>")
          .append(percent(s.testAccuracy())).append("</td><td>")
          .append(fixed(s.learningRate(), "%.4g")).append("</td><td>")
          .append(fixed(s.seconds(), "%.2f")).append("</td></tr>\n");
    }
    out.append("</table>\n");
    out.append("<script type=\"application/json\" id=\"nnc-history\">").append(json(rows))
        .append("</script>\n</body>\n</html>\n");
    return out.toString();
  }

  /** The rows as JSON with every digit; a missing value is null. */
  static String json(List<TrainingReport.Row> rows) {
    StringBuilder out = new StringBuilder("[");
    for (int i = 0; i < rows.size(); i++) {
      TrainingReport.Row r = rows.get(i);
      EpochStats s = r.stats();
      out.append(i == 0 ? "\n" : ",\n").append("{\"epoch\": ").append(s.epoch())
          .append(", \"train_loss\": ").append(value(s.trainLoss()))
          .append(", \"train_accuracy\": ").append(value(r.trainAccuracy()))
          .append(", \"test_loss\": ").append(value(s.testLoss()))
          .append(", \"test_accuracy\": ").append(value(s.testAccuracy()))
          .append(", \"learning_rate\": ").append(value(s.learningRate()))
          .append(", \"seconds\": ").append(value(s.seconds())).append('}');
    }
    return out.append("\n]").toString();
  }

  private static String value(double v) {
    return Double.isFinite(v) ? Double.toString(v) : "null";
  }

  private static String fixed(double v, String format) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, format, v);
  }

  private static String percent(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * v);
  }

  /** {@code text} safe in XML text and attribute values. */
  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&':
          out.append("&amp;");
          break;
        case '<':
          out.append("&lt;");
          break;
        case '>':
          out.append("&gt;");
          break;
        case '"':
          out.append("&quot;");
          break;
        default:
          if (c >= 0x20 || c == '\n' || c == '\t') {
            out.append(c);
          }
      }
    }
    return out.toString();
  }
}
