package dev.nnc.cli;

/** A mistake in the command line or its inputs: printed as one line, exit code 1 or 2. */
final class UserError extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int exitCode;

  UserError(String message) {
    this(message, 1);
  }

  UserError(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }
}
