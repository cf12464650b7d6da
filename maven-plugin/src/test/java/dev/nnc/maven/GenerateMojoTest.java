package dev.nnc.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.maven.artifact.Artifact;
import org.apache.maven.artifact.DefaultArtifact;
import org.apache.maven.artifact.handler.DefaultArtifactHandler;
import org.apache.maven.plugin.MojoExecution;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.descriptor.MojoDescriptor;
import org.apache.maven.project.MavenProject;
import org.codehaus.plexus.logging.AbstractLogger;
import org.codehaus.plexus.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sonatype.plexus.build.incremental.BuildContext;
import org.sonatype.plexus.build.incremental.DefaultBuildContext;

/** The goal as Maven runs it: JUnit detection, diagnostics printed once, IDE markers, metadata. */
class GenerateMojoTest {
  @TempDir
  Path dir;

  RecordingLog log = new RecordingLog();

  /** What Maven's default build context logs on its own (it echoes every message it is given). */
  final List<String> contextLog = new ArrayList<>();

  private DefaultBuildContext commandLineContext() {
    DefaultBuildContext context = new DefaultBuildContext();
    context.enableLogging(new AbstractLogger(Logger.LEVEL_DEBUG, "test") {
      @Override
      public void debug(String message, Throwable t) {
        contextLog.add(message);
      }

      @Override
      public void info(String message, Throwable t) {
        contextLog.add(message);
      }

      @Override
      public void warn(String message, Throwable t) {
        contextLog.add(message);
      }

      @Override
      public void error(String message, Throwable t) {
        contextLog.add(message);
      }

      @Override
      public void fatalError(String message, Throwable t) {
        contextLog.add(message);
      }

      @Override
      public Logger getChildLogger(String name) {
        return this;
      }
    });
    return context;
  }

  private static Artifact artifact(String group, String id, String scope) {
    return new DefaultArtifact(group, id, "1.0", scope, "jar", null,
        new DefaultArtifactHandler("jar"));
  }

  private GenerateMojo mojo(BuildContext context, Artifact... dependencies) throws Exception {
    GenerateMojo mojo = new GenerateMojo(context);
    mojo.sourceDirectory = dir.resolve("src/main/nn").toFile();
    mojo.outputDirectory = dir.resolve("target/generated-sources/nnc").toFile();
    mojo.testOutputDirectory = dir.resolve("target/generated-test-sources/nnc").toFile();
    mojo.stateDirectory = dir.resolve("target/nnc-maven-plugin").toFile();
    mojo.packageName = "com.example";
    mojo.precision = "f32";
    mojo.addSourceRoots = true;
    mojo.project = new MavenProject();
    mojo.project.setArtifacts(new LinkedHashSet<>(List.of(dependencies)));
    mojo.setLog(log);
    return mojo;
  }

  private void source(String key, String text) throws Exception {
    Path file = dir.resolve("src/main/nn").resolve(key);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }

  private Path test(String relative) {
    return dir.resolve("target/generated-test-sources/nnc").resolve(relative);
  }

  @Test
  void withoutJUnitJupiterTestsAreSkippedWithOneWarning() throws Exception {
    source("m.nn", "fn f(x) = x;\n");
    GenerateMojo mojo = mojo(commandLineContext(), artifact("dev.nnc", "nnc-runtime", "compile"),
        artifact("junit", "junit", "test"));
    mojo.execute();
    assertFalse(Files.exists(test("com/example/FGradientTest.java")));
    assertTrue(mojo.project.getTestCompileSourceRoots().isEmpty(),
        mojo.project.getTestCompileSourceRoots().toString());
    List<String> warnings = log.at("[WARNING]");
    assertEquals(1, warnings.size(), log.text());
    assertTrue(warnings.get(0).contains("JUnit Jupiter is not on the test class path")
        && warnings.get(0).contains("org.junit.jupiter:junit-jupiter"), warnings.get(0));
  }

  @Test
  void withJUnitJupiterTestsAreGenerated() throws Exception {
    source("m.nn", "fn f(x) = x;\n");
    GenerateMojo mojo = mojo(commandLineContext(),
        artifact("org.junit.jupiter", "junit-jupiter-api", "test"));
    mojo.execute();
    assertTrue(Files.exists(test("com/example/FGradientTest.java")));
    assertEquals(List.of(dir.resolve("target/generated-test-sources/nnc").toString()),
        mojo.project.getTestCompileSourceRoots());
    assertTrue(log.at("[WARNING]").isEmpty(), log.text());
  }

  @Test
  void addingJUnitLaterGeneratesTheTestsAndFalseRemovesThem() throws Exception {
    source("m.nn", "fn f(x) = x;\n");
    mojo(commandLineContext()).execute();
    assertFalse(Files.exists(test("com/example/FGradientTest.java")));
    mojo(commandLineContext(), artifact("org.junit.jupiter", "junit-jupiter-api", "test"))
        .execute();
    assertTrue(Files.exists(test("com/example/FGradientTest.java")));
    log = new RecordingLog();
    GenerateMojo off = mojo(commandLineContext(),
        artifact("org.junit.jupiter", "junit-jupiter-api", "test"));
    off.generateTests = false;
    off.execute();
    assertFalse(Files.exists(test("com/example/FGradientTest.java")));
    assertTrue(log.at("[WARNING]").isEmpty(), "false is a choice, not a problem: " + log.text());
  }

  @Test
  void errorsArePrintedOnceOnTheCommandLine() throws Exception {
    source("broken.nn", "// a mistake\nfn f(x) = x + ;\n");
    GenerateMojo mojo = mojo(commandLineContext());
    MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
    assertEquals("nnc: 1 error in .nn sources (see above)", e.getMessage());
    Path file = dir.resolve("src/main/nn/broken.nn");
    assertEquals(List.of("[ERROR] " + file + ":2:15: error: expected an expression after '+',"
        + " found ';'\nfn f(x) = x + ;\n              ^"), log.at("[ERROR]"));
    assertTrue(contextLog.isEmpty(), "Maven's build context printed it again: " + contextLog);
  }

  @Test
  void anIdeGetsMarkersAndTheLogStillOneMessage() throws Exception {
    source("broken.nn", "// a mistake\nfn f(x) = x + ;\n");
    IdeBuildContext ide = new IdeBuildContext();
    assertThrows(MojoFailureException.class, mojo(ide)::execute);
    assertEquals(List.of("broken.nn:2:15:error:expected an expression after '+', found ';'"),
        ide.messages);
    assertEquals(List.of(dir.resolve("src/main/nn/broken.nn").toFile()), ide.removed,
        "old markers are cleared before the file is checked");
    assertEquals(1, log.at("[ERROR]").size(), log.text());
  }

  @Test
  void anIdeIsToldAboutEveryWrittenFile() throws Exception {
    source("m.nn", "fn f(x) = x;\n");
    IdeBuildContext ide = new IdeBuildContext();
    mojo(ide, artifact("org.junit.jupiter", "junit-jupiter-api", "test")).execute();
    assertEquals(2, ide.refreshed.size(), ide.refreshed.toString());
  }

  @Test
  void twoExecutionsIntoOneOutputDirectoryKeepEachOthersFiles() throws Exception {
    source("models/m.nn", "fn m(x) = x;\n");
    source("functions/f.nn", "fn f(x) = x;\n");
    for (int round = 0; round < 2; round++) {
      for (String id : List.of("models", "functions")) {
        GenerateMojo mojo = mojo(commandLineContext());
        mojo.sourceDirectory = dir.resolve("src/main/nn/" + id).toFile();
        mojo.packageName = "com.example." + id;
        mojo.execution = new MojoExecution(new MojoDescriptor(), id);
        mojo.execute();
      }
    }
    Path out = dir.resolve("target/generated-sources/nnc/com/example");
    assertTrue(Files.exists(out.resolve("models/M.java")), log.text());
    assertTrue(Files.exists(out.resolve("functions/F.java")), log.text());
    assertTrue(log.text().endsWith("[INFO] nnc: 1 .nn file up to date"), log.text());
    assertTrue(Files.exists(dir.resolve("target/nnc-maven-plugin/state-models.properties")));
  }

  @Test
  void theBuildContextIsInjectedThroughJsr330() throws Exception {
    assertNotNull(GenerateMojo.class.getConstructor(BuildContext.class)
        .getAnnotation(javax.inject.Inject.class));
    for (Field f : GenerateMojo.class.getDeclaredFields()) {
      for (var a : f.getAnnotations()) {
        assertFalse(a.annotationType().isAnnotationPresent(Deprecated.class), f + " " + a);
      }
    }
  }

  @Test
  void eclipseRunsTheGoalOnConfigurationAndIncrementalBuilds() throws Exception {
    String xml;
    try (InputStream in = GenerateMojo.class.getResourceAsStream(
        "/META-INF/m2e/lifecycle-mapping-metadata.xml")) {
      assertNotNull(in, "m2e metadata is packaged");
      xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    var doc = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new java.io.ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    assertEquals("generate", doc.getElementsByTagName("goal").item(0).getTextContent());
    assertEquals("true",
        doc.getElementsByTagName("runOnIncremental").item(0).getTextContent().strip());
    assertEquals("true",
        doc.getElementsByTagName("runOnConfiguration").item(0).getTextContent().strip());
  }

  @Test
  void thePluginDescriptorHasAHelpGoalAndDocumentsEveryParameter() throws Exception {
    String xml;
    try (InputStream in = GenerateMojo.class.getResourceAsStream("/META-INF/maven/plugin.xml")) {
      assertNotNull(in, "run the tests after process-classes, which writes the descriptor");
      xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertTrue(xml.contains("<goal>help</goal>"), "mvn nnc:help");
    assertTrue(xml.contains("<goal>generate</goal>"));
    for (String p : Set.of("sourceDirectory", "outputDirectory", "testOutputDirectory",
        "packageName", "precision", "generateTests", "addSourceRoots", "skip")) {
      assertTrue(xml.contains("<name>" + p + "</name>"), p);
    }
    assertTrue(xml.contains("<requiresDependencyCollection>test</requiresDependencyCollection>"),
        "dependencies are collected so that JUnit can be detected");
  }
}
