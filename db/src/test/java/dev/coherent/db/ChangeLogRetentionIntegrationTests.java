package dev.coherent.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coherent.db.Sql.LogRow;
import dev.coherent.devservices.Database;
import dev.coherent.devservices.Services;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * coherent_prune_change_log: deletes by age, records the horizon, rejects bad intervals. The
 * horizon is per database, so every test gets a database of its own.
 */
class ChangeLogRetentionIntegrationTests {
  private Database db;
  private DataSource ds;

  @BeforeEach
  void migrate() throws Exception {
    db = Services.postgres().createDatabase("change_log_retention");
    ds = db.dataSource();
    CoherentSchema.migrate(ds);
    Sql.update(ds, "CREATE TABLE items (id bigint PRIMARY KEY, name text, version bigint NOT NULL DEFAULT 1)");
    Sql.execute(ds, "SELECT coherent_track('items', 'app:item', 'id')");
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void pruneDeletesOldRowsAndRaisesTheHorizon() throws Exception {
    assertThat(horizon()).isEqualTo(new Horizon(null, null, false));

    // Three transactions; the first two are made to look 10 days old.
    long start = Sql.maxLogId(ds);
    Sql.update(ds, "INSERT INTO items (id, name) VALUES (1, 'a'), (2, 'b')");
    Sql.update(ds, "UPDATE items SET name = 'c' WHERE id = 1");
    Sql.update(ds, "UPDATE items SET name = 'd' WHERE id = 2");
    List<LogRow> rows = Sql.logRowsAfter(ds, start);
    assertThat(rows).hasSize(4);
    LogRow newestOld = rows.get(2);
    LogRow recent = rows.get(3);
    Sql.update(ds, "UPDATE coherent_change_log SET changed_at = now() - interval '10 days' WHERE id > ? AND id <= ?",
        start, newestOld.id());

    long deleted = Sql.queryLong(ds, "SELECT coherent_prune_change_log(interval '7 days')");

    assertThat(deleted).isEqualTo(3);
    assertThat(Sql.logRowsAfter(ds, start)).containsExactly(recent);
    assertThat(horizon())
        .isEqualTo(new Horizon(newestOld.id(), Long.toString(newestOld.txid()), true));

    // Nothing more to prune: the horizon stays as it was.
    assertThat(Sql.queryLong(ds, "SELECT coherent_prune_change_log(interval '7 days')")).isZero();
    assertThat(horizon())
        .isEqualTo(new Horizon(newestOld.id(), Long.toString(newestOld.txid()), true));

    // max_age 0: everything written before this transaction goes, and the horizon moves up.
    assertThat(Sql.queryLong(ds, "SELECT coherent_prune_change_log(interval '0')")).isEqualTo(1);
    assertThat(horizon()).isEqualTo(new Horizon(recent.id(), Long.toString(recent.txid()), true));
    assertThat(Sql.queryLong(ds, "SELECT count(*) FROM coherent_change_log_horizon")).isEqualTo(1);
  }

  @Test
  void theHorizonIsNeverLowered() throws Exception {
    // An old-looking row that was written after rows already pruned (a long transaction, say).
    Sql.update(ds, "INSERT INTO items (id, name) VALUES (10, 'x')");
    Sql.update(ds, "UPDATE coherent_change_log SET changed_at = now() - interval '30 days'");
    Sql.queryLong(ds, "SELECT coherent_prune_change_log(interval '7 days')");
    Horizon high = horizon();

    // Fake a smaller id and txid being pruned later: the horizon keeps its maximum.
    Sql.update(ds, "INSERT INTO items (id, name) VALUES (11, 'y')");
    Sql.update(ds, "UPDATE coherent_change_log SET id = 1, txid = '3'::xid8, changed_at = now() - interval '30 days'");
    assertThat(Sql.queryLong(ds, "SELECT coherent_prune_change_log(interval '7 days')")).isEqualTo(1);

    assertThat(horizon().prunedThroughId()).isEqualTo(high.prunedThroughId());
    assertThat(horizon().prunedThroughTxid()).isEqualTo(high.prunedThroughTxid());
  }

  @Test
  void aNegativeOrNullMaxAgeIsRejectedWithTheValue() throws Exception {
    long rows = Sql.queryLong(ds, "SELECT count(*) FROM coherent_change_log");

    assertThatThrownBy(() -> Sql.queryLong(ds, "SELECT coherent_prune_change_log(interval '-1 day')"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("coherent_prune_change_log: max_age must be a non-negative interval"
            + " such as interval '7 days', but was '-1 days'");
    assertThatThrownBy(() -> Sql.queryLong(ds, "SELECT coherent_prune_change_log(interval '1 month -40 days')"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("but was '1 mon -40 days'");
    assertThatThrownBy(() -> Sql.queryLong(ds, "SELECT coherent_prune_change_log(NULL)"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("but was NULL");
    assertThat(Sql.queryLong(ds, "SELECT count(*) FROM coherent_change_log")).isEqualTo(rows);
  }

  /** The horizon row; txid as text (xid8). */
  record Horizon(Long prunedThroughId, String prunedThroughTxid, boolean pruned) {}

  private Horizon horizon() throws SQLException {
    try (Connection connection = ds.getConnection();
        PreparedStatement statement =
            connection.prepareStatement(
                "SELECT pruned_through_id, pruned_through_txid, pruned_at FROM coherent_change_log_horizon");
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      long id = rs.getLong(1);
      return new Horizon(rs.wasNull() ? null : id, rs.getString(2), rs.getTimestamp(3) != null);
    }
  }
}
