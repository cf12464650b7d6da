package dev.nnc.compiler.diag;

/** One error or warning at a place in a {@code .nn} file. */
public record Diagnostic(Severity severity, SourceSpan span, String message) {

  /** How bad a diagnostic is; errors stop compilation after the phase that found them. */
  public enum Severity {
    ERROR("error"),
    WARNING("warning");

    private final String label;

    Severity(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /** The one-line form {@code FILE:LINE:COL: error: MESSAGE}. */
  public String headline() {
    return span.position() + ": " + severity.label() + ": " + message;
  }
}
