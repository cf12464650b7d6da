package dev.nnc.cli;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.ir.ElementType;
import dev.nnc.runtime.Model;
import dev.nnc.runtime.data.Dataset;
import dev.nnc.runtime.data.Normalizer;
import dev.nnc.runtime.data.Split;
import dev.nnc.runtime.io.Checkpoint;
import dev.nnc.runtime.io.Json;
import dev.nnc.runtime.io.SafeTensors;
import dev.nnc.runtime.kernels.WarmUp;
import dev.nnc.runtime.optim.LrSchedule;
import dev.nnc.runtime.optim.Optimizer;
import dev.nnc.runtime.optim.OptimizerSpec;
import dev.nnc.runtime.train.ProgressListener;
import dev.nnc.runtime.train.Trainer;
import dev.nnc.runtime.train.TrainingResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code nnc train MODEL.nn}: compiles the model in memory and trains it. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Compile a model in memory and train it; prints progress and the final test"
        + " accuracy and loss.")
final class TrainCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL.nn", description = "the .nn file with the model")
  Path file;

  @Option(names = "--model", paramLabel = "NAME", description = "the model, if the file has several")
  String modelName;

  @Option(names = "--data", paramLabel = "DATA", description = "digits (default, shipped),"
      + " mnist:DIR, or csv:FILE[:LABEL_COLUMN]")
  String data;

  @Option(names = "--epochs", defaultValue = "20", description = "epochs (default ${DEFAULT-VALUE})")
  int epochs;

  @Option(names = "--batch", defaultValue = "32", description = "batch size (default ${DEFAULT-VALUE})")
  int batch;

  @Option(names = "--lr", description = "learning rate (default: the model's optimizer's)")
  Double lr;

  @Option(names = "--optimizer", paramLabel = "NAME",
      description = "sgd, momentum, nesterov, adam or adamw (default: the model's, else sgd)")
  String optimizer;

  @Option(names = "--schedule", paramLabel = "SCHEDULE", defaultValue = "constant",
      description = "constant, step:EVERY:GAMMA or cosine[:MIN_LR] (default ${DEFAULT-VALUE})")
  String schedule;

  @Option(names = "--seed", defaultValue = "1", description = "seed for initialization,"
      + " shuffling and the split (default ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--normalize", defaultValue = "auto",
      description = "auto, standardize, minmax or none (default ${DEFAULT-VALUE}: none for"
      + " MNIST, whose pixels are already in [0, 1], standardize for tables)")
  String normalize;

  @Option(names = "--save", paramLabel = "FILE", description = "write a .safetensors checkpoint"
      + " after every epoch")
  Path save;

  @Option(names = "--resume", paramLabel = "FILE", description = "start from a checkpoint")
  Path resume;

  @Option(names = "--f64", description = "compute in double precision (default f32)")
  boolean f64;

  @Option(names = "--spark", paramLabel = "MASTER", description = "train on Apache Spark, e.g."
      + " local[2] or spark://host:7077 (needs the nnc-spark module; see docs/spark.md)")
  String spark;

  @Override
  public Integer call() {
    WarmUp.start();
    if (epochs < 1 || batch < 1) {
      throw new UserError("--epochs and --batch must be at least 1", 2);
    }
    if (spark != null) {
      SparkOption.require(); // before the data is read
    }
    PrintWriter out = spec.commandLine().getOut();
    LrSchedule lrSchedule = usage(() -> LrSchedule.parse(schedule));
    if (save != null) {
      Path parent = save.toAbsolutePath().getParent();
      if (parent == null || !java.nio.file.Files.isDirectory(parent)) {
        // found before training, not after the first epoch
        throw new UserError("--save " + save + ": directory " + parent + " does not exist");
      }
    }
    Compiler.CheckResult checked = SourceLoader.load(file, spec.commandLine().getErr());
    Model model = ModelLoader.load(checked, modelName, f64 ? ElementType.F64 : ElementType.F32);
    boolean regression = model.inputs().stream()
        .anyMatch(slot -> slot.kind() == dev.nnc.runtime.Slot.Kind.TARGET);
    Split split = DataOption.load(data, seed, regression);
    Dataset train = split.train();
    Dataset test = split.test();
    Normalizer normalizer = null;
    // Standardizing MNIST divides rarely-inked border pixels by a tiny deviation, and one
    // stroke there on a test image then blows the activations up: images stay as they are.
    String how = !normalize.equals("auto") ? normalize
        : data != null && data.startsWith("mnist:") ? "none" : "standardize";
    if (!how.equals("none")) {
      Normalizer n = switch (how) {
        case "standardize" -> Normalizer.standardize(train);
        case "minmax" -> Normalizer.minMax(train);
        default -> throw new UserError("--normalize: expected auto, standardize, minmax or none",
            2);
      };
      train = n.apply(train);
      test = n.apply(test);
      normalizer = n;
    }
    String normalizerJson = normalizer == null ? null : Json.write(Map.of(
        "offsets", list(normalizer.offsets()), "scales", list(normalizer.scales())));
    model.initialize(seed);
    OptimizerSpec optSpec = usage(() -> optimizerSpec(model));
    Optimizer opt = usage(optSpec::create);
    int firstEpoch = 1;
    if (resume != null) {
      Checkpoint checkpoint = SafeTensors.load(resume, model);
      try {
        opt.importState(model.parameters(), checkpoint.optimizerState());
      } catch (dev.nnc.runtime.NncException e) {
        throw new UserError(resume + ": " + e.getMessage());
      }
      String epoch = checkpoint.metadata().getOrDefault("epoch", "0");
      if (!epoch.matches("[0-9]{1,9}")) {
        throw new UserError(resume + ": the checkpoint's epoch '" + epoch + "' is not a number");
      }
      firstEpoch = Integer.parseInt(epoch) + 1;
      out.println("resumed " + resume + " after epoch " + (firstEpoch - 1));
    }
    out.printf(Locale.ROOT, "training %s on %s: %d train / %d test examples, %s, batch %d%n",
        model.name(), train.name(), train.rows(), test.rows(), optSpec, batch);
    out.flush();
    Trainer trainer = new Trainer(model).epochs(epochs).firstEpoch(firstEpoch).batchSize(batch)
        .seed(seed).optimizer(opt).schedule(lrSchedule)
        .listener(ProgressListener.console(out));
    dev.nnc.runtime.train.EpochCallback saver = null;
    if (save != null) {
      Path target = save;
      saver = (stats, total, m, o) -> {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("model", m.name());
        meta.put("epoch", Integer.toString(stats.epoch()));
        meta.put("optimizer", optSpec.toString());
        if (normalizerJson != null) {
          // nnc predict applies the same input normalization.
          meta.put("normalizer", normalizerJson);
        }
        SafeTensors.save(target, m, meta, o.exportState());
      };
      trainer.onEpochEnd(saver);
    }
    TrainingResult result = spark == null ? trainer.fit(train, test)
        : SparkOption.fit(spark, file, modelName, f64, model, train, test, optSpec, opt,
            lrSchedule, epochs, firstEpoch, batch, seed, ProgressListener.console(out), saver, out);
    if (result.epochs().isEmpty()) {
      out.println("nothing to train: the checkpoint is already at epoch " + (firstEpoch - 1));
      return 0;
    }
    var last = result.last();
    if (Double.isNaN(last.testAccuracy())) { // regression: no accuracy
      out.printf(Locale.ROOT, "final: test loss %.4f, %.1f s%n", last.testLoss(),
          result.wallSeconds());
    } else {
      out.printf(Locale.ROOT, "final: test accuracy %.2f%%, test loss %.4f, %.1f s%n",
          100 * last.testAccuracy(), last.testLoss(), result.wallSeconds());
    }
    if (save != null) {
      out.println("saved " + save);
    }
    return 0;
  }

  /** An invalid option value ({@code --lr -1}, {@code --optimizer nonsense}) is a usage error. */
  private static <T> T usage(java.util.function.Supplier<T> parse) {
    try {
      return parse.get();
    } catch (dev.nnc.runtime.NncException e) {
      throw new UserError(e.getMessage(), 2);
    }
  }

  private static java.util.List<Double> list(double[] values) {
    java.util.List<Double> out = new java.util.ArrayList<>();
    for (double v : values) {
      out.add(v);
    }
    return out;
  }

  private OptimizerSpec optimizerSpec(Model model) {
    OptimizerSpec spec;
    if (optimizer != null) {
      spec = OptimizerSpec.parse(optimizer, Map.of());
      OptimizerSpec declared = model.defaultOptimizer();
      if (declared != null && declared.name().equals(optimizer)) {
        spec = declared;
      }
    } else {
      spec = model.defaultOptimizer();
      if (spec == null) {
        spec = OptimizerSpec.parse("sgd", Map.of("lr", 0.1, "momentum", 0.9));
      }
    }
    return lr != null ? spec.with("lr", lr) : spec;
  }
}
