package dev.nnc.compiler.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.GeneratedModels;
import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.compiler.ir.ElementType;
import dev.nnc.runtime.Model;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A generated model describes its declared optimizer with the arguments in declaration order,
 * the same in every build and run (the description goes into checkpoints, which must be
 * byte-reproducible); a hash map's order would change between JVM runs.
 */
class OptimizerOrderTest {
  private static String model(String optimizer) {
    return """
        model Reg {
          input x: [3];
          target t: [1];
          param w: [3, 1] init zeros;
          loss mse(x @ w, t);
          %s
        }
        """.formatted(optimizer);
  }

  private static String source(String text) {
    Compiler.CheckResult checked = Compiler.check(new SourceFile("reg.nn", text));
    assertTrue(checked.ok(), checked.render());
    return Compiler.generate(checked, "gen", true, ElementType.F32).get(0).code();
  }

  @Test
  void descriptionKeepsDeclarationOrder() {
    List<String> args = List.of("lr: 0.01", "beta1: 0.8", "beta2: 0.99", "eps: 1.0E-7",
        "weight_decay: 0.001");
    // every rotation of the five arguments, each described in its own order
    for (int r = 0; r < args.size(); r++) {
      List<String> order = new ArrayList<>(args.subList(r, args.size()));
      order.addAll(args.subList(0, r));
      String declared = "adam(" + String.join(", ", order) + ")";
      Model model = GeneratedModels.compile(model("optimizer " + declared + ";"), ElementType.F32,
          true);
      assertEquals(declared, model.defaultOptimizer().toString());
    }
    Model sgd = GeneratedModels.compile(model("optimizer sgd(momentum: 0.9, lr: 0.05);"),
        ElementType.F64, true);
    assertEquals("sgd(momentum: 0.9, lr: 0.05)", sgd.defaultOptimizer().toString());
    assertNull(GeneratedModels.compile(model(""), ElementType.F32, true).defaultOptimizer());
  }

  @Test
  void twoBuildsGiveTheSameSource() {
    String text = model("optimizer adamw(weight_decay: 0.02, lr: 0.003, eps: 1e-6);");
    String first = source(text);
    assertEquals(first, source(text));
    assertFalse(first.contains("Map.of"), first);
    assertTrue(first.contains("return OptimizerSpec.parse(\"adamw\", new String[] {\"weight_decay\","
        + " \"lr\", \"eps\"}, new double[] {0.02, 0.003, 1.0E-6});"), first);
  }
}
