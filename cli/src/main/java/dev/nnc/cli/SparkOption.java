package dev.nnc.cli;

import dev.nnc.runtime.Model;
import dev.nnc.runtime.data.Dataset;
import dev.nnc.runtime.optim.LrSchedule;
import dev.nnc.runtime.optim.Optimizer;
import dev.nnc.runtime.optim.OptimizerSpec;
import dev.nnc.runtime.train.EpochCallback;
import dev.nnc.runtime.train.ProgressListener;
import dev.nnc.runtime.train.TrainingResult;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;

/**
 * {@code nnc train --spark MASTER}: hands the training to the optional nnc-spark module, found by
 * name at run time so that the command line has no Spark dependency.
 */
final class SparkOption {
  static final String ENTRY = "dev.nnc.spark.SparkCommand";
  static final String MISSING = "--spark needs the nnc-spark module and Spark's jars on the class"
      + " path: run ./nnc from the repository (it builds them with 'mvn -B -DskipTests package -pl"
      + " spark -am'), see docs/spark.md";

  private SparkOption() {}

  /** Fails with the one-line {@link #MISSING} message unless the module and Spark are loadable. */
  static void require() {
    try {
      Class.forName(ENTRY);
      Class.forName("org.apache.spark.api.java.JavaSparkContext");
    } catch (ClassNotFoundException | LinkageError e) {
      throw new UserError(MISSING);
    }
  }

  /** Runs {@code dev.nnc.spark.SparkCommand.fit} with these arguments (see there). */
  static TrainingResult fit(String master, Path file, String modelName, boolean f64, Model model,
      Dataset train, Dataset test, OptimizerSpec spec, Optimizer optimizer, LrSchedule schedule,
      int epochs, int firstEpoch, int batch, long seed, ProgressListener listener,
      EpochCallback onEpochEnd, PrintWriter out) {
    Method fit;
    try {
      fit = Class.forName(ENTRY).getMethod("fit", String.class, Path.class, String.class,
          boolean.class, Model.class, Dataset.class, Dataset.class, OptimizerSpec.class,
          Optimizer.class, LrSchedule.class, int.class, int.class, int.class, long.class,
          ProgressListener.class, EpochCallback.class, PrintWriter.class);
    } catch (ClassNotFoundException | NoSuchMethodException | LinkageError e) {
      throw new UserError(MISSING);
    }
    try {
      return (TrainingResult) fit.invoke(null, master, file, modelName, f64, model, train, test,
          spec, optimizer, schedule, epochs, firstEpoch, batch, seed, listener, onEpochEnd, out);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof LinkageError) {
        throw new UserError(MISSING);
      }
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      throw new IllegalStateException(cause);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }
}
