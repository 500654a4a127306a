package dev.coherent.core.internal.redis;

/** A hint that cannot be applied; {@link #reason} is a bounded metric tag value. */
public final class MalformedHintException extends Exception {
  /** The metric tag of the reason (e.g. {@code unsigned}, {@code bad_json}). */
  public final String reason;

  MalformedHintException(String reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }
}
