package dev.nnc.compiler.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.nnc.compiler.GeneratedCode;
import dev.nnc.compiler.GeneratedModels;
import dev.nnc.compiler.TestPrograms;
import dev.nnc.compiler.autodiff.DerivedFunction;
import dev.nnc.compiler.ir.ElementType;
import dev.nnc.compiler.ir.FunctionIr;
import dev.nnc.runtime.Batch;
import dev.nnc.runtime.CompiledFunction;
import dev.nnc.runtime.Model;
import dev.nnc.runtime.NncException;
import org.junit.jupiter.api.Test;

/**
 * A class index given at run time that is not an integer in range (issue 15 item 8) is an error
 * naming the argument, the same from generated code and the interpreter, with and without the
 * simplifier: not an ArrayIndexOutOfBoundsException, and {@code k = 1.5} not truncated to 1.
 */
class ClassIndexTest {
  private static final String FN = "fn ce(x: [3], k) = cross_entropy(x, k) + hinge(x, k);";

  @Test
  void aFunctionRejectsABadClassIndexNamingIt() {
    FunctionIr fn = TestPrograms.function(FN, "ce");
    for (boolean simplify : new boolean[] {true, false}) {
      CompiledFunction generated = GeneratedCode.compile(FN, simplify).get("ce");
      DerivedFunction derived = DerivedFunction.derive(fn, simplify);
      for (double k : new double[] {1.5, 3, -1, Double.NaN, 1e10}) {
        String expected = "class index k = " + (k == Math.rint(k) ? Long.toString((long) k)
            : Double.toString(k)) + " is not an integer in [0, 3)";
        double[][] args = {{1, 2, 3}, {k}};
        NncException e = assertThrows(NncException.class,
            () -> GeneratedCode.valueAndGradient(generated, args), "k = " + k);
        assertEquals(expected, e.getMessage());
        e = assertThrows(NncException.class,
            () -> TestPrograms.valueAndGradient(derived, args), "interpreted k = " + k);
        assertEquals(expected, e.getMessage());
      }
      // a valid index still works, and both agree
      double[][] args = {{1, 2, 3}, {2}};
      assertEquals(TestPrograms.valueAndGradient(derived, args).get(0)[0],
          GeneratedCode.valueAndGradient(generated, args)[0][0], 1e-12);
    }
  }

  @Test
  void aModelRejectsALabelOutOfRangeNamingIt() {
    String text = """
        model M {
          input x: [4];
          label y: class(3);
          param W: [4, 3] init normal(0.1);
          loss cross_entropy(x @ W, y);
        }
        """;
    for (ElementType type : ElementType.values()) {
      Model model = GeneratedModels.compile(text, type, true);
      model.initialize(1);
      Batch batch = GeneratedModels.randomBatch(model, 4, 2);
      batch.labels(1)[2] = 3;
      NncException e = assertThrows(NncException.class, () -> model.forwardBackward(batch));
      assertEquals("class index y = 3 is not an integer in [0, 3)", e.getMessage());
      batch.labels(1)[2] = -1;
      e = assertThrows(NncException.class, () -> model.forward(batch));
      assertEquals("class index y = -1 is not an integer in [0, 3)", e.getMessage());
    }
  }
}
