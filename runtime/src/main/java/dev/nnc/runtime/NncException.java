package dev.nnc.runtime;

/** A user-facing error (bad file, wrong shape, invalid setting) whose one-line message names the place. */
public class NncException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public NncException(String message) {
    super(message);
  }

  public NncException(String message, Throwable cause) {
    super(message, cause);
  }
}
