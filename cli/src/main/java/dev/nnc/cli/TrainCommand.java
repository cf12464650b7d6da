package dev.nnc.cli;

import dev.nnc.compiler.ir.ElementType;
import dev.nnc.runtime.Model;
import dev.nnc.runtime.NncException;
import dev.nnc.runtime.Slot;
import dev.nnc.runtime.data.Normalization;
import dev.nnc.runtime.data.Normalizer;
import dev.nnc.runtime.data.Split;
import dev.nnc.runtime.io.AtomicFile;
import dev.nnc.runtime.optim.LrSchedule;
import dev.nnc.runtime.optim.Optimizer;
import dev.nnc.runtime.optim.OptimizerSpec;
import dev.nnc.runtime.train.CheckpointSaver;
import dev.nnc.runtime.train.EpochCallback;
import dev.nnc.runtime.train.ProgressListener;
import dev.nnc.runtime.train.Trainer;
import dev.nnc.runtime.train.TrainingCheckpoint;
import dev.nnc.runtime.train.TrainingResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code nnc train MODEL.nn}: compiles the model in memory and trains it. {@link #call} reads as
 * the steps: check the options, load the model, resume, load and normalize the data, choose the
 * optimizer, train, report.
 */
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
      description = "sgd, momentum, nesterov, adam or adamw (default: the resumed checkpoint's,"
          + " else the model's, else sgd(lr: 0.1, momentum: 0.9))")
  String optimizer;

  @Option(names = "--schedule", paramLabel = "SCHEDULE", defaultValue = "constant",
      description = "constant, step:EVERY:GAMMA or cosine[:MIN_LR] (default ${DEFAULT-VALUE})")
  String schedule;

  @Option(names = "--seed", defaultValue = "1", description = "seed for initialization,"
      + " shuffling and the split (default ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--normalize", paramLabel = "HOW", description = "auto, standardize, minmax or"
      + " none (default auto: none when every training feature is already in [0, 1], as MNIST's"
      + " pixels are, else standardize; a resumed run keeps its checkpoint's)")
  String normalize;

  @Option(names = "--save", paramLabel = "FILE", description = "write a .safetensors checkpoint"
      + " after every epoch (never one of a diverged model)")
  Path save;

  @Option(names = "--resume", paramLabel = "FILE", description = "start from a checkpoint")
  Path resume;

  @Option(names = "--f64", description = "compute in double precision (default f32)")
  boolean f64;

  @Mixin
  ReportOptions reportOptions;

  @Option(names = "--spark", paramLabel = "MASTER", description = "train on Apache Spark, e.g."
      + " local[2] or spark://host:7077 (needs the nnc-spark module; see docs/spark.md)")
  String spark;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    LrSchedule lrSchedule = checkOptions();
    Model model = loadModel();
    TrainingCheckpoint resumed = resume(model);
    Data prepared = loadData(model, resumed);
    Split split = prepared.split();
    OptimizerSpec optimizerSpec = usage(() -> optimizerSpec(model, resumed));
    Optimizer opt = optimizer(model, optimizerSpec, resumed);
    int firstEpoch = resumed == null ? 1 : resumed.epoch() + 1;
    if (resumed != null) {
      out.println("resumed " + resume + " after epoch " + resumed.epoch());
    }
    out.printf(Locale.ROOT, "training %s on %s: %d train / %d test examples, %s, batch %d%n",
        model.name(), split.train().name(), split.train().rows(), split.test().rows(),
        optimizerSpec, batch);
    out.flush();
    Trainer trainer = new Trainer(model).epochs(epochs).firstEpoch(firstEpoch).batchSize(batch)
        .seed(seed).optimizer(opt).schedule(lrSchedule)
        .listener(ProgressListener.console(out));
    EpochCallback saver = null;
    if (save != null) {
      saver = new CheckpointSaver(save, 1, optimizerSpec, prepared.normalizer());
    }
    EpochCallback curves = reportOptions.callback(trainer, split.train(),
        model.name() + " on " + split.train().name(), out);
    EpochCallback afterEpoch = both(saver, curves);
    if (afterEpoch != null) {
      trainer.onEpochEnd(afterEpoch);
    }
    TrainingResult result = spark == null ? trainer.fit(split.train(), split.test())
        : SparkOption.fit(spark, file, modelName, f64, model, split.train(), split.test(),
            optimizerSpec, opt, lrSchedule, epochs, firstEpoch, batch, seed,
            ProgressListener.console(out), afterEpoch, out);
    report(out, result, firstEpoch);
    return 0;
  }

  /** Both callbacks in turn (either may be null); null if both are. */
  private static EpochCallback both(EpochCallback first, EpochCallback second) {
    if (first == null || second == null) {
      return first == null ? second : first;
    }
    return (stats, total, m, o) -> {
      first.afterEpoch(stats, total, m, o);
      second.afterEpoch(stats, total, m, o);
    };
  }

  /** Usage errors found before any work; returns the learning-rate schedule. */
  private LrSchedule checkOptions() {
    if (spark != null) {
      SparkOption.require(); // before the model is compiled or the data read
    }
    if (epochs < 1 || batch < 1) {
      throw new UserError("--epochs and --batch must be at least 1", 2);
    }
    if (normalize != null) {
      try {
        Normalization.parse(normalize);
      } catch (NncException e) {
        throw new UserError("--normalize: " + e.getMessage(), 2);
      }
    }
    LrSchedule lrSchedule = usage(() -> LrSchedule.parse(schedule));
    reportOptions.check();
    if (save != null) {
      // a missing directory, a too long name or a FIFO: found now, not after the first epoch
      AtomicFile.checkWritable(save);
    }
    return lrSchedule;
  }

  private Model loadModel() {
    Model model = ModelLoader.load(file, modelName, f64 ? ElementType.F64 : ElementType.F32,
        spec.commandLine().getErr());
    model.initialize(seed);
    KernelChoice.apply(model);
    return model;
  }

  /** The checkpoint of --resume, loaded into the model and validated; null without --resume. */
  private TrainingCheckpoint resume(Model model) {
    return resume == null ? null : TrainingCheckpoint.load(resume, model);
  }

  /** The normalized train and test parts, and the normalizer they went through (null: none). */
  private record Data(Split split, Normalizer normalizer) {}

  /**
   * The train and test parts of --data, normalized: as the resumed checkpoint records (a
   * training checkpoint always does, {@code none} included), else with a normalizer fitted on
   * the training part by the --normalize policy.
   */
  private Data loadData(Model model, TrainingCheckpoint resumed) {
    boolean regression = model.inputs().stream().anyMatch(s -> s.kind() == Slot.Kind.TARGET);
    Split split = DataOption.load(data, seed, regression);
    Normalization policy = normalize == null ? Normalization.AUTO : Normalization.parse(normalize);
    Normalizer n;
    if (resumed != null && (resumed.fromTraining() || resumed.normalizer() != null)) {
      n = resumed.normalizer();
      String saved = n == null ? "none" : n.method();
      if (policy != Normalization.AUTO && !policy.toString().equals(saved)) {
        throw new UserError("--normalize " + policy + ": " + resume + " was trained on " + saved
            + " inputs, and a resumed run keeps them", 2);
      }
    } else {
      // an image input ([c, h, w]) keeps one scale for all its pixels
      boolean images = model.inputs().stream()
          .anyMatch(slot -> slot.kind() == Slot.Kind.INPUT && slot.shape().length == 3);
      n = policy.fit(split.train(), images);
    }
    return new Data(n == null ? split : new Split(n.apply(split.train()), n.apply(split.test())),
        n);
  }

  /**
   * The optimizer: --optimizer NAME with the arguments of the resumed checkpoint's or the model's
   * optimizer of that name (else its defaults); without --optimizer, the resumed checkpoint's,
   * else {@link Trainer#defaultOptimizer}. --lr overrides the learning rate.
   */
  private OptimizerSpec optimizerSpec(Model model, TrainingCheckpoint resumed) {
    OptimizerSpec fromCheckpoint = resumed == null ? null : resumed.optimizer();
    OptimizerSpec chosen;
    if (optimizer != null) {
      chosen = OptimizerSpec.parse(optimizer, Map.of());
      for (OptimizerSpec known : new OptimizerSpec[] {model.defaultOptimizer(), fromCheckpoint}) {
        if (known != null && known.name().equals(optimizer)) {
          chosen = known;
        }
      }
    } else {
      chosen = fromCheckpoint != null ? fromCheckpoint : Trainer.defaultOptimizer(model);
    }
    return lr != null ? chosen.with("lr", lr) : chosen;
  }

  /** A fresh optimizer, with the resumed checkpoint's state. */
  private Optimizer optimizer(Model model, OptimizerSpec optimizerSpec,
      TrainingCheckpoint resumed) {
    Optimizer opt = usage(optimizerSpec::create);
    if (resumed != null) {
      try {
        opt.importState(model.parameters(), resumed.optimizerState());
      } catch (NncException e) {
        throw new UserError(resume + ": " + e.getMessage());
      }
    }
    return opt;
  }

  private void report(PrintWriter out, TrainingResult result, int firstEpoch) {
    if (result.epochs().isEmpty()) {
      out.println("nothing to train: the checkpoint is already at epoch " + (firstEpoch - 1));
      return;
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
  }

  /** An invalid option value ({@code --lr -1}, {@code --optimizer nonsense}) is a usage error. */
  private static <T> T usage(Supplier<T> parse) {
    try {
      return parse.get();
    } catch (NncException e) {
      throw new UserError(e.getMessage(), 2);
    }
  }
}
