package dev.nnc.compiler.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nnc.compiler.GeneratedCode;
import dev.nnc.runtime.CompiledFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Disabled;
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

  @Disabled("bug in emit/FunctionEmitter: the typed value/valueAndGradient methods take one Java"
      + " parameter per scalar .nn parameter, and a JVM method has at most 255 parameter slots"
      + " (a double takes two): from 127 scalar parameters on (64 pairs here) javac fails with"
      + " 'too many parameters'. Fix: above ~100 slots, pass parameters in an array.")
  @Test
  void threeHundredScalarPairs() {
    double[] r = check(300);
    assertEquals(r[1], r[0], 0);
  }
}
