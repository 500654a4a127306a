package dev.coherent.core;

/**
 * What callers of {@link CoherentRuntime#updateTimestamps} hold: the interface only, so the
 * runtime's maintenance call on the implementation in {@code internal} stays out of reach (as
 * {@link CoherentNearCache} does for namespaces). Thread-safe: it delegates to a thread-safe
 * implementation and holds nothing else.
 */
final class CoherentUpdateTimestamps implements UpdateTimestamps {
  private final UpdateTimestamps timestamps;

  CoherentUpdateTimestamps(UpdateTimestamps timestamps) {
    this.timestamps = timestamps;
  }

  @Override
  public long now() {
    return timestamps.now();
  }

  @Override
  public long lastUpdate(String space) {
    return timestamps.lastUpdate(space);
  }

  @Override
  public long update(String space, long notBefore) {
    return timestamps.update(space, notBefore);
  }

  @Override
  public long touch(String space, long notBefore) {
    return timestamps.touch(space, notBefore);
  }

  @Override
  public int pendingUpdates() {
    return timestamps.pendingUpdates();
  }
}
