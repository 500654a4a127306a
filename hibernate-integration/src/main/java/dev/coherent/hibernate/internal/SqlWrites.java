package dev.coherent.hibernate.internal;

import dev.coherent.core.ChangeLogListener;
import dev.coherent.core.Hint;
import dev.coherent.core.NearCache;
import dev.coherent.core.UpdateTimestamps;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hibernate.SessionFactory;
import org.hibernate.SessionFactoryObserver;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.metamodel.MappingMetamodel;
import org.hibernate.persister.entity.EntityPersister;
import org.jspecify.annotations.Nullable;

/**
 * What a write made outside Hibernate reaches beyond the entity itself. The change log names the
 * entity's row (its namespace and id); the core invalidates that entry. Here, once the session
 * factory's metamodel exists, each cached entity's namespace gets a listener that, for every
 * batch of its rows the reconciler applies, marks the entity's tables updated in the shared
 * update timestamps (so cached queries over them are stale) and empties, on every instance, the
 * natural-id region of the entity and the collection regions that read its tables (a row's
 * change does not say which owner's collection or which natural id it touched). Rows of
 * Hibernate's own writes come through the change log too: at most one such emptying per region
 * per reconcile poll. Thread-safety: built on the thread that creates the session factory; the
 * listeners hold immutable sets and run on the reconciler thread.
 */
final class SqlWrites implements SessionFactoryObserver {
  private final CoherentRegions regions;
  private final @Nullable UpdateTimestamps timestamps;

  SqlWrites(CoherentRegions regions, @Nullable UpdateTimestamps timestamps) {
    this.regions = regions;
    this.timestamps = timestamps;
  }

  @Override
  public void sessionFactoryCreated(SessionFactory factory) {
    MappingMetamodel metamodel =
        factory.unwrap(SessionFactoryImplementor.class).getMappingMetamodel();
    Map<String, Set<NearCache<Object, Object>>> collectionsByTable = new HashMap<>();
    metamodel.forEachCollectionDescriptor(collection -> {
      NearCache<Object, Object> cache = collection.hasCache()
          ? regions.namespaceOf(collection.getCacheAccessStrategy().getRegion().getName()) : null;
      if (cache != null) {
        for (String table : collection.getCollectionSpaces()) {
          collectionsByTable.computeIfAbsent(table, t -> new LinkedHashSet<>()).add(cache);
        }
      }
    });
    metamodel.forEachEntityDescriptor(entity -> {
      if (!entity.canWriteToCache() || !entity.getEntityName().equals(entity.getRootEntityName())) {
        return; // not cached, or a subclass: the root's namespace carries the change-log rows
      }
      NearCache<Object, Object> cache =
          regions.namespaceOf(entity.getCacheAccessStrategy().getRegion().getName());
      if (cache == null) {
        return;
      }
      List<String> tables = tables(entity);
      Set<NearCache<Object, Object>> flush = new LinkedHashSet<>();
      if (entity.getNaturalIdCacheAccessStrategy() != null) {
        NearCache<Object, Object> naturalIds =
            regions.namespaceOf(entity.getNaturalIdCacheAccessStrategy().getRegion().getName());
        if (naturalIds != null) {
          flush.add(naturalIds);
        }
      }
      tables.forEach(table -> flush.addAll(collectionsByTable.getOrDefault(table, Set.of())));
      // A collection region shared with the entity (one region name for both) is emptied whole:
      // its collection entries cannot be told apart from the entity's.
      cache.addChangeLogListener(new Reach(List.copyOf(tables), List.copyOf(flush)));
    });
  }

  private static List<String> tables(EntityPersister entity) {
    List<String> tables = new ArrayList<>();
    entity.visitQuerySpaces(tables::add);
    return tables;
  }

  /** The listener of one entity's namespace. Reconciler thread. */
  private final class Reach implements ChangeLogListener {
    private final List<String> tables;
    private final List<NearCache<Object, Object>> flush;

    Reach(List<String> tables, List<NearCache<Object, Object>> flush) {
      this.tables = tables;
      this.flush = flush;
    }

    @Override
    public void changed(List<Hint.KeyVersion> changes) {
      everythingChanged();
    }

    @Override
    public void everythingChanged() {
      if (timestamps != null) {
        tables.forEach(table -> timestamps.update(table, 0));
      }
      flush.forEach(NearCache::invalidateAll);
    }
  }
}
