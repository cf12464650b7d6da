package dev.nnc.maven;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.diag.Diagnostic;
import dev.nnc.compiler.emit.GradientTestEmitter;
import dev.nnc.compiler.ir.ElementType;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Component;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;
import org.sonatype.plexus.build.incremental.BuildContext;

/**
 * Compiles every {@code .nn} file under {@code sourceDirectory} into Java sources under
 * {@code outputDirectory} (added as a compile source root), and optionally a JUnit 5
 * gradient-check test per generated class under {@code testOutputDirectory}. Work is skipped
 * when the inputs, the configuration and the plugin version are unchanged.
 */
@Mojo(name = "generate", defaultPhase = LifecyclePhase.GENERATE_SOURCES, threadSafe = true)
public final class GenerateMojo extends AbstractMojo {
  /** Where the {@code .nn} sources are. */
  @Parameter(defaultValue = "${project.basedir}/src/main/nn", property = "nnc.sourceDirectory")
  File sourceDirectory;

  /** Where generated Java sources go; added to the compile source roots. */
  @Parameter(defaultValue = "${project.build.directory}/generated-sources/nnc",
      property = "nnc.outputDirectory")
  File outputDirectory;

  /** Where generated gradient tests go; added to the test source roots. */
  @Parameter(defaultValue = "${project.build.directory}/generated-test-sources/nnc",
      property = "nnc.testOutputDirectory")
  File testOutputDirectory;

  /** The Java package of the generated classes. */
  @Parameter(defaultValue = "nnc.generated", property = "nnc.packageName")
  String packageName;

  /** Arithmetic of generated model classes: {@code f32} or {@code f64}. */
  @Parameter(defaultValue = "f32", property = "nnc.precision")
  String precision;

  /** Whether to generate a JUnit 5 gradient-check test for every generated class. */
  @Parameter(defaultValue = "true", property = "nnc.generateTests")
  boolean generateTests;

  /**
   * Whether to add the output directories to the project's source roots. False generates files
   * only, for example to compare them with a checked-in copy.
   */
  @Parameter(defaultValue = "true", property = "nnc.addSourceRoots")
  boolean addSourceRoots;

  /** Skips the plugin. */
  @Parameter(defaultValue = "false", property = "nnc.skip")
  boolean skip;

  @Parameter(defaultValue = "${project}", readonly = true, required = true)
  MavenProject project;

  @Parameter(defaultValue = "${project.build.directory}/nnc-maven-plugin", readonly = true)
  File stateDirectory;

  @Component
  BuildContext buildContext;

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    if (skip) {
      getLog().info("nnc: skipped");
      return;
    }
    ElementType type = switch (precision) {
      case "f32" -> ElementType.F32;
      case "f64" -> ElementType.F64;
      default -> throw new MojoExecutionException("nnc: precision must be f32 or f64, got '"
          + precision + "'");
    };
    if (!packageName.isEmpty()
        && !packageName.matches("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*")) {
      throw new MojoExecutionException("nnc: packageName '" + packageName
          + "' is not a Java package name");
    }
    Path out = outputDirectory.toPath().toAbsolutePath().normalize();
    Path testOut = testOutputDirectory.toPath().toAbsolutePath().normalize();
    if (addSourceRoots) {
      project.addCompileSourceRoot(out.toString());
      if (generateTests) {
        project.addTestCompileSourceRoot(testOut.toString());
      }
    }
    Path sources = sourceDirectory.toPath().toAbsolutePath().normalize();
    List<Path> files = nnFiles(sources);
    BuildState state = BuildState.load(stateDirectory.toPath());
    String configuration = String.join("|", pluginVersion(), packageName, precision,
        Boolean.toString(generateTests), out.toString(), testOut.toString());
    boolean configChanged = !configuration.equals(state.configuration());
    OutputFiles writer = new OutputFiles(out, testOut, buildContext);

    Map<String, String> digests = new LinkedHashMap<>();
    Map<String, List<String>> outputs = new LinkedHashMap<>();
    int regenerated = 0;
    int errors = 0;
    for (Path file : files) {
      String key = sources.relativize(file).toString().replace(File.separatorChar, '/');
      String digest;
      try {
        digest = BuildState.digest(Files.readAllBytes(file));
      } catch (IOException e) {
        throw new MojoExecutionException("nnc: cannot read " + file + ": " + e.getMessage(), e);
      }
      digests.put(key, digest);
      List<String> previous = state.outputs(key);
      if (!configChanged && digest.equals(state.digest(key)) && writer.allExist(previous)) {
        outputs.put(key, previous);
        continue;
      }
      buildContext.removeMessages(file.toFile());
      Compiler.CheckResult checked;
      try {
        checked = Compiler.check(file, file.toString());
      } catch (IOException e) {
        throw new MojoExecutionException("nnc: cannot read " + file + ": " + e.getMessage(), e);
      }
      if (!checked.ok()) {
        for (Diagnostic d : checked.diagnostics()) {
          report(file, d);
          errors += d.severity() == Diagnostic.Severity.ERROR ? 1 : 0;
        }
        // Keep the previous outputs of a broken file; its digest is not recorded.
        outputs.put(key, previous);
        digests.put(key, "");
        continue;
      }
      for (Diagnostic d : checked.diagnostics()) {
        report(file, d);
      }
      List<String> written = new ArrayList<>();
      for (Compiler.GeneratedSource s : Compiler.generate(checked, packageName, true, type)) {
        String relative = s.qualifiedName().replace('.', '/') + ".java";
        written.add("main:" + relative);
        writer.write(false, relative, s.code());
        if (generateTests) {
          String test = s.qualifiedName() + "GradientTest";
          String testRelative = test.replace('.', '/') + ".java";
          written.add("test:" + testRelative);
          writer.write(true, testRelative,
              GradientTestEmitter.emit(s.qualifiedName(), file.getFileName().toString()).toString());
        }
      }
      for (String old : previous) {
        if (!written.contains(old)) {
          writer.delete(old);
        }
      }
      outputs.put(key, written);
      regenerated++;
    }
    // Outputs of .nn files that are gone.
    int deleted = 0;
    for (String key : state.sources()) {
      if (!digests.containsKey(key)) {
        for (String old : state.outputs(key)) {
          writer.delete(old);
          deleted++;
        }
      }
    }
    if (configChanged && regenerated == 0 && !files.isEmpty()) {
      getLog().debug("nnc: configuration changed");
    }
    new BuildState(configuration, digests, outputs).save(stateDirectory.toPath());
    try {
      Files.createDirectories(stateDirectory.toPath());
      Files.writeString(stateDirectory.toPath().resolve("last-run.txt"),
          "regenerated=" + regenerated + "\ndeleted=" + deleted + "\nerrors=" + errors + "\n",
          StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new MojoExecutionException("nnc: cannot write " + stateDirectory, e);
    }
    if (errors > 0) {
      throw new MojoFailureException("nnc: " + errors + " error" + (errors == 1 ? "" : "s")
          + " in .nn sources (see above)");
    }
    if (regenerated == 0 && deleted == 0) {
      getLog().info("nnc: " + files.size() + " .nn file" + (files.size() == 1 ? "" : "s")
          + " up to date");
    } else {
      getLog().info("nnc: compiled " + regenerated + " of " + files.size() + " .nn file"
          + (files.size() == 1 ? "" : "s") + (deleted > 0 ? ", removed " + deleted
          + " stale generated file" + (deleted == 1 ? "" : "s") : "") + " into " + out);
    }
  }

  private void report(Path file, Diagnostic d) {
    boolean error = d.severity() == Diagnostic.Severity.ERROR;
    if (error) {
      getLog().error(d.headline());
    } else {
      getLog().warn(d.headline());
    }
    buildContext.addMessage(file.toFile(), d.span().line(), d.span().column(), d.message(),
        error ? BuildContext.SEVERITY_ERROR : BuildContext.SEVERITY_WARNING, null);
  }

  private static List<Path> nnFiles(Path dir) throws MojoExecutionException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(p -> p.toString().endsWith(".nn") && Files.isRegularFile(p))
          .sorted().toList();
    } catch (IOException e) {
      throw new MojoExecutionException("nnc: cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  private static String pluginVersion() {
    String v = GenerateMojo.class.getPackage().getImplementationVersion();
    return (v == null ? "dev" : v) + "+" + compilerFingerprint();
  }

  /**
   * A digest of the compiler's code (its jar, or its class files in a reactor build), so that a
   * rebuilt SNAPSHOT compiler regenerates everything even though the version string is the same.
   */
  private static String compilerFingerprint() {
    try {
      Path where = Path.of(Compiler.class.getProtectionDomain().getCodeSource().getLocation()
          .toURI());
      java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
      if (Files.isDirectory(where)) {
        try (Stream<Path> walk = Files.walk(where)) {
          for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
            sha.update(where.relativize(p).toString().getBytes(StandardCharsets.UTF_8));
            sha.update(Files.readAllBytes(p));
          }
        }
      } else {
        sha.update(Files.readAllBytes(where));
      }
      return java.util.HexFormat.of().formatHex(sha.digest(), 0, 8);
    } catch (Exception e) {
      return "unknown"; // then only the version string decides, as before
    }
  }
}
