package dev.nnc.spark;

import dev.nnc.runtime.NncException;
import dev.nnc.runtime.data.CsvReader;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A numeric CSV table read and parsed by Spark itself ({@code textFile}: local files, HDFS, S3;
 * {@code .gz} by extension), for data the driver should not hold: each partition parses its own
 * lines. The columns are those of {@code nnc train --data csv:FILE[:COLUMN]}: one column (default
 * the last; negative counts from the end) is the class label, or the regression target; the others
 * are features. Blank lines are skipped, and so is the file's first line if it has a non-numeric
 * field or a different number of fields than the line after it (a header).
 */
public final class CsvExamples {
  private CsvExamples() {}

  /** The examples of the CSV file(s) at {@code path}, in at least {@code minPartitions} partitions. */
  public static JavaRDD<Example> read(JavaSparkContext spark, String path, int column,
      boolean regression, int minPartitions) {
    return spark.textFile(path, minPartitions).mapPartitionsWithIndex((partition, lines) -> {
      List<Example> out = new ArrayList<>();
      Iterator<String> it = lines;
      String held = null;
      if (partition == 0) {
        String first = nextNonBlank(it);
        String second = first == null ? null : nextNonBlank(it);
        if (first != null && !isHeader(first, second)) {
          out.add(parse(path, first, column, regression));
        }
        held = second;
      }
      if (held != null) {
        out.add(parse(path, held, column, regression));
      }
      while (it.hasNext()) {
        String line = it.next();
        if (!line.isBlank()) {
          out.add(parse(path, line, column, regression));
        }
      }
      return out.iterator();
    }, true);
  }

  private static String nextNonBlank(Iterator<String> lines) {
    while (lines.hasNext()) {
      String line = lines.next();
      if (!line.isBlank()) {
        return line;
      }
    }
    return null;
  }

  private static boolean isHeader(String first, String second) {
    String[] fields = first.split(",", -1);
    for (String f : fields) {
      if (Double.isNaN(CsvReader.number(f))) {
        return true;
      }
    }
    return second != null && second.split(",", -1).length != fields.length;
  }

  /** One data line as an example; errors quote the line (Spark does not know its number). */
  static Example parse(String path, String line, int column, boolean regression) {
    String[] fields = line.split(",", -1);
    int labelColumn = column < 0 ? fields.length + column : column;
    if (labelColumn < 0 || labelColumn >= fields.length) {
      throw new NncException(path + ": label column " + column + " does not exist in line '"
          + abbreviate(line) + "' (" + fields.length + " fields)");
    }
    float[] features = new float[fields.length - 1];
    double label = 0;
    int j = 0;
    for (int c = 0; c < fields.length; c++) {
      double v = CsvReader.number(fields[c]);
      if (Double.isNaN(v)) {
        throw new NncException(path + ": field " + (c + 1) + " is not a finite number: '"
            + fields[c].trim() + "' in line '" + abbreviate(line) + "'");
      }
      if (c == labelColumn) {
        label = v;
      } else {
        features[j++] = (float) v;
      }
    }
    if (regression) {
      return Example.regression(features, new float[] {(float) label});
    }
    if (label != Math.rint(label) || label < 0 || label > Integer.MAX_VALUE) {
      throw new NncException(path + ": label must be a non-negative integer, got " + label
          + " in line '" + abbreviate(line) + "'");
    }
    return Example.classified(features, (int) label);
  }

  private static String abbreviate(String line) {
    return line.length() <= 80 ? line : line.substring(0, 77) + "...";
  }
}
