package dev.nnc.cli;

import dev.nnc.runtime.data.CsvReader;
import dev.nnc.runtime.data.Dataset;
import dev.nnc.runtime.data.IdxReader;
import dev.nnc.runtime.data.Split;
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

  /** Train and test parts of the data the option names. */
  static Split load(String spec, long seed) {
    if (spec == null || spec.equals("digits")) {
      Dataset digits = new CsvReader().read(embeddedDigits());
      return digits.split(0.8, seed);
    }
    if (spec.startsWith("mnist:")) {
      Path dir = Path.of(spec.substring("mnist:".length()));
      if (!Files.isDirectory(dir)) {
        throw new UserError("--data " + spec + ": " + dir + " is not a directory");
      }
      Dataset train = IdxReader.read(find(dir, "train-images-idx3-ubyte"),
          find(dir, "train-labels-idx1-ubyte"));
      Dataset test = IdxReader.read(find(dir, "t10k-images-idx3-ubyte"),
          find(dir, "t10k-labels-idx1-ubyte"));
      return new Split(train, test);
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
      if (!Files.isRegularFile(file)) {
        throw new UserError("--data " + spec + ": " + file + ": no such file");
      }
      CsvReader reader = new CsvReader();
      if (column != null) {
        reader.labelColumn(column);
      }
      return reader.read(file).split(0.8, seed);
    }
    throw new UserError("--data: expected digits, mnist:DIR or csv:FILE[:LABEL_COLUMN], got '"
        + spec + "'", 2);
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
