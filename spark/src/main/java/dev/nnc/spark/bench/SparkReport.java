package dev.nnc.spark.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders {@link SparkBenchmark}'s JSON as the "Training on Apache Spark" section of
 * BENCHMARKS.md: the throughput table, Spark's measured cost per step, and the compute versus
 * communication model that says at which batch size and cluster size Spark would pay off.
 */
final class SparkReport {
  /** Bytes per second assumed for a cluster network (10 Gbit/s), stated in the text. */
  static final double NETWORK = 1.25e9;

  private SparkReport() {}

  @SuppressWarnings("unchecked")
  static String render(Object json) {
    Map<String, Object> in = (Map<String, Object>) json;
    List<Object> results = (List<Object>) in.get("results");
    Map<String, Object> plain = find(results, "plain");
    Map<String, Object> plain1 = find(results, "plain-b1");
    Map<String, Object> spark1 = find(results, "local[1]-b1");
    long batch = ((Number) in.get("batch")).longValue();
    double plainRate = num(plain, "examples_per_second");
    StringBuilder md = new StringBuilder();
    md.append("## Training on Apache Spark\n\n");
    md.append(String.format(Locale.ROOT, "`spark/bench.sh` (`dev.nnc.spark.bench.SparkBenchmark`):"
        + " the MNIST MLP 784-256-10 (`%s`, f32, SGD with momentum 0.9) on %d MNIST training"
        + " examples, %d steps of batch %d per epoch; each configuration trains one warm-up epoch,"
        + " then %d timed epoch(s), of which the median counts. Spark %s, Java %s, %d cores; load"
        + " average before %s, after %s.%n%n", in.get("model"), num(in, "examples") == 0 ? 0
        : ((Number) in.get("examples")).longValue(), ((Number) in.get("steps_per_epoch")).longValue(),
        batch, ((Number) in.get("rounds")).longValue(), in.get("spark"), in.get("java"),
        ((Number) in.get("cores")).longValue(), in.get("loadavg_before"), in.get("loadavg_after")));
    md.append("| configuration | batch | examples/s | ms per step | vs single process |\n");
    md.append("|---|---:|---:|---:|---:|\n");
    for (Object o : results) {
      Map<String, Object> r = (Map<String, Object>) o;
      double rate = num(r, "examples_per_second");
      double reference = ((Number) r.get("batch")).longValue() == 1
          ? num(plain1, "examples_per_second") : plainRate;
      md.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %.2f | %.2fx |%n", r.get("label"),
          ((Number) r.get("batch")).longValue(), rate, 1000 * num(r, "seconds_per_step"),
          rate / reference));
    }
    // The fixed cost of a Spark step: a one-example step on local[1] minus the same step locally.
    double overhead = num(spark1, "seconds_per_step") - num(plain1, "seconds_per_step");
    double perExample = 1 / plainRate;
    md.append(String.format(Locale.ROOT, "%nSpark's fixed cost per synchronous step, measured as a"
        + " one-example step on `local[1]` minus the same step in the single-process trainer:"
        + " **T₀ = %.1f ms** (a job: broadcasting the weights, scheduling one task per partition,"
        + " the gradient sums sent back and added up). The single-process trainer's compute per"
        + " example at batch %d: **c = %.1f µs**.%n%n", 1000 * overhead, batch, 1e6 * perExample));
    md.append(String.format(Locale.ROOT, "**Model.** A synchronous step of batch B on P workers"
        + " takes about T₀ + B·c/P + comm, against B·c in one process. On a cluster, comm is the"
        + " weights sent to each worker (4 bytes per parameter) plus each partition's gradient"
        + " sums sent back (8 bytes per parameter): with the MLP's 203,530 parameters, 0.8 MB and"
        + " 1.6 MB, about 1.9 ms per worker over 10 Gbit/s (the driver's link is the bottleneck;"
        + " treeAggregate spreads only the adding up). Spark pays off when B·c·(1 − 1/P) exceeds"
        + " T₀ + comm, so the batch must be at least:%n%n"));
    md.append("| workers P | comm per step | smallest batch B that pays off | best speed-up at batch B = 4096 |\n");
    md.append("|---:|---:|---:|---:|\n");
    double bytesPerWorker = 203_530 * (4.0 + 8.0);
    for (int p : new int[] {2, 4, 8, 16, 32}) {
      double comm = p * bytesPerWorker / NETWORK;
      double fixed = overhead + comm;
      double minBatch = fixed / (perExample * (1 - 1.0 / p));
      double b = 4096;
      double speedup = b * perExample / (fixed + b * perExample / p);
      md.append(String.format(Locale.ROOT, "| %d | %.1f ms | %.0f | %.1fx |%n", p, 1000 * comm,
          Math.ceil(minBatch), speedup));
    }
    Map<String, Object> two = find(results, "local[2]");
    double ratio = num(two, "examples_per_second") / plainRate;
    Map<String, Object> local8 = find(results, "local[2]-local8");
    double ratio8 = num(local8, "examples_per_second") / plainRate;
    double comm8 = 8 * bytesPerWorker / NETWORK;
    double min8 = (overhead + comm8) / (perExample * (1 - 1.0 / 8));
    md.append(String.format(Locale.ROOT, "%nOn this machine `local[2]` trains at %.2fx the"
        + " single-process trainer's speed at batch %d, and at %.2fx with 8 local steps. ", ratio,
        batch, ratio8));
    if (ratio < 1) {
      md.append("Synchronous Spark does not pay off on one machine: the single-process trainer"
          + " already uses both cores (its matrix kernel splits large products between two"
          + " threads), and every Spark step adds T₀. ");
    } else {
      md.append("Here Spark's two task threads beat the single-process trainer, whose kernel"
          + " splits only the large products between two threads; the margin is what those"
          + " threads add minus T₀ per step, and it shrinks as the batch shrinks. ");
    }
    md.append(String.format(Locale.ROOT, "On a cluster, with the measured T₀ and c (T₀ was"
        + " measured with one partition; a real cluster's is larger, growing with the number of"
        + " tasks), 8 workers pay off from a batch of about %.0f examples, and the speed-up"
        + " approaches P only when B·c/P is many times T₀ + comm. `localSteps(k)` pays T₀ once"
        + " per k steps, at the price of averaging models that drifted apart for k steps.%n",
        Math.ceil(min8)));
    return md.toString();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> find(List<Object> results, String id) {
    for (Object o : results) {
      Map<String, Object> r = (Map<String, Object>) o;
      if (id.equals(r.get("id"))) {
        return r;
      }
    }
    throw new IllegalArgumentException("the benchmark JSON has no result '" + id + "'");
  }

  private static double num(Map<String, Object> map, String key) {
    Object v = map.get(key);
    return v == null ? 0 : ((Number) v).doubleValue();
  }
}
