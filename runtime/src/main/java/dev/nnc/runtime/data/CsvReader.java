package dev.nnc.runtime.data;

import dev.nnc.runtime.NncException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a numeric comma-separated table (plain or gzip, detected by magic bytes) into a
 * {@link Dataset}. One column is the class label (default: the last; negative indices count from
 * the end) or, in regression mode, a float target; all other columns are features. A first line
 * is a header and is skipped if it has a non-numeric field, or if it has the UCI form
 * {@code N_ROWS,N_FEATURES,names...}: its first two fields equal the data's row and feature counts
 * and its field count differs from the rows'. A UCI header with names has its counts checked
 * against the data. Blank lines are ignored.
 */
public final class CsvReader {
  private int labelColumn = -1;
  private boolean regression;
  private boolean unlabeled;

  /** Uses column {@code column} (0-based; -1 is the last) as the integer class label. */
  public CsvReader labelColumn(int column) {
    this.labelColumn = column;
    this.regression = false;
    this.unlabeled = false;
    return this;
  }

  /** Uses column {@code column} (0-based; -1 is the last) as a real-valued target of size 1. */
  public CsvReader targetColumn(int column) {
    this.labelColumn = column;
    this.regression = true;
    this.unlabeled = false;
    return this;
  }

  /** Reads every column as a feature. */
  public CsvReader unlabeled() {
    this.unlabeled = true;
    return this;
  }

  /** Reads {@code path} with the default settings: last column is the class label. */
  public static Dataset readClassification(Path path) {
    return new CsvReader().read(path);
  }

  public Dataset read(Path path) {
    String text = new String(FileBytes.read(path), StandardCharsets.UTF_8);
    if (text.startsWith("\uFEFF")) { // a byte order mark, as some spreadsheets write
      text = text.substring(1);
    }
    List<String> lines = new ArrayList<>();
    List<Integer> lineNumbers = new ArrayList<>();
    int lineNo = 0;
    int start = 0;
    while (start <= text.length()) {
      int end = text.indexOf('\n', start);
      if (end < 0) {
        end = text.length();
      }
      lineNo++;
      String line = text.substring(start, end);
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      if (!line.isBlank()) {
        lines.add(line);
        lineNumbers.add(lineNo);
      }
      start = end + 1;
    }
    if (lines.isEmpty()) {
      throw new NncException(path + ": the file has no data rows");
    }
    int first = skipHeader(path, lines, lineNumbers) ? 1 : 0;
    int rows = lines.size() - first;
    if (rows == 0) {
      throw new NncException(path + ": the file has a header but no data rows");
    }
    int columns = lines.get(first).split(",", -1).length;
    int labelCol = unlabeled ? -1 : (labelColumn < 0 ? columns + labelColumn : labelColumn);
    if (!unlabeled && (labelCol < 0 || labelCol >= columns)) {
      throw new NncException(path + ":" + lineNumbers.get(first) + ": label column " + labelColumn
          + " does not exist: rows have " + columns + " columns");
    }
    int features = unlabeled ? columns : columns - 1;
    float[] x = new float[rows * features];
    int[] labels = unlabeled || regression ? null : new int[rows];
    float[] targets = regression ? new float[rows] : null;
    int[] sourceLines = new int[rows];
    for (int r = 0; r < rows; r++) {
      String line = lines.get(first + r);
      int ln = lineNumbers.get(first + r);
      sourceLines[r] = ln;
      String[] fields = line.split(",", -1);
      if (fields.length != columns) {
        throw new NncException(path + ":" + ln + ": expected " + columns + " fields (like line "
            + lineNumbers.get(first) + ") but found " + fields.length);
      }
      int col = 1;
      int j = 0;
      for (int c = 0; c < columns; c++) {
        String field = fields[c];
        double v = number(field);
        if (Double.isNaN(v)) {
          throw new NncException(path + ":" + ln + ":" + col + ": field " + (c + 1) + " is not a finite number: '"
              + field.trim() + "'");
        }
        if (Math.abs(v) > Float.MAX_VALUE && !(c == labelCol && !regression)) {
          throw new NncException(path + ":" + ln + ":" + col + ": field " + (c + 1) + " is '" + field.trim()
              + "', beyond the largest float (3.4e38)");
        }
        if (c == labelCol) {
          if (regression) {
            targets[r] = (float) v;
          } else if (v != Math.rint(v) || v < 0 || v > Integer.MAX_VALUE) {
            throw new NncException(path + ":" + ln + ":" + col + ": label must be a non-negative integer, got '"
                + field.trim() + "'");
          } else {
            labels[r] = (int) v;
          }
        } else {
          x[r * features + j++] = (float) v;
        }
        col += field.length() + 1;
      }
    }
    String name = path.getFileName() == null ? path.toString() : path.getFileName().toString();
    Dataset data = regression ? Dataset.regression(name, x, rows, features, targets, 1)
        : unlabeled ? Dataset.unlabeled(name, x, rows, features)
        : Dataset.classification(name, x, rows, features, labels);
    return data.withSourceLines(path.toString(), sourceLines);
  }

  /** Whether the first line is a header; checks a UCI header's counts against the data. */
  private static boolean skipHeader(Path path, List<String> lines, List<Integer> lineNumbers) {
    String[] head = lines.get(0).split(",", -1);
    boolean nonNumeric = false;
    for (String f : head) {
      nonNumeric |= Double.isNaN(number(f));
    }
    if (head.length < 2 || lines.size() < 2) {
      return nonNumeric;
    }
    double n = number(head[0]);
    double f = number(head[1]);
    boolean uciCounts = n >= 0 && n == Math.rint(n) && f >= 1 && f == Math.rint(f);
    int dataRows = lines.size() - 1;
    int dataColumns = lines.get(1).split(",", -1).length;
    if (uciCounts && nonNumeric) {
      if (n != dataRows || f != dataColumns - 1) {
        throw new NncException(path + ":" + lineNumbers.get(0) + ": header says " + (long) n + " rows of " + (long) f
            + " features but the file has " + dataRows + " rows of " + (dataColumns - 1));
      }
      return true;
    }
    return nonNumeric || uciCounts && n == dataRows && f == dataColumns - 1
        && head.length != dataColumns;
  }

  /**
   * The field's value, or NaN if it is not a plain finite decimal number: how every CSV reader of
   * nnc (this one, the Spark module's) reads a cell.
   */
  public static double number(String field) {
    String s = field.trim();
    if (s.isEmpty()) {
      return Double.NaN;
    }
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (!(ch >= '0' && ch <= '9' || ch == '.' || ch == '-' || ch == '+' || ch == 'e' || ch == 'E')) {
        return Double.NaN;
      }
    }
    try {
      double v = Double.parseDouble(s);
      return Double.isFinite(v) ? v : Double.NaN;
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }
}
