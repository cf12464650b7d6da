package dev.nnc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Programs that passed {@code nnc check} and then failed with a javac error or a stack trace
 * (issue 15 items 5, 6, 8, 14; the docs engineer's findings): scalar parameters, a loss that
 * reads no example, an output of parameters alone, a class index out of range at run time,
 * {@code where} without the simplifier, and eval of a fn in a file that also has a model.
 */
class SharedValuesCommandTest {
  @TempDir
  Path dir;

  private Path file(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  /** 40 rows of a, b, c and t = a + 2b - c + 0.5. */
  private Path csv() throws IOException {
    StringBuilder out = new StringBuilder("a,b,c,t\n");
    Random random = new Random(1);
    for (int i = 0; i < 40; i++) {
      double a = random.nextDouble() - 0.5;
      double b = random.nextDouble() - 0.5;
      double c = random.nextDouble() - 0.5;
      out.append(String.format(Locale.ROOT, "%.4f,%.4f,%.4f,%.4f%n", a, b, c, a + 2 * b - c + 0.5));
    }
    return file("reg.csv", out.toString());
  }

  private static CliRun train(Path model, Path csv, String... more) {
    String[] args = new String[5 + more.length];
    args[0] = "train";
    args[1] = model.toString();
    args[2] = "--data";
    args[3] = "csv:" + csv;
    args[4] = "--epochs=2";
    System.arraycopy(more, 0, args, 5, more.length);
    return CliRun.of(args);
  }

  @Test
  void aModelWithScalarParametersTrainsAndPredicts() throws IOException {
    Path model = file("scalar.nn", """
        model M {
          input x: [3];
          target t: [1];
          param w: [3, 1] init zeros;
          param b: [] init zeros;
          param c init ones;
          output y = x @ w + b + c;
          loss mse(x @ w + b + c, t);
        }
        """);
    Path csv = csv();
    Path weights = dir.resolve("w.safetensors");
    CliRun run = train(model, csv, "--save", weights.toString());
    assertEquals(0, run.exit(), run.err());
    run.assertNoStackTrace();
    assertTrue(run.out().contains("final: test loss"), run.out());
    CliRun predict = CliRun.of("predict", model.toString(), "--weights", weights.toString(),
        "--data", "csv:" + csv);
    assertEquals(0, predict.exit(), predict.err());
    assertTrue(predict.out().startsWith("example,y\n"), predict.out());
  }

  @Test
  void aLossThatReadsNoExampleTrains() throws IOException {
    Path csv = csv();
    Path penalty = file("penalty.nn", """
        model M {
          input x: [3];
          target t: [1];
          param w: [3, 1] init normal(0.5);
          output y = x @ w;
          loss sum(w^2);
        }
        """);
    CliRun run = train(penalty, csv);
    assertEquals(0, run.exit(), run.err());
    run.assertNoStackTrace();
    Path constant = file("constant.nn", """
        model M {
          input x: [3];
          target t: [1];
          param w: [3, 1] init zeros;
          output y = x @ w;
          loss 1.0;
        }
        """);
    run = train(constant, csv);
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().contains("epoch 2/2  train loss 1.0000  test loss 1.0000"), run.out());
  }

  @Test
  void anOutputOfParametersAloneIsPredictedForEveryExample() throws IOException {
    Path model = file("shared.nn", """
        model M {
          input x: [3];
          target t: [1];
          param w: [3, 1] init ones;
          output total = sum(w);
          loss mse(x @ w, t);
        }
        """);
    Path csv = csv();
    Path weights = dir.resolve("w.safetensors");
    CliRun run = train(model, csv, "--save", weights.toString());
    assertEquals(0, run.exit(), run.err());
    CliRun predict = CliRun.of("predict", model.toString(), "--weights", weights.toString(),
        "--data", "csv:" + csv);
    assertEquals(0, predict.exit(), predict.err());
    String[] rows = predict.out().split("\n");
    assertEquals("example,total", rows[0]);
    assertEquals(41, rows.length, predict.out());
    String value = rows[1].substring(2);
    Double.parseDouble(value);
    for (int i = 1; i < rows.length; i++) {
      assertEquals((i - 1) + "," + value, rows[i]);
    }
  }

  @Test
  void aClassIndexOutOfRangeIsOneLineNamingIt() throws IOException {
    Path fn = file("ce.nn", "fn ce(x: [3], k) = cross_entropy(x, k);\n");
    for (String mode : new String[] {"", "--interpret"}) {
      for (String[] k : new String[][] {{"1.5", "k = 1.5"}, {"3", "k = 3"}, {"-1", "k = -1"}}) {
        String[] args = mode.isEmpty()
            ? new String[] {"eval", fn.toString(), "--at", "x=[1,2,3],k=" + k[0]}
            : new String[] {"eval", fn.toString(), "--at", "x=[1,2,3],k=" + k[0], mode};
        CliRun.of(args).userError(1, "class index " + k[1] + " is not an integer in [0, 3)");
      }
    }
    Path constant = file("minus.nn", "fn ce(x: [3]) = cross_entropy(x, -1);\n");
    CliRun check = CliRun.of("check", constant.toString());
    assertEquals(1, check.exit());
    assertTrue(check.err().contains("minus.nn:1:17: error: cross_entropy: class index -1 is not"
        + " an integer in [0, 3)"), check.err());
  }

  @Test
  void whereKeepsAnUntakenNanOutWithEveryOption() throws IOException {
    Path fn = file("where.nn", "fn a(x) = where(x > 0, sqrt(x), 0);\n");
    String[][] modes = {{}, {"--no-simplify"}, {"--interpret"}, {"--interpret", "--no-simplify"}};
    for (String[] mode : modes) {
      String[] args = new String[4 + mode.length];
      args[0] = "eval";
      args[1] = fn.toString();
      args[2] = "--at";
      args[3] = "x=-1";
      System.arraycopy(mode, 0, args, 4, mode.length);
      CliRun run = CliRun.of(args).ok();
      assertEquals("a = 0\n  da/dx = 0\n", run.out(), String.join(" ", mode));
    }
  }

  @Test
  void evalOfAFnBesideAModel() throws IOException {
    Path both = file("both.nn", """
        fn f(x) = x * x;
        model M {
          input x: [3];
          target t: [1];
          param w: [3, 1] init zeros;
          loss mse(x @ w, t);
        }
        """);
    assertEquals("f = 9\n  df/dx = 6\n",
        CliRun.of("eval", both.toString(), "--fn", "f", "--at", "x=3").ok().out());
    assertEquals("f = 9\n  df/dx = 6\n",
        CliRun.of("eval", both.toString(), "--at", "x=3").ok().out());
  }
}
