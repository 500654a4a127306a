package dev.coherent.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import dev.coherent.db.Sql.LogRow;
import dev.coherent.devservices.Database;
import dev.coherent.devservices.Services;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * coherent_track on a table without a version column (version_column => NULL): the change log
 * keeps a strictly increasing version per key, in commit order, that readers and writers get with
 * coherent_version. Each test owns its table.
 */
class UnversionedTrackingIntegrationTests {
  private static Database db;
  private static DataSource ds;

  @BeforeAll
  static void migrate() {
    db = Services.postgres().createDatabase("coherent_unversioned");
    ds = db.dataSource();
    CoherentSchema.migrate(ds);
  }

  @AfterAll
  static void close() {
    db.close();
  }

  private static long version(String namespace, String key) throws Exception {
    return Sql.queryLong(ds, "SELECT " + CoherentSchema.VERSION_FUNCTION + "(?, ?)", namespace,
        key);
  }

  @Test
  void everyWriteOfAKeyGetsTheNextVersionAndTheTableGetsNoColumn() throws Exception {
    Sql.update(ds, "CREATE TABLE notes (id bigint PRIMARY KEY, body text)");
    Sql.execute(ds, "SELECT coherent_track('notes', 'app:note', 'id', version_column => NULL)");
    long before = Sql.maxLogId(ds);
    assertThat(version("app:note", "1")).as("never written").isZero();

    Sql.update(ds, "INSERT INTO notes VALUES (1, 'a')");
    Sql.update(ds, "UPDATE notes SET body = 'b' WHERE id = 1");
    Sql.update(ds, "UPDATE notes SET body = 'b' WHERE id = 1"); // no change: still a new version
    Sql.update(ds, "DELETE FROM notes WHERE id = 1");
    Sql.update(ds, "INSERT INTO notes VALUES (1, 'again')");
    Sql.update(ds, "UPDATE notes SET id = 2 WHERE id = 1"); // a key change: delete 1, insert 2

    assertThat(Sql.logRowsAfter(ds, before))
        .extracting(LogRow::namespace, LogRow::key, LogRow::version, LogRow::op)
        .containsExactly(
            tuple("app:note", "1", 1L, "U"),
            tuple("app:note", "1", 2L, "U"),
            tuple("app:note", "1", 3L, "U"),
            tuple("app:note", "1", 4L, "D"),
            tuple("app:note", "1", 5L, "U"),
            tuple("app:note", "1", 6L, "D"),
            tuple("app:note", "2", 1L, "U"));
    assertThat(version("app:note", "1")).isEqualTo(6);
    assertThat(version("app:note", "2")).isEqualTo(1);
    assertThat(Sql.queryLong(ds, "SELECT count(*) FROM " + CoherentSchema.KEY_VERSION_TABLE
        + " WHERE namespace = 'app:note'")).isEqualTo(2);
    assertThat(Sql.queryLong(ds, "SELECT count(*) FROM information_schema.columns"
        + " WHERE table_name = 'notes'")).as("id and body only").isEqualTo(2);
    assertThat(Sql.queryLong(ds, "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'notes'::regclass"))
        .as("after-row and truncate triggers").isEqualTo(2);
  }

  @Test
  void aReaderGetsTheRowAndItsVersionInOneSnapshotAndAWriterItsOwnWritesVersion()
      throws Exception {
    Sql.update(ds, "CREATE TABLE docs (id bigint PRIMARY KEY, body text)");
    Sql.execute(ds, "SELECT coherent_track('docs', 'app:doc', 'id', NULL)");
    Sql.update(ds, "INSERT INTO docs VALUES (7, 'v1')");

    try (Connection writer = ds.getConnection(); Connection reader = ds.getConnection()) {
      writer.setAutoCommit(false);
      Sql.update(writer, "UPDATE docs SET body = 'v2' WHERE id = 7");
      assertThat(Sql.queryLong(writer, "SELECT coherent_version('app:doc', '7')"))
          .as("the writer's own version, before its commit").isEqualTo(2);
      assertThat(read(reader, 7)).as("uncommitted: the reader sees v1 at 1").isEqualTo("v1@1");
      writer.commit();
      assertThat(read(reader, 7)).isEqualTo("v2@2");
    }
  }

  private static String read(Connection c, long id) throws Exception {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT body, coherent_version('app:doc', id::text) FROM docs WHERE id = ?")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(1) + "@" + rs.getLong(2);
      }
    }
  }

  @Test
  void concurrentWritersOfOneKeyAreSerializedSoVersionsIncreaseInCommitOrder() throws Exception {
    Sql.update(ds, "CREATE TABLE counters (id bigint PRIMARY KEY, n bigint NOT NULL)");
    Sql.execute(ds, "SELECT coherent_track('counters', 'app:counter', 'id', NULL)");
    Sql.update(ds, "INSERT INTO counters VALUES (1, 0)");
    long before = Sql.maxLogId(ds);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> writers = new ArrayList<>();
      CountDownLatch start = new CountDownLatch(1);
      for (int w = 0; w < 8; w++) {
        writers.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < 25; i++) {
            Sql.update(ds, "UPDATE counters SET n = n + 1 WHERE id = 1");
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : writers) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    // In log-id order the ids are not commit order, but each version was taken under the key's
    // lock: 200 writes got exactly the versions 2..201, each once, and the row says 200.
    List<Long> versions = Sql.logRowsAfter(ds, before).stream().map(LogRow::version).sorted().toList();
    assertThat(versions).hasSize(200).doesNotHaveDuplicates().startsWith(2L).endsWith(201L);
    assertThat(Sql.queryLong(ds, "SELECT n FROM counters WHERE id = 1")).isEqualTo(200);
    assertThat(version("app:counter", "1")).isEqualTo(201);
  }

  @Test
  void aRolledBackWriteGivesItsVersionToTheNextWriterAndLogsNothing() throws Exception {
    Sql.update(ds, "CREATE TABLE drafts (id bigint PRIMARY KEY, body text)");
    Sql.execute(ds, "SELECT coherent_track('drafts', 'app:draft', 'id', NULL)");
    Sql.update(ds, "INSERT INTO drafts VALUES (1, 'a')");
    long before = Sql.maxLogId(ds);
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      Sql.update(c, "UPDATE drafts SET body = 'never' WHERE id = 1");
      c.rollback();
    }
    Sql.update(ds, "UPDATE drafts SET body = 'b' WHERE id = 1");

    assertThat(Sql.logRowsAfter(ds, before)).extracting(LogRow::version, LogRow::op)
        .containsExactly(tuple(2L, "U"));
  }

  @Test
  void truncateLogsATombstoneAboveEveryRowsVersion() throws Exception {
    Sql.update(ds, "CREATE TABLE tags (name text PRIMARY KEY)");
    Sql.execute(ds, "SELECT coherent_track('tags', 'app:tag', 'name', NULL)");
    Sql.update(ds, "INSERT INTO tags VALUES ('x'), ('y')");
    Sql.update(ds, "UPDATE tags SET name = name WHERE name = 'y'");
    long before = Sql.maxLogId(ds);

    Sql.execute(ds, "TRUNCATE tags");

    assertThat(Sql.logRowsAfter(ds, before)).extracting(LogRow::key, LogRow::version, LogRow::op)
        .containsExactlyInAnyOrder(tuple("x", 2L, "D"), tuple("y", 3L, "D"));
  }

  @Test
  void aTableThatHadAVersionColumnKeepsIncreasingWhenItDropsIt() throws Exception {
    Sql.update(ds, "CREATE TABLE items (id bigint PRIMARY KEY, label text, version bigint NOT NULL DEFAULT 1)");
    Sql.execute(ds, "SELECT coherent_track('items', 'app:item', 'id')");
    Sql.update(ds, "INSERT INTO items (id, label, version) VALUES (1, 'a', 40)");
    Sql.update(ds, "ALTER TABLE items DROP COLUMN version");
    Sql.execute(ds, "SELECT coherent_track('items', 'app:item', 'id', NULL)");
    assertThat(version("app:item", "1")).as("what the log remembers").isEqualTo(40);
    long before = Sql.maxLogId(ds);

    Sql.update(ds, "UPDATE items SET label = 'b' WHERE id = 1");

    assertThat(Sql.logRowsAfter(ds, before)).extracting(LogRow::version).containsExactly(41L);
  }

  @Test
  void aMissingVersionColumnStillNamesTheColumnsAndSaysHowToTrackWithoutOne() throws Exception {
    Sql.update(ds, "CREATE TABLE plain (id bigint PRIMARY KEY)");
    assertThatThrownBy(() -> Sql.execute(ds, "SELECT coherent_track('plain', 'app:plain', 'id')"))
        .hasMessageContaining("version column 'version' does not exist; the columns are: id")
        .hasMessageContaining("version_column => NULL");
  }
}
