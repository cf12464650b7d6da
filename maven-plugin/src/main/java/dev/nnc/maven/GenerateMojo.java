package dev.nnc.maven;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.ir.ElementType;
import dev.nnc.runtime.NncException;
import dev.nnc.runtime.io.AtomicFile;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import javax.inject.Inject;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecution;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.plugins.annotations.ResolutionScope;
import org.apache.maven.project.MavenProject;
import org.sonatype.plexus.build.incremental.BuildContext;

/**
 * Compiles every {@code .nn} file under {@code sourceDirectory} into Java sources under
 * {@code outputDirectory} (added as a compile source root), in {@code packageName} plus one
 * subpackage per subfolder, and a JUnit Jupiter gradient-check test per generated class under
 * {@code testOutputDirectory} when JUnit Jupiter is on the test class path. Work is skipped when
 * the inputs, the configuration and the plugin are unchanged; only files nnc generated are ever
 * replaced or deleted.
 */
@Mojo(name = "generate", defaultPhase = LifecyclePhase.GENERATE_SOURCES, threadSafe = true,
    // Collecting (not resolving) the dependencies shows whether JUnit Jupiter is a test
    // dependency, without downloading anything or needing sibling modules built first.
    requiresDependencyCollection = ResolutionScope.TEST)
public final class GenerateMojo extends AbstractMojo {
  /** Where the {@code .nn} sources are; subfolders become subpackages of {@code packageName}. */
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

  /**
   * The Java package of the classes generated from {@code .nn} files directly in
   * {@code sourceDirectory}; a file in subfolder {@code a/b} goes to {@code packageName.a.b}.
   */
  @Parameter(defaultValue = "nnc.generated", property = "nnc.packageName")
  String packageName;

  /** Arithmetic of generated model classes: {@code f32} or {@code f64}. */
  @Parameter(defaultValue = "f32", property = "nnc.precision")
  String precision;

  /**
   * Whether to generate a JUnit Jupiter gradient-check test for every generated class. Unset:
   * when {@code org.junit.jupiter:junit-jupiter-api} is on the test class path (otherwise the
   * tests are skipped with a warning); {@code true}: always; {@code false}: never.
   */
  @Parameter(property = "nnc.generateTests")
  Boolean generateTests;

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

  @Parameter(defaultValue = "${mojoExecution}", readonly = true)
  MojoExecution execution;

  private final BuildContext buildContext;

  /** The build context reports files and markers to an IDE; on the command line it is inert. */
  @Inject
  public GenerateMojo(BuildContext buildContext) {
    this.buildContext = buildContext;
  }

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    if (skip) {
      getLog().info("nnc: skipped");
      return;
    }
    ElementType type = elementType();
    checkPackageName();
    Path out = absolute(outputDirectory);
    Path testOut = absolute(testOutputDirectory);
    boolean tests = generatesTests();
    addSourceRoots(out, testOut, tests);
    IncrementalBuild.Options options = new IncrementalBuild.Options(absolute(sourceDirectory),
        packageName, type, tests, out, testOut, stateFile("state", ".properties"),
        configuration(out, testOut, tests));
    IncrementalBuild.Result result = new IncrementalBuild(options, getLog(),
        new DiagnosticReporter(getLog(), buildContext),
        new OutputFiles(out, testOut, buildContext)).run();
    recordLastRun(result);
    summarize(result, out);
  }

  private ElementType elementType() throws MojoExecutionException {
    return switch (precision) {
      case "f32" -> ElementType.F32;
      case "f64" -> ElementType.F64;
      default -> throw new MojoExecutionException("nnc: precision must be f32 or f64, got '"
          + precision + "'");
    };
  }

  private void checkPackageName() throws MojoExecutionException {
    if (!PackageNames.isValid(packageName)) {
      throw new MojoExecutionException("nnc: packageName '" + packageName
          + "' is not a Java package name");
    }
  }

  private static Path absolute(File f) {
    return f.toPath().toAbsolutePath().normalize();
  }

  /** Whether to generate gradient tests: as configured, else when JUnit Jupiter is there. */
  private boolean generatesTests() {
    boolean junit = TestClassPath.hasJUnitJupiter(project.getArtifacts());
    if (generateTests == null) {
      if (!junit) {
        getLog().warn("nnc: no gradient-check tests generated: JUnit Jupiter is not on the test"
            + " class path; to enable them add the test dependency "
            + TestClassPath.JUPITER_GROUP + ":junit-jupiter, or set <generateTests>false"
            + "</generateTests> to silence this warning");
      }
      return junit;
    }
    if (generateTests && !junit) {
      getLog().warn("nnc: generateTests is true but JUnit Jupiter is not on the test class path:"
          + " the generated gradient tests will not compile without "
          + TestClassPath.JUPITER_GROUP + ":" + TestClassPath.JUPITER_API);
    }
    return generateTests;
  }

  private void addSourceRoots(Path out, Path testOut, boolean tests) {
    if (addSourceRoots) {
      project.addCompileSourceRoot(out.toString());
      if (tests) {
        project.addTestCompileSourceRoot(testOut.toString());
      }
    }
  }

  /**
   * A file of the build state. Each execution of the goal has its own, so that two executions
   * (say, models and functions from different folders into one output directory) never take
   * each other's files as stale; {@code mvn nnc:generate} shares the bound execution's.
   */
  private Path stateFile(String name, String extension) {
    String id = execution == null ? "default" : execution.getExecutionId();
    String suffix = id.equals("default") || id.equals("default-cli") ? ""
        : "-" + id.replaceAll("[^A-Za-z0-9._-]", "_");
    return stateDirectory.toPath().resolve(name + suffix + extension);
  }

  /** Everything besides the sources that decides the output; a change regenerates all. */
  private String configuration(Path out, Path testOut, boolean tests) {
    return String.join("|", pluginVersion(), packageName, precision, Boolean.toString(tests),
        out.toString(), testOut.toString());
  }

  /** Counts for tools and the plugin's own integration tests. */
  private void recordLastRun(IncrementalBuild.Result result) throws MojoExecutionException {
    Path file = stateFile("last-run", ".txt");
    try {
      Files.createDirectories(file.getParent());
      AtomicFile.writeString(file, "regenerated=" + result.regenerated() + "\ndeleted="
          + result.removed() + "\nerrors=" + result.errors() + "\n");
    } catch (IOException e) {
      throw new MojoExecutionException("nnc: cannot write " + file + ": "
          + OutputFiles.reason(e), e);
    } catch (NncException e) {
      throw new MojoExecutionException("nnc: " + e.getMessage(), e);
    }
  }

  private void summarize(IncrementalBuild.Result result, Path out) throws MojoFailureException {
    int errors = result.errors();
    if (errors > 0) {
      throw new MojoFailureException("nnc: " + errors + " error" + (errors == 1 ? "" : "s")
          + " in .nn sources (see above)");
    }
    int files = result.files();
    String nnFiles = files + " .nn file" + (files == 1 ? "" : "s");
    if (result.regenerated() == 0 && result.removed() == 0) {
      getLog().info("nnc: " + nnFiles + " up to date");
    } else {
      getLog().info("nnc: compiled " + result.regenerated() + " of " + nnFiles
          + (result.removed() > 0 ? ", removed " + result.removed() + " stale generated file"
              + (result.removed() == 1 ? "" : "s") : "") + " into " + out);
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
