package dev.nnc.compiler;

import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.compiler.emit.InMemoryJavaCompiler;
import dev.nnc.runtime.CompiledFunction;
import java.util.LinkedHashMap;
import java.util.Map;

/** Generates, compiles (javac --release 11, -Werror) and instantiates the classes of a source text. */
public final class GeneratedCode {
  private GeneratedCode() {}

  /** Every {@code fn} of {@code text} as a compiled function, keyed by fn name. */
  public static Map<String, CompiledFunction> compile(String text, boolean simplify) {
    Compiler.CheckResult checked = Compiler.check(new SourceFile("test.nn", text));
    if (!checked.ok()) {
      throw new AssertionError("expected a clean program:\n" + checked.render());
    }
    Map<String, String> sources = new LinkedHashMap<>();
    for (Compiler.GeneratedSource s : Compiler.generate(checked, "gen", simplify)) {
      sources.put(s.qualifiedName(), s.code());
    }
    Map<String, CompiledFunction> out = new LinkedHashMap<>();
    try {
      for (Class<?> c : InMemoryJavaCompiler.compile(sources).values()) {
        CompiledFunction f = (CompiledFunction) c.getConstructor().newInstance();
        out.put(f.name(), f);
      }
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
    return out;
  }

  /** Value then gradients of a compiled function at {@code args}. */
  public static double[][] valueAndGradient(CompiledFunction f, double[]... args) {
    double[][] grads = new double[args.length][];
    for (int i = 0; i < args.length; i++) {
      grads[i] = new double[args[i].length];
    }
    double[] value = f.evaluateWithGradient(args, null, grads);
    double[][] out = new double[args.length + 1][];
    out[0] = value;
    System.arraycopy(grads, 0, out, 1, args.length);
    return out;
  }
}
