package dev.nnc.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.cli.Main;
import dev.nnc.runtime.io.SafeTensors;
import dev.nnc.runtime.io.TensorFile;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nnc train --spark local[2]} end to end through the command line's reflective hook: it
 * trains the digits MLP, writes the same checkpoint format as the local trainer ({@code nnc
 * predict} reads it, the local trainer resumes from it) and resumes from a local checkpoint.
 */
class SparkCommandTest {
  private static final Pattern ACCURACY = Pattern.compile("final: test accuracy ([0-9.]+)%");

  @TempDir
  Path dir;

  record Run(int exit, String out, String err) {}

  static Run nnc(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.run(args, new PrintWriter(out), new PrintWriter(err));
    return new Run(exit, out.toString(), err.toString());
  }

  static String digits() {
    Path root = Path.of(System.getProperty("nnc.root", System.getProperty("user.dir") + "/.."));
    return root.resolve("generated-samples/src/main/nn/digits.nn").toString();
  }

  static double accuracy(Run r) {
    Matcher m = ACCURACY.matcher(r.out());
    assertTrue(m.find(), r.out() + r.err());
    return Double.parseDouble(m.group(1)) / 100;
  }

  @Test
  void trainsOnSparkAndShareCheckpointsWithTheLocalTrainer() throws Exception {
    Path spark = dir.resolve("spark.safetensors");
    Run trained = nnc("train", digits(), "--spark", "local[2]", "--epochs", "3", "--save",
        spark.toString());
    assertEquals(0, trained.exit(), trained.out() + trained.err());
    assertTrue(trained.out().contains("on Spark local[2]: 2 partitions, synchronous SGD"),
        trained.out());
    assertEquals(3, trained.out().lines().filter(l -> l.startsWith("epoch ")).count(), trained.out());
    assertTrue(accuracy(trained) > 0.9, trained.out());

    TensorFile file = SafeTensors.read(spark);
    assertEquals("3", file.metadata().get("epoch"));
    assertEquals("Digits", file.metadata().get("model"));
    assertTrue(file.metadata().containsKey("normalizer"));
    assertTrue(file.metadata().get("optimizer").startsWith("sgd("));

    Path predictions = dir.resolve("p.csv");
    Run predicted = nnc("predict", digits(), "--weights", spark.toString(), "--output",
        predictions.toString());
    assertEquals(0, predicted.exit(), predicted.err());
    assertTrue(Files.readAllLines(predictions).size() > 1000);

    // the local trainer resumes a Spark checkpoint, and Spark resumes a local one
    Path local = dir.resolve("local.safetensors");
    Files.copy(spark, local);
    Run resumedLocally = nnc("train", digits(), "--epochs", "4", "--resume", local.toString(),
        "--save", local.toString());
    assertEquals(0, resumedLocally.exit(), resumedLocally.err());
    assertTrue(resumedLocally.out().contains("resumed " + local + " after epoch 3"));
    Run resumedOnSpark = nnc("train", digits(), "--spark", "local[2]", "--epochs", "5",
        "--resume", local.toString(), "--save", spark.toString());
    assertEquals(0, resumedOnSpark.exit(), resumedOnSpark.out() + resumedOnSpark.err());
    assertTrue(resumedOnSpark.out().contains("after epoch 4"), resumedOnSpark.out());
    assertEquals(1, resumedOnSpark.out().lines().filter(l -> l.startsWith("epoch ")).count());
    assertEquals("5", SafeTensors.read(spark).metadata().get("epoch"));
    assertTrue(accuracy(resumedOnSpark) > 0.9, resumedOnSpark.out());
  }

  @Test
  void aFailedTaskIsOneLine() {
    Run bad = nnc("train", digits(), "--spark", "nonsense://x", "--epochs", "1");
    assertEquals(1, bad.exit(), bad.out() + bad.err());
    assertEquals(1, bad.err().lines().count(), bad.err());
    assertTrue(bad.err().startsWith("nnc: "), bad.err());
  }
}
