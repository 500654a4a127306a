package dev.coherent.core;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/** An in-memory source of truth with versions and a call counter. Thread-safe. */
public final class FakeSource implements VersionedLoader<String, String> {
  private final Map<String, Versioned<String>> rows = new ConcurrentHashMap<>();
  public final AtomicInteger loads = new AtomicInteger();

  /** Commits a new version of the row and returns it. */
  public long write(String key, String value) {
    return rows.compute(key, (k, old) -> Versioned.of(value, old == null ? 1 : old.version() + 1))
        .version();
  }

  public long version(String key) {
    Versioned<String> v = rows.get(key);
    return v == null ? 0 : v.version();
  }

  @Override
  public @Nullable Versioned<String> load(String key) {
    loads.incrementAndGet();
    return rows.get(key);
  }
}
