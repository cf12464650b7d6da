package dev.nnc.spark.bench;

import dev.nnc.runtime.Model;
import dev.nnc.runtime.NncException;
import dev.nnc.runtime.data.Dataset;
import dev.nnc.runtime.data.IdxReader;
import dev.nnc.runtime.io.Json;
import dev.nnc.runtime.optim.OptimizerSpec;
import dev.nnc.runtime.train.Trainer;
import dev.nnc.runtime.train.TrainingResult;
import dev.nnc.spark.ModelSource;
import dev.nnc.spark.SparkTrainer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A benchmark, not a test: training throughput of the MNIST MLP (784-256-10) in examples per
 * second with nnc's single-process trainer and with {@link SparkTrainer} on {@code local[1]} and
 * {@code local[2]} (synchronous, and with local steps), and Spark's fixed cost per step (a step on
 * a batch of one example). Each configuration trains one warm-up epoch and then {@code rounds}
 * timed epochs on the same {@code steps · batch} MNIST examples; the median epoch counts. Writes
 * the figures as JSON and the BENCHMARKS.md section rendered from them:
 *
 * <pre>
 * java SPARK_FLAGS -cp cli/target/nnc.jar:spark/target/nnc-spark.jar:'spark/target/lib/*' \
 *     dev.nnc.spark.bench.SparkBenchmark MODEL.nn MNIST_DIR OUT.json OUT.md [steps] [batch] [rounds]
 * java ... dev.nnc.spark.bench.SparkBenchmark --report IN.json OUT.md
 * </pre>
 *
 * (spark/bench.sh does both with the repository's paths.)
 */
public final class SparkBenchmark {
  private SparkBenchmark() {}

  public static void main(String[] args) throws IOException {
    if (System.getProperty("log4j2.configurationFile") == null) {
      System.setProperty("log4j2.configurationFile", "classpath:dev/nnc/spark/log4j2-cli.properties");
    }
    if (args.length == 3 && args[0].equals("--report")) {
      writeAtomically(Path.of(args[2]), SparkReport.render(Json.parse(Files.readString(Path.of(args[1])))));
      return;
    }
    if (args.length < 4) {
      System.err.println("usage: SparkBenchmark MODEL.nn MNIST_DIR OUT.json OUT.md [steps] [batch] [rounds]"
          + " | --report IN.json OUT.md");
      System.exit(2);
    }
    Path model = Path.of(args[0]);
    Path mnist = Path.of(args[1]);
    int steps = args.length > 4 ? Integer.parseInt(args[4]) : 200;
    int batch = args.length > 5 ? Integer.parseInt(args[5]) : 64;
    int rounds = args.length > 6 ? Integer.parseInt(args[6]) : 3;
    Dataset all = IdxReader.read(find(mnist, "train-images-idx3-ubyte"),
        find(mnist, "train-labels-idx1-ubyte"));
    if ((long) steps * batch > all.rows()) {
      throw new NncException(steps + " steps of " + batch + " need more than MNIST's " + all.rows()
          + " training examples");
    }
    int[] rows = new int[steps * batch];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = i;
    }
    Dataset data = all.select(rows, "mnist");
    ModelSource source = ModelSource.ofFile(model, null, false);
    OptimizerSpec sgd = OptimizerSpec.parse("sgd", Map.of("lr", 0.05, "momentum", 0.9));

    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model", model.getFileName().toString());
    out.put("examples", data.rows());
    out.put("batch", batch);
    out.put("steps_per_epoch", steps);
    out.put("rounds", rounds);
    out.put("cores", Runtime.getRuntime().availableProcessors());
    out.put("java", System.getProperty("java.version"));
    out.put("spark", org.apache.spark.package$.MODULE$.SPARK_VERSION());
    out.put("loadavg_before", loadAverage());
    List<Object> results = new ArrayList<>();

    // The single-process runs come first: Spark's executors switch the runtime's matrix kernel to
    // one thread for the rest of the JVM's life (see Worker), and the plain trainer is measured
    // as users run it, with the kernel's two threads.
    results.add(result("plain", "single-process Trainer", batch, 0, data.rows(),
        plain(source, data, batch, sgd, rounds)));
    results.add(result("plain-b1", "single-process Trainer, batch 1", 1, 0, 200,
        plain(source, data.select(java.util.Arrays.copyOf(rows, 200), "mnist"), 1, sgd, rounds)));
    for (String master : new String[] {"local[1]", "local[2]"}) {
      JavaSparkContext spark = start(master);
      try {
        int partitions = spark.defaultParallelism();
        results.add(result(master, master + ", synchronous", batch, 0, data.rows(),
            onSpark(spark, source, data, partitions, batch, 0, sgd, rounds)));
        results.add(result(master + "-b1", master + ", synchronous, batch 1", 1, 0, 200,
            onSpark(spark, source, data.select(java.util.Arrays.copyOf(rows, 200), "mnist"),
                partitions, 1, 0, sgd, rounds)));
        if (partitions > 1) {
          results.add(result(master + "-local8", master + ", 8 local steps", batch, 8, data.rows(),
              onSpark(spark, source, data, partitions, batch, 8, sgd, rounds)));
        }
      } finally {
        spark.stop();
      }
    }
    out.put("results", results);
    out.put("loadavg_after", loadAverage());
    String json = Json.write(out);
    writeAtomically(Path.of(args[2]), json + "\n");
    writeAtomically(Path.of(args[3]), SparkReport.render(Json.parse(json)));
    System.out.println(json);
  }

  private static Map<String, Object> result(String id, String label, int batch, int localSteps,
      int examples, double[] seconds) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("id", id);
    r.put("label", label);
    r.put("batch", batch);
    r.put("local_steps", localSteps);
    r.put("examples", examples);
    List<Double> all = new ArrayList<>();
    for (double s : seconds) {
      all.add(s);
    }
    r.put("epoch_seconds", all);
    double median = median(seconds);
    r.put("median_seconds", median);
    r.put("examples_per_second", examples / median);
    r.put("seconds_per_step", median / ((examples + batch - 1) / batch));
    System.err.printf(Locale.ROOT, "%-36s %10.0f ex/s  %8.2f ms/step%n", label, examples / median,
        1000 * median / ((examples + batch - 1) / batch));
    return r;
  }

  /** Epoch wall times of the local trainer after a warm-up epoch. */
  private static double[] plain(ModelSource source, Dataset data, int batch, OptimizerSpec sgd,
      int rounds) {
    Model m = source.create();
    m.initialize(1);
    double[] seconds = new double[rounds];
    new Trainer(m).epochs(1).batchSize(batch).optimizer(sgd.create()).fit(data, null);
    for (int r = 0; r < rounds; r++) {
      TrainingResult t = new Trainer(m).epochs(1).batchSize(batch).seed(r).optimizer(sgd.create())
          .fit(data, null);
      seconds[r] = t.last().seconds();
    }
    return seconds;
  }

  /** Epoch wall times on Spark after a warm-up epoch (which also compiles the executors' model). */
  private static double[] onSpark(JavaSparkContext spark, ModelSource source, Dataset data,
      int partitions, int batch, int localSteps, OptimizerSpec sgd, int rounds) {
    SparkTrainer trainer = new SparkTrainer(spark, source).seed(1).epochs(1 + rounds)
        .batchSize(batch).localSteps(localSteps).optimizer(sgd);
    TrainingResult t = trainer.fit(data, partitions, null);
    double[] seconds = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      seconds[r] = t.epochs().get(r + 1).seconds();
    }
    return seconds;
  }

  private static JavaSparkContext start(String master) {
    SparkConf conf = new SparkConf().setMaster(master).setAppName("nnc spark benchmark")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1");
    JavaSparkContext spark = new JavaSparkContext(conf);
    spark.setLogLevel("WARN");
    return spark;
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    java.util.Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static Path find(Path dir, String base) {
    for (String name : new String[] {base, base + ".gz"}) {
      Path p = dir.resolve(name);
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new NncException(dir + ": missing " + base + "(.gz)");
  }

  static void writeAtomically(Path path, String text) throws IOException {
    Path dir = path.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path temp = Files.createTempFile(dir, path.getFileName().toString(), ".tmp");
    Files.writeString(temp, text, StandardCharsets.UTF_8);
    Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
