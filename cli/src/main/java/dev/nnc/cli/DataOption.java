package dev.nnc.cli;

import dev.nnc.runtime.NncException;
import dev.nnc.runtime.data.CsvReader;
import dev.nnc.runtime.data.Dataset;
import dev.nnc.runtime.data.IdxReader;
import dev.nnc.runtime.data.Split;
import dev.nnc.runtime.io.InputFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The {@code --data} option: {@code digits} (the UCI digits table shipped inside nnc),
 * {@code mnist:DIR} (the four IDX files), or {@code csv:FILE[:LABEL_COLUMN]}. Tables without a
 * test part are split 80/20 with the seed.
 */
final class DataOption {
  private DataOption() {}

  /**
   * Train and test parts of the data the option names; for a {@code regression} model the CSV
   * column is a real-valued target instead of a class label.
   */
  static Split load(String spec, long seed, boolean regression) {
    if (spec != null && spec.startsWith("mnist:")) {
      Path dir = mnistDir(spec);
      Dataset train = IdxReader.read(find(dir, "train-images-idx3-ubyte"),
          find(dir, "train-labels-idx1-ubyte"));
      return new Split(train, mnistTest(dir));
    }
    return whole(spec, regression).split(0.8, seed);
  }

  /** All rows the option names: a whole table, or MNIST's test set. */
  static Dataset whole(String spec, boolean regression) {
    if (spec == null || spec.equals("digits")) {
      return new CsvReader().read(embeddedDigits());
    }
    if (spec.startsWith("mnist:")) {
      return mnistTest(mnistDir(spec));
    }
    if (spec.startsWith("csv:")) {
      String rest = spec.substring("csv:".length());
      Integer column = null;
      int colon = rest.lastIndexOf(':');
      if (colon > 0 && rest.substring(colon + 1).matches("-?[0-9]+")) {
        column = Integer.parseInt(rest.substring(colon + 1));
        rest = rest.substring(0, colon);
      }
      Path file = Path.of(rest);
      try {
        InputFile.check(file);
      } catch (NncException e) {
        throw new UserError("--data " + spec + ": " + e.getMessage());
      }
      CsvReader reader = new CsvReader();
      if (regression) {
        reader.targetColumn(column != null ? column : -1);
      } else if (column != null) {
        reader.labelColumn(column);
      }
      return reader.read(file);
    }
    throw new UserError("--data: expected digits, mnist:DIR or csv:FILE[:LABEL_COLUMN], got '"
        + spec + "'", 2);
  }

  private static Path mnistDir(String spec) {
    Path dir = Path.of(spec.substring("mnist:".length()));
    if (!Files.isDirectory(dir)) {
      throw new UserError("--data " + spec + ": " + dir + " is not a directory");
    }
    return dir;
  }

  private static Dataset mnistTest(Path dir) {
    return IdxReader.read(find(dir, "t10k-images-idx3-ubyte"), find(dir, "t10k-labels-idx1-ubyte"));
  }

  private static Path find(Path dir, String base) {
    for (String name : new String[] {base, base + ".gz"}) {
      Path p = dir.resolve(name);
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new UserError("--data mnist:" + dir + ": missing " + base + "(.gz)");
  }

  /** The shipped digits table, copied to a temporary file for the CSV reader. */
  private static Path embeddedDigits() {
    try (InputStream in = DataOption.class.getResourceAsStream("digits.csv.gz")) {
      if (in == null) {
        throw new IllegalStateException("the embedded digits table is missing from the nnc jar");
      }
      Path dir = Files.createTempDirectory("nnc-");
      Path temp = dir.resolve("digits.csv.gz");
      dir.toFile().deleteOnExit();
      temp.toFile().deleteOnExit();
      Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
      return temp;
    } catch (IOException e) {
      throw new UserError("cannot unpack the embedded digits table: " + e.getMessage());
    }
  }
}
