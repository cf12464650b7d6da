package dev.nnc.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The {@code ./nnc} launcher passes Spark the same JDK flags as this module's tests (surefire's
 * argLine, from spark/pom.xml's {@code spark.jvm.flags}): the two lists cannot drift apart.
 */
class SparkLauncherFlagsTest {
  private static final Pattern FLAG =
      Pattern.compile("(--add-opens=\\S+|-XX:\\+IgnoreUnrecognizedVMOptions|-Djdk\\.reflect\\S+|-Dio\\.netty\\S+)");

  @Test
  void launcherAndTestsUseTheSameSparkFlags() throws Exception {
    Path root = Path.of(System.getProperty("nnc.root", System.getProperty("user.dir") + "/.."));
    String script = Files.readString(root.resolve("nnc"));
    int from = script.indexOf("spark=(-XX");
    int to = script.indexOf("dev.nnc.cli.Main)", from);
    assertTrue(from > 0 && to > from, "the launcher's spark=(...) block");
    Set<String> launcher = flags(script.substring(from, to));
    Set<String> tests = flags(String.join(" ",
        ManagementFactory.getRuntimeMXBean().getInputArguments()));
    assertEquals(17, launcher.size(), launcher.toString());
    assertEquals(tests, launcher);
  }

  private static Set<String> flags(String text) {
    Set<String> out = new TreeSet<>();
    Matcher m = FLAG.matcher(text);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }
}
