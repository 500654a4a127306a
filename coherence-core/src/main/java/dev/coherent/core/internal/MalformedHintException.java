package dev.coherent.core.internal;

/** A hint that cannot be applied; {@link #reason} is a bounded metric tag value. */
final class MalformedHintException extends Exception {
  final String reason;

  MalformedHintException(String reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }
}
