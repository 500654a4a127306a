package dev.coherent.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import dev.coherent.db.Sql.LogRow;
import dev.coherent.devservices.Database;
import dev.coherent.devservices.Services;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * coherent_track on user tables (library schema only, no demo): any key column, any integer
 * version column, any schema, and clear errors for wrong arguments. Each test owns its tables.
 */
class CoherentTrackIntegrationTests {
  private static Database db;
  private static DataSource ds;

  @BeforeAll
  static void migrate() {
    db = Services.postgres().createDatabase("coherent_track");
    ds = db.dataSource();
    CoherentSchema.migrate(ds);
  }

  @AfterAll
  static void close() {
    db.close();
  }

  @Test
  void aTableWithItsOwnKeyAndVersionColumnsIsTracked() throws Exception {
    Sql.update(ds, "CREATE TABLE accounts (account_no text PRIMARY KEY, balance_cents bigint NOT NULL,"
        + " revision int NOT NULL DEFAULT 0)");
    Sql.execute(ds, "SELECT coherent_track('accounts', 'bank:account', 'account_no', 'revision')");
    long before = Sql.maxLogId(ds);

    Sql.update(ds, "INSERT INTO accounts (account_no, balance_cents) VALUES ('DE-42', 1000)");
    assertThat(revision("DE-42")).isZero();
    Sql.update(ds, "UPDATE accounts SET balance_cents = 900 WHERE account_no = 'DE-42'");
    assertThat(revision("DE-42")).isEqualTo(1);
    Sql.update(ds, "UPDATE accounts SET balance_cents = 800, revision = revision + 1 WHERE account_no = 'DE-42'");
    assertThat(revision("DE-42")).isEqualTo(2);
    Sql.update(ds, "DELETE FROM accounts WHERE account_no = 'DE-42'");
    Sql.update(ds, "INSERT INTO accounts (account_no, balance_cents) VALUES ('DE-42', 5)");
    assertThat(revision("DE-42")).isEqualTo(4);

    assertThat(Sql.logRowsAfter(ds, before))
        .extracting(LogRow::namespace, LogRow::key, LogRow::version, LogRow::op)
        .containsExactly(
            tuple("bank:account", "DE-42", 0L, "U"),
            tuple("bank:account", "DE-42", 1L, "U"),
            tuple("bank:account", "DE-42", 2L, "U"),
            tuple("bank:account", "DE-42", 3L, "D"),
            tuple("bank:account", "DE-42", 4L, "U"));
  }

  @Test
  void trackingAgainReplacesTheTriggersInsteadOfAddingMore() throws Exception {
    Sql.update(ds, "CREATE TABLE widgets (id bigint PRIMARY KEY, label text, version bigint NOT NULL DEFAULT 1)");
    Sql.execute(ds, "SELECT coherent_track('widgets', 'shop:widget', 'id')");
    Sql.execute(ds, "SELECT coherent_track('widgets', 'shop:widget', 'id')");
    // A third call with another namespace wins.
    Sql.execute(ds, "SELECT coherent_track('widgets', 'shop:gadget', 'id')");
    assertThat(Sql.queryLong(ds, "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'widgets'::regclass"))
        .isEqualTo(3);
    long before = Sql.maxLogId(ds);

    Sql.update(ds, "INSERT INTO widgets (id, label) VALUES (1, 'one')");
    Sql.update(ds, "UPDATE widgets SET label = 'uno' WHERE id = 1");

    assertThat(Sql.logRowsAfter(ds, before))
        .extracting(LogRow::namespace, LogRow::key, LogRow::version)
        .containsExactly(tuple("shop:gadget", "1", 1L), tuple("shop:gadget", "1", 2L));
  }

  @Test
  void untrackStopsLogging() throws Exception {
    Sql.update(ds, "CREATE TABLE notes (id bigint PRIMARY KEY, body text, version bigint NOT NULL DEFAULT 1)");
    Sql.execute(ds, "SELECT coherent_track('notes', 'app:note', 'id')");
    long before = Sql.maxLogId(ds);
    Sql.update(ds, "INSERT INTO notes (id, body) VALUES (1, 'tracked')");

    Sql.execute(ds, "SELECT coherent_untrack('notes')");
    Sql.update(ds, "INSERT INTO notes (id, body) VALUES (2, 'not tracked')");
    Sql.update(ds, "UPDATE notes SET body = 'changed' WHERE id = 1");

    assertThat(Sql.logRowsAfter(ds, before)).extracting(LogRow::key).containsExactly("1");
    assertThat(Sql.queryLong(ds, "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'notes'::regclass")).isZero();
  }

  @Test
  void aTableInAnotherSchemaIsLoggedWhateverTheWritersSearchPath() throws Exception {
    Sql.update(ds, "CREATE SCHEMA ledger");
    Sql.update(ds, "CREATE TABLE ledger.entries (entry_id bigint PRIMARY KEY, amount bigint, version bigint)");
    Sql.execute(ds, "SELECT coherent_track('ledger.entries', 'ledger:entry', 'entry_id')");
    long before = Sql.maxLogId(ds);

    try (Connection connection = ds.getConnection()) {
      // The change log's schema (public) is not on this writer's path.
      Sql.update(connection, "SET search_path TO ledger");
      try {
        Sql.update(connection, "INSERT INTO entries (entry_id, amount) VALUES (7, 100)");
        Sql.update(connection, "UPDATE entries SET amount = 50 WHERE entry_id = 7");
      } finally {
        Sql.update(connection, "RESET search_path");
      }
    }

    // A nullable version column: NULL on insert becomes 1.
    assertThat(Sql.logRowsAfter(ds, before))
        .extracting(LogRow::namespace, LogRow::key, LogRow::version, LogRow::op)
        .containsExactly(tuple("ledger:entry", "7", 1L, "U"), tuple("ledger:entry", "7", 2L, "U"));
  }

  @Test
  void truncateLogsATombstoneForEveryRow() throws Exception {
    Sql.update(ds, "CREATE TABLE tags (id bigint PRIMARY KEY, name text, version bigint NOT NULL DEFAULT 1)");
    Sql.execute(ds, "SELECT coherent_track('tags', 'app:tag', 'id')");
    Sql.update(ds, "INSERT INTO tags (id, name) SELECT g, 'tag ' || g FROM generate_series(1, 3) g");
    Sql.update(ds, "UPDATE tags SET name = 'renamed' WHERE id = 2");
    long before = Sql.maxLogId(ds);

    Sql.update(ds, "TRUNCATE tags");

    assertThat(Sql.logRowsAfter(ds, before))
        .extracting(LogRow::key, LogRow::version, LogRow::op)
        .containsExactlyInAnyOrder(tuple("1", 2L, "D"), tuple("2", 3L, "D"), tuple("3", 2L, "D"));
  }

  @Test
  void rowsWithANullKeyAreWrittenButNotLogged() throws Exception {
    Sql.update(ds, "CREATE TABLE coupons (id bigserial PRIMARY KEY, code text UNIQUE, version bigint NOT NULL DEFAULT 1)");
    Sql.execute(ds, "SELECT coherent_track('coupons', 'shop:coupon', 'code')");
    long before = Sql.maxLogId(ds);

    Sql.update(ds, "INSERT INTO coupons (code) VALUES (NULL), ('SPRING')");
    Sql.update(ds, "UPDATE coupons SET version = version WHERE code IS NULL");

    assertThat(Sql.queryLong(ds, "SELECT count(*) FROM coupons")).isEqualTo(2);
    assertThat(Sql.queryLong(ds, "SELECT version FROM coupons WHERE code IS NULL")).isEqualTo(2);
    assertThat(Sql.logRowsAfter(ds, before)).extracting(LogRow::key).containsExactly("SPRING");
  }

  @Test
  void wrongArgumentsAreRejectedWithMessagesThatNameThem() throws Exception {
    Sql.update(ds, "CREATE TABLE gizmos (id bigint PRIMARY KEY, label text, version bigint NOT NULL DEFAULT 1)");

    assertThatThrownBy(() -> Sql.execute(ds, "SELECT coherent_track('gizmos', 'shop:gizmo', 'gizmo_id')"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("coherent_track(gizmos): key column 'gizmo_id' does not exist")
        .hasMessageContaining("the columns are: id, label, version");
    assertThatThrownBy(() -> Sql.execute(ds, "SELECT coherent_track('gizmos', 'shop:gizmo', 'id', 'rev')"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("version column 'rev' does not exist");
    assertThatThrownBy(() -> Sql.execute(ds, "SELECT coherent_track('gizmos', 'shop:gizmo', 'id', 'label')"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("version column 'label' has type text, but must be smallint, integer or bigint");
    assertThatThrownBy(() -> Sql.execute(ds, "SELECT coherent_track('gizmos', ' ', 'id')"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("namespace must be non-empty text such as 'catalog:product', but was ' '");
    assertThatThrownBy(() -> Sql.execute(ds, "SELECT coherent_track('gizmos', NULL, 'id')"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("but was NULL");
    assertThatThrownBy(() -> Sql.execute(ds, "SELECT coherent_track('no_such_table', 'shop:gizmo', 'id')"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("no_such_table");
    Sql.update(ds, "CREATE VIEW gizmo_view AS SELECT * FROM gizmos");
    assertThatThrownBy(() -> Sql.execute(ds, "SELECT coherent_track('gizmo_view', 'shop:gizmo', 'id')"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("only ordinary and partitioned tables can be tracked, but gizmo_view is a view");

    // Nothing was installed by the failed calls.
    assertThat(Sql.queryLong(ds, "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'gizmos'::regclass")).isZero();
  }

  private static long revision(String accountNo) throws Exception {
    return Sql.queryLong(ds, "SELECT revision FROM accounts WHERE account_no = ?", accountNo);
  }
}
