package dev.nnc.spark;

import dev.nnc.runtime.Model;
import dev.nnc.runtime.NncException;
import dev.nnc.runtime.data.Dataset;
import dev.nnc.runtime.optim.LrSchedule;
import dev.nnc.runtime.optim.Optimizer;
import dev.nnc.runtime.optim.OptimizerSpec;
import dev.nnc.runtime.train.EpochCallback;
import dev.nnc.runtime.train.ProgressListener;
import dev.nnc.runtime.train.TrainingResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The entry point of {@code nnc train MODEL.nn --spark MASTER}: the command line finds this class
 * by name (it has no compile-time Spark dependency) and hands it the training it has set up, data
 * read, normalized and split, model initialized or resumed, for a {@link SparkTrainer} to run
 * instead of the local trainer. Two Spark properties tune it (from {@code -Dspark.nnc...=}, e.g.
 * in {@code NNC_JAVA_OPTS}, or {@code spark-defaults.conf}): {@code spark.nnc.partitions} (default:
 * the master's default parallelism) and {@code spark.nnc.localSteps} (default 0: synchronous).
 */
public final class SparkCommand {
  private SparkCommand() {}

  /**
   * Trains {@code model} (the driver's instance, built from {@code file}) on a new Spark context
   * for {@code master}, stopped before returning. The signature is the command line's contract
   * with this module: it is called reflectively.
   */
  public static TrainingResult fit(String master, Path file, String modelName, boolean f64,
      Model model, Dataset train, Dataset test, OptimizerSpec spec, Optimizer optimizer,
      LrSchedule schedule, int epochs, int firstEpoch, int batch, long seed,
      ProgressListener listener, EpochCallback onEpochEnd, PrintWriter out) {
    if (System.getProperty("log4j2.configurationFile") == null) {
      // Spark logs every job at INFO; the command line shows warnings and errors only.
      System.setProperty("log4j2.configurationFile", "classpath:dev/nnc/spark/log4j2-cli.properties");
    }
    ModelSource source = ModelSource.ofFile(file, modelName, f64);
    SparkConf conf = new SparkConf().setMaster(master)
        .setAppName("nnc train " + file.getFileName());
    if (master.startsWith("local")) {
      // a local run needs no web UI and must not listen on the machine's network address
      conf.setIfMissing("spark.ui.enabled", "false");
      conf.setIfMissing("spark.driver.host", "127.0.0.1");
      conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
    }
    JavaSparkContext spark;
    try {
      spark = new JavaSparkContext(conf);
    } catch (Exception e) { // Scala code throws the checked SparkException undeclared
      throw new NncException("cannot start Spark with master '" + master + "': "
          + SparkTrainer.taskMessage(e));
    }
    try {
      int partitions = spark.getConf().getInt("spark.nnc.partitions", spark.defaultParallelism());
      int localSteps = spark.getConf().getInt("spark.nnc.localSteps", 0);
      out.printf(Locale.ROOT, "on Spark %s: %d partitions, %s%n", master, partitions,
          localSteps == 0 ? "synchronous SGD (one job per step)"
              : "weights averaged every " + localSteps + " local steps");
      out.flush();
      SparkTrainer trainer = new SparkTrainer(spark, source).model(model).seed(seed)
          .epochs(epochs).firstEpoch(firstEpoch).batchSize(batch).localSteps(localSteps)
          .optimizer(spec).optimizerState(optimizer.exportState()).schedule(schedule)
          .listener(listener);
      if (onEpochEnd != null) {
        trainer.onEpochEnd(onEpochEnd);
      }
      return trainer.fit(train, partitions, test);
    } finally {
      spark.stop();
    }
  }
}
