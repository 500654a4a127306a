package dev.coherent.core;

import dev.coherent.db.CoherentSchema;
import dev.coherent.devservices.Database;
import dev.coherent.devservices.Services;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The "rows without a version column" example of docs/user-guide.md, against real PostgreSQL and
 * Redis. The code between the {@code user-guide} markers is copied into the guide verbatim;
 * change both together. It checks itself with {@code assert} (Failsafe runs with assertions
 * enabled) and waits with bounded sleep loops rather than Awaitility, as the guide's other example
 * does, so that the printed code needs nothing but the JDK and Coherent.
 */
class UnversionedRowsExampleIntegrationTests {

  @Test
  void theExampleForRowsWithoutAVersionRuns() throws Exception {
    try (Database database = Services.postgres().createDatabase("unversioned_guide")) {
      DataSource db = database.dataSource();
      CoherentSchema.migrate(db);
      String redisUri = Services.redis().url();
      String tenant = "guide-" + UUID.randomUUID().toString().substring(0, 8);
      run(db, redisUri, tenant);
    }
  }

  private static void run(DataSource db, String redisUri, String tenant) throws Exception {
    // user-guide:begin
    // In a migration of yours: a table without a version column, opted in to the change log.
    try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE articles (id bigint PRIMARY KEY, title text NOT NULL)");
      s.execute("SELECT coherent_track('articles', 'cms:article', 'id', version_column => NULL)");
      s.execute("INSERT INTO articles VALUES (42, 'Hello')");
    }

    // The loader reads the row and its version in one statement, so in one snapshot. The outer
    // join gives a missing row the version of its delete, so "not found" is versioned too.
    VersionedLoader<Long, String> loader = id -> {
      try (Connection c = db.getConnection();
          PreparedStatement ps = c.prepareStatement("SELECT a.title,"
              + " coherent_version('cms:article', ?::text) FROM (SELECT 1) one"
              + " LEFT JOIN articles a ON a.id = ?")) {
        ps.setLong(1, id);
        ps.setLong(2, id);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return new Versioned<>(rs.getString(1), rs.getLong(2));
        }
      }
    };

    ChangeLogOptions changeLog = ChangeLogOptions.builder(db).build();
    try (CoherentRuntime a = CoherentRuntime.builder().redisUri(redisUri).tenant(tenant)
            .instanceId("cms-a").changeLog(changeLog).reconcileInterval(Duration.ofMillis(250))
            .build();
        CoherentRuntime b = CoherentRuntime.builder().redisUri(redisUri).tenant(tenant)
            .instanceId("cms-b").changeLog(changeLog).reconcileInterval(Duration.ofMillis(250))
            .build()) {
      NearCache<Long, String> articlesA = a.namespace("cms:article", Codecs.string(),
          NamespaceOptions.create(), String::valueOf, loader);
      NearCache<Long, String> articlesB = b.namespace("cms:article", Codecs.string(),
          NamespaceOptions.create(), String::valueOf, loader);
      assert articlesA.getVersioned(42L).equals(Versioned.of("Hello", 1));
      assert articlesB.get(42L).equals("Hello");

      // A writer: the write, then its version in the same transaction, then commit, then put.
      long version;
      try (Connection c = db.getConnection()) {
        c.setAutoCommit(false);
        try (PreparedStatement ps =
            c.prepareStatement("UPDATE articles SET title = ? WHERE id = ?")) {
          ps.setString(1, "Hello, world");
          ps.setLong(2, 42L);
          ps.executeUpdate();
        }
        version = currentVersion(c, 42L); // 2: this write's
        c.commit();
      }
      articlesA.put(42L, "Hello, world", version);
      assert articlesA.get(42L).equals("Hello, world");

      // A write nobody tells the cache about (psql, a batch job): the change log carries its
      // version to every instance within the reconcile bound.
      try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
        s.executeUpdate("UPDATE articles SET title = 'Edited in psql' WHERE id = 42");
      }
      for (int i = 0; i < 500 && !"Edited in psql".equals(articlesB.get(42L)); i++) {
        Thread.sleep(10);
      }
      assert articlesB.getVersioned(42L).equals(Versioned.of("Edited in psql", 3));

      // A delete: its tombstone is version 4; a read finds "not found" at that version.
      try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
        s.executeUpdate("DELETE FROM articles WHERE id = 42");
      }
      for (int i = 0; i < 500 && articlesA.get(42L) != null; i++) {
        Thread.sleep(10);
      }
      assert articlesA.get(42L) == null;
    }
    // user-guide:end
  }

  /** The version of an article's row as of this connection's transaction. */
  private static long currentVersion(Connection c, long id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT coherent_version('cms:article', ?)")) {
      ps.setString(1, Long.toString(id));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
