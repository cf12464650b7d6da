package dev.nnc.runtime.train;

import dev.nnc.runtime.Batch;
import dev.nnc.runtime.Model;
import dev.nnc.runtime.NncException;
import dev.nnc.runtime.Parameter;
import dev.nnc.runtime.Slot;
import dev.nnc.runtime.data.Batcher;
import dev.nnc.runtime.data.Dataset;
import dev.nnc.runtime.optim.LrSchedule;
import dev.nnc.runtime.optim.Optimizer;
import dev.nnc.runtime.optim.OptimizerSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Trains a {@link Model} with mini-batches: per epoch it sets the learning rate from the schedule,
 * shuffles the training rows with a seed derived from (seed, epoch), runs {@link Model#trainStep} on
 * each batch (the last may be smaller), then evaluates on the test set. The optimizer defaults to
 * {@link #defaultOptimizer}. An epoch after which a parameter or the test loss is not finite ends
 * training with an {@link NncException} before the epoch callbacks run, so a diverged model is
 * never saved. Accuracy uses the output named by
 * {@link #accuracyOutput}, else the first output of shape {@code [classes]}; an output of shape
 * {@code []} or {@code [1]} named explicitly is read as the predicted class index.
 */
public final class Trainer {
  private final Model model;
  private int epochs = 10;
  private int firstEpoch = 1;
  private int batchSize = 32;
  private long seed;
  private Optimizer optimizer;
  private double baseLr;
  private LrSchedule schedule = LrSchedule.constant();
  private ProgressListener listener = ProgressListener.silent();
  private final List<EpochCallback> callbacks = new ArrayList<>();
  private String accuracyOutput;

  public Trainer(Model model) {
    this.model = model;
  }

  /** The last epoch number (default 10). */
  public Trainer epochs(int epochs) {
    if (epochs < 0) {
      throw new NncException("the number of epochs must be >= 0, got " + epochs);
    }
    this.epochs = epochs;
    return this;
  }

  /** The first epoch number (1-based, default 1), to resume from a checkpoint saved after epoch n-1. */
  public Trainer firstEpoch(int firstEpoch) {
    if (firstEpoch < 1) {
      throw new NncException("the first epoch must be >= 1, got " + firstEpoch);
    }
    this.firstEpoch = firstEpoch;
    return this;
  }

  public Trainer batchSize(int batchSize) {
    if (batchSize < 1) {
      throw new NncException("batch size must be >= 1, got " + batchSize);
    }
    this.batchSize = batchSize;
    return this;
  }

  /** The shuffling seed (parameter initialization is the caller's {@link Model#initialize}). */
  public Trainer seed(long seed) {
    this.seed = seed;
    return this;
  }

  /** The optimizer; its current learning rate is the base rate the schedule scales. */
  public Trainer optimizer(Optimizer optimizer) {
    this.optimizer = optimizer;
    this.baseLr = optimizer.learningRate();
    return this;
  }

  public Trainer schedule(LrSchedule schedule) {
    this.schedule = schedule;
    return this;
  }

  public Trainer listener(ProgressListener listener) {
    this.listener = listener;
    return this;
  }

  public Trainer onEpochEnd(EpochCallback callback) {
    callbacks.add(callback);
    return this;
  }

  /** The output used for accuracy (see the class comment for the default). */
  public Trainer accuracyOutput(String outputName) {
    this.accuracyOutput = outputName;
    return this;
  }

  /** The optimizer in use, creating {@link #defaultOptimizer} if none was set. */
  public Optimizer optimizer() {
    if (optimizer == null) {
      optimizer(defaultOptimizer(model).create());
    }
    return optimizer;
  }

  /**
   * The optimizer a model trains with when none is chosen: the one its source declares, else
   * {@code sgd(lr: 0.1, momentum: 0.9)}.
   */
  public static OptimizerSpec defaultOptimizer(Model model) {
    OptimizerSpec declared = model.defaultOptimizer();
    return declared != null ? declared
        : OptimizerSpec.parse("sgd", orderedArgs("lr", 0.1, "momentum", 0.9));
  }

  private static Map<String, Double> orderedArgs(String k1, double v1, String k2, double v2) {
    Map<String, Double> args = new java.util.LinkedHashMap<>();
    args.put(k1, v1);
    args.put(k2, v2);
    return args;
  }

  /** Trains on {@code train} and evaluates on {@code test} (may be null) after every epoch. */
  public TrainingResult fit(Dataset train, Dataset test) {
    if (train.rows() == 0) {
      throw new NncException(train.name() + ": no examples to train on");
    }
    if (test != null && test.rows() == 0) {
      throw new NncException(test.name() + ": no examples to test on");
    }
    long start = System.nanoTime();
    Optimizer opt = optimizer();
    // a batch larger than every data set is one whole data set per batch: allocate no more
    int rows = Math.max(train.rows(), test == null ? 0 : test.rows());
    Batch batch = Batch.forModel(model, Math.max(1, Math.min(batchSize, rows)));
    Batcher trainBatches = new Batcher(train, batch);
    Batcher testBatches = test == null ? null : new Batcher(test, batch);
    String accuracyName = accuracySlot();
    List<EpochStats> stats = new ArrayList<>();
    int batches = trainBatches.batchCount();
    listener.onStart(firstEpoch, epochs, batches);
    for (int epoch = firstEpoch; epoch <= epochs; epoch++) {
      long epochStart = System.nanoTime();
      opt.setLearningRate(schedule.rate(baseLr, epoch - 1, epochs));
      trainBatches.shuffle(seed ^ (epoch * 0x9E3779B97F4A7C15L));
      double lossSum = 0;
      int seen = 0;
      for (int k = 0; k < batches; k++) {
        Batch b = trainBatches.fill(k);
        double loss = model.trainStep(b, opt);
        if (!Double.isFinite(loss)) {
          throw new NncException("training diverged: the loss is " + loss + " at epoch " + epoch + ", batch " + (k + 1)
              + " (try a lower learning rate)");
        }
        lossSum += loss * b.size();
        seen += b.size();
        listener.onBatch(epoch, k + 1, batches, lossSum / seen);
      }
      double trainSeconds = (System.nanoTime() - epochStart) / 1e9;
      Evaluation ev = testBatches == null ? new Evaluation(Double.NaN, Double.NaN, 0) : evaluate(testBatches, accuracyName);
      double seconds = (System.nanoTime() - epochStart) / 1e9;
      EpochStats s = new EpochStats(epoch, lossSum / Math.max(1, seen), ev.loss(), ev.accuracy(), opt.learningRate(),
          seconds, seen / Math.max(trainSeconds, 1e-9));
      stats.add(s);
      listener.onEpoch(s, epochs);
      checkFinite(epoch, testBatches == null ? 0 : ev.loss());
      for (EpochCallback c : callbacks) {
        c.afterEpoch(s, epochs, model, opt);
      }
    }
    TrainingResult result = new TrainingResult(stats, (System.nanoTime() - start) / 1e9);
    listener.onEnd(result);
    return result;
  }

  /** Throws if a parameter or the test loss is NaN or infinite after {@code epoch}. */
  private void checkFinite(int epoch, double testLoss) {
    for (Parameter p : model.parameters()) {
      int i = p.firstNonFinite();
      if (i >= 0) {
        throw new NncException("training diverged: parameter " + p.name() + " holds " + p.get(i)
            + " after epoch " + epoch + " (try a lower learning rate); this epoch is not saved");
      }
    }
    if (!Double.isFinite(testLoss)) {
      throw new NncException("training diverged: the test loss is " + testLoss + " after epoch "
          + epoch + " (try a lower learning rate); this epoch is not saved");
    }
  }

  /** Mean loss and accuracy of the model on {@code data}, in row order. */
  public Evaluation evaluate(Dataset data) {
    return evaluate(new Batcher(data, Batch.forModel(model, Math.max(1, Math.min(batchSize,
        data.rows())))), accuracySlot());
  }

  private Evaluation evaluate(Batcher batcher, String accuracyName) {
    batcher.resetOrder();
    int labelIndex = labelIndex(batcher.batch());
    int width = 0;
    if (accuracyName != null) {
      for (Slot s : model.outputs()) {
        if (s.name().equals(accuracyName)) {
          width = s.size();
        }
      }
    }
    double lossSum = 0;
    long correct = 0;
    int seen = 0;
    for (int k = 0; k < batcher.batchCount(); k++) {
      Batch b = batcher.fill(k);
      lossSum += model.forward(b) * b.size();
      seen += b.size();
      if (accuracyName != null && labelIndex >= 0) {
        float[] out = model.output(accuracyName);
        int[] labels = b.labels(labelIndex);
        for (int i = 0; i < b.size(); i++) {
          int predicted = width == 1 ? Math.round(out[i]) : argmax(out, i * width, width);
          if (predicted == labels[i]) {
            correct++;
          }
        }
      }
    }
    double accuracy = accuracyName != null && labelIndex >= 0 && seen > 0 ? (double) correct / seen : Double.NaN;
    return new Evaluation(seen > 0 ? lossSum / seen : Double.NaN, accuracy, seen);
  }

  /** The name of the output used for accuracy, or null if there is none. */
  private String accuracySlot() {
    int classes = 0;
    for (Slot s : model.inputs()) {
      if (s.kind() == Slot.Kind.LABEL) {
        classes = s.classes();
        break;
      }
    }
    List<String> names = new ArrayList<>();
    for (Slot s : model.outputs()) {
      names.add(s.name());
      if (accuracyOutput != null && s.name().equals(accuracyOutput)) {
        if (classes == 0) {
          throw new NncException("cannot compute accuracy from output " + s.name() + ": the model has no label");
        }
        if (s.size() != classes && s.size() != 1) {
          throw new NncException("cannot compute accuracy from output " + s.name() + " of shape "
              + java.util.Arrays.toString(s.shape()) + ": expected [" + classes + "] scores or a class index");
        }
        return s.name();
      }
    }
    if (accuracyOutput != null) {
      throw new NncException("model " + model.name() + " has no output '" + accuracyOutput + "' (outputs: "
          + String.join(", ", names) + ")");
    }
    for (Slot s : model.outputs()) {
      if (classes > 0 && s.shape().length == 1 && s.shape()[0] == classes) {
        return s.name();
      }
    }
    // A binary classifier with one logit names its class-index output "predicted".
    for (Slot s : model.outputs()) {
      if (classes > 0 && s.name().equals("predicted") && s.size() == 1) {
        return s.name();
      }
    }
    return null;
  }

  private static int labelIndex(Batch b) {
    for (int k = 0; k < b.slots().size(); k++) {
      if (b.slots().get(k).kind() == Slot.Kind.LABEL) {
        return k;
      }
    }
    return -1;
  }

  private static int argmax(float[] a, int from, int n) {
    int best = 0;
    for (int j = 1; j < n; j++) {
      if (a[from + j] > a[from + best]) {
        best = j;
      }
    }
    return best;
  }
}
