package dev.coherent.hibernate.internal;

import org.hibernate.cache.spi.DirectAccessRegion;
import org.hibernate.cache.spi.RegionFactory;

/**
 * What the query-results and update-timestamps regions share: a name and the factory that built
 * them; what they hold belongs to the runtime, which the factory closes, so {@link #destroy}
 * releases nothing. Thread-safe (immutable).
 */
abstract class DirectRegion implements DirectAccessRegion {
  private final String name;
  private final RegionFactory factory;

  DirectRegion(String name, RegionFactory factory) {
    this.name = name;
    this.factory = factory;
  }

  @Override
  public final String getName() {
    return name;
  }

  @Override
  public final RegionFactory getRegionFactory() {
    return factory;
  }

  @Override
  public final void destroy() {
    // Nothing is held here: the namespace or timestamps are the runtime's.
  }
}
