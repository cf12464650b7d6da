package dev.nnc.compiler.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.GeneratedModels;
import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.compiler.ir.ElementType;
import dev.nnc.runtime.GradientCheck;
import dev.nnc.runtime.Model;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Loop fusion in generated models: what it fuses, what it must not, and that results hold. */
class FusionTest {
  static final String MLP = """
      layer Dense(n_in, n_out)(x: [n_in]) {
        param W: [n_in, n_out] init he;
        param b: [n_out] init zeros;
        return x @ W + b;
      }
      model Mlp {
        input x: [12];
        label y: class(4);
        let fc1 = Dense(12, 8);
        let fc2 = Dense(8, 4);
        let logits = fc2(relu(fc1(x)));
        loss cross_entropy(logits, y);
      }
      """;

  /** {@code a.T} reads a per-example matrix at other elements: its reader must not fuse with a. */
  static final String VIEW = """
      model ViewFusion {
        input x: [3, 3];
        target t: [3, 3];
        param W: [3, 3] init normal(0.5);
        let a = tanh(x * W);
        let c = a.T * x + a;
        output out = c;
        loss mse(c, t);
      }
      """;

  private static String source(String text) {
    Compiler.CheckResult checked = Compiler.check(new SourceFile("test.nn", text));
    assertTrue(checked.ok(), checked.render());
    return Compiler.generate(checked, "gen", true, ElementType.F32).get(0).code();
  }

  @Test
  void reluMaskIsALocalOfTheLoopThatAppliesIt() {
    String code = source(MLP);
    Matcher m = Pattern.compile("float (\\w+) = step\\(").matcher(code);
    assertTrue(m.find(), code);
    String mask = m.group(1);
    assertFalse(code.contains("float[] " + mask + " "), "the mask needs no buffer:\n" + code);
    assertTrue(code.contains("steps in one pass over each example's 8 elements"), code);
  }

  @Test
  void readsThroughATransposeAreNotFused() {
    String code = source(VIEW);
    // The transposed read happens in a loop after the loop that stores a.
    int store = code.indexOf("a[b * 9 + i] = tanh(");
    int read = code.indexOf("a[b * 9 + (i % 3) * 3 + i / 3]");
    assertTrue(store >= 0 && read > store, code);
    String between = code.substring(store, read);
    assertTrue(between.contains("for (int b = 0; b < n; b++)"), "a.T read in a's own loop:\n" + code);
  }

  @Test
  void fusedModelsPassTheGradientCheck() {
    for (String text : new String[] {MLP, VIEW}) {
      Model model = GeneratedModels.compile(text, ElementType.F64, true);
      GradientCheck.check(model, 17);
    }
  }

  @Test
  void eachGradientIsComputedOnce() {
    String code = source(VIEW);
    assertEquals(1, code.split("this\\.W\\.gradF32\\(\\)", -1).length - 1, code);
    String mlp = source(MLP);
    for (String p : new String[] {"fc1_W", "fc1_b", "fc2_W", "fc2_b"}) {
      assertEquals(1, mlp.split("this\\." + p + "\\.gradF32\\(\\)", -1).length - 1, p + "\n" + mlp);
    }
  }
}
