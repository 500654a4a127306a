package dev.coherent.hibernate.internal;

import dev.coherent.hibernate.CoherentRegionFactory;
import java.util.List;
import org.hibernate.boot.registry.selector.SimpleStrategyRegistrationImpl;
import org.hibernate.boot.registry.selector.StrategyRegistration;
import org.hibernate.boot.registry.selector.StrategyRegistrationProvider;
import org.hibernate.cache.spi.RegionFactory;

/**
 * Registers {@link CoherentRegionFactory} under the short name {@code coherent} (and its class
 * names), found by Hibernate through {@code META-INF/services}. With it the only registered
 * region factory, Hibernate uses it without any setting. Stateless.
 */
public final class CoherentStrategyRegistration implements StrategyRegistrationProvider {
  @Override
  public Iterable<StrategyRegistration<?>> getStrategyRegistrations() {
    return List.of(new SimpleStrategyRegistrationImpl<>(RegionFactory.class,
        CoherentRegionFactory.class, "coherent", CoherentRegionFactory.class.getName(),
        CoherentRegionFactory.class.getSimpleName()));
  }
}
