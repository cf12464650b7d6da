package dev.nnc.maven;

import java.util.Collection;
import org.apache.maven.artifact.Artifact;

/**
 * What the project's test class path offers the generated gradient tests, which are JUnit
 * Jupiter tests: they compile only where {@code org.junit.jupiter:junit-jupiter-api} is a
 * dependency (direct, or through {@code junit-jupiter} or a starter) in any scope.
 */
final class TestClassPath {
  static final String JUPITER_GROUP = "org.junit.jupiter";
  static final String JUPITER_API = "junit-jupiter-api";

  private TestClassPath() {}

  /** Whether the collected dependencies (all scopes: each is on the test class path) hold JUnit Jupiter. */
  static boolean hasJUnitJupiter(Collection<Artifact> artifacts) {
    for (Artifact a : artifacts) {
      if (JUPITER_GROUP.equals(a.getGroupId()) && JUPITER_API.equals(a.getArtifactId())) {
        return true;
      }
    }
    return false;
  }
}
