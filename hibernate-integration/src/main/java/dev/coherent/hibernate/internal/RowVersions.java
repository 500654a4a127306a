package dev.coherent.hibernate.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.persister.entity.AbstractEntityPersister;
import org.hibernate.persister.entity.EntityPersister;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The change log's versions of one entity without a {@code @Version} (coherent-db's {@code
 * coherent_version(namespace, key)}, a per-key counter the tracking trigger raises under the
 * row's lock), read in the session's own transaction. They exist only once the entity's table is
 * tracked without a version column ({@code coherent_track(..., version_column => NULL)} with the
 * region's namespace): until then {@link #tracked} is false (checked at most every 30 s, with a
 * warning naming the statement) and the entity is not cached. Thread-safe: the tracking state is
 * a volatile pair; the reads use the calling session's connection.
 */
final class RowVersions {
  private static final Logger log = LoggerFactory.getLogger(RowVersions.class);
  private static final long RECHECK_NANOS = Duration.ofSeconds(30).toNanos();

  private final String entityName;
  private final String namespace;
  private volatile boolean tracked;
  private volatile long checkedAt;
  private volatile boolean checkedOnce;

  RowVersions(String entityName, String namespace) {
    this.entityName = entityName;
    this.namespace = namespace;
  }

  /** Whether the entity's table is tracked without a version column, under this namespace. */
  boolean tracked(SharedSessionContractImplementor session) {
    if (tracked) {
      return true;
    }
    long now = System.nanoTime();
    if (checkedOnce && now - checkedAt < RECHECK_NANOS) {
      return false;
    }
    EntityPersister entity =
        session.getFactory().getMappingMetamodel().getEntityDescriptor(entityName);
    String table = ((AbstractEntityPersister) entity).getRootTableName();
    boolean found = query(session, "SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t"
        + " WHERE t.tgrelid = to_regclass(?) AND t.tgname = 'coherent_track_after'", table, null,
        def -> def != null && def.contains("coherent_track_after_row_unversioned('"
            + namespace.replace("'", "''") + "'"));
    checkedAt = now;
    checkedOnce = true;
    tracked = found;
    if (!found) {
      log.warn("Coherent second-level cache: entity {} has no @Version and its table {} is not"
          + " tracked without a version column, so it is not cached; run SELECT coherent_track("
          + "'{}', '{}', '<id column>', version_column => NULL) (see"
          + " CoherentRegionFactory.trackingStatements)", entityName, table, table, namespace);
    }
    return found;
  }

  /**
   * The key's current version as the session's transaction sees it (0 if never written); -1
   * if the id has no text form the change log shares (a composite id).
   */
  long current(SharedSessionContractImplementor session, Object cacheKey) {
    String key = CacheKeys.idText(cacheKey);
    if (key == null) {
      return -1;
    }
    long[] version = new long[1];
    query(session, "SELECT coherent_version(?, ?)", namespace, key, text -> {
      version[0] = Long.parseLong(text);
      return true;
    });
    return version[0];
  }

  private static boolean query(SharedSessionContractImplementor session, String sql, String first,
      @Nullable String second, java.util.function.Predicate<@Nullable String> row) {
    Connection connection =
        session.getJdbcCoordinator().getLogicalConnection().getPhysicalConnection();
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      ps.setString(1, first);
      if (second != null) {
        ps.setString(2, second);
      }
      try (ResultSet rs = ps.executeQuery()) {
        boolean any = false;
        while (rs.next()) {
          any |= row.test(rs.getString(1));
        }
        return any;
      }
    } catch (SQLException e) {
      throw new org.hibernate.cache.CacheException("Coherent second-level cache: cannot read the"
          + " change log's version (" + sql + "): " + e.getMessage()
          + " (is coherent-db's schema migrated on the search path?)", e);
    }
  }
}
