package dev.nnc.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.compiler.ir.ElementType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Two declarations that would generate the same class are an error naming both places. */
class GenerationCollisionTest {
  private static Compiler.Unit unit(String file, String text, String pkg) {
    Compiler.CheckResult checked = Compiler.check(new SourceFile(file, text));
    assertTrue(checked.ok(), checked.render());
    return new Compiler.Unit(checked, pkg);
  }

  @Test
  void sameFunctionInTwoFilesCollides() {
    Compiler.Generation g = Compiler.generate(List.of(unit("a.nn", "fn f(x) = x * x;\n", "p"),
        unit("b.nn", "\nfn f(y) = y + 1;\n", "p")), true, ElementType.F32);
    assertFalse(g.ok());
    assertTrue(g.sources().isEmpty(), "nothing is generated when classes collide");
    assertEquals(1, g.diagnostics().size());
    String text = g.render();
    assertTrue(text.startsWith("b.nn:2:4: error: fn f would generate class p.F, which the"
        + " declaration at a.nn:1:4 already generates"), text);
    assertTrue(text.contains("fn f(y) = y + 1;"), "the source line is shown: " + text);
  }

  @Test
  void differentPackagesDoNotCollide() {
    Compiler.Generation g = Compiler.generate(List.of(unit("a/m.nn", "fn f(x) = x * x;", "p.a"),
        unit("b/m.nn", "fn f(y) = y + 1;", "p.b")), true, ElementType.F32);
    assertTrue(g.ok(), g.render());
    assertEquals(List.of("p.a.F", "p.b.F"),
        g.sources().stream().map(Compiler.GeneratedSource::qualifiedName).toList());
    assertEquals(1, g.sources().get(1).origin().line());
    assertTrue(g.sources().get(0).code().startsWith(Compiler.GENERATED_MARKER),
        g.sources().get(0).code());
  }

  @Test
  void namesThatDifferOnlyInCaseCollideInOneFile() {
    Compiler.Unit u = unit("c.nn", "fn f(x) = x;\nfn F(x) = 2 * x;\n", "");
    Compiler.Generation g = Compiler.generate(List.of(u), true, ElementType.F32);
    assertEquals(1, g.diagnostics().size(), g.render());
    assertTrue(g.render().startsWith("c.nn:2:4: error: fn F would generate class F"), g.render());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Compiler.generate(u.checked(), "", true));
    assertTrue(e.getMessage().contains("c.nn:2:4"), e.getMessage());
  }

  @Test
  void aClassNamedLikeAnotherDeclarationsGradientTestCollides() {
    // fn f's gradient test is FGradientTest, the class of fn f_gradient_test: in the Maven
    // plugin one is a main and the other a test source of one package, and the test class
    // would hide the main class on the test class path.
    Compiler.Generation g = Compiler.generate(List.of(unit("a.nn", "fn f(x) = x * x;\n", "p"),
        unit("b.nn", "\n\nfn f_gradient_test(x) = x;\n", "p")), true, ElementType.F32);
    assertFalse(g.ok());
    assertTrue(g.sources().isEmpty(), "nothing is generated when classes collide");
    assertEquals(1, g.diagnostics().size(), g.render());
    assertTrue(g.render().startsWith("b.nn:3:4: error: fn f_gradient_test would generate class"
        + " p.FGradientTest, which is the gradient test class of fn f at a.nn:1:4; rename one of"
        + " them or generate them into different packages"), g.render());
    assertTrue(g.render().contains("fn f_gradient_test(x) = x;"), g.render());
  }

  @Test
  void theCollisionIsFoundInEitherOrderAndIgnoringCase() {
    Compiler.Generation g = Compiler.generate(List.of(
        unit("m.nn", "model net_gradienttest {\n  input x: [3];\n  target t: [1];\n"
            + "  param w: [3, 1] init normal(0.5);\n  output y = x @ w;\n"
            + "  loss sum((y - t)^2);\n}\nfn net(x) = x;\n", "")), true, ElementType.F32);
    assertEquals(1, g.diagnostics().size(), g.render());
    // The fn comes first in generation order, then the model: the model is the later one.
    assertTrue(g.render().startsWith("m.nn:1:7: error: model net_gradienttest would generate"
        + " class NetGradienttest, which is the gradient test class of fn net at m.nn:8:4; rename"
        + " one of them\n"), g.render());

    Compiler.Generation h = Compiler.generate(List.of(unit("x.nn", "fn g_gradient_test(x) = x;\n",
        "q"), unit("y.nn", "fn g(x) = 2 * x;\n", "q")), true, ElementType.F32);
    assertEquals(1, h.diagnostics().size(), h.render());
    assertTrue(h.render().startsWith("y.nn:1:4: error: fn g would have gradient test class"
        + " q.GGradientTest, which the declaration at x.nn:1:4 generates"), h.render());
  }

  @Test
  void gradientTestNamesInOtherPackagesOrOfOtherNamesDoNotCollide() {
    Compiler.Generation g = Compiler.generate(List.of(unit("a.nn", "fn f(x) = x;\n", "p.a"),
        unit("b.nn", "fn f_gradient_test(x) = x;\nfn f_gradient_test_gradient(x) = x;\n",
            "p.b")), true, ElementType.F32);
    assertTrue(g.ok(), g.render());
    assertEquals(3, g.sources().size());
  }
}
