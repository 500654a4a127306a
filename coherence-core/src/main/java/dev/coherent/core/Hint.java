package dev.coherent.core;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A parsed invalidation hint (schema version 1, see docs/protocol.md). Never carries values.
 * Exposed so that fault-injection hooks ({@link CoherentRuntime.Builder#hintFilter}) can see it.
 *
 * @param keys for KEYS hints, each key with the version below which copies are stale
 */
public record Hint(
    String id,
    Type type,
    String namespace,
    String tenant,
    List<KeyVersion> keys,
    long epoch,
    long sequence,
    String origin,
    long timestamp,
    @Nullable String trace) {

  public enum Type {
    KEYS,
    EPOCH
  }

  public record KeyVersion(String key, long version) {}
}
