package dev.coherent.hibernate.internal;

import dev.coherent.core.ChangeLogListener;
import dev.coherent.core.Hint;
import dev.coherent.core.NearCache;
import dev.coherent.core.UpdateTimestamps;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.hibernate.SessionFactory;
import org.hibernate.SessionFactoryObserver;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.metamodel.MappingMetamodel;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a write made outside Hibernate reaches beyond the entity itself. The change log names the
 * entity's row (its namespace and id); the core invalidates that entry. Here, once the session
 * factory's metamodel exists, each cached entity's namespace gets a listener that, for the rows
 * the reconciler applies, marks the entity's tables (those of its whole hierarchy) updated in the
 * shared update timestamps (so cached queries over them are stale) and empties, on every
 * instance, the natural-id region of the entity and the collection regions that read its tables
 * (a row's change does not say which owner's collection or which natural id it touched). A
 * listener added after rows were applied (during the boot) is told everything changed, and does
 * all of it once.
 *
 * <p>The work calls Redis, so it does not run on the reconciler thread (whose polls must not
 * wait for Redis, or the change log's bound would not hold while Redis stalls): the listener
 * marks the entity dirty and a single worker thread of this session factory does the work,
 * coalescing the rows that arrive meanwhile. Rows of Hibernate's own writes come through the
 * change log too: at most one such emptying per region per worker run.
 *
 * <p>Thread-safety: built on the thread that creates the session factory; the listeners hold
 * immutable lists and an atomic flag, run on the reconciler thread and hand over to the worker.
 */
final class SqlWrites implements SessionFactoryObserver, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SqlWrites.class);
  private final CoherentRegions regions;
  private final @Nullable UpdateTimestamps timestamps;
  private final ExecutorService worker = Executors.newSingleThreadExecutor(runnable -> {
    Thread t = new Thread(runnable, "coherent-hibernate-sql-writes");
    t.setDaemon(true);
    return t;
  });

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
    // Every table of a hierarchy: a JOINED root's own query spaces leave its subclasses' out.
    Map<String, Set<String>> tablesByRoot = new HashMap<>();
    metamodel.forEachEntityDescriptor(entity -> entity.visitQuerySpaces(table ->
        tablesByRoot.computeIfAbsent(entity.getRootEntityName(), r -> new LinkedHashSet<>())
            .add(table)));
    metamodel.forEachEntityDescriptor(entity -> {
      if (!entity.canWriteToCache() || !entity.getEntityName().equals(entity.getRootEntityName())) {
        return; // not cached, or a subclass: the root's namespace carries the change-log rows
      }
      NearCache<Object, Object> cache =
          regions.namespaceOf(entity.getCacheAccessStrategy().getRegion().getName());
      if (cache == null) {
        return;
      }
      Set<String> tables = tablesByRoot.getOrDefault(entity.getEntityName(), Set.of());
      Set<NearCache<Object, Object>> flush = new LinkedHashSet<>();
      if (entity.getNaturalIdCacheAccessStrategy() != null) {
        NearCache<Object, Object> naturalIds =
            regions.namespaceOf(entity.getNaturalIdCacheAccessStrategy().getRegion().getName());
        if (naturalIds != null) {
          flush.add(naturalIds);
        }
      }
      // A collection region shared with the entity (one region name for both) is emptied whole:
      // its collection entries cannot be told apart from the entity's.
      tables.forEach(table -> flush.addAll(collectionsByTable.getOrDefault(table, Set.of())));
      cache.addChangeLogListener(new Reach(List.copyOf(tables), List.copyOf(flush)));
    });
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }

  /** The listener of one entity's namespace: reconciler thread; its work on the worker. */
  private final class Reach implements ChangeLogListener {
    private final List<String> tables;
    private final List<NearCache<Object, Object>> flush;
    private final AtomicBoolean dirty = new AtomicBoolean();

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
      if (dirty.compareAndSet(false, true)) {
        try {
          worker.execute(this::reach);
        } catch (java.util.concurrent.RejectedExecutionException e) {
          dirty.set(false); // the session factory is closing
        }
      }
    }

    /** Worker thread. Rows arriving while it runs mark it dirty again: it runs once more. */
    private void reach() {
      dirty.set(false);
      try {
        if (timestamps != null) {
          for (String table : tables) {
            timestamps.touch(table, timestamps.now()); // kept and replayed if Redis is down
          }
        }
        flush.forEach(NearCache::invalidateAll);
      } catch (RuntimeException e) {
        log.warn("Coherent second-level cache: following a write made outside Hibernate to {}"
            + " failed; the regions' TTLs bound it", tables, e);
      }
    }
  }
}
