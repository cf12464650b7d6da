package dev.nnc.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.NncException;
import dev.nnc.runtime.SoftmaxRegression;
import dev.nnc.runtime.TestData;
import dev.nnc.runtime.data.CsvReader;
import dev.nnc.runtime.data.Dataset;
import dev.nnc.runtime.data.Normalizer;
import dev.nnc.runtime.data.Split;
import dev.nnc.runtime.io.Json;
import dev.nnc.runtime.optim.LrSchedule;
import dev.nnc.runtime.optim.OptimizerSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xml.sax.InputSource;

/** The training report holds exactly the trainer's history and is rewritten after every epoch. */
class TrainingReportTest {
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

  @Test
  void reportNumbersEqualTheReturnedHistory() throws Exception {
    SoftmaxRegression model = new SoftmaxRegression(64, 10, false);
    model.initialize(7);
    Trainer trainer = new Trainer(model).epochs(4).batchSize(32).seed(3)
        .optimizer(OptimizerSpec.parse("sgd", Map.of("lr", 0.05, "momentum", 0.9)).create())
        .schedule(LrSchedule.cosine(0));
    Path html = dir.resolve("run.html");
    Path csv = dir.resolve("run.csv");
    TrainingReport report = new TrainingReport(html, csv, "softmax regression on digits",
        () -> trainer.evaluate(train).accuracy());
    trainer.onEpochEnd(report);
    // after every epoch, both files already hold that epoch (written before the next starts)
    int[] seen = {0};
    trainer.onEpochEnd((stats, total, m, o) -> {
      try {
        seen[0]++;
        assertEquals(stats.epoch() + 1, Files.readAllLines(csv).size());
        String page = Files.readString(html);
        assertEquals(stats.epoch() < total, page.contains("http-equiv=\"refresh\""));
        assertEquals(stats.epoch(), history(page).size());
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });
    TrainingResult result = trainer.fit(train, test);
    assertEquals(4, seen[0]);
    List<EpochStats> epochs = result.epochs();

    List<String> lines = Files.readAllLines(csv);
    assertEquals(TrainingReport.CSV_HEADER, lines.get(0));
    assertEquals(epochs.size() + 1, lines.size());
    List<?> json = history(Files.readString(html));
    for (int i = 0; i < epochs.size(); i++) {
      EpochStats s = epochs.get(i);
      String[] f = lines.get(i + 1).split(",", -1);
      assertEquals(s.epoch(), Integer.parseInt(f[0]));
      assertEquals(s.trainLoss(), Double.parseDouble(f[1]));
      assertEquals(s.testLoss(), Double.parseDouble(f[3]));
      assertEquals(s.testAccuracy(), Double.parseDouble(f[4]));
      assertEquals(s.learningRate(), Double.parseDouble(f[5]));
      assertEquals(s.seconds(), Double.parseDouble(f[6]));
      double trainAccuracy = Double.parseDouble(f[2]);
      assertTrue(trainAccuracy > 0.5 && trainAccuracy <= 1, f[2]);
      Map<?, ?> row = (Map<?, ?>) json.get(i);
      assertEquals((double) s.epoch(), ((Number) row.get("epoch")).doubleValue());
      assertEquals(s.trainLoss(), ((Number) row.get("train_loss")).doubleValue());
      assertEquals(trainAccuracy, ((Number) row.get("train_accuracy")).doubleValue());
      assertEquals(s.testLoss(), ((Number) row.get("test_loss")).doubleValue());
      assertEquals(s.testAccuracy(), ((Number) row.get("test_accuracy")).doubleValue());
      assertEquals(s.learningRate(), ((Number) row.get("learning_rate")).doubleValue());
      assertEquals(s, report.rows().get(i).stats());
    }
    // the last epoch's training accuracy is the trained model's accuracy on the training set
    assertEquals(trainer.evaluate(train).accuracy(),
        report.rows().get(epochs.size() - 1).trainAccuracy());

    String page = Files.readString(html);
    parse(page);
    assertFalse(page.contains("http-equiv=\"refresh\""), "a finished run stops reloading");
    assertEquals(3, count(page, "<svg "), "loss, accuracy and learning-rate plots");
    Matcher svg = Pattern.compile("<svg .*?</svg>", Pattern.DOTALL).matcher(page);
    while (svg.find()) {
      parse(svg.group());
    }
    assertFalse(Pattern.compile("\\s(src|href)=").matcher(page).find(), "self-contained");
    try (var files = Files.list(dir)) {
      assertEquals(2, files.count(), "no temporary files left");
    }
  }

  @Test
  void regressionHasNoAccuracyPlotAndEmptyFields() throws IOException {
    Path csv = dir.resolve("m.csv");
    Path html = dir.resolve("m.html");
    TrainingReport report = new TrainingReport(html, csv, "regression", null);
    report.afterEpoch(new EpochStats(1, 0.5, Double.NaN, Double.NaN, 0.1, 1.25, 100), 2, null,
        null);
    assertEquals("1,0.5,,,,0.1,1.25", Files.readAllLines(csv).get(1));
    String page = Files.readString(html);
    parse(page);
    assertEquals(2, count(page, "<svg "), "loss and learning rate only");
    assertTrue(page.contains("http-equiv=\"refresh\""), "epoch 1 of 2: still running");
  }

  @Test
  void refusesTargetsItCannotWrite() throws IOException {
    Files.createDirectory(dir.resolve("sub"));
    NncException e = assertThrows(NncException.class,
        () -> new TrainingReport(dir.resolve("sub"), null, "t", null));
    assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
    e = assertThrows(NncException.class,
        () -> new TrainingReport(null, dir.resolve("no/such/m.csv"), "t", null));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
  }

  @Test
  void progressBarShowsTheTimeLeft() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintWriter out = new PrintWriter(bytes, true, StandardCharsets.UTF_8);
    AtomicLong now = new AtomicLong();
    ConsoleProgress progress = new ConsoleProgress(out, true, now::get);
    progress.onStart(1, 2, 10);
    now.set(5_000_000_000L); // 5 s for the first 5 of 20 batches: 15 left take 15 s
    progress.onBatch(1, 5, 10, 0.5);
    assertTrue(bytes.toString(StandardCharsets.UTF_8).endsWith("loss 0.5000  ETA 0:15"),
        bytes.toString(StandardCharsets.UTF_8));
    assertEquals("0:00", ConsoleProgress.duration(0.2));
    assertEquals("1:05", ConsoleProgress.duration(65));
    assertEquals("2:00:01", ConsoleProgress.duration(7201));
  }

  private static List<?> history(String page) {
    Matcher m = Pattern.compile("<script type=\"application/json\" id=\"nnc-history\">(.*?)"
        + "</script>", Pattern.DOTALL).matcher(page);
    assertTrue(m.find(), "history block");
    return (List<?>) Json.parse(m.group(1));
  }

  private static void parse(String xml) {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setNamespaceAware(true);
      factory.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
    } catch (Exception e) {
      throw new AssertionError("not well-formed: " + e.getMessage(), e);
    }
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }
}
