package dev.nnc.maven;

import dev.nnc.runtime.NncException;
import dev.nnc.runtime.io.AtomicFile;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the last build generated: the configuration digest, each {@code .nn} file's content
 * digest, the files generated from it, and the files it imports (directly or not, by key), whose
 * changes make it out of date too. Kept in {@code target/nnc-maven-plugin/state.properties}
 * (one file per plugin execution, so that two executions never take each other's files as stale).
 */
final class BuildState {
  private static final String CONFIG = "configuration";
  /** Separates the keys of imported files: a NUL, which no file name holds (a comma may). */
  private static final String IMPORT_SEPARATOR = "\u0000";

  private final String configuration;
  private final Map<String, String> digests;
  private final Map<String, List<String>> outputs;
  private final Map<String, List<String>> imports;

  BuildState(String configuration, Map<String, String> digests, Map<String, List<String>> outputs,
      Map<String, List<String>> imports) {
    this.configuration = configuration;
    this.digests = digests;
    this.outputs = outputs;
    this.imports = imports;
  }

  /** The saved state, or an empty one if there is none or it is unreadable. */
  static BuildState load(Path file) {
    Properties p = new Properties();
    if (Files.isRegularFile(file)) {
      try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        p.load(in);
      } catch (IOException | IllegalArgumentException e) {
        p.clear();
      }
    }
    Map<String, String> digests = new LinkedHashMap<>();
    Map<String, List<String>> outputs = new LinkedHashMap<>();
    Map<String, List<String>> imports = new LinkedHashMap<>();
    for (String key : new TreeSet<>(p.stringPropertyNames())) {
      if (key.startsWith("digest.")) {
        digests.put(key.substring("digest.".length()), p.getProperty(key));
      } else if (key.startsWith("outputs.")) {
        outputs.put(key.substring("outputs.".length()), list(p.getProperty(key)));
      } else if (key.startsWith("imports.")) {
        String v = p.getProperty(key);
        imports.put(key.substring("imports.".length()),
            v.isEmpty() ? List.of() : Arrays.asList(v.split(IMPORT_SEPARATOR)));
      }
    }
    return new BuildState(p.getProperty(CONFIG, ""), digests, outputs, imports);
  }

  private static List<String> list(String value) {
    return value.isEmpty() ? List.of() : Arrays.asList(value.split(","));
  }

  /**
   * Saves the state atomically. A state that cannot be saved only costs a full regeneration next
   * time, so failures are returned as a message for a warning rather than failing the build.
   */
  String save(Path file) {
    Properties p = new Properties();
    p.setProperty(CONFIG, configuration);
    digests.forEach((k, v) -> p.setProperty("digest." + k, v));
    outputs.forEach((k, v) -> p.setProperty("outputs." + k, String.join(",", v)));
    imports.forEach((k, v) -> p.setProperty("imports." + k, String.join(IMPORT_SEPARATOR, v)));
    StringWriter text = new StringWriter();
    try {
      p.store(text, "nnc-maven-plugin incremental build state");
      Files.createDirectories(file.getParent());
      AtomicFile.writeString(file, text.toString());
      return null;
    } catch (IOException e) {
      return "nnc: cannot save the build state " + file + ": " + OutputFiles.reason(e);
    } catch (NncException e) {
      return "nnc: cannot save the build state: " + e.getMessage();
    }
  }

  String configuration() {
    return configuration;
  }

  String digest(String source) {
    return digests.get(source);
  }

  List<String> outputs(String source) {
    return outputs.getOrDefault(source, List.of());
  }

  /** The keys of the files {@code source} imported, directly or not, at the last build. */
  List<String> imports(String source) {
    return imports.getOrDefault(source, List.of());
  }

  /**
   * This state without the digests of {@code keys}, so that those files count as changed: after
   * a failed build, the files that had errors are checked again (and their IDE markers renewed)
   * next time even if the error was placed in a file that did not change.
   */
  BuildState forgetting(Set<String> keys) {
    Map<String, String> kept = new LinkedHashMap<>(digests);
    kept.keySet().removeAll(keys);
    return new BuildState(configuration, kept, outputs, imports);
  }

  Set<String> sources() {
    Set<String> all = new TreeSet<>(digests.keySet());
    all.addAll(outputs.keySet());
    return all;
  }

  static String digest(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
