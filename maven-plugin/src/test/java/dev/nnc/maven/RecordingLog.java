package dev.nnc.maven;

import java.util.ArrayList;
import java.util.List;
import org.apache.maven.plugin.logging.Log;

/** A Maven log that keeps what is written to it, each entry prefixed with its level as Maven prints it. */
final class RecordingLog implements Log {
  final List<String> lines = new ArrayList<>();

  String text() {
    return String.join("\n", lines);
  }

  /** Entries at {@code level} ("[ERROR]", "[WARNING]", "[INFO]"). */
  List<String> at(String level) {
    return lines.stream().filter(l -> l.startsWith(level + " ")).toList();
  }

  private void add(String level, CharSequence message) {
    lines.add(level + " " + message);
  }

  @Override
  public boolean isDebugEnabled() {
    return false;
  }

  @Override
  public void debug(CharSequence content) {}

  @Override
  public void debug(CharSequence content, Throwable error) {}

  @Override
  public void debug(Throwable error) {}

  @Override
  public boolean isInfoEnabled() {
    return true;
  }

  @Override
  public void info(CharSequence content) {
    add("[INFO]", content);
  }

  @Override
  public void info(CharSequence content, Throwable error) {
    add("[INFO]", content);
  }

  @Override
  public void info(Throwable error) {
    add("[INFO]", error.toString());
  }

  @Override
  public boolean isWarnEnabled() {
    return true;
  }

  @Override
  public void warn(CharSequence content) {
    add("[WARNING]", content);
  }

  @Override
  public void warn(CharSequence content, Throwable error) {
    add("[WARNING]", content);
  }

  @Override
  public void warn(Throwable error) {
    add("[WARNING]", error.toString());
  }

  @Override
  public boolean isErrorEnabled() {
    return true;
  }

  @Override
  public void error(CharSequence content) {
    add("[ERROR]", content);
  }

  @Override
  public void error(CharSequence content, Throwable error) {
    add("[ERROR]", content);
  }

  @Override
  public void error(Throwable error) {
    add("[ERROR]", error.toString());
  }
}
