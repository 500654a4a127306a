package dev.coherent.core;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A value as read from the source of truth, with the version it had there. Versions are strictly
 * increasing per key (the row's {@code version} column) and must be non-negative and below
 * 2^63.
 *
 * <p>A {@code null} value means "not found as of this version" (a deleted or never-created row);
 * such a result is cached only when negative caching is on.
 *
 * @param value the value, or null for "not found"
 * @param version the version of the row the value was read from
 */
public record Versioned<V>(@Nullable V value, long version) {

  public Versioned {
    if (version < 0) {
      throw new IllegalArgumentException("version must be at least 0 but was " + version);
    }
  }

  /** A present value at a version. */
  public static <V> Versioned<V> of(V value, long version) {
    return new Versioned<>(Objects.requireNonNull(value, "value"), version);
  }

  /** "Not found" as of a version (use 0 when the source cannot tell). */
  public static <V> Versioned<V> absent(long version) {
    return new Versioned<>(null, version);
  }

  public boolean isPresent() {
    return value != null;
  }
}
