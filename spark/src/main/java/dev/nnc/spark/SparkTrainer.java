package dev.nnc.spark;

import dev.nnc.runtime.Model;
import dev.nnc.runtime.NncException;
import dev.nnc.runtime.Parameter;
import dev.nnc.runtime.Slot;
import dev.nnc.runtime.Tensor;
import dev.nnc.runtime.data.Dataset;
import dev.nnc.runtime.io.SafeTensors;
import dev.nnc.runtime.optim.LrSchedule;
import dev.nnc.runtime.optim.Optimizer;
import dev.nnc.runtime.optim.OptimizerSpec;
import dev.nnc.runtime.train.EpochCallback;
import dev.nnc.runtime.train.EpochStats;
import dev.nnc.runtime.train.Evaluation;
import dev.nnc.runtime.train.ProgressListener;
import dev.nnc.runtime.train.Trainer;
import dev.nnc.runtime.train.TrainingResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;

/**
 * Trains a generated {@link Model} on Apache Spark with synchronous data-parallel SGD, the pattern
 * of Spark MLlib's own gradient descent: per step the driver broadcasts the weights, every
 * partition computes the sum of its examples' gradients with the model's {@code forwardBackward},
 * {@code treeAggregate} adds the sums up, and the driver divides by the number of examples in the
 * step and applies the optimizer. With {@link #localSteps(int) localSteps(k)} each partition
 * instead takes k optimizer steps on its own rows and the driver averages the weights (and the
 * optimizer state), one Spark job per k steps.
 *
 * <p>Step k of an epoch trains on exactly the examples of the local {@link Trainer}'s step k for
 * the same seed: the epoch's shuffled order is computed from the seed on every executor over the
 * examples numbered partition by partition, and each partition takes the examples of batch k
 * that it holds. Rows never move between partitions. So for the same data in the same order
 * (e.g. {@link #fit(Dataset, int, Dataset)}), training on Spark gives the local trainer's weights
 * up to float rounding, for any batch size (rounding differences can grow over many steps of a
 * non-convex loss; on the digits MLP the 20 epochs' losses agree to 4 digits). Only the
 * partitions' shares of a batch vary from step to step (binomially, about {@code batchSize /
 * partitions} each).
 *
 * <p>The driver keeps its own model instance (see {@link #model()}): it holds the weights between
 * steps, is evaluated on the test set after each epoch, and is what epoch callbacks and
 * checkpoints see. The result is the same {@link TrainingResult} as {@link Trainer#fit}'s.
 */
public final class SparkTrainer {
  private final JavaSparkContext spark;
  private final ModelSource source;
  private Model model;
  private int epochs = 10;
  private int firstEpoch = 1;
  private int batchSize = 32;
  private int localSteps;
  private int treeDepth = 2;
  private long seed;
  private OptimizerSpec optimizerSpec;
  private Map<String, Tensor> optimizerState;
  private Optimizer optimizer;
  private LrSchedule schedule = LrSchedule.constant();
  private ProgressListener listener = ProgressListener.silent();
  private final List<EpochCallback> callbacks = new ArrayList<>();
  private String accuracyOutput;

  /** A trainer on {@code spark} for the model {@code source} builds on the driver and executors. */
  public SparkTrainer(JavaSparkContext spark, ModelSource source) {
    this.spark = spark;
    this.source = source;
  }

  /**
   * The driver's model to start from, e.g. one loaded from a checkpoint; it must be built from the
   * same source (default: a new instance initialized with the seed when {@link #fit} starts).
   */
  public SparkTrainer model(Model model) {
    this.model = model;
    return this;
  }

  /** The driver's model: the trained weights after {@link #fit}. */
  public Model model() {
    if (model == null) {
      model = source.create();
      model.initialize(seed);
    }
    return model;
  }

  /** The last epoch number (default 10). */
  public SparkTrainer epochs(int epochs) {
    if (epochs < 0) {
      throw new NncException("the number of epochs must be >= 0, got " + epochs);
    }
    this.epochs = epochs;
    return this;
  }

  /** The first epoch number (default 1), to resume after a checkpoint of epoch n-1. */
  public SparkTrainer firstEpoch(int firstEpoch) {
    if (firstEpoch < 1) {
      throw new NncException("the first epoch must be >= 1, got " + firstEpoch);
    }
    this.firstEpoch = firstEpoch;
    return this;
  }

  /** The global batch: examples per step over all partitions (default 32). */
  public SparkTrainer batchSize(int batchSize) {
    if (batchSize < 1) {
      throw new NncException("batch size must be >= 1, got " + batchSize);
    }
    this.batchSize = batchSize;
    return this;
  }

  /**
   * 0 (the default): synchronous gradient averaging, one Spark job per step. k >= 1: each
   * partition runs k optimizer steps, each on its own part of the next global batch, starting
   * from the driver's weights and optimizer state; then the driver averages the partitions'
   * weights and state, weighted by the examples each saw. That is k times fewer Spark jobs, but
   * each local step sees only its partition's share of a batch and the partitions' models drift
   * apart for k steps, so for k > 1 an epoch can make less progress than k synchronous steps.
   * For SGD with or without momentum, k = 1 equals the synchronous mode.
   */
  public SparkTrainer localSteps(int k) {
    if (k < 0) {
      throw new NncException("local steps must be >= 0, got " + k);
    }
    this.localSteps = k;
    return this;
  }

  /** The depth of {@code treeAggregate} (default 2). */
  public SparkTrainer treeDepth(int depth) {
    if (depth < 1) {
      throw new NncException("tree depth must be >= 1, got " + depth);
    }
    this.treeDepth = depth;
    return this;
  }

  /** The seed of initialization (for a model this trainer creates) and of shuffling. */
  public SparkTrainer seed(long seed) {
    this.seed = seed;
    return this;
  }

  /** The optimizer (default: the model's declared one, else {@code sgd}). */
  public SparkTrainer optimizer(OptimizerSpec spec) {
    this.optimizerSpec = spec;
    this.optimizer = null;
    return this;
  }

  /** Optimizer state to resume from (from {@code SafeTensors.load(...).optimizerState()}). */
  public SparkTrainer optimizerState(Map<String, Tensor> state) {
    this.optimizerState = state;
    this.optimizer = null;
    return this;
  }

  public SparkTrainer schedule(LrSchedule schedule) {
    this.schedule = schedule;
    return this;
  }

  public SparkTrainer listener(ProgressListener listener) {
    this.listener = listener;
    return this;
  }

  public SparkTrainer onEpochEnd(EpochCallback callback) {
    callbacks.add(callback);
    return this;
  }

  /**
   * Saves a safetensors checkpoint to {@code path} after every epoch, as {@code nnc train --save}
   * does: the weights, the optimizer state, and metadata {@code model}, {@code epoch}, {@code
   * optimizer} plus {@code extraMetadata} (e.g. {@code normalizer}), so {@code nnc predict} and
   * {@code nnc train --resume} read it.
   */
  public SparkTrainer checkpoint(Path path, Map<String, String> extraMetadata) {
    Map<String, String> extra = extraMetadata == null ? Map.of() : Map.copyOf(extraMetadata);
    return onEpochEnd((stats, total, m, o) -> {
      Map<String, String> meta = new TreeMap<>(extra);
      meta.put("model", m.name());
      meta.put("epoch", Integer.toString(stats.epoch()));
      meta.put("optimizer", optimizerSpec().toString());
      SafeTensors.save(path, m, meta, o.exportState());
    });
  }

  /** The output used for accuracy (default as in {@link Trainer}). */
  public SparkTrainer accuracyOutput(String outputName) {
    this.accuracyOutput = outputName;
    return this;
  }

  /** The optimizer spec in use (the model's declared one if none was set). */
  public OptimizerSpec optimizerSpec() {
    if (optimizerSpec == null) {
      OptimizerSpec declared = model().defaultOptimizer();
      optimizerSpec = declared != null ? declared : OptimizerSpec.parse("sgd", Map.of());
    }
    return optimizerSpec;
  }

  /** The driver's optimizer, holding the state a checkpoint saves. */
  public Optimizer optimizer() {
    if (optimizer == null) {
      optimizer = optimizerSpec().create();
      if (optimizerState != null) {
        optimizer.importState(model().parameters(), optimizerState);
      }
    }
    return optimizer;
  }

  /**
   * The examples of {@code data} as an RDD of {@code partitions} near-equal partitions of
   * consecutive rows.
   */
  public static JavaRDD<Example> examples(JavaSparkContext spark, Dataset data, int partitions) {
    return fromBroadcast(spark, spark.broadcast(shards(data, partitions))).flatMap(shard -> {
      List<Example> out = new ArrayList<>(shard.rows);
      for (int r = 0; r < shard.rows; r++) {
        float[] x = java.util.Arrays.copyOfRange(shard.features, r * shard.featureCount,
            (r + 1) * shard.featureCount);
        if (shard.labels != null) {
          out.add(Example.classified(x, shard.labels[r]));
        } else if (shard.targets != null) {
          out.add(Example.regression(x, java.util.Arrays.copyOfRange(shard.targets,
              r * shard.targetSize, (r + 1) * shard.targetSize)));
        } else {
          out.add(Example.unlabeled(x));
        }
      }
      return out.iterator();
    });
  }

  /**
   * Trains on {@code train}, a driver-side data set cut into {@code partitions} partitions of
   * consecutive rows (shipped to the executors once, as a broadcast), and evaluates on {@code
   * test} (may be null) on the driver after every epoch.
   */
  public TrainingResult fit(Dataset train, int partitions, Dataset test) {
    Broadcast<List<Shard>> rows = spark.broadcast(shards(train, partitions));
    try {
      return fitShards(fromBroadcast(spark, rows), test);
    } finally {
      rows.destroy();
    }
  }

  /**
   * Trains on the examples of {@code train} in their partitions, and evaluates on {@code test}
   * (may be null) on the driver after every epoch. Each partition is packed into flat arrays once
   * and cached.
   */
  public TrainingResult fit(JavaRDD<Example> train, Dataset test) {
    return fitShards(train.mapPartitionsWithIndex(
        (index, rows) -> Collections.singletonList(Shard.pack(index, rows)).iterator(), true),
        test);
  }

  private TrainingResult fitShards(JavaRDD<Shard> shardRdd, Dataset test) {
    long start = System.nanoTime();
    Model m = model();
    Optimizer opt = optimizer();
    OptimizerSpec spec = optimizerSpec();
    double baseLr = spec.arg("lr");
    JavaRDD<Shard> shards = shardRdd.persist(StorageLevel.MEMORY_AND_DISK());
    try {
      int[] offsets = checkData(shards, m);
      int rows = offsets[offsets.length - 1];
      int steps = (rows + batchSize - 1) / batchSize;
      int jobs = localSteps == 0 ? steps : (steps + localSteps - 1) / localSteps;
      Trainer evaluator = new Trainer(m).batchSize(batchSize);
      if (accuracyOutput != null) {
        evaluator.accuracyOutput(accuracyOutput);
      }
      List<EpochStats> stats = new ArrayList<>();
      listener.onStart(firstEpoch, epochs, jobs);
      for (int epoch = firstEpoch; epoch <= epochs; epoch++) {
        long epochStart = System.nanoTime();
        opt.setLearningRate(schedule.rate(baseLr, epoch - 1, epochs));
        double lossSum = 0;
        long seen = 0;
        for (int job = 0; job < jobs; job++) {
          Sums sums = localSteps == 0
              ? synchronousStep(shards, m, opt, epoch, offsets, job)
              : localRound(shards, m, opt, spec, epoch, offsets, job * localSteps);
          double loss = sums.lossSum / Math.max(1, sums.examples);
          if (!Double.isFinite(loss)) {
            throw new NncException("training diverged: the loss is " + loss + " at epoch " + epoch
                + ", step " + (job + 1) + " (try a lower learning rate)");
          }
          lossSum += sums.lossSum;
          seen += sums.examples;
          listener.onBatch(epoch, job + 1, jobs, lossSum / Math.max(1, seen));
        }
        double trainSeconds = (System.nanoTime() - epochStart) / 1e9;
        Evaluation ev = test == null ? new Evaluation(Double.NaN, Double.NaN, 0)
            : evaluator.evaluate(test);
        double seconds = (System.nanoTime() - epochStart) / 1e9;
        EpochStats s = new EpochStats(epoch, lossSum / Math.max(1, seen), ev.loss(), ev.accuracy(),
            opt.learningRate(), seconds, seen / Math.max(trainSeconds, 1e-9));
        stats.add(s);
        listener.onEpoch(s, epochs);
        for (EpochCallback c : callbacks) {
          c.afterEpoch(s, epochs, m, opt);
        }
      }
      TrainingResult result = new TrainingResult(stats, (System.nanoTime() - start) / 1e9);
      listener.onEnd(result);
      return result;
    } catch (SparkException e) {
      throw new NncException("Spark job failed: " + taskMessage(e));
    } finally {
      shards.unpersist(false);
    }
  }

  /** One synchronous step: gradient sums from every partition, averaged, one optimizer step. */
  private Sums synchronousStep(JavaRDD<Shard> shards, Model m, Optimizer opt, int epoch,
      int[] offsets, int step) throws SparkException {
    Broadcast<Snapshot> weights = spark.broadcast(Snapshot.of(m, null));
    Sums sums;
    try {
      sums = aggregate(shards, new PartitionStep(source, weights, seed, epoch, offsets,
          offsets[offsets.length - 1], batchSize, step, 0, null, opt.learningRate()));
    } finally {
      weights.destroy();
    }
    if (sums.examples == 0) {
      return sums;
    }
    // The mean over all of the step's examples, not a mean of the partitions' means.
    double inverse = 1.0 / sums.examples;
    List<Parameter> params = m.parameters();
    for (int k = 0; k < params.size(); k++) {
      Parameter p = params.get(k);
      double[] sum = sums.values[k];
      if (p.isF64()) {
        double[] g = p.gradF64();
        for (int i = 0; i < g.length; i++) {
          g[i] = sum[i] * inverse;
        }
      } else {
        float[] g = p.gradF32();
        for (int i = 0; i < g.length; i++) {
          g[i] = (float) (sum[i] * inverse);
        }
      }
    }
    opt.step(params);
    return sums;
  }

  /** One local-steps round: the example-weighted mean of the partitions' weights and state. */
  private Sums localRound(JavaRDD<Shard> shards, Model m, Optimizer opt, OptimizerSpec spec,
      int epoch, int[] offsets, int firstStep) throws SparkException {
    Broadcast<Snapshot> start = spark.broadcast(Snapshot.of(m, opt));
    long stepsBefore = opt.steps();
    Sums sums;
    try {
      sums = aggregate(shards, new PartitionStep(source, start, seed, epoch, offsets,
          offsets[offsets.length - 1], batchSize, firstStep, localSteps, spec, opt.learningRate()));
    } finally {
      start.destroy();
    }
    if (sums.examples == 0) {
      return sums;
    }
    double inverse = 1.0 / sums.examples;
    List<Parameter> params = m.parameters();
    for (int k = 0; k < params.size(); k++) {
      Parameter p = params.get(k);
      double[] sum = sums.values[k];
      for (int i = 0; i < sum.length; i++) {
        p.set(i, sum[i] * inverse);
      }
    }
    Map<String, Tensor> state = new TreeMap<>();
    Map<String, Tensor> previous = opt.exportState();
    for (Map.Entry<String, double[]> e : sums.state.entrySet()) {
      double[] sum = e.getValue();
      Tensor like = previous.get(e.getKey());
      boolean f64 = like != null ? like.dtype() == dev.nnc.runtime.DType.F64 : params.get(0).isF64();
      int[] shape = like != null ? like.shape() : shapeOf(params, e.getKey(), sum.length);
      if (f64) {
        double[] a = new double[sum.length];
        for (int i = 0; i < a.length; i++) {
          a[i] = sum[i] * inverse;
        }
        state.put(e.getKey(), Tensor.f64(a, shape));
      } else {
        float[] a = new float[sum.length];
        for (int i = 0; i < a.length; i++) {
          a[i] = (float) (sum[i] * inverse);
        }
        state.put(e.getKey(), Tensor.f32(a, shape));
      }
    }
    state.put("step", Tensor.i64(new long[] {stepsBefore + sums.steps}));
    opt.importState(params, state);
    return sums;
  }

  private Sums aggregate(JavaRDD<Shard> shards, PartitionStep step) {
    return shards.treeAggregate(new Sums(), step::add, Sums::merge, treeDepth);
  }

  /** The shape of the parameter whose state array is {@code key} ({@code fc1.W.velocity}). */
  private static int[] shapeOf(List<Parameter> params, String key, int size) {
    for (Parameter p : params) {
      if (key.startsWith(p.name() + ".") && p.size() == size) {
        return p.shape();
      }
    }
    return new int[] {size};
  }

  /**
   * Packs and caches the partitions (one Spark job) and checks them against the model's slots on
   * the driver, with the messages of the local trainer; returns each partition's first global
   * row number, and the number of rows as a last element.
   */
  private static int[] checkData(JavaRDD<Shard> shards, Model model) {
    List<long[]> summaries = shards.map(s -> new long[] {
        s.rows, s.featureCount, s.labels != null ? 1 : 0, s.targets != null ? s.targetSize : -1,
        s.maxLabel()}).collect();
    List<Slot> slots = model.inputs();
    Slot in = slots.get(Worker.slotIndex(slots, Slot.Kind.INPUT, true));
    int labelIndex = Worker.slotIndex(slots, Slot.Kind.LABEL, false);
    int targetIndex = Worker.slotIndex(slots, Slot.Kind.TARGET, false);
    long rows = 0;
    int[] offsets = new int[summaries.size() + 1];
    for (int p = 0; p < summaries.size(); p++) {
      long[] s = summaries.get(p);
      offsets[p] = (int) rows;
      rows += s[0];
      if (rows > Integer.MAX_VALUE - 8) {
        throw new NncException("more than " + (Integer.MAX_VALUE - 8) + " training examples");
      }
      if (s[0] == 0) {
        continue;
      }
      String where = "partition " + p;
      if (s[1] != in.size()) {
        throw new NncException("model input " + in.name() + " has " + in.size() + " values per"
            + " example but the examples of " + where + " have " + s[1] + " features");
      }
      if (labelIndex >= 0) {
        Slot y = slots.get(labelIndex);
        if (s[2] == 0) {
          throw new NncException("model label " + y.name() + " needs class labels but the"
              + " examples of " + where + " have none");
        }
        if (s[4] >= y.classes()) {
          throw new NncException(where + " has label " + s[4] + " but model label " + y.name()
              + " has " + y.classes() + " classes (0.." + (y.classes() - 1) + ")");
        }
      }
      if (targetIndex >= 0) {
        Slot t = slots.get(targetIndex);
        if (s[3] != t.size()) {
          throw new NncException("model target " + t.name() + " has " + t.size() + " values per"
              + " example but the examples of " + where + (s[3] < 0 ? " have no target"
              : " have " + s[3]));
        }
      }
    }
    if (rows == 0) {
      throw new NncException("no training examples: every partition is empty");
    }
    offsets[summaries.size()] = (int) rows;
    return offsets;
  }

  /** {@code data} cut into {@code partitions} shards of consecutive rows. */
  private static List<Shard> shards(Dataset data, int partitions) {
    if (partitions < 1) {
      throw new NncException("the number of partitions must be >= 1, got " + partitions);
    }
    List<Shard> list = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      int from = (int) ((long) p * data.rows() / partitions);
      int to = (int) ((long) (p + 1) * data.rows() / partitions);
      list.add(Shard.of(p, data, from, to));
    }
    return list;
  }

  /**
   * The shards as an RDD of one shard per partition. The rows travel in a broadcast, not in the
   * partitions of {@code parallelize}: Spark ships a task's partition with every task, so a
   * parallelized data set would be sent again at every step.
   */
  private static JavaRDD<Shard> fromBroadcast(JavaSparkContext spark, Broadcast<List<Shard>> rows) {
    List<Integer> indices = new ArrayList<>();
    for (int p = 0; p < rows.value().size(); p++) {
      indices.add(p);
    }
    return spark.parallelize(indices, indices.size()).map(p -> rows.value().get(p));
  }

  /** The message of the task failure behind {@code e}, without Spark's stack trace. */
  static String taskMessage(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof NncException) {
        return t.getMessage();
      }
    }
    String text = String.valueOf(e.getMessage());
    String marker = NncException.class.getName() + ": ";
    int at = text.indexOf(marker);
    if (at >= 0) {
      String rest = text.substring(at + marker.length());
      int end = rest.indexOf('\n');
      return end < 0 ? rest : rest.substring(0, end);
    }
    int end = text.indexOf('\n');
    return (end < 0 ? text : text.substring(0, end)).strip();
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "SparkTrainer(%s, %s, batch %d, %s)", spark.master(),
        source, batchSize, localSteps == 0 ? "synchronous" : localSteps + " local steps");
  }
}
