package dev.coherent.core;

/**
 * Turns values into bytes for Redis and back. Codecs are explicit: Coherent never uses Java
 * serialization. Implementations must be thread-safe. See {@link Codecs} for JSON, String and
 * byte[] codecs.
 */
public interface Codec<V> {

  byte[] encode(V value);

  /**
   * Decodes bytes written by {@link #encode}. Throw on bytes that are not a valid encoding; the
   * cache then treats the L2 entry as a miss and reloads (it never returns a half-decoded value).
   */
  V decode(byte[] bytes);
}
