package dev.nnc.cli;

import static dev.nnc.cli.CliRun.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.io.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nnc eval --hessian --direction}, {@code nnc grad --order 2}, {@code nnc grad} on a
 * model, and stated derivatives ({@code grad(g) = ...}) seen from the command line.
 */
class SecondOrderCommandTest {
  @TempDir
  Path dir;

  private Path file(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return (Map<String, Object>) assertInstanceOf(Map.class, o);
  }

  private static double[] flat(Object o) {
    if (o instanceof Number n) {
      return new double[] {n.doubleValue()};
    }
    return ((List<?>) o).stream().flatMapToDouble(e -> Arrays.stream(flat(e))).toArray();
  }

  private static Map<String, Object> evalJson(String... args) {
    String[] given = Arrays.stream(args).filter(a -> !a.isEmpty()).toArray(String[]::new);
    return map(Json.parse(CliRun.of(given).ok().out().strip()));
  }

  @Test
  void hessianJvpAndHvpOfTheChainRuleExample() {
    for (String mode : new String[] {"", "--interpret"}) {
      Map<String, Object> json = evalJson("eval", sample("chain.nn"), "--fn", "f", "--at",
          "x=-2,y=5,z=-4", "--hessian", "--direction", "x=1,y=2,z=3", "--json", mode);
      assertEquals(List.of("value", "gradient", "hessian", "jvp", "hvp"),
          List.copyOf(json.keySet()));
      List<?> rows = (List<?>) json.get("hessian");
      assertEquals(3, rows.size());
      assertTrue(Arrays.equals(new double[] {0, 0, 1}, flat(rows.get(0))), json.toString());
      assertTrue(Arrays.equals(new double[] {0, 0, 1}, flat(rows.get(1))), json.toString());
      assertTrue(Arrays.equals(new double[] {1, 1, 0}, flat(rows.get(2))), json.toString());
      // J v = grad . v = -4 - 8 + 9; H v = (z-row) (3, 3, 1 + 2)
      assertEquals(-3, flat(json.get("jvp"))[0]);
      Map<String, Object> hvp = map(json.get("hvp"));
      assertEquals(List.of("x", "y", "z"), List.copyOf(hvp.keySet()));
      assertEquals(3, flat(hvp.get("x"))[0]);
      assertEquals(3, flat(hvp.get("y"))[0]);
      assertEquals(3, flat(hvp.get("z"))[0]);
    }
  }

  @Test
  void hessianOfTheSquaredNormIsTwoWTransposeW() {
    // sqnorm(W, x) = sum((W @ x)^2): the x block of the Hessian is 2 W^T W
    double[][] w = {{0.1, 0.5}, {-0.3, 0.8}};
    for (String mode : new String[] {"", "--interpret"}) {
      Map<String, Object> json = evalJson("eval", sample("sqnorm.nn"), "--at",
          "W=[[0.1,0.5],[-0.3,0.8]],x=[0.2,0.4]", "--hessian", "--json", mode);
      Map<String, Object> one = json.containsKey("sqnorm") ? map(json.get("sqnorm")) : json;
      List<?> rows = (List<?>) one.get("hessian");
      assertEquals(6, rows.size());
      for (int i = 0; i < 2; i++) {
        double[] row = flat(rows.get(4 + i));
        for (int j = 0; j < 2; j++) {
          double expected = 2 * (w[0][i] * w[0][j] + w[1][i] * w[1][j]);
          assertEquals(expected, row[4 + j], 1e-12, "x" + i + " x" + j);
        }
      }
    }
  }

  @Test
  void textOutputListsTheHessianRowsAndTheProducts() {
    CliRun r = CliRun.of("eval", sample("chain.nn"), "--at", "x=-2,y=5,z=-4", "--hessian",
        "--direction", "x=1,y=0,z=0").ok();
    assertEquals(List.of("f = -12", "  df/dx = -4", "  df/dy = -4", "  df/dz = 3",
        "  hessian (parameters flattened in declaration order) =", "    [0, 0, 1]",
        "    [0, 0, 1]", "    [1, 1, 0]", "  jvp = -4", "  hvp/x = 0", "  hvp/y = 0",
        "  hvp/z = 1"), List.of(r.out().split("\n")));
  }

  @Test
  void aDirectionMustGiveEveryParameterItsShape() {
    CliRun.of("eval", sample("chain.nn"), "--at", "x=-2,y=5,z=-4", "--direction", "x=1,y=2")
        .userError(2, "--direction", "no value for parameter z");
    CliRun.of("eval", sample("chain.nn"), "--at", "x=-2,y=5,z=-4", "--direction",
        "x=1,y=2,z=[1,2]").userError(2, "parameter z", "shape [2]");
    CliRun.of("eval", sample("chain.nn"), "--at", "x=-2,y=5,z=-4", "--direction",
        "x=1,y=2,z=3,w=4").userError(2, "has no parameter 'w'");
  }

  @Test
  void gradOrderTwoPrintsTheHessianAsMath() {
    CliRun r = CliRun.of("grad", sample("chain.nn"), "--order", "2").ok();
    List<String> lines = List.of(r.out().split("\n"));
    assertTrue(lines.contains("  d2/dx dz = 1"), r.out());
    assertTrue(lines.contains("  d2/dx^2 = 0"), r.out());
    assertTrue(lines.contains("  d2/dz^2 = 0"), r.out());
    // the neuron's second derivatives reuse the named first derivative ds once
    CliRun n = CliRun.of("grad", sample("neuron.nn"), "--order", "2").ok();
    assertTrue(n.out().contains("  ds = neuron * "), n.out());
    assertTrue(n.out().contains("d2/dw0 dx0 = ds + "), n.out());
    assertEquals(1, n.out().split("sigmoid\\(").length - 1, n.out());
    // tensor parameters: the Hessian-vector product along v_W, v_x
    CliRun s = CliRun.of("grad", sample("sqnorm.nn"), "--order", "2").ok();
    assertTrue(s.out().contains("hvp/x = "), s.out());
    assertTrue(s.out().contains("v_W"), s.out());
    CliRun.of("grad", sample("chain.nn"), "--order", "3").userError(2, "--order must be 1 or 2");
  }

  @Test
  void gradOfAModelPrintsEachParametersGradientOfTheBatchLoss() {
    CliRun r = CliRun.of("grad", sample("breast_cancer.nn")).ok();
    assertTrue(r.out().startsWith("model "), r.out());
    assertTrue(r.out().contains("batch_sum("), r.out());
    assertTrue(r.out().contains("  loss = "), r.out());
    assertTrue(r.out().contains("/ B"), r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("  d/d")), r.out());
  }

  @Test
  void statedDerivativesAreUsedAndPrinted() throws IOException {
    Path f = file("ste.nn", """
        fn softplus2(x) = log(1 + exp(x)) grad(g) = g * sigmoid(x);
        fn ste(x) = floor(x) grad(g) = g;
        """);
    CliRun g = CliRun.of("grad", f.toString(), "--fn", "softplus2").ok();
    assertTrue(g.out().contains("sigmoid(x)"), g.out());
    Map<String, Object> json = evalJson("eval", f.toString(), "--fn", "ste", "--at", "x=2.5",
        "--hessian", "--json");
    assertEquals(2, flat(json.get("value"))[0]);
    assertEquals(1, flat(map(json.get("gradient")).get("x"))[0]);
    assertEquals(0, flat(((List<?>) json.get("hessian")).get(0))[0]);
  }
}
