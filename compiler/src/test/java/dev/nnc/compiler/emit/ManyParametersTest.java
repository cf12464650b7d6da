package dev.nnc.compiler.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nnc.compiler.GeneratedCode;
import dev.nnc.runtime.CompiledFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A fn with many scalar parameters (the language sets no limit). */
class ManyParametersTest {
  private static double[] check(int pairs) {
    List<String> params = new ArrayList<>();
    List<String> terms = new ArrayList<>();
    for (int i = 0; i < pairs; i++) {
      params.add("a" + i);
      params.add("b" + i);
      terms.add("a" + i + " * b" + i);
    }
    Map<String, CompiledFunction> fns = GeneratedCode.compile(
        "fn sp(" + String.join(", ", params) + ") = " + String.join(" + ", terms) + ";", true);
    double[][] args = new double[2 * pairs][];
    double[][] grads = new double[2 * pairs][];
    for (int i = 0; i < args.length; i++) {
      args[i] = new double[] {i};
      grads[i] = new double[1];
    }
    double value = fns.get("sp").evaluateWithGradient(args, null, grads)[0];
    double expected = 0;
    for (int i = 0; i < pairs; i++) {
      expected += (2.0 * i) * (2.0 * i + 1);
      assertEquals(2.0 * i + 1, grads[2 * i][0], 0);
      assertEquals(2.0 * i, grads[2 * i + 1][0], 0);
    }
    return new double[] {value, expected};
  }

  @Test
  void sixtyScalarPairs() {
    double[] r = check(60);
    assertEquals(r[1], r[0], 0);
  }

  @Test
  void tooManyScalarParametersAreAClearCompileError() {
    StringBuilder params = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      params.append(i == 0 ? "" : ", ").append("x").append(i);
    }
    var result = dev.nnc.compiler.Compiler.check(new dev.nnc.compiler.diag.SourceFile("many.nn",
        "fn many(" + params + ") = x1;"));
    org.junit.jupiter.api.Assertions.assertFalse(result.ok());
    org.junit.jupiter.api.Assertions.assertTrue(result.render().contains(
        "many.nn:1:4: error: function many has too many parameters"), result.render());
  }
}
