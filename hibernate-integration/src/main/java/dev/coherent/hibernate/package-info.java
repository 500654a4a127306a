/**
 * Coherent as a Hibernate ORM 7 second-level cache provider: select it with {@code
 * hibernate.cache.region.factory_class=coherent} (or by class name, {@link
 * dev.coherent.hibernate.CoherentRegionFactory}); its settings are {@link
 * dev.coherent.hibernate.CoherentCacheSettings}. See docs/hibernate.md.
 */
@NullMarked
package dev.coherent.hibernate;

import org.jspecify.annotations.NullMarked;
