package dev.coherent.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/** Small JDBC helpers for the tests; every statement is parameterized. */
final class Sql {
  private Sql() {}

  /** One row of coherent_change_log; {@code txid} read with getLong (xid8 fits a signed long). */
  record LogRow(long id, String namespace, String key, long version, String op, long txid) {}

  static int update(Connection connection, String sql, Object... params) throws SQLException {
    try (PreparedStatement statement = prepare(connection, sql, params)) {
      return statement.executeUpdate();
    }
  }

  static int update(DataSource dataSource, String sql, Object... params) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      return update(connection, sql, params);
    }
  }

  /** Runs a statement whose result, if any, is not needed, e.g. {@code SELECT coherent_track(...)}. */
  static void execute(Connection connection, String sql, Object... params) throws SQLException {
    try (PreparedStatement statement = prepare(connection, sql, params)) {
      statement.execute();
    }
  }

  static void execute(DataSource dataSource, String sql, Object... params) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      execute(connection, sql, params);
    }
  }

  /** The first column of the single row {@code sql} returns, as a long; fails if NULL. */
  static long queryLong(Connection connection, String sql, Object... params) throws SQLException {
    try (PreparedStatement statement = prepare(connection, sql, params);
        ResultSet rs = statement.executeQuery()) {
      if (!rs.next()) {
        throw new AssertionError("no row from: " + sql);
      }
      long value = rs.getLong(1);
      if (rs.wasNull()) {
        throw new AssertionError("NULL from: " + sql);
      }
      return value;
    }
  }

  static long queryLong(DataSource dataSource, String sql, Object... params) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      return queryLong(connection, sql, params);
    }
  }

  /** The first column of the single row {@code sql} returns, as text (NULL allowed). */
  static @Nullable String queryString(DataSource dataSource, String sql, Object... params)
      throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = prepare(connection, sql, params);
        ResultSet rs = statement.executeQuery()) {
      if (!rs.next()) {
        throw new AssertionError("no row from: " + sql);
      }
      return rs.getString(1);
    }
  }

  /** The first column of every row, as text. */
  static List<String> queryStrings(Connection connection, String sql, Object... params)
      throws SQLException {
    List<String> values = new ArrayList<>();
    try (PreparedStatement statement = prepare(connection, sql, params);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        values.add(rs.getString(1));
      }
    }
    return values;
  }

  /** The largest change-log id so far (0 when empty): a watermark for "rows written after". */
  static long maxLogId(Connection connection) throws SQLException {
    return queryLong(connection, "SELECT coalesce(max(id), 0) FROM coherent_change_log");
  }

  static long maxLogId(DataSource dataSource) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      return maxLogId(connection);
    }
  }

  /** Change-log rows of one key with an id above {@code afterId}, in id order. */
  static List<LogRow> logRows(Connection connection, long afterId, String namespace, String key)
      throws SQLException {
    return logRows(
        connection,
        "WHERE id > ? AND namespace = ? AND cache_key = ?",
        afterId, namespace, key);
  }

  static List<LogRow> logRows(DataSource dataSource, long afterId, String namespace, String key)
      throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      return logRows(connection, afterId, namespace, key);
    }
  }

  /** Every change-log row with an id above {@code afterId}, in id order. */
  static List<LogRow> logRowsAfter(DataSource dataSource, long afterId) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      return logRows(connection, "WHERE id > ?", afterId);
    }
  }

  private static List<LogRow> logRows(Connection connection, String where, Object... params)
      throws SQLException {
    List<LogRow> rows = new ArrayList<>();
    try (PreparedStatement statement =
            prepare(
                connection,
                "SELECT id, namespace, cache_key, version, op, txid FROM coherent_change_log "
                    + where + " ORDER BY id",
                params);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        rows.add(
            new LogRow(
                rs.getLong("id"),
                rs.getString("namespace"),
                rs.getString("cache_key"),
                rs.getLong("version"),
                rs.getString("op"),
                rs.getLong("txid")));
      }
    }
    return rows;
  }

  private static PreparedStatement prepare(Connection connection, String sql, Object... params)
      throws SQLException {
    PreparedStatement statement = connection.prepareStatement(sql);
    try {
      for (int i = 0; i < params.length; i++) {
        statement.setObject(i + 1, params[i]);
      }
      return statement;
    } catch (SQLException | RuntimeException e) {
      statement.close();
      throw e;
    }
  }
}
