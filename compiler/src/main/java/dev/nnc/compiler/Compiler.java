package dev.nnc.compiler;

import com.palantir.javapoet.JavaFile;
import dev.nnc.compiler.ast.Program;
import dev.nnc.compiler.autodiff.DerivedFunction;
import dev.nnc.compiler.autodiff.DerivedModel;
import dev.nnc.compiler.check.CheckedProgram;
import dev.nnc.compiler.check.Checker;
import dev.nnc.compiler.diag.Diagnostic;
import dev.nnc.compiler.diag.DiagnosticFormatter;
import dev.nnc.compiler.diag.Diagnostics;
import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.compiler.diag.SourceSpan;
import dev.nnc.compiler.emit.FunctionEmitter;
import dev.nnc.compiler.emit.ModelEmitter;
import dev.nnc.compiler.ir.ElementType;
import dev.nnc.compiler.ir.ModelIr;
import dev.nnc.compiler.ir.FunctionIr;
import dev.nnc.compiler.syntax.SyntaxParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The one entry point of the compiler: {@code .nn} text to a checked program (and, through the
 * emitter, to Java). Every phase runs on a thread with a large stack so that deeply nested input
 * yields a diagnostic rather than a {@link StackOverflowError}.
 */
public final class Compiler {
  /** Stack size for compiler threads: deep but finite expressions recurse in several passes. */
  private static final long STACK_BYTES = 512L << 20;

  private Compiler() {}

  /** The outcome of checking one file: diagnostics, and the checked program if there were no errors. */
  public record CheckResult(SourceFile source, List<Diagnostic> diagnostics, CheckedProgram program) {
    public boolean ok() {
      return program != null;
    }

    /** All diagnostics rendered with source lines and carets. */
    public String render() {
      StringBuilder out = new StringBuilder();
      for (Diagnostic d : diagnostics) {
        out.append(DiagnosticFormatter.format(d, source));
      }
      return out.toString();
    }
  }

  /** One generated Java source file. */
  public record GeneratedSource(String qualifiedName, String code) {}

  /**
   * Derives, simplifies and emits every {@code fn} of a checked program as one Java class each,
   * in package {@code packageName} (empty for the unnamed package).
   */
  public static List<GeneratedSource> generate(CheckResult checked, String packageName,
      boolean simplify) {
    return generate(checked, packageName, simplify, ElementType.F32);
  }

  /**
   * As {@link #generate(CheckResult, String, boolean)}, also emitting one class per
   * {@code model} computing in {@code modelType} ({@code f32} unless a user asks for f64).
   */
  public static List<GeneratedSource> generate(CheckResult checked, String packageName,
      boolean simplify, ElementType modelType) {
    if (!checked.ok()) {
      throw new IllegalArgumentException("cannot generate code for a program with errors");
    }
    Diagnostics diagnostics = new Diagnostics();
    List<GeneratedSource> out = onLargeStack(() -> {
      List<GeneratedSource> sources = new java.util.ArrayList<>();
      java.util.Set<String> taken = new java.util.HashSet<>();
      for (FunctionIr fn : checked.program().functions()) {
        DerivedFunction derived = DerivedFunction.derive(fn, simplify);
        // fn f and fn F would both be class F; later ones get a numeric suffix.
        String className = FunctionEmitter.className(fn.name());
        for (int n = 2; !taken.add(className.toLowerCase(java.util.Locale.ROOT)); n++) {
          className = FunctionEmitter.className(fn.name()) + n;
        }
        JavaFile file = FunctionEmitter.emit(derived, packageName, checked.source(), className);
        String name = packageName.isEmpty() ? file.typeSpec().name()
            : packageName + "." + file.typeSpec().name();
        sources.add(new GeneratedSource(name, file.toString()));
      }
      for (ModelIr model : checked.program().models()) {
        DerivedModel derived = DerivedModel.derive(model, simplify);
        String className = FunctionEmitter.className(model.name());
        for (int n = 2; !taken.add(className.toLowerCase(java.util.Locale.ROOT)); n++) {
          className = FunctionEmitter.className(model.name()) + n;
        }
        JavaFile file = ModelEmitter.emit(derived, packageName, checked.source(), className,
            modelType);
        String name = packageName.isEmpty() ? className : packageName + "." + className;
        sources.add(new GeneratedSource(name, file.toString()));
      }
      return sources;
    }, checked.source(), diagnostics);
    if (out == null) {
      throw new IllegalStateException(diagnostics.all().toString());
    }
    return out;
  }

  /** Reads a file as strict UTF-8; invalid bytes are reported, not guessed at. */
  public static SourceFile read(Path path, String displayName) throws IOException {
    byte[] bytes = Files.readAllBytes(path);
    try {
      String text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
      return new SourceFile(displayName, text);
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /** Checks the file at {@code path}, reporting invalid UTF-8 as a diagnostic. */
  public static CheckResult check(Path path, String displayName) throws IOException {
    SourceFile source = read(path, displayName);
    if (source == null) {
      SourceFile empty = new SourceFile(displayName, "");
      Diagnostics d = new Diagnostics();
      d.error(new SourceSpan(displayName, 0, 0, 1, 1, 1, 1), "file is not valid UTF-8 text");
      return new CheckResult(empty, d.all(), null);
    }
    return check(source);
  }

  /** Parses and checks {@code source}. */
  public static CheckResult check(SourceFile source) {
    Diagnostics diagnostics = new Diagnostics();
    CheckedProgram program = onLargeStack(() -> {
      Program ast = SyntaxParser.parse(source, diagnostics);
      if (ast == null || diagnostics.hasErrors()) {
        return null;
      }
      CheckedProgram checked = Checker.check(ast, diagnostics);
      return diagnostics.hasErrors() ? null : checked;
    }, source, diagnostics);
    return new CheckResult(source, diagnostics.all(), program);
  }

  /**
   * Runs {@code work} on a thread with a large stack. A {@link StackOverflowError} becomes a
   * diagnostic; other failures are compiler bugs and are rethrown.
   */
  public static <T> T onLargeStack(Supplier<T> work, SourceFile source, Diagnostics diagnostics) {
    AtomicReference<T> result = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread thread = new Thread(null, () -> {
      try {
        result.set(work.get());
      } catch (StackOverflowError e) {
        diagnostics.error(source.span(0, 0), "program is nested too deeply to compile");
      } catch (Throwable t) {
        failure.set(t);
      }
    }, "nnc-compiler", STACK_BYTES);
    thread.start();
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while compiling", e);
    }
    Throwable t = failure.get();
    if (t instanceof RuntimeException r) {
      throw r;
    }
    if (t instanceof Error err) {
      throw err;
    }
    return result.get();
  }
}
