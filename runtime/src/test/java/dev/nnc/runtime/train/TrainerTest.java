package dev.nnc.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.Batch;
import dev.nnc.runtime.Model;
import dev.nnc.runtime.NncException;
import dev.nnc.runtime.Parameter;
import dev.nnc.runtime.SoftmaxRegression;
import dev.nnc.runtime.TestData;
import dev.nnc.runtime.data.CsvReader;
import dev.nnc.runtime.data.Dataset;
import dev.nnc.runtime.data.Normalizer;
import dev.nnc.runtime.data.Split;
import dev.nnc.runtime.optim.LrSchedule;
import dev.nnc.runtime.optim.Optimizer;
import dev.nnc.runtime.optim.OptimizerSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
  private static Dataset train;
  private static Dataset test;

  @TempDir
  Path dir;

  @BeforeAll
  static void loadDigits() {
    Split split = CsvReader.readClassification(TestData.file("uci/digits.csv.gz")).split(0.8, 1);
    Normalizer n = Normalizer.standardize(split.train());
    train = n.apply(split.train());
    test = n.apply(split.test());
  }

  private static final OptimizerSpec SGD = OptimizerSpec.parseSource("sgd(lr: 0.05, momentum: 0.9)");

  private static Optimizer sgd() {
    return SGD.create();
  }

  private static SoftmaxRegression fresh() {
    SoftmaxRegression m = new SoftmaxRegression(64, 10, false);
    m.initialize(7);
    return m;
  }

  @Test
  void softmaxRegressionLearnsDigits() {
    SoftmaxRegression m = fresh();
    TrainingResult r = new Trainer(m).epochs(10).batchSize(32).seed(3).optimizer(sgd())
        .schedule(LrSchedule.cosine(0)).fit(train, test);
    assertEquals(10, r.epochs().size());
    assertTrue(r.last().testAccuracy() >= 0.85, "accuracy " + r.last().testAccuracy());
    assertTrue(r.trainLoss()[9] < r.trainLoss()[0] / 2, "loss must fall: " + java.util.Arrays.toString(r.trainLoss()));
    assertTrue(r.last().testLoss() < 0.5, "test loss " + r.last().testLoss());
    assertTrue(r.last().learningRate() < 0.05);
    Evaluation e = new Trainer(m).evaluate(test);
    assertEquals(r.last().testAccuracy(), e.accuracy());
    assertEquals(test.rows(), e.examples());
  }

  @Test
  void sameSeedGivesIdenticalRuns() {
    SoftmaxRegression a = fresh();
    SoftmaxRegression b = fresh();
    TrainingResult ra = new Trainer(a).epochs(3).batchSize(50).seed(11).optimizer(sgd()).fit(train, test);
    TrainingResult rb = new Trainer(b).epochs(3).batchSize(50).seed(11).optimizer(sgd()).fit(train, test);
    assertArrayEquals(ra.trainLoss(), rb.trainLoss());
    assertArrayEquals(ra.testLoss(), rb.testLoss());
    for (int k = 0; k < 2; k++) {
      assertArrayEquals(a.parameters().get(k).f32(), b.parameters().get(k).f32());
    }
    SoftmaxRegression c = fresh();
    TrainingResult rc = new Trainer(c).epochs(3).batchSize(50).seed(12).optimizer(sgd()).fit(train, test);
    assertFalse(java.util.Arrays.equals(ra.trainLoss(), rc.trainLoss()), "the seed must change the shuffling");
  }

  @Test
  void resumingFromACheckpointMatchesAnUninterruptedRun() {
    SoftmaxRegression straight = fresh();
    new Trainer(straight).epochs(3).batchSize(64).seed(5).optimizer(sgd()).fit(train, null);

    Path ckpt = dir.resolve("digits.safetensors");
    SoftmaxRegression first = fresh();
    new Trainer(first).epochs(2).batchSize(64).seed(5).optimizer(sgd())
        .onEpochEnd(new CheckpointSaver(ckpt, 1, SGD, null)).fit(train, null);

    SoftmaxRegression resumed = new SoftmaxRegression(64, 10, false);
    TrainingCheckpoint c = TrainingCheckpoint.load(ckpt, resumed);
    assertEquals(2, c.epoch());
    assertEquals(SGD, c.optimizer());
    assertNull(c.normalizer());
    Optimizer opt = sgd();
    opt.importState(resumed.parameters(), c.optimizerState());
    TrainingResult r = new Trainer(resumed).firstEpoch(3).epochs(3).batchSize(64).seed(5).optimizer(opt)
        .fit(train, null);
    assertEquals(1, r.epochs().size());
    assertEquals(3, r.last().epoch());
    for (int k = 0; k < 2; k++) {
      Parameter p = straight.parameters().get(k);
      assertArrayEquals(p.f32(), resumed.parameters().get(k).f32(), p.name());
    }
  }

  @Test
  void usesTheModelsDeclaredOptimizerByDefault() {
    Trainer t = new Trainer(fresh());
    assertEquals(0.5, t.optimizer().learningRate());
  }

  /** One default for the command line and the library (they differed: lr 0.1 and 0.01). */
  @Test
  void withoutADeclaredOptimizerTheDefaultIsMomentumSgd() {
    Model undeclared = new Delegate(fresh()) {
      @Override
      public OptimizerSpec defaultOptimizer() {
        return null;
      }
    };
    assertEquals("sgd(lr: 0.1, momentum: 0.9)", Trainer.defaultOptimizer(undeclared).toString());
    assertEquals(0.1, new Trainer(undeclared).optimizer().learningRate());
  }

  /**
   * A last update that makes a weight NaN while every batch loss was finite (issue 15 item 4):
   * training stops with the parameter's name, and the checkpoint keeps the last good epoch.
   */
  @Test
  void anEpochThatDivergesIsNeverSaved() {
    Path ckpt = dir.resolve("d.safetensors");
    SoftmaxRegression inner = fresh();
    int[] steps = {0};
    int perEpoch = (train.rows() + 63) / 64;
    Model poisoned = new Delegate(inner) {
      @Override
      public double trainStep(Batch batch, Optimizer optimizer) {
        double loss = super.trainStep(batch, optimizer);
        if (++steps[0] == 2 * perEpoch) { // the last step of epoch 2
          inner.parameters().get(0).set(17, Double.POSITIVE_INFINITY);
        }
        return loss;
      }
    };
    NncException e = assertThrows(NncException.class, () -> new Trainer(poisoned).epochs(3)
        .batchSize(64).optimizer(sgd()).onEpochEnd(new CheckpointSaver(ckpt, 1, SGD, null))
        .fit(train, null));
    assertEquals("training diverged: parameter fc.W holds Infinity after epoch 2 (try a lower"
        + " learning rate); this epoch is not saved", e.getMessage());
    assertEquals(1, TrainingCheckpoint.load(ckpt, fresh()).epoch());
  }

  @Test
  void aNonFiniteTestLossEndsTraining() {
    float[] x = test.features().clone();
    x[3] = Float.POSITIVE_INFINITY;
    Dataset bad = Dataset.classification("t", x, test.rows(), 64, test.labels());
    NncException e = assertThrows(NncException.class,
        () -> new Trainer(fresh()).epochs(1).optimizer(sgd()).fit(train, bad));
    assertTrue(e.getMessage().startsWith("training diverged: the test loss is NaN after epoch 1"),
        e.getMessage());
  }

  @Test
  void emptyDataIsRefused() {
    Dataset none = Dataset.classification("empty.csv", new float[0], 0, 64, new int[0]);
    NncException e = assertThrows(NncException.class, () -> new Trainer(fresh()).fit(none, test));
    assertEquals("empty.csv: no examples to train on", e.getMessage());
    e = assertThrows(NncException.class, () -> new Trainer(fresh()).fit(train, none));
    assertEquals("empty.csv: no examples to test on", e.getMessage());
  }

  @Test
  void inputSizeMismatchIsExplained() {
    Dataset cancer = CsvReader.readClassification(TestData.file("uci/breast_cancer.csv.gz"));
    NncException e = assertThrows(NncException.class, () -> new Trainer(fresh()).fit(cancer, null));
    assertEquals("model input x has 64 values per example but the data (breast_cancer.csv.gz) has 30 features",
        e.getMessage());
  }

  @Test
  void accuracyOutputMustExist() {
    NncException e = assertThrows(NncException.class,
        () -> new Trainer(fresh()).accuracyOutput("logits").epochs(1).fit(train, test));
    assertEquals("model SoftmaxRegression has no output 'logits' (outputs: probs)", e.getMessage());
  }

  @Test
  void nonFiniteLossIsReported() {
    float[] x = train.features().clone();
    x[5 * 64 + 3] = Float.NaN;
    Dataset poisoned = Dataset.classification("poisoned", x, train.rows(), 64, train.labels());
    NncException e = assertThrows(NncException.class,
        () -> new Trainer(fresh()).epochs(1).batchSize(train.rows()).optimizer(sgd()).fit(poisoned, null));
    assertEquals("training diverged: the loss is NaN at epoch 1, batch 1 (try a lower learning rate)", e.getMessage());
  }

  @Test
  void plainProgressPrintsOneLinePerEpoch() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    new Trainer(fresh()).epochs(2).optimizer(sgd()).listener(new ConsoleProgress(out, false)).fit(train, test);
    String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
    assertEquals(3, lines.length);
    assertTrue(lines[0].matches("epoch 1/2  train loss \\d+\\.\\d{4}  test loss \\d+\\.\\d{4}  test acc \\d+\\.\\d\\d%  "
        + "lr 0\\.0500  \\d+ ex/s  \\d+\\.\\ds"), lines[0]);
    assertTrue(lines[1].startsWith("epoch 2/2  "), lines[1]);
    assertTrue(lines[2].startsWith("trained 2 epoch(s) in "), lines[2]);
    assertFalse(bytes.toString(StandardCharsets.UTF_8).contains("\r"));
  }

  @Test
  void terminalProgressRedrawsABar() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    new Trainer(fresh()).epochs(1).optimizer(sgd()).listener(new ConsoleProgress(out, true)).fit(train, null);
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("\repoch 1/1 [" + "=".repeat(30) + "] 100%  loss "), text);
    assertTrue(text.contains("epoch 1/1  train loss "), text);
  }

  /** A model that forwards everything to another, for overriding one method. */
  private static class Delegate implements Model {
    private final Model inner;

    Delegate(Model inner) {
      this.inner = inner;
    }

    @Override
    public String name() {
      return inner.name();
    }

    @Override
    public java.util.List<Parameter> parameters() {
      return inner.parameters();
    }

    @Override
    public java.util.List<dev.nnc.runtime.Slot> inputs() {
      return inner.inputs();
    }

    @Override
    public java.util.List<dev.nnc.runtime.Slot> outputs() {
      return inner.outputs();
    }

    @Override
    public double forward(Batch batch) {
      return inner.forward(batch);
    }

    @Override
    public double forwardBackward(Batch batch) {
      return inner.forwardBackward(batch);
    }

    @Override
    public float[] output(String name) {
      return inner.output(name);
    }

    @Override
    public OptimizerSpec defaultOptimizer() {
      return inner.defaultOptimizer();
    }
  }
}
