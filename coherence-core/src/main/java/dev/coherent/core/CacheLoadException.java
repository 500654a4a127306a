package dev.coherent.core;

/** The loader failed (its exception is the cause). Redis failures never surface as this. */
public final class CacheLoadException extends RuntimeException {
  public CacheLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
