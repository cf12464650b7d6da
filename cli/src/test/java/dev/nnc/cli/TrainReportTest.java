package dev.nnc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nnc train --report run.html --metrics run.csv}: the curves of the run the command printed. */
class TrainReportTest {
  @TempDir
  Path dir;

  @Test
  void reportAndMetricsHoldTheEpochsThatWerePrinted() throws IOException {
    Path html = dir.resolve("run.html");
    Path csv = dir.resolve("run.csv");
    CliRun run = CliRun.of("train", CliRun.sample("digits.nn"), "--epochs", "3", "--report",
        html.toString(), "--metrics", csv.toString()).ok();
    List<String> rows = Files.readAllLines(csv);
    assertEquals(4, rows.size());
    Matcher printed = Pattern.compile("epoch (\\d)/3  train loss (\\S+)  test loss (\\S+)"
        + "  test acc (\\S+)%").matcher(run.out());
    for (int i = 1; i <= 3; i++) {
      assertTrue(printed.find(), run.out());
      String[] f = rows.get(i).split(",");
      assertEquals(printed.group(1), f[0]);
      assertEquals(printed.group(2), String.format(Locale.ROOT, "%.4f", Double.parseDouble(f[1])));
      assertEquals(printed.group(3), String.format(Locale.ROOT, "%.4f", Double.parseDouble(f[3])));
      assertEquals(printed.group(4),
          String.format(Locale.ROOT, "%.2f", 100 * Double.parseDouble(f[4])));
    }
    String page = Files.readString(html);
    SvgCheck.parse(page);
    Matcher svg = Pattern.compile("<svg .*?</svg>", Pattern.DOTALL).matcher(page);
    int plots = 0;
    while (svg.find()) {
      SvgCheck.check(svg.group());
      plots++;
    }
    assertEquals(3, plots, "loss, accuracy and learning rate");
    assertFalse(page.contains("http-equiv=\"refresh\""), "finished");
  }

  @Test
  void unwritableTargetsFailBeforeTraining() {
    CliRun bad = CliRun.of("train", CliRun.sample("digits.nn"), "--report", dir.toString());
    bad.userError(1, "--report", "not a regular file");
    assertFalse(bad.out().contains("training"), bad.out());
    CliRun.of("train", CliRun.sample("digits.nn"), "--metrics",
        dir.resolve("no/such/run.csv").toString()).userError(1, "--metrics", "does not exist");
  }
}
