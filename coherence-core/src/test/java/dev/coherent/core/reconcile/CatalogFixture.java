package dev.coherent.core.reconcile;

import dev.coherent.core.Versioned;
import dev.coherent.core.VersionedLoader;
import dev.coherent.db.CoherentSchema;
import dev.coherent.devservices.Database;
import dev.coherent.devservices.Services;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * A real PostgreSQL database with the Coherent schema and one tracked table {@code items(id,
 * name, version)} (namespace {@code items}), a loader over it, writers that record when each
 * version was committed, and the staleness arithmetic of the freshness guarantee.
 *
 * <p>Thread-safe: commit times are in concurrent maps; the pool is HikariCP's.
 */
public final class CatalogFixture implements AutoCloseable {
  public static final String NAMESPACE = "items";

  private final Database database;
  /** key -> (version -> nanoTime when its commit had returned). */
  private final Map<String, NavigableMap<Long, Long>> commits = new ConcurrentHashMap<>();
  private final AtomicLong worstStalenessNanos = new AtomicLong();
  private final AtomicLong reads = new AtomicLong();

  public CatalogFixture(int rows) {
    this.database = Services.postgres().createDatabase("reconcile");
    CoherentSchema.migrate(database.dataSource());
    try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL,"
          + " version bigint NOT NULL DEFAULT 1)");
      s.execute("SELECT coherent_track('items', 'items', 'id')");
      s.execute("INSERT INTO items (id, name) SELECT g, 'item-' || g FROM generate_series(1, "
          + rows + ") g");
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    for (int id = 1; id <= rows; id++) {
      commits.computeIfAbsent(Integer.toString(id), k -> new ConcurrentSkipListMap<>())
          .put(1L, System.nanoTime());
    }
  }

  public DataSource dataSource() {
    return database.dataSource();
  }

  /** Reads a row with its version, as an application's repository would. */
  public VersionedLoader<String, String> loader() {
    return key -> {
      try (Connection c = database.dataSource().getConnection();
          PreparedStatement ps = c.prepareStatement("SELECT name, version FROM items WHERE id = ?")) {
        ps.setLong(1, Long.parseLong(key));
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Versioned.of(rs.getString(1), rs.getLong(2)) : null;
        }
      }
    };
  }

  /** Updates a row with plain SQL (the trigger bumps the version) and returns the new version. */
  public long update(String key, String name) {
    try (Connection c = database.dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement("UPDATE items SET name = ? WHERE id = ? RETURNING version")) {
      ps.setString(1, name);
      ps.setLong(2, Long.parseLong(key));
      long version;
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        version = rs.getLong(1);
      }
      committed(key, version); // autocommit: committed once executeQuery returned
      return version;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Records that {@code version} of {@code key} is committed as of now. */
  public void committed(String key, long version) {
    commits.computeIfAbsent(key, k -> new ConcurrentSkipListMap<>()).put(version, System.nanoTime());
  }

  /**
   * Checks a read that started at {@code startNanos} and returned {@code version}: its staleness
   * is how long before the read a newer version had been committed (0 if none). Returns it and
   * keeps the worst.
   */
  public long observe(String key, long startNanos, @Nullable Versioned<String> read) {
    reads.incrementAndGet();
    long version = read == null ? 0 : read.version();
    NavigableMap<Long, Long> history = commits.get(key);
    if (history == null) {
      return 0;
    }
    Map.Entry<Long, Long> next = history.higherEntry(version);
    if (next == null || next.getValue() >= startNanos) {
      return 0;
    }
    long staleness = startNanos - next.getValue();
    worstStalenessNanos.accumulateAndGet(staleness, Math::max);
    return staleness;
  }

  public long worstStalenessMillis() {
    return worstStalenessNanos.get() / 1_000_000;
  }

  public long reads() {
    return reads.get();
  }

  /** The newest committed version of a key. */
  public long latest(String key) {
    return commits.get(key).lastKey();
  }

  /** Appends a line to target/staleness-report.txt and prints it. */
  public static void report(String test, long worstMillis, long boundMillis, long reads) {
    String line = String.format("STALENESS %-60s worst=%5d ms  bound=%5d ms  reads=%d%n", test,
        worstMillis, boundMillis, reads);
    System.out.print(line);
    try {
      Files.writeString(Path.of("target", "staleness-report.txt"), line,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    database.close();
  }
}
