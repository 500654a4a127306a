package dev.coherent.demo.internal.scenario;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The scenarios' own JDBC access to the catalog database: no application, no cache. Each write
 * is one auto-committed statement; {@code coherent_track}'s trigger raises the version and logs
 * the change, which is all the instances can learn it from.
 *
 * <p>Thread-safe: stateless over a pool.
 */
final class PlainSql {
  private final DataSource pool;

  PlainSql(DataSource pool) {
    this.pool = pool;
  }

  /** {@code count} random existing product ids. */
  List<Long> randomProducts(int count) throws SQLException {
    List<Long> ids = new ArrayList<>();
    try (Connection c = pool.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "SELECT id FROM products ORDER BY random() LIMIT ?")) {
      ps.setInt(1, count);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getLong(1));
        }
      }
    }
    if (ids.size() < count) {
      throw new IllegalStateException("the catalog has only " + ids.size() + " products; "
          + count + " are needed");
    }
    return ids;
  }

  /** Sets a price; returns the version the trigger gave the row. */
  long setPrice(long id, long priceCents) throws SQLException {
    try (Connection c = pool.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "UPDATE products SET price_cents = ? WHERE id = ? RETURNING version")) {
      ps.setLong(1, priceCents);
      ps.setLong(2, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new IllegalStateException("product " + id + " vanished");
        }
        return rs.getLong(1);
      }
    }
  }

  void delete(long id) throws SQLException {
    try (Connection c = pool.getConnection();
        PreparedStatement ps = c.prepareStatement("DELETE FROM products WHERE id = ?")) {
      ps.setLong(1, id);
      if (ps.executeUpdate() != 1) {
        throw new IllegalStateException("product " + id + " vanished");
      }
    }
  }

  /** The rows as PostgreSQL has them: version and price; absent ids are deleted. */
  Map<Long, CatalogClient.Read> truth(Collection<Long> ids) throws SQLException {
    Map<Long, CatalogClient.Read> rows = new HashMap<>();
    try (Connection c = pool.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "SELECT id, version, price_cents FROM products WHERE id = ANY(?)")) {
      ps.setArray(1, c.createArrayOf("bigint", ids.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.put(rs.getLong(1), new CatalogClient.Read(rs.getLong(2), rs.getLong(3)));
        }
      }
    }
    for (Long id : ids) {
      rows.putIfAbsent(id, new CatalogClient.Read(CatalogClient.DELETED, -1));
    }
    return rows;
  }
}
