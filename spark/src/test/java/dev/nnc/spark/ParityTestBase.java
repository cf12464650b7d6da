package dev.nnc.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.Model;
import dev.nnc.runtime.NncException;
import dev.nnc.runtime.Parameter;
import dev.nnc.runtime.data.Dataset;
import dev.nnc.runtime.optim.OptimizerSpec;
import dev.nnc.runtime.train.Trainer;
import dev.nnc.runtime.train.TrainingResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Full-batch SGD on Spark against single-process full-batch SGD: the same weights after 5 steps
 * up to float rounding, for an MLP and for a regression model with an L2 term, with the data in
 * 3 partitions of unequal size (7, 23 and 41 examples). One Spark context per test class; the
 * subclasses choose the master.
 *
 * <p>The bound. A step's gradient differs between the two only in the order its per-example
 * terms are added: the local trainer adds all 71 in f32 inside the generated code; on Spark each
 * partition adds its own in f32 and the driver adds the partitions' sums in double. Each step is
 * then off by a few f32 ulps of the weights it changes (an ulp of 1 is 1.2e-7), and five steps by
 * a few more. The tests allow 2e-6 · max(1, |w|) for f32 (16 ulps of 1; 1.2e-7 was observed) and
 * 1e-14 · max(1, |w|) for f64 (45 ulps of 1; 2.2e-16 was observed). A wrong average (a mean of
 * the partitions' means, a gradient counted twice, a missed partition) is off by 1e-2 or more.
 */
abstract class ParityTestBase {
  static final String MLP = String.join("\n",
      "layer Dense(n_in, n_out)(x: [n_in]) {",
      "  param W: [n_in, n_out] init he;",
      "  param b: [n_out] init normal(0.1);",
      "  return x @ W + b;",
      "}",
      "model Mlp {",
      "  input x: [5];",
      "  label y: class(3);",
      "  let hidden = Dense(5, 8);",
      "  let out = Dense(8, 3);",
      "  let logits = out(tanh(hidden(x)));",
      "  output probs = softmax(logits);",
      "  loss cross_entropy(logits, y);",
      "}");
  static final String RIDGE = String.join("\n",
      "model Ridge {",
      "  input x: [5];",
      "  target t: [2];",
      "  param W: [5, 2] init normal(0.5);",
      "  param b: [2] init zeros;",
      "  output pred = x @ W + b;",
      "  loss mse(x @ W + b, t) + 0.05 * sum(W^2);",
      "}");
  static final int[] SIZES = {7, 23, 41};
  static final int STEPS = 5;
  static final long SEED = 11;
  static final double F32_BOUND = 2e-6;
  static final double F64_BOUND = 1e-14;

  static JavaSparkContext spark;

  abstract String master();

  @BeforeAll
  void startSpark() {
    SparkConf conf = new SparkConf().setMaster(master()).setAppName(getClass().getSimpleName())
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1");
    spark = new JavaSparkContext(conf);
    spark.setLogLevel("WARN");
  }

  @AfterAll
  void stopSpark() {
    if (spark != null) {
      spark.stop();
      spark = null;
    }
  }

  @Test
  void mlpFullBatchMatchesSingleProcess() {
    checkParity(ModelSource.ofSource("mlp.nn", MLP, null, false), classification(), F32_BOUND);
  }

  @Test
  void mlpFullBatchMatchesSingleProcessInF64() {
    checkParity(ModelSource.ofSource("mlp.nn", MLP, null, true), classification(), F64_BOUND);
  }

  @Test
  void l2RegressionFullBatchMatchesSingleProcess() {
    checkParity(ModelSource.ofSource("ridge.nn", RIDGE, null, false), regression(), F32_BOUND);
  }

  @Test
  void l2RegressionFullBatchMatchesSingleProcessInF64() {
    checkParity(ModelSource.ofSource("ridge.nn", RIDGE, null, true), regression(), F64_BOUND);
  }

  @Test
  void miniBatchesMatchTheLocalTrainersSteps() {
    // 3 epochs of 8 batches of 10 (the last of 1), shuffled per epoch: the same 24 steps
    for (boolean f64 : new boolean[] {false, true}) {
      ModelSource source = ModelSource.ofSource("mlp.nn", MLP, null, f64);
      Dataset data = classification();
      Model reference = source.create();
      reference.initialize(SEED);
      TrainingResult expected = new Trainer(reference).seed(SEED).epochs(3).batchSize(10)
          .optimizer(momentum().create()).fit(data, data);
      SparkTrainer trainer = new SparkTrainer(spark, source).seed(SEED).epochs(3).batchSize(10)
          .optimizer(momentum());
      TrainingResult actual = trainer.fit(unequalPartitions(data), data);
      double bound = f64 ? F64_BOUND : 5 * F32_BOUND;
      System.out.printf(java.util.Locale.ROOT, "%s mini-batch %s: max |w_spark - w_local| = %.3g%n",
          master(), f64 ? "f64" : "f32", maxDifference(reference, trainer.model()));
      assertClose(reference, trainer.model(), bound);
      for (int e = 0; e < 3; e++) {
        assertEquals(expected.trainLoss()[e], actual.trainLoss()[e], bound);
        assertEquals(expected.testAccuracy()[e], actual.testAccuracy()[e]);
      }
    }
  }

  @Test
  void oneLocalStepWithMomentumEqualsTheSynchronousStep() {
    // Averaging w + v_p with v_p = mu v - lr g_p, weighted by examples, is w + mu v - lr mean(g).
    ModelSource source = ModelSource.ofSource("mlp.nn", MLP, null, false);
    Dataset data = classification();
    SparkTrainer local = new SparkTrainer(spark, source).seed(SEED).epochs(STEPS).batchSize(1000)
        .localSteps(1).optimizer(momentum());
    local.fit(unequalPartitions(data), null);
    SparkTrainer sync = new SparkTrainer(spark, source).seed(SEED).epochs(STEPS).batchSize(1000)
        .optimizer(momentum());
    sync.fit(unequalPartitions(data), null);
    assertClose(sync.model(), local.model(), F32_BOUND);
    assertTrue(maxDifference(sync.model(), source.create()) > 1e-3);
  }

  @Test
  void miniBatchesAndLocalStepsLowerTheLoss() {
    ModelSource source = ModelSource.ofSource("mlp.nn", MLP, null, false);
    Dataset data = classification();
    for (int k : new int[] {0, 3, -2}) {
      // -2: Adam with 2 local steps, whose moments and step count are averaged and carried over
      OptimizerSpec spec = k >= 0 ? momentum() : OptimizerSpec.parse("adam", Map.of("lr", 0.05));
      SparkTrainer trainer = new SparkTrainer(spark, source).seed(SEED).epochs(8).batchSize(10)
          .localSteps(Math.abs(k)).optimizer(spec);
      TrainingResult r = trainer.fit(data, 3, data);
      double[] loss = r.trainLoss();
      assertEquals(8, loss.length);
      assertTrue(loss[7] < 0.8 * loss[0], "local steps " + k + ": loss " + loss[0] + " -> " + loss[7]);
      if (k >= 0) {
        // (single-process Adam at this rate stays near 0.6 on this data: labels of the first 30
        // rows do not depend on the features)
        assertTrue(r.last().testAccuracy() > 0.6, k + ": accuracy " + r.last().testAccuracy());
      }
      if (k == -2) {
        // 8 epochs of 8 batches: 4 rounds of 2 local steps per epoch
        assertEquals(64, trainer.optimizer().steps());
        assertTrue(trainer.optimizer().exportState().containsKey("hidden.W.m"));
      }
    }
  }

  @Test
  void csvReadBySparkAndExamplesEqualTheLocalReader(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    StringBuilder csv = new StringBuilder("a,b,c,d,e,label\n");
    Dataset data = classification();
    for (int r = 0; r < data.rows(); r++) {
      for (int j = 0; j < 5; j++) {
        csv.append(data.features()[r * 5 + j]).append(',');
      }
      csv.append(data.labels()[r]).append(r % 10 == 0 ? "\n\n" : "\n");
    }
    java.nio.file.Path plain = dir.resolve("t.csv");
    java.nio.file.Files.writeString(plain, csv);
    java.nio.file.Path gz = dir.resolve("t.csv.gz");
    try (java.io.OutputStream out = new java.util.zip.GZIPOutputStream(
        java.nio.file.Files.newOutputStream(gz))) {
      out.write(csv.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    Dataset local = new dev.nnc.runtime.data.CsvReader().read(plain);
    List<List<Example>> sources = List.of(
        CsvExamples.read(spark, plain.toString(), -1, false, 3).collect(),
        CsvExamples.read(spark, gz.toString(), -1, false, 3).collect(),
        SparkTrainer.examples(spark, local, 3).collect());
    for (List<Example> read : sources) {
      assertEquals(local.rows(), read.size());
      for (int r = 0; r < read.size(); r++) {
        assertEquals(local.labels()[r], read.get(r).label());
        org.junit.jupiter.api.Assertions.assertArrayEquals(
            java.util.Arrays.copyOfRange(local.features(), r * 5, r * 5 + 5), read.get(r).features());
      }
    }
    NncException e = assertThrows(NncException.class, () -> CsvExamples.parse("t.csv",
        "1,2,x,3", -1, false));
    assertEquals("t.csv: field 3 is not a finite number: 'x' in line '1,2,x,3'", e.getMessage());
  }

  @Test
  void aModelClassOnTheClassPathMatchesSingleProcess() {
    // the class travels by name and each executor thread instantiates it
    Dataset data = regression();
    float[] t = new float[data.rows()];
    for (int r = 0; r < t.length; r++) {
      t[r] = data.targets()[r * 2];
    }
    Dataset oneTarget = Dataset.regression("synthetic", data.features(), data.rows(), 5, t, 1);
    checkParity(ModelSource.ofClass(HandWrittenRidge.class), oneTarget, F32_BOUND);
    NncException e = assertThrows(NncException.class,
        () -> new SparkTrainer(spark, ModelSource.ofClassName("no.such.Model")).model());
    assertTrue(e.getMessage().startsWith("model class no.such.Model is not on the class path"),
        e.getMessage());
  }

  @Test
  void badDataIsOneClearMessage() {
    ModelSource source = ModelSource.ofSource("mlp.nn", MLP, null, false);
    // found on the driver from the partitions' summaries
    JavaRDD<Example> narrow = spark.parallelize(List.of(0, 1), 2)
        .map(i -> Example.classified(new float[4], i));
    NncException e = assertThrows(NncException.class,
        () -> new SparkTrainer(spark, source).fit(narrow, null));
    assertEquals("model input x has 5 values per example but the examples of partition 0 have 4"
        + " features", e.getMessage());
    JavaRDD<Example> badLabel = spark.parallelize(List.of(0, 7), 2)
        .map(i -> Example.classified(new float[5], i));
    e = assertThrows(NncException.class, () -> new SparkTrainer(spark, source).fit(badLabel, null));
    assertEquals("partition 1 has label 7 but model label y has 3 classes (0..2)", e.getMessage());
    // found in a task on an executor: the message comes back without Spark's stack trace
    JavaRDD<Example> mixed = spark.parallelize(List.of(5, 4), 1)
        .map(n -> Example.classified(new float[n], 0));
    e = assertThrows(NncException.class, () -> new SparkTrainer(spark, source).fit(mixed, null));
    assertEquals("Spark job failed: partition 0, example 2: 4 features, but the partition's first"
        + " example has 5", e.getMessage());
  }

  private void checkParity(ModelSource source, Dataset data, double bound) {
    Model reference = source.create();
    reference.initialize(SEED);
    TrainingResult expected = new Trainer(reference).seed(SEED).epochs(STEPS).batchSize(1000)
        .optimizer(momentum().create()).fit(data, null);

    SparkTrainer trainer = new SparkTrainer(spark, source).seed(SEED).epochs(STEPS)
        .batchSize(1000).optimizer(momentum());
    TrainingResult actual = trainer.fit(unequalPartitions(data), null);

    System.out.printf(java.util.Locale.ROOT, "%s %s: max |w_spark - w_local| = %.3g (bound %.0e)%n",
        master(), source.describe(), maxDifference(reference, trainer.model()), bound);
    assertClose(reference, trainer.model(), bound);
    // The loss is the mean over all examples: with partitions of 7, 23 and 41 examples a mean of
    // the partitions' means would differ from it by far more than the bound.
    for (int e = 0; e < STEPS; e++) {
      double want = expected.trainLoss()[e];
      assertEquals(want, actual.trainLoss()[e], bound * Math.max(1, Math.abs(want)),
          "loss of step " + (e + 1));
    }
    double meanOfMeans = meanOfPartitionMeans(source, data);
    assertNotEquals(expected.trainLoss()[0], meanOfMeans, 1e-3,
        "the data must tell the two averages apart");
    // And the weights really moved: the parity is not two untouched initializations.
    Model initial = source.create();
    initial.initialize(SEED);
    assertTrue(maxDifference(initial, reference) > 1e-3);
  }

  /** The first step's loss as a mean of the three partitions' mean losses (what must not happen). */
  private static double meanOfPartitionMeans(ModelSource source, Dataset data) {
    Model m = source.create();
    m.initialize(SEED);
    Trainer evaluator = new Trainer(m).batchSize(1000);
    double sum = 0;
    int from = 0;
    for (int size : SIZES) {
      int[] rows = new int[size];
      for (int i = 0; i < size; i++) {
        rows[i] = from + i;
      }
      sum += evaluator.evaluate(data.select(rows, "part")).loss();
      from += size;
    }
    return sum / SIZES.length;
  }

  static OptimizerSpec momentum() {
    return OptimizerSpec.parse("sgd", Map.of("lr", 0.1, "momentum", 0.9));
  }

  /** The rows of {@code data} in 3 partitions of {@link #SIZES} consecutive rows. */
  static JavaRDD<Example> unequalPartitions(Dataset data) {
    int f = data.featureCount();
    int ts = data.targetSize();
    List<List<Example>> parts = new ArrayList<>();
    int from = 0;
    for (int size : SIZES) {
      List<Example> part = new ArrayList<>();
      for (int r = from; r < from + size; r++) {
        float[] x = java.util.Arrays.copyOfRange(data.features(), r * f, r * f + f);
        part.add(data.hasLabels() ? Example.classified(x, data.labels()[r])
            : Example.regression(x, java.util.Arrays.copyOfRange(data.targets(), r * ts, r * ts + ts)));
      }
      parts.add(part);
      from += size;
    }
    JavaRDD<Example> rdd = spark.parallelize(List.of(0, 1, 2), 3).flatMap(p -> parts.get(p).iterator());
    List<Integer> sizes = rdd.glom().map(List::size).collect();
    assertEquals(List.of(7, 23, 41), sizes);
    return rdd;
  }

  static Dataset classification() {
    int n = 71;
    SplittableRandom r = new SplittableRandom(3);
    float[] x = new float[n * 5];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int j = 0; j < 5; j++) {
        x[i * 5 + j] = (float) (r.nextDouble() * 2 - 1);
        s += x[i * 5 + j] * (j + 1);
      }
      // the partitions differ in their classes, so their mean losses differ
      y[i] = i < 30 ? 0 : s > 0 ? 1 : 2;
    }
    return Dataset.classification("synthetic", x, n, 5, y);
  }

  static Dataset regression() {
    int n = 71;
    SplittableRandom r = new SplittableRandom(5);
    float[] x = new float[n * 5];
    float[] t = new float[n * 2];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < 5; j++) {
        x[i * 5 + j] = (float) (r.nextDouble() * 2 - 1);
      }
      t[i * 2] = x[i * 5] - 2 * x[i * 5 + 3] + (i < 30 ? 1 : 0);
      t[i * 2 + 1] = (float) (0.5 * x[i * 5 + 1] + r.nextDouble() * 0.1);
    }
    return Dataset.regression("synthetic", x, n, 5, t, 2);
  }

  static void assertClose(Model expected, Model actual, double bound) {
    List<Parameter> a = expected.parameters();
    List<Parameter> b = actual.parameters();
    assertEquals(a.size(), b.size());
    for (int k = 0; k < a.size(); k++) {
      for (int i = 0; i < a.get(k).size(); i++) {
        double want = a.get(k).get(i);
        double got = b.get(k).get(i);
        assertEquals(want, got, bound * Math.max(1, Math.abs(want)), a.get(k).name() + "[" + i + "]");
      }
    }
  }

  static double maxDifference(Model a, Model b) {
    double max = 0;
    for (int k = 0; k < a.parameters().size(); k++) {
      Parameter p = a.parameters().get(k);
      Parameter q = b.parameters().get(k);
      for (int i = 0; i < p.size(); i++) {
        max = Math.max(max, Math.abs(p.get(i) - q.get(i)));
      }
    }
    return max;
  }
}
