package dev.nnc.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.emit.FunctionEmitter;
import dev.nnc.compiler.emit.InMemoryJavaCompiler;
import dev.nnc.compiler.ir.ElementType;
import dev.nnc.compiler.ir.ModelIr;
import dev.nnc.runtime.Batch;
import dev.nnc.runtime.GradientCheck;
import dev.nnc.runtime.Model;
import dev.nnc.runtime.Parameter;
import dev.nnc.runtime.optim.Optimizer;
import dev.nnc.runtime.optim.OptimizerSpec;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every sample model: gradients of an f64 build against finite differences; no allocation. */
class SampleModelsTest {
  static List<Path> modelSamples() throws Exception {
    List<Path> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(GoldenFilesTest.NN)) {
      for (Path p : s.sorted().toList()) {
        if (Files.readString(p).contains("model ")) {
          out.add(p);
        }
      }
    }
    return out;
  }

  static Model compile(Path file, ElementType type) throws Exception {
    Compiler.CheckResult checked = Compiler.check(file, file.getFileName().toString());
    assertTrue(checked.ok(), checked::render);
    Map<String, String> sources = new LinkedHashMap<>();
    for (Compiler.GeneratedSource s : Compiler.generate(checked, "f64gen", true, type)) {
      sources.put(s.qualifiedName(), s.code());
    }
    ModelIr model = checked.program().models().get(0);
    return (Model) InMemoryJavaCompiler.compile(sources)
        .get("f64gen." + FunctionEmitter.className(model.name())).getConstructor().newInstance();
  }

  static Batch randomBatch(Model model, int size, long seed) {
    return GradientCheck.randomBatch(model, size, new SplittableRandom(seed));
  }

  @TestFactory
  List<DynamicTest> gradientsMatchFiniteDifferences() throws Exception {
    List<DynamicTest> tests = new ArrayList<>();
    for (Path file : modelSamples()) {
      tests.add(DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
        Model model = compile(file, ElementType.F64);
        model.initialize(42);
        SplittableRandom random = new SplittableRandom(5);
        // Zero-initialized samples get random weights so no gradient is trivially zero.
        for (Parameter p : model.parameters()) {
          for (int i = 0; i < p.size(); i++) {
            p.set(i, p.get(i) + random.nextDouble(-0.1, 0.1));
          }
        }
        Batch batch = randomBatch(model, 4, 9);
        model.forwardBackward(batch);
        double base = model.forward(batch);
        int checked = 0;
        int kinks = 0;
        for (Parameter p : model.parameters()) {
          double[] grad = p.gradF64().clone();
          // Large weight matrices: a seeded sample of entries keeps the test fast.
          int stride = Math.max(1, p.size() / 60);
          for (int i = random.nextInt(stride); i < p.size(); i += stride) {
            double saved = p.get(i);
            double h = 1e-6 * Math.max(1, Math.abs(saved));
            p.set(i, saved + h);
            double plus = model.forward(batch);
            p.set(i, saved - h);
            double minus = model.forward(batch);
            p.set(i, saved);
            double fd = (plus - minus) / (2 * h);
            double scale = Math.max(Math.abs(fd), Math.abs(grad[i]));
            // A ReLU input or a pooling window's two largest values within h of each other make
            // the loss non-smooth here: the one-sided differences disagree, and the central one
            // says nothing. Such entries are counted, and must stay rare.
            double right = (plus - base) / h;
            double left = (base - minus) / h;
            if (Math.abs(right - left) > 1e-3 * Math.max(Math.abs(right), Math.abs(left)) + 1e-7) {
              kinks++;
              continue;
            }
            assertTrue(Math.abs(fd - grad[i]) <= 1e-6 * scale + 1e-9,
                p.name() + "[" + i + "]: finite difference " + fd + ", gradient " + grad[i]);
            checked++;
          }
        }
        assertTrue(checked > 0);
        assertTrue(kinks <= checked / 20, kinks + " of " + (checked + kinks)
            + " entries at a kink: the test point is not generic");
      }));
    }
    return tests;
  }

  @Test
  void trainStepAllocatesNothingOnceWarm() throws Exception {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    for (Path file : modelSamples()) {
      Model model = compile(file, ElementType.F32);
      model.initialize(1);
      Batch batch = randomBatch(model, 32, 3);
      OptimizerSpec spec = model.defaultOptimizer() != null ? model.defaultOptimizer()
          : OptimizerSpec.parse("sgd", Map.of());
      Optimizer optimizer = spec.with("lr", 1e-4).create();
      for (int i = 0; i < 300; i++) {
        model.trainStep(batch, optimizer);
      }
      // A step that allocates shows up in every window; a one-off allocation of the JIT
      // compiler on this thread does not, so the best of a few windows must be exactly 0.
      long id = Thread.currentThread().getId();
      List<Long> windows = new ArrayList<>();
      for (int window = 0; window < 5 && !windows.contains(0L); window++) {
        long before = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < 100; i++) {
          model.trainStep(batch, optimizer);
        }
        windows.add(threads.getThreadAllocatedBytes(id) - before);
      }
      assertTrue(windows.contains(0L), file.getFileName()
          + ": bytes allocated by windows of 100 training steps: " + windows);
    }
  }
}
