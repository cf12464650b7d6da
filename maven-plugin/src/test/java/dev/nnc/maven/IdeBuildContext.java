package dev.nnc.maven;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.codehaus.plexus.util.Scanner;
import org.sonatype.plexus.build.incremental.BuildContext;
import org.sonatype.plexus.build.incremental.DefaultBuildContext;

/** A build context as an IDE provides it: it records markers and refreshed files instead of logging. */
final class IdeBuildContext implements BuildContext {
  final List<String> messages = new ArrayList<>();
  final List<File> removed = new ArrayList<>();
  final List<File> refreshed = new ArrayList<>();
  private final DefaultBuildContext files = new DefaultBuildContext();

  @Override
  public boolean hasDelta(String relpath) {
    return true;
  }

  @Override
  public boolean hasDelta(File file) {
    return true;
  }

  @Override
  @SuppressWarnings("rawtypes")
  public boolean hasDelta(List relpaths) {
    return true;
  }

  @Override
  public void refresh(File file) {
    refreshed.add(file);
  }

  @Override
  public OutputStream newFileOutputStream(File file) throws IOException {
    return new FileOutputStream(file);
  }

  @Override
  public Scanner newScanner(File basedir) {
    return files.newScanner(basedir);
  }

  @Override
  public Scanner newDeleteScanner(File basedir) {
    return files.newDeleteScanner(basedir);
  }

  @Override
  public Scanner newScanner(File basedir, boolean ignoreDelta) {
    return files.newScanner(basedir, ignoreDelta);
  }

  @Override
  public boolean isIncremental() {
    return true;
  }

  @Override
  public void setValue(String key, Object value) {}

  @Override
  public Object getValue(String key) {
    return null;
  }

  @Override
  @Deprecated // as in BuildContext; the plugin calls addMessage
  public void addWarning(File file, int line, int column, String message, Throwable cause) {
    addMessage(file, line, column, message, SEVERITY_WARNING, cause);
  }

  @Override
  @Deprecated // as in BuildContext; the plugin calls addMessage
  public void addError(File file, int line, int column, String message, Throwable cause) {
    addMessage(file, line, column, message, SEVERITY_ERROR, cause);
  }

  @Override
  public void addMessage(File file, int line, int column, String message, int severity,
      Throwable cause) {
    messages.add(file.getName() + ":" + line + ":" + column + ":"
        + (severity == SEVERITY_ERROR ? "error" : "warning") + ":" + message);
  }

  @Override
  public void removeMessages(File file) {
    removed.add(file);
  }

  @Override
  public boolean isUptodate(File target, File source) {
    return false;
  }
}
