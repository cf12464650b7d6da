package dev.nnc.cli;

import static dev.nnc.cli.CliRun.sample;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * {@code nnc train --spark} without the nnc-spark module (the command line's own class path):
 * one line saying how to get it. The module's own tests run the option with Spark.
 */
class SparkOptionTest {
  @Test
  void sparkIsNotOnTheCommandLinesClassPath() {
    assertThrows(ClassNotFoundException.class, () -> Class.forName(SparkOption.ENTRY));
    CliRun.of("train", sample("digits.nn"), "--spark", "local[2]", "--epochs", "1")
        .userError(1, "--spark needs the nnc-spark module", "docs/spark.md");
  }
}
