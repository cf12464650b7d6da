package dev.nnc.compiler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.autodiff.DerivedFunction;
import dev.nnc.compiler.diag.SourceFile;
import dev.nnc.compiler.ir.FunctionIr;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files that import files: what an import makes visible, where imported files are looked for and
 * how they are named, diagnostics in imported files, and generated code for imported
 * declarations. The error messages themselves are in the error corpus ({@code errors/import_*}).
 */
class ImportTest {
  @TempDir
  Path dir;

  private Path write(String name, String text) throws Exception {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
    return file;
  }

  private Compiler.CheckResult check(String name) throws Exception {
    return Compiler.check(dir.resolve(name), name);
  }

  @Test
  void importedFunctionsAndLayersAreUsableButNotGeneratedAgain() throws Exception {
    write("lib/layers.nn", """
        // a library
        fn square(x) = x * x;

        layer Affine(n)(x: [n]) {
          param a: [n] init ones;
          return a * x + square(1);
        }

        model LibModel {
          input x: [2];
          target t: [2];
          let l = Affine(2);
          loss mse(l(x), t);
        }
        """);
    write("main.nn", """
        import "lib/layers.nn";

        fn g(x) = square(x) + 1;

        model M {
          input x: [3];
          target t: [3];
          let aff = Affine(3);
          loss mse(aff(x), t);
        }
        """);
    Compiler.CheckResult r = check("main.nn");
    assertTrue(r.ok(), r.render());
    assertEquals(List.of("main.nn", "lib/layers.nn"), List.copyOf(r.files().keySet()));
    assertEquals(List.of("g"), r.program().functions().stream().map(FunctionIr::name).toList());
    assertEquals(List.of("M"), r.program().models().stream().map(m -> m.name()).toList());
    List<Compiler.GeneratedSource> sources = Compiler.generate(r, "p", true);
    assertEquals(List.of("p.G", "p.M"), sources.stream().map(s -> s.qualifiedName()).toList(),
        "an imported file's fn and model are generated from that file, not from its importer");
    String m = sources.get(1).code();
    assertTrue(m.contains("// line 9: aff(...) -> Affine layers.nn line 6: return a * x + square(1);"),
        m);
    assertTrue(m.startsWith(Compiler.GENERATED_MARKER + "main.nn."), m);
    String g = sources.get(0).code();
    assertTrue(g.contains("// line 3: square(...) -> layers.nn line 2: fn square(x) = x * x;"), g);
    assertTrue(g.contains("// line 3: fn g(x) = square(x) + 1;"), g);
  }

  @Test
  void anImportedFunctionCallsItsOwnFilesFunctionsWhereverItIsInlined() throws Exception {
    write("helper.nn", "fn helper(x) = x + 1;\n");
    write("uses.nn", "import \"helper.nn\";\nfn twice(x) = 2 * helper(x);\n");
    write("main.nn", "import \"uses.nn\";\n\nfn helper(x) = 100 * x;\n"
        + "fn f(x) = twice(x) + helper(x);\n");
    Compiler.CheckResult r = check("main.nn");
    assertTrue(r.ok(), r.render());
    FunctionIr f = r.program().functions().get(1);
    List<double[]> v = TestPrograms.valueAndGradient(DerivedFunction.derive(f, true),
        new double[] {3});
    // twice(3) = 2 * (3 + 1) with uses.nn's helper; helper(3) = 300 with main.nn's own
    assertArrayEquals(new double[] {308}, v.get(0));
    assertArrayEquals(new double[] {102}, v.get(1));
  }

  @Test
  void aDiamondOfImportsReadsTheSharedFileOnce() throws Exception {
    write("d.nn", "fn d(x) = x * 3;\n");
    write("b.nn", "import \"d.nn\";\nfn b(x) = d(x) + 1;\n");
    write("c.nn", "import \"./d.nn\";\nfn c(x) = d(x) - 1;\n");
    write("a.nn", "import \"b.nn\";\nimport \"c.nn\";\nfn a(x) = b(x) * c(x);\n");
    Compiler.CheckResult r = check("a.nn");
    assertTrue(r.ok() && r.diagnostics().isEmpty(), r.render());
    assertEquals(List.of("a.nn", "b.nn", "d.nn", "c.nn"), List.copyOf(r.files().keySet()));
  }

  @Test
  void aDiagnosticInAnImportedFileIsShownWithThatFilesLine() throws Exception {
    write("sub/layers.nn", "// helpers\n\nfn bad(v: [2]) = v @ v @ v;\n");
    write("main.nn", "import \"sub/layers.nn\";\nfn f(x) = x;\n");
    Compiler.CheckResult r = check("main.nn");
    assertFalse(r.ok());
    assertEquals("sub/layers.nn:3:18: error: cannot multiply a scalar by [2]; use * for scalars\n"
        + "fn bad(v: [2]) = v @ v @ v;\n"
        + "                 ^~~~~~~~~\n", r.render().replaceAll(": cannot multiply[^\\n]*",
            ": cannot multiply a scalar by [2]; use * for scalars"));
    assertEquals("sub/layers.nn", r.diagnostics().get(0).span().file());
    assertEquals(r.files().get("sub/layers.nn"), r.fileOf(r.diagnostics().get(0)));
  }

  @Test
  void importPathsAreRelativeToTheImportingFileAndShownJoinedToItsName() throws Exception {
    write("models/shared/layers.nn", "fn one(x) = x;\n");
    write("models/deep/net.nn", "import \"../shared/layers.nn\";\nfn f(x) = one(x) + y;\n");
    Compiler.CheckResult r = Compiler.check(dir.resolve("models/deep/net.nn"),
        "models/deep/net.nn");
    assertTrue(r.files().containsKey("models/shared/layers.nn"), r.files().keySet().toString());
    assertEquals("models/deep/net.nn:2:20: error: undefined name 'y'",
        r.diagnostics().get(0).headline());
    // the same file through check(SourceFile), whose name is the path
    SourceFile text = new SourceFile(dir.resolve("models/deep/net.nn").toString(),
        Files.readString(dir.resolve("models/deep/net.nn")));
    Compiler.CheckResult again = Compiler.check(text);
    assertTrue(again.files().containsKey(dir.resolve("models/shared/layers.nn").toString()),
        again.files().keySet().toString());
    assertEquals(2, Compiler.files(text).size());
  }

  @Test
  void aSourceReadFromNowhereImportsOnlyLibraries() {
    SourceFile text = new SourceFile("typed.nn", "import nn;\nimport \"x.nn\";\nfn f(x) = x;\n");
    Compiler.CheckResult r = Compiler.check(text, null, null);
    assertEquals(1, r.diagnostics().size(), r.render());
    assertEquals("typed.nn:2:8: error: cannot import \"x.nn\": typed.nn is not read from a file,"
        + " so it can import only libraries", r.diagnostics().get(0).headline());
  }

  @Test
  void anImportRootKeepsImportsInsideIt() throws Exception {
    write("outside.nn", "fn o(x) = x;\n");
    Path main = write("src/main.nn", "import \"../outside.nn\";\nfn f(x) = o(x);\n");
    assertTrue(Compiler.check(main, "main.nn").ok(), "without a root, any file");
    Compiler.CheckResult r = Compiler.check(main, "main.nn", dir.resolve("src"));
    assertEquals("main.nn:1:8: error: cannot import \"../outside.nn\": ../outside.nn is outside"
        + " the source folder " + dir.resolve("src"), r.diagnostics().get(0).headline());
  }

  @Test
  void importedFilesMayStartWithAByteOrderMarkAndMustBeUtf8() throws Exception {
    write("bom.nn", "\uFEFFfn b(x) = x;\n");
    Files.write(dir.resolve("latin1.nn"), "fn l(x) = x; // caf\u00e9\n"
        .getBytes(StandardCharsets.ISO_8859_1));
    write("main.nn", "import \"bom.nn\";\nimport \"latin1.nn\";\nfn f(x) = b(x);\n");
    Compiler.CheckResult r = check("main.nn");
    assertEquals(List.of("main.nn:2:8: error: cannot import \"latin1.nn\": latin1.nn is not valid"
        + " UTF-8 text"), r.diagnostics().stream().map(d -> d.headline()).toList());
    Files.createDirectories(dir.resolve("folder.nn"));
    write("main.nn", "import \"folder.nn\";\nfn f(x) = x;\n");
    assertEquals("main.nn:1:8: error: cannot import \"folder.nn\": folder.nn is a folder",
        check("main.nn").diagnostics().get(0).headline());
  }

  @Test
  void theStandardLibraryIsShownUnderItsOwnName() {
    Compiler.CheckResult r = Compiler.check(new SourceFile("m.nn", """
        import nn;
        model M {
          input x: [2];
          target t: [3];
          let fc = Dense(4, 3);
          loss mse(fc(x), t);
        }
        """));
    assertEquals("m.nn:6:15: error: fc expects x of shape [4], got [2]",
        r.diagnostics().get(0).headline());
    assertTrue(r.files().get("<stdlib>/nn.nn").text().contains("layer Dense(n_in, n_out)"));
  }

  @Test
  void anUnknownFunctionThatTheStandardLibraryDeclaresSaysToImportIt() {
    Compiler.CheckResult r = Compiler.check(new SourceFile("m.nn",
        "model M {\n  input x: [2];\n  target t: [3];\n  let fc = Dense(2, 3);\n"
        + "  loss mse(fc(x), t);\n}\n"));
    assertEquals("m.nn:4:12: error: unknown function 'Dense' (the standard library declares it:"
        + " add 'import nn;')", r.diagnostics().get(0).headline());
  }

  @Test
  void aLongChainOfImportsLoads() throws Exception {
    int n = 300;
    for (int i = 0; i < n; i++) {
      write("f" + i + ".nn", (i + 1 < n ? "import \"f" + (i + 1) + ".nn\";\n" : "")
          + "fn f" + i + "(x) = x + " + i + ";\n");
    }
    write("main.nn", "import \"f0.nn\";\nfn g(x) = f0(x) + f1(x);\n");
    Compiler.CheckResult r = check("main.nn");
    assertEquals(List.of("main.nn:2:19: error: unknown function 'f1' (it is declared at"
        + " f1.nn:2:4, but this file does not import that file; imports are not transitive)"),
        r.diagnostics().stream().map(d -> d.headline()).toList());
    assertEquals(n + 1, r.files().size());
  }
}
