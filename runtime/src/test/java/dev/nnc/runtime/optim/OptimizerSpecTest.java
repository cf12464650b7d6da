package dev.nnc.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.NncException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptimizerSpecTest {
  @Test
  void parsesWithDefaults() {
    OptimizerSpec s = OptimizerSpec.parse("sgd", Map.of("lr", 0.1, "momentum", 0.9));
    assertEquals(0.1, s.arg("lr"));
    assertEquals(0.0, s.arg("weight_decay"));
    assertEquals(0.001, OptimizerSpec.parse("adam", Map.of()).arg("lr"));
    assertEquals(0.01, OptimizerSpec.parse("adamw", Map.of()).arg("weight_decay"));
    assertEquals("adam(lr: 0.003)", OptimizerSpec.parse("adam", Map.of("lr", 0.003)).toString());
    assertEquals(0.5, s.with("lr", 0.5).arg("lr"));
    assertEquals(0.9, s.with("lr", 0.5).arg("momentum"));
    assertTrue(s.create() instanceof Sgd);
    assertTrue(OptimizerSpec.parse("adamw", Map.of()).create() instanceof Adam);
    assertEquals(0.1, s.create().learningRate());
  }

  @Test
  void rejectsUnknownNamesAndArgumentsListingValidOnes() {
    NncException e = assertThrows(NncException.class, () -> OptimizerSpec.parse("rmsprop", Map.of()));
    assertEquals("unknown optimizer 'rmsprop' (valid: sgd, momentum, nesterov, adam, adamw)", e.getMessage());
    e = assertThrows(NncException.class, () -> OptimizerSpec.parse("adam", Map.of("momentum", 0.9)));
    assertEquals("optimizer adam has no argument 'momentum' (valid: lr, beta1, beta2, eps, weight_decay)",
        e.getMessage());
  }

  @Test
  void rejectsBadValues() {
    NncException e = assertThrows(NncException.class, () -> OptimizerSpec.parse("sgd", Map.of("lr", -1.0)));
    assertEquals("optimizer sgd: lr must be > 0, got -1.0", e.getMessage());
    assertThrows(NncException.class, () -> OptimizerSpec.parse("momentum", Map.of("momentum", 1.0)));
    assertThrows(NncException.class, () -> OptimizerSpec.parse("adam", Map.of("beta2", 1.5)));
    assertThrows(NncException.class, () -> OptimizerSpec.parse("sgd", Map.of("nesterov", 1.0)));
    assertThrows(NncException.class, () -> OptimizerSpec.parse("sgd", Map.of("lr", Double.NaN)));
  }

  @Test
  void badValuesNameTheirArgumentAndTheTableListsEveryArgument() {
    OptimizerSpec.InvalidArgument e = assertThrows(OptimizerSpec.InvalidArgument.class,
        () -> OptimizerSpec.parse("adam", Map.of("lr", 0.1, "eps", 0.0)));
    assertEquals("eps", e.argument());
    e = assertThrows(OptimizerSpec.InvalidArgument.class,
        () -> OptimizerSpec.parse("sgd", Map.of("nesterov", 1.0)));
    assertEquals("nesterov", e.argument());
    assertEquals(java.util.List.of("sgd", "momentum", "nesterov", "adam", "adamw"),
        java.util.List.copyOf(OptimizerSpec.arguments().keySet()));
    assertEquals(java.util.List.of("lr", "beta1", "beta2", "eps", "weight_decay"),
        OptimizerSpec.arguments().get("adam"));
  }

  @Test
  void schedules() {
    assertEquals(0.1, LrSchedule.constant().rate(0.1, 7, 10));
    LrSchedule step = LrSchedule.step(2, 0.5);
    assertEquals(0.1, step.rate(0.1, 1, 10));
    assertEquals(0.05, step.rate(0.1, 2, 10));
    assertEquals(0.025, step.rate(0.1, 5, 10), 1e-15);
    LrSchedule cos = LrSchedule.cosine(0);
    assertEquals(0.1, cos.rate(0.1, 0, 10), 1e-15);
    assertEquals(0.05, cos.rate(0.1, 5, 10), 1e-15);
    assertTrue(cos.rate(0.1, 9, 10) < 0.003);
    assertEquals(0.05, LrSchedule.parse("step:2:0.5").rate(0.1, 3, 10));
    assertEquals(0.01 + 0.09 / 2, LrSchedule.parse("cosine:0.01").rate(0.1, 5, 10), 1e-15);
    NncException e = assertThrows(NncException.class, () -> LrSchedule.parse("linear"));
    assertEquals("bad learning-rate schedule 'linear' (valid: constant, step:EVERY:GAMMA, cosine, cosine:MIN_LR)",
        e.getMessage());
  }

  /** Checkpoints store the source form; reading it back gives the same spec. */
  @Test
  void parsesItsOwnSourceForm() {
    for (String text : new String[] {"sgd(lr: 0.1, momentum: 0.9)", "adam()", "adamw(weight_decay: 0.05, lr: 1.0E-4)"}) {
      assertEquals(text, OptimizerSpec.parseSource(text).toString());
    }
    for (String bad : new String[] {"sgd", "(lr: 1)", "sgd(lr 1)", "sgd(lr: x)", "sgd(lr: 1, lr: 2)", "sgd(lr: 1,)"}) {
      NncException e = assertThrows(NncException.class, () -> OptimizerSpec.parseSource(bad), bad);
      assertEquals("optimizer '" + bad + "' is not of the form name(arg: value, ...)", e.getMessage());
    }
    assertEquals("optimizer sgd: lr must be > 0, got -1.0",
        assertThrows(NncException.class, () -> OptimizerSpec.parseSource("sgd(lr: -1)")).getMessage());
  }

  @Test
  void orderedArgumentsKeepTheirOrder() {
    String[] keys = {"weight_decay", "eps", "beta2", "beta1", "lr"};
    double[] values = {0.001, 1e-7, 0.99, 0.8, 0.01};
    assertEquals("adam(weight_decay: 0.001, eps: 1.0E-7, beta2: 0.99, beta1: 0.8, lr: 0.01)",
        OptimizerSpec.parse("adam", keys, values).toString());
    assertEquals("sgd(momentum: 0.9, lr: 0.05)", OptimizerSpec.parse("sgd",
        new String[] {"momentum", "lr"}, new double[] {0.9, 0.05}).toString());
    assertEquals("sgd()", OptimizerSpec.parse("sgd", new String[0], new double[0]).toString());
    NncException twice = assertThrows(NncException.class, () -> OptimizerSpec.parse("sgd",
        new String[] {"lr", "lr"}, new double[] {0.1, 0.2}));
    assertEquals("optimizer sgd: argument 'lr' given twice", twice.getMessage());
    assertThrows(NncException.class, () -> OptimizerSpec.parse("sgd", new String[] {"lr"},
        new double[] {-1}));
  }
}
