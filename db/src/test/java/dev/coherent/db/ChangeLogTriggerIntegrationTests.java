package dev.coherent.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coherent.db.Sql.LogRow;
import dev.coherent.devservices.Database;
import dev.coherent.devservices.Services;
import java.sql.Connection;
import java.sql.Timestamp;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tracking triggers on the catalog fixture ({@link TestFixtures}, the demo catalog's tables):
 * the version policy ("corrected, never an error") and what each write appends to
 * coherent_change_log. Each test writes its own product ids, and reads only the log rows written
 * after its own watermark.
 */
class ChangeLogTriggerIntegrationTests {
  private static final String PRODUCT = "catalog:product";
  private static final String CATEGORY = "catalog:category";

  private static Database db;
  private static DataSource ds;

  @BeforeAll
  static void migrate() {
    db = Services.postgres().createDatabase("change_log_trigger");
    ds = db.dataSource();
    TestFixtures.migrateWithCatalog(ds);
  }

  @AfterAll
  static void close() {
    db.close();
  }

  @Test
  void aPlainSqlUpdateBumpsTheVersionAndLogsOneRowWithTheWritersTxid() throws Exception {
    long before = Sql.maxLogId(ds);
    long oldVersion = version("products", 101);
    Timestamp oldUpdatedAt = updatedAt(101);

    long txid;
    try (Connection tx = ds.getConnection()) {
      tx.setAutoCommit(false);
      // What a psql user types: the version is not mentioned.
      assertThat(Sql.update(tx, "UPDATE products SET price_cents = price_cents + 100 WHERE id = 101"))
          .isEqualTo(1);
      txid = Sql.queryLong(tx, "SELECT pg_current_xact_id()");
      tx.commit();
    }

    assertThat(version("products", 101)).isEqualTo(oldVersion + 1);
    assertThat(updatedAt(101)).isAfter(oldUpdatedAt);
    List<LogRow> rows = Sql.logRowsAfter(ds, before);
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0))
        .isEqualTo(new LogRow(rows.get(0).id(), PRODUCT, "101", oldVersion + 1, "U", txid));
  }

  @Test
  void anUpdateThatChangesNothingIsStillLogged() throws Exception {
    long before = Sql.maxLogId(ds);
    long oldVersion = version("categories", 5);

    Sql.update(ds, "UPDATE categories SET name = name WHERE id = 5");

    assertThat(version("categories", 5)).isEqualTo(oldVersion + 1);
    assertThat(Sql.logRows(ds, before, CATEGORY, "5"))
        .singleElement()
        .satisfies(row -> {
          assertThat(row.version()).isEqualTo(oldVersion + 1);
          assertThat(row.op()).isEqualTo(CoherentSchema.OP_UPDATE);
        });
  }

  @Test
  void aWriterThatRaisesTheVersionItselfKeepsIt() throws Exception {
    long before = Sql.maxLogId(ds);
    long v = version("products", 102);

    // Hibernate @Version: SET version = old + 1 WHERE version = old. Not bumped a second time.
    assertThat(Sql.update(ds, "UPDATE products SET stock = stock + 1, version = ? WHERE id = 102 AND version = ?", v + 1, v))
        .isEqualTo(1);
    assertThat(version("products", 102)).isEqualTo(v + 1);

    // Any higher value is the writer's choice.
    Sql.update(ds, "UPDATE products SET stock = stock + 1, version = ? WHERE id = 102", v + 10);
    assertThat(version("products", 102)).isEqualTo(v + 10);

    assertThat(Sql.logRows(ds, before, PRODUCT, "102"))
        .extracting(LogRow::version, LogRow::op)
        .containsExactly(tuple(v + 1, "U"), tuple(v + 10, "U"));
  }

  @Test
  void aWriterThatSetsALowerEqualOrNullVersionGetsTheOldOnePlusOne() throws Exception {
    long before = Sql.maxLogId(ds);
    Sql.update(ds, "UPDATE products SET version = 7 WHERE id = 103");
    assertThat(version("products", 103)).isEqualTo(7);

    Sql.update(ds, "UPDATE products SET stock = stock + 1, version = 2 WHERE id = 103");
    assertThat(version("products", 103)).isEqualTo(8);

    Sql.update(ds, "UPDATE products SET stock = stock + 1, version = version WHERE id = 103");
    assertThat(version("products", 103)).isEqualTo(9);

    // The NOT NULL constraint is checked after BEFORE triggers: NULL is corrected, not rejected.
    Sql.update(ds, "UPDATE products SET stock = stock + 1, version = NULL WHERE id = 103");
    assertThat(version("products", 103)).isEqualTo(10);

    assertThat(Sql.logRows(ds, before, PRODUCT, "103"))
        .extracting(LogRow::version)
        .containsExactly(7L, 8L, 9L, 10L);
  }

  @Test
  void aDeleteLogsATombstoneAndAReinsertIsNewerThanTheTombstone() throws Exception {
    long before = Sql.maxLogId(ds);
    Sql.update(ds, "UPDATE products SET version = 5 WHERE id = 104");
    String insertBack =
        "INSERT INTO products (id, sku, name, description, price_cents, currency, category_id, stock)"
            + " VALUES (104, 'SKU-000104', 'Back again', 'Re-inserted after delete', 100, 'EUR', 4, 1)";

    Sql.update(ds, "DELETE FROM products WHERE id = 104");
    List<LogRow> afterDelete = Sql.logRows(ds, before, PRODUCT, "104");
    assertThat(afterDelete).extracting(LogRow::version, LogRow::op)
        .containsExactly(tuple(5L, "U"), tuple(6L, "D"));

    // The insert asks for the default version 1; the log already holds 6, so it gets 7.
    Sql.update(ds, insertBack);
    assertThat(version("products", 104)).isEqualTo(7);

    // Delete and re-insert again, this time with an explicit NULL version: still above the tombstone.
    Sql.update(ds, "DELETE FROM products WHERE id = 104");
    Sql.update(ds, insertBack.replace("(id, sku,", "(version, id, sku,").replace("VALUES (104,", "VALUES (NULL, 104,"));
    assertThat(version("products", 104)).isEqualTo(9);

    // A writer's version above the log's maximum is kept.
    Sql.update(ds, "DELETE FROM products WHERE id = 104");
    Sql.update(ds, insertBack.replace("(id, sku,", "(version, id, sku,").replace("VALUES (104,", "VALUES (50, 104,"));
    assertThat(version("products", 104)).isEqualTo(50);

    assertThat(Sql.logRows(ds, before, PRODUCT, "104"))
        .extracting(LogRow::version, LogRow::op)
        .containsExactly(
            tuple(5L, "U"), tuple(6L, "D"),
            tuple(7L, "U"), tuple(8L, "D"),
            tuple(9L, "U"), tuple(10L, "D"),
            tuple(50L, "U"));
  }

  @Test
  void anInsertOfANewKeyKeepsTheWritersVersion() throws Exception {
    long before = Sql.maxLogId(ds);
    // Hibernate inserts @Version entities at 0: keep it, or its next update would not match.
    Sql.update(ds, "INSERT INTO products (id, sku, name, description, price_cents, currency, category_id, stock, version)"
        + " VALUES (20001, 'SKU-020001', 'New', 'New product', 100, 'EUR', 1, 1, 0)");
    Sql.update(ds, "INSERT INTO products (id, sku, name, description, price_cents, currency, category_id, stock)"
        + " VALUES (20002, 'SKU-020002', 'New', 'New product', 100, 'EUR', 1, 1)");

    assertThat(version("products", 20001)).isZero();
    assertThat(version("products", 20002)).isEqualTo(1);
    assertThat(Sql.logRows(ds, before, PRODUCT, "20001")).extracting(LogRow::version).containsExactly(0L);
    assertThat(Sql.logRows(ds, before, PRODUCT, "20002")).extracting(LogRow::version).containsExactly(1L);
  }

  @Test
  void anUpdateThatChangesTheKeyTombstonesTheOldKey() throws Exception {
    Sql.update(ds, "INSERT INTO products (id, sku, name, description, price_cents, currency, category_id, stock)"
        + " VALUES (30001, 'SKU-030001', 'Moving', 'Gets a new id', 100, 'EUR', 1, 1)");
    long before = Sql.maxLogId(ds);

    Sql.update(ds, "UPDATE products SET id = 30002 WHERE id = 30001");

    assertThat(version("products", 30002)).isEqualTo(2);
    assertThat(Sql.logRowsAfter(ds, before))
        .extracting(LogRow::key, LogRow::version, LogRow::op)
        .containsExactly(tuple("30001", 2L, "D"), tuple("30002", 2L, "U"));
  }

  @Test
  void aRolledBackTransactionLogsNothing() throws Exception {
    long before = Sql.maxLogId(ds);
    long oldVersion = version("products", 105);

    long txid;
    try (Connection tx = ds.getConnection()) {
      tx.setAutoCommit(false);
      Sql.update(tx, "UPDATE products SET price_cents = 1 WHERE id = 105");
      Sql.update(tx, "DELETE FROM products WHERE id = 106");
      Sql.update(tx, "INSERT INTO products (id, sku, name, description, price_cents, currency, category_id, stock)"
          + " VALUES (40001, 'SKU-040001', 'Never', 'Rolled back', 100, 'EUR', 1, 1)");
      txid = Sql.queryLong(tx, "SELECT pg_current_xact_id()");
      // Inside the transaction the rows are there...
      assertThat(Sql.queryLong(tx, "SELECT count(*) FROM coherent_change_log WHERE txid = pg_current_xact_id()"))
          .isEqualTo(3);
      tx.rollback();
    }

    // ...and after the rollback they never were.
    assertThat(Sql.queryLong(ds, "SELECT count(*) FROM coherent_change_log WHERE txid::text = ?", Long.toString(txid)))
        .isZero();
    assertThat(Sql.logRowsAfter(ds, before)).isEmpty();
    assertThat(version("products", 105)).isEqualTo(oldVersion);
  }

  /**
   * The case the reconciler must handle: T1 writes first (smaller txid, smaller log id) but
   * commits after T2. A reader between the two commits sees T2's row and not T1's, and finds T1
   * in its snapshot's xip list: a watermark of "largest id seen" would skip T1's row forever.
   */
  @Test
  void transactionsCommitOutOfTxidOrderAndTheSnapshotShowsIt() throws Exception {
    long before = Sql.maxLogId(ds);
    try (Connection t1 = ds.getConnection();
        Connection t2 = ds.getConnection();
        Connection reader = ds.getConnection()) {
      t1.setAutoCommit(false);
      t2.setAutoCommit(false);

      Sql.update(t1, "UPDATE products SET stock = stock + 1 WHERE id = 201");
      long txid1 = Sql.queryLong(t1, "SELECT pg_current_xact_id()");
      Sql.update(t2, "UPDATE products SET stock = stock + 1 WHERE id = 202");
      long txid2 = Sql.queryLong(t2, "SELECT pg_current_xact_id()");
      t2.commit();

      // Between the commits: T2's row is visible, T1's is not, and T1 is "in progress".
      assertThat(Sql.logRows(reader, before, PRODUCT, "202")).extracting(LogRow::txid).containsExactly(txid2);
      assertThat(Sql.logRows(reader, before, PRODUCT, "201")).isEmpty();
      assertThat(Sql.queryStrings(reader, "SELECT pg_snapshot_xip(pg_current_snapshot())::text"))
          .contains(Long.toString(txid1))
          .doesNotContain(Long.toString(txid2));
      assertThat(Sql.queryLong(reader, "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint"))
          .isGreaterThan(txid2);

      t1.commit();

      List<LogRow> t1Rows = Sql.logRows(reader, before, PRODUCT, "201");
      List<LogRow> t2Rows = Sql.logRows(reader, before, PRODUCT, "202");
      assertThat(t1Rows).singleElement().extracting(LogRow::txid).isEqualTo(txid1);
      assertThat(t2Rows).singleElement().extracting(LogRow::txid).isEqualTo(txid2);
      assertThat(txid1).isLessThan(txid2);
      // The log id is taken at write time too: T1's row has the smaller id yet appeared later.
      assertThat(t1Rows.get(0).id()).isLessThan(t2Rows.get(0).id());
    }
  }

  @Test
  void anUpsertThatHitsAnExistingRowIsAnUpdate() throws Exception {
    long before = Sql.maxLogId(ds);
    long oldVersion = version("products", 401);

    Sql.update(ds, "INSERT INTO products (id, sku, name, description, price_cents, currency, category_id, stock)"
        + " VALUES (401, 'SKU-000401', 'Upserted', 'Batch import', 100, 'EUR', 1, 1)"
        + " ON CONFLICT (id) DO UPDATE SET name = excluded.name, price_cents = excluded.price_cents");

    assertThat(version("products", 401)).isEqualTo(oldVersion + 1);
    assertThat(Sql.logRowsAfter(ds, before))
        .extracting(LogRow::key, LogRow::version, LogRow::op)
        .containsExactly(tuple("401", oldVersion + 1, "U"));
  }

  /**
   * How the reconciler binds xid8 values: there is no cast from bigint to xid8, so a long
   * parameter goes through text ({@code ?::text::xid8}), and the xip list as a text array.
   */
  @Test
  void xid8IsBoundThroughText() throws Exception {
    long before = Sql.maxLogId(ds);
    long txid;
    try (Connection tx = ds.getConnection()) {
      tx.setAutoCommit(false);
      Sql.update(tx, "UPDATE products SET stock = stock + 1 WHERE id = 302");
      txid = Sql.queryLong(tx, "SELECT pg_current_xact_id()");
      tx.commit();
    }
    try (Connection connection = ds.getConnection()) {
      assertThat(Sql.queryLong(connection, "SELECT count(*) FROM coherent_change_log WHERE id > ? AND txid = ?::text::xid8", before, txid))
          .isEqualTo(1);
      assertThat(Sql.queryLong(connection, "SELECT count(*) FROM coherent_change_log WHERE id > ? AND txid >= ?::text::xid8", before, txid))
          .isEqualTo(1);
      java.sql.Array xip = connection.createArrayOf("text", new Object[] {Long.toString(txid), "3"});
      assertThat(Sql.queryLong(connection, "SELECT count(*) FROM coherent_change_log WHERE id > ? AND txid = ANY(?::xid8[])", before, xip))
          .isEqualTo(1);
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> Sql.queryLong(connection, "SELECT count(*) FROM coherent_change_log WHERE txid = ?", txid))
          .isInstanceOf(java.sql.SQLException.class)
          .hasMessageContaining("operator does not exist: xid8 = bigint");
    }
  }

  @Test
  void xid8ComesBackThroughJdbcAsTextAndAsLong() throws Exception {
    try (Connection tx = ds.getConnection()) {
      tx.setAutoCommit(false);
      Sql.update(tx, "UPDATE products SET stock = stock + 1 WHERE id = 301");
      long asLong = Sql.queryLong(tx, "SELECT pg_current_xact_id()");
      List<String> asText = Sql.queryStrings(tx, "SELECT txid FROM coherent_change_log WHERE txid = pg_current_xact_id()");
      tx.commit();
      assertThat(asText).containsExactly(Long.toString(asLong));
      assertThat(asLong).isPositive();
    }
    try (Connection connection = ds.getConnection();
        var statement = connection.createStatement();
        var rs = statement.executeQuery("SELECT pg_current_xact_id()")) {
      rs.next();
      // No JDBC type of its own: the driver hands out a PGobject of type xid8.
      assertThat(rs.getObject(1)).isInstanceOf(org.postgresql.util.PGobject.class);
      assertThat(((org.postgresql.util.PGobject) rs.getObject(1)).getType()).isEqualTo("xid8");
    }
  }

  private static long version(String table, long id) throws Exception {
    return Sql.queryLong(ds, "SELECT version FROM " + table + " WHERE id = ?", id);
  }

  private static Timestamp updatedAt(long id) throws Exception {
    try (Connection connection = ds.getConnection();
        var statement = connection.prepareStatement("SELECT updated_at FROM products WHERE id = ?")) {
      statement.setLong(1, id);
      try (var rs = statement.executeQuery()) {
        rs.next();
        return rs.getTimestamp(1);
      }
    }
  }

  private static org.assertj.core.groups.Tuple tuple(Object... values) {
    return org.assertj.core.groups.Tuple.tuple(values);
  }
}
