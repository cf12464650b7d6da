package dev.nnc.compiler;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.nnc.compiler.diag.Diagnostic;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every {@code .nn} file under {@code resources/errors}. Each file states the diagnostics it
 * must produce, one comment per diagnostic: {@code // error: LINE:COL MESSAGE-SUBSTRING} (or
 * {@code // warning: ...}). The file must produce exactly those: the same number, each at that
 * exact line and column, each message containing the substring. A diagnostic in a file it
 * imports names that file as it is shown, {@code // error: imports/cycle_b.nn:3:8 ...}; the
 * imported files live in subfolders, which are not run themselves. A file without expectations
 * must check clean.
 */
class ErrorCorpusTest {
  private static final Pattern EXPECTATION =
      Pattern.compile("//\\s*(error|warning):\\s*(?:([^\\s:]+\\.nn):)?(\\d+):(\\d+)\\s+(.+?)\\s*$",
          Pattern.MULTILINE);

  /** One expected diagnostic, in {@code file} (as diagnostics name it). */
  private record Expected(String severity, String file, int line, int column, String message) {
    boolean matches(Diagnostic d) {
      return d.severity().label().equals(severity) && d.span().file().equals(file)
          && d.span().line() == line && d.span().column() == column
          && d.message().contains(message);
    }

    @Override
    public String toString() {
      return file + ":" + line + ":" + column + " " + severity + ": ..." + message + "...";
    }
  }

  @TestFactory
  Stream<DynamicTest> corpus() throws IOException, URISyntaxException {
    Path dir = Path.of(ErrorCorpusTest.class.getResource("/errors").toURI());
    List<Path> files;
    try (Stream<Path> listing = Files.list(dir)) {
      files = listing.filter(p -> p.toString().endsWith(".nn")).sorted().toList();
    }
    assertTrue(files.size() >= 40, "the error corpus has only " + files.size() + " files");
    return files.stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(),
        file.toUri(), () -> checkFile(file)));
  }

  private static void checkFile(Path file) throws IOException {
    // Latin-1 maps every byte to a char, so expectations can be read even from invalid UTF-8.
    String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
    List<Expected> expected = new ArrayList<>();
    String name = file.getFileName().toString();
    Matcher m = EXPECTATION.matcher(text);
    while (m.find()) {
      expected.add(new Expected(m.group(1), m.group(2) != null ? m.group(2) : name,
          Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)), m.group(5)));
    }
    Compiler.CheckResult result = Compiler.check(file, name);
    List<Diagnostic> actual = new ArrayList<>(result.diagnostics());
    List<Expected> missing = new ArrayList<>();
    for (Expected e : expected) {
      Diagnostic hit = actual.stream().filter(e::matches).findFirst().orElse(null);
      if (hit == null) {
        missing.add(e);
      } else {
        actual.remove(hit);
      }
    }
    if (!missing.isEmpty() || !actual.isEmpty()) {
      StringBuilder report = new StringBuilder(name + ": diagnostics differ from the file's"
          + " expectations\n");
      for (Expected e : missing) {
        report.append("  expected but not reported: ").append(e).append('\n');
      }
      for (Diagnostic d : actual) {
        report.append("  reported but not expected: ").append(d.headline()).append('\n');
      }
      report.append("all reported:\n").append(result.render());
      fail(report.toString());
    }
    boolean hasErrors = expected.stream().anyMatch(e -> e.severity().equals("error"));
    if (result.ok() == hasErrors) {
      fail(name + ": ok() is " + result.ok() + " but the file expects "
          + (hasErrors ? "errors" : "no errors"));
    }
  }
}
