package dev.nnc.maven;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.diag.Diagnostic;
import dev.nnc.compiler.emit.GradientTestEmitter;
import dev.nnc.compiler.ir.ElementType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.logging.Log;

/**
 * One run of the generator over a source directory: finds the {@code .nn} files, checks those
 * that changed since the last build (or import a file that changed, directly or not), generates
 * them together (so that two files generating the same class are an error naming both, even
 * when one of them did not change), and then replaces and deletes generated files. Either the
 * whole run succeeds, or nothing is written or deleted. Imports must stay inside the source
 * directory.
 */
final class IncrementalBuild {
  /** What to build and where; {@code configuration} changes force a full regeneration. */
  record Options(Path sources, String packageName, ElementType type, boolean tests, Path out,
      Path testOut, Path stateFile, String configuration) {}

  /** What a run did: files seen, files regenerated, stale files removed, errors reported. */
  record Result(int files, int regenerated, int removed, int errors) {}

  private final Options options;
  private final Log log;
  private final DiagnosticReporter reporter;
  private final OutputFiles files;

  IncrementalBuild(Options options, Log log, DiagnosticReporter reporter, OutputFiles files) {
    this.options = options;
    this.log = log;
    this.reporter = reporter;
    this.files = files;
  }

  /**
   * Runs the build. Errors in {@code .nn} sources are reported and counted in the result;
   * a refusal to touch a file nnc did not generate fails with {@link MojoFailureException}.
   */
  Result run() throws MojoExecutionException, MojoFailureException {
    List<SourceTree.Source> sources =
        SourceTree.scan(options.sources(), options.packageName(), log::warn);
    BuildState previous = BuildState.load(options.stateFile());
    Map<String, String> digests = digests(sources);
    Map<String, Compiler.CheckResult> checked = new TreeMap<>();
    Compiler.Generation generation = generate(sources, digests, previous, checked);
    if (generation == null) {
      forgetFilesWithErrors(sources, previous);
      return new Result(sources.size(), 0, 0, reporter.errors());
    }
    Map<String, byte[]> writes = new LinkedHashMap<>();
    Map<String, List<String>> outputs = plan(sources, generation, checked.keySet(), previous,
        writes);
    List<String> stale = stale(previous, outputs);
    int removed = apply(writes, stale);
    save(new BuildState(options.configuration(), digests, outputs,
        imports(sources, checked, previous)));
    return new Result(sources.size(), checked.size(), removed, 0);
  }

  /**
   * Writes and deletes, after checking that every file touched is one nnc generated; returns the
   * number of files removed.
   */
  private int apply(Map<String, byte[]> writes, List<String> stale)
      throws MojoExecutionException, MojoFailureException {
    List<String> refused = files.refusals(writes, stale);
    if (!refused.isEmpty()) {
      throw new MojoFailureException(String.join("\n", refused));
    }
    for (Map.Entry<String, byte[]> w : writes.entrySet()) {
      files.write(w.getKey(), w.getValue());
    }
    int removed = 0;
    for (String entry : stale) {
      removed += files.delete(entry) ? 1 : 0;
    }
    return removed;
  }

  private void save(BuildState state) {
    String unsaved = state.save(options.stateFile());
    if (unsaved != null) {
      log.warn(unsaved);
    }
  }

  /** Nothing was written, so the previous state still holds, less the files with errors. */
  private void forgetFilesWithErrors(List<SourceTree.Source> sources, BuildState previous) {
    Set<String> files = reporter.filesWithErrors();
    Set<String> keys = new HashSet<>();
    for (SourceTree.Source s : sources) {
      if (files.contains(s.path().toString()) && previous.digest(s.key()) != null) {
        keys.add(s.key());
      }
    }
    if (!keys.isEmpty()) {
      save(previous.forgetting(keys));
    }
  }

  private static Map<String, String> digests(List<SourceTree.Source> sources)
      throws MojoExecutionException {
    Map<String, String> digests = new LinkedHashMap<>();
    for (SourceTree.Source s : sources) {
      try {
        digests.put(s.key(), BuildState.digest(Files.readAllBytes(s.path())));
      } catch (IOException e) {
        throw new MojoExecutionException("nnc: cannot read " + s.path() + ": "
            + OutputFiles.reason(e), e);
      }
    }
    return digests;
  }

  /**
   * Whether a file can keep what the last build generated from it: neither it nor a file it
   * imported changed (nor was deleted), and its generated files are all there.
   */
  private boolean upToDate(String key, Map<String, String> digests, BuildState previous) {
    if (!options.configuration().equals(previous.configuration())
        || !digests.get(key).equals(previous.digest(key))
        || !files.allExist(previous.outputs(key))) {
      return false;
    }
    for (String imported : previous.imports(key)) {
      String digest = digests.get(imported);
      if (digest == null || !digest.equals(previous.digest(imported))) {
        return false;
      }
    }
    return true;
  }

  /**
   * The keys of the files each source imports, directly or not: read from the check of a file
   * checked now, kept from the last build for the others. The standard library is not a source
   * file; it changes only with the plugin, which regenerates everything.
   */
  private static Map<String, List<String>> imports(List<SourceTree.Source> sources,
      Map<String, Compiler.CheckResult> checked, BuildState previous) {
    Map<String, String> keyOfFile = new HashMap<>();
    for (SourceTree.Source s : sources) {
      keyOfFile.put(s.path().toString(), s.key());
    }
    Map<String, List<String>> imports = new TreeMap<>();
    for (SourceTree.Source s : sources) {
      Compiler.CheckResult result = checked.get(s.key());
      List<String> keys = new ArrayList<>();
      if (result == null) {
        keys.addAll(previous.imports(s.key()));
      } else {
        for (String file : result.files().keySet()) {
          String key = keyOfFile.get(file);
          if (key != null && !key.equals(s.key())) {
            keys.add(key);
          }
        }
      }
      if (!keys.isEmpty()) {
        imports.put(s.key(), keys);
      }
    }
    return imports;
  }

  /**
   * Checks the changed files and generates them in one {@link Compiler#generate} call, which
   * reports two of them generating the same class. An unchanged file takes part through the
   * class names the build state remembers for it: if a changed file generates one of them, the
   * unchanged file is checked and generated too, so that the collision is reported with both
   * places. Returns null (after reporting) if any file has errors; {@code checked} receives
   * every file that was checked, by key.
   */
  private Compiler.Generation generate(List<SourceTree.Source> sources,
      Map<String, String> digests, BuildState previous,
      Map<String, Compiler.CheckResult> checked) throws MojoExecutionException {
    Map<String, SourceTree.Source> byKey = new LinkedHashMap<>();
    Set<String> toCheck = new LinkedHashSet<>();
    for (SourceTree.Source s : sources) {
      byKey.put(s.key(), s);
      if (!upToDate(s.key(), digests, previous)) {
        toCheck.add(s.key());
      }
    }
    while (true) {
      // Every file's IDE markers are cleared before any is checked: checking one file reports
      // the errors of the files it imports too.
      for (String key : toCheck) {
        if (!checked.containsKey(key)) {
          reporter.clear(byKey.get(key).path().toFile());
        }
      }
      for (String key : toCheck) {
        if (!checked.containsKey(key)) {
          checked.put(key, check(byKey.get(key)));
        }
      }
      if (reporter.errors() > 0) {
        return null;
      }
      List<Compiler.Unit> units = new ArrayList<>();
      checked.forEach((key, result) ->
          units.add(new Compiler.Unit(result, byKey.get(key).packageName())));
      Compiler.Generation generation = generate(units);
      if (!generation.ok()) {
        for (Diagnostic d : generation.diagnostics()) {
          reporter.report(d, generation.files().get(d.span().file()));
        }
        return null;
      }
      Set<String> clashing = unchangedClashes(generation, byKey.keySet(), checked.keySet(),
          previous);
      if (clashing.isEmpty()) {
        return generation;
      }
      toCheck.addAll(clashing);
    }
  }

  private Compiler.Generation generate(List<Compiler.Unit> units) throws MojoExecutionException {
    try {
      return Compiler.generate(units, true, options.type());
    } catch (RuntimeException e) {
      // Checked programs always generate; anything else is a compiler bug to report upstream.
      throw new MojoExecutionException("nnc: internal compiler error (please report it): " + e,
          e);
    }
  }

  /** Checks one file, with imports resolved inside the source directory. */
  private Compiler.CheckResult check(SourceTree.Source source) throws MojoExecutionException {
    Compiler.CheckResult result;
    try {
      result = Compiler.check(source.path(), source.path().toString(), options.sources());
    } catch (IOException e) {
      throw new MojoExecutionException("nnc: cannot read " + source.path() + ": "
          + OutputFiles.reason(e), e);
    }
    for (Diagnostic d : result.diagnostics()) {
      reporter.report(d, result.fileOf(d));
    }
    return result;
  }

  /**
   * Unchanged files whose remembered classes a newly generated class would replace, or whose
   * gradient test classes (reserved whether or not tests are written) would clash with one.
   */
  private static Set<String> unchangedClashes(Compiler.Generation generation, Set<String> all,
      Set<String> checked, BuildState previous) {
    Map<String, String> owners = new HashMap<>();
    for (String key : all) {
      if (!checked.contains(key)) {
        for (String entry : previous.outputs(key)) {
          if (entry.startsWith("main:") && entry.endsWith(".java")) {
            String name = entry.substring("main:".length(), entry.length() - ".java".length())
                .replace('/', '.');
            owners.put(name.toLowerCase(Locale.ROOT), key);
            owners.put(GradientTestEmitter.testClassName(name).toLowerCase(Locale.ROOT), key);
          }
        }
      }
    }
    Set<String> clashing = new LinkedHashSet<>();
    for (Compiler.GeneratedSource s : generation.sources()) {
      for (String name : List.of(s.qualifiedName(),
          GradientTestEmitter.testClassName(s.qualifiedName()))) {
        String owner = owners.get(name.toLowerCase(Locale.ROOT));
        if (owner != null) {
          clashing.add(owner);
        }
      }
    }
    return clashing;
  }

  /**
   * The generated files of every source by key (kept for unchanged files, new for the rest),
   * filling {@code writes} with the content of each new one.
   */
  private Map<String, List<String>> plan(List<SourceTree.Source> sources,
      Compiler.Generation generation, Set<String> regenerated, BuildState previous,
      Map<String, byte[]> writes) {
    Map<String, String> keyOfFile = new HashMap<>();
    Map<String, List<String>> outputs = new LinkedHashMap<>();
    for (SourceTree.Source s : sources) {
      keyOfFile.put(s.path().toString(), s.key());
      outputs.put(s.key(), regenerated.contains(s.key()) ? new ArrayList<>()
          : previous.outputs(s.key()));
    }
    for (Compiler.GeneratedSource g : generation.sources()) {
      String file = g.origin().file();
      List<String> entries = outputs.get(keyOfFile.get(file));
      String path = g.qualifiedName().replace('.', '/');
      entries.add("main:" + path + ".java");
      writes.put("main:" + path + ".java", g.code().getBytes(StandardCharsets.UTF_8));
      if (options.tests()) {
        String test = GradientTestEmitter.emit(g.qualifiedName(),
            Path.of(file).getFileName().toString()).toString();
        String testEntry = "test:"
            + GradientTestEmitter.testClassName(g.qualifiedName()).replace('.', '/') + ".java";
        entries.add(testEntry);
        writes.put(testEntry, test.getBytes(StandardCharsets.UTF_8));
      }
    }
    return outputs;
  }

  /**
   * Files the last build generated that no source generates now. Compared ignoring case: on a
   * case-insensitive file system {@code F.java} and {@code f.java} are one file, which must not
   * be deleted right after it was written.
   */
  private static List<String> stale(BuildState previous, Map<String, List<String>> outputs) {
    Set<String> current = new HashSet<>();
    outputs.values().forEach(list -> list.forEach(e -> current.add(e.toLowerCase(Locale.ROOT))));
    Set<String> stale = new LinkedHashSet<>();
    for (String key : previous.sources()) {
      for (String entry : previous.outputs(key)) {
        if (!current.contains(entry.toLowerCase(Locale.ROOT))) {
          stale.add(entry);
        }
      }
    }
    return new ArrayList<>(stale);
  }
}
