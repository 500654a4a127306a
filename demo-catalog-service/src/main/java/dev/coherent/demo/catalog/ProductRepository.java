package dev.coherent.demo.catalog;

import dev.coherent.core.Versioned;
import dev.coherent.core.VersionedLoader;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Reads and writes products with their versions. The version column is maintained by the
 * {@code coherent_track} trigger, so an UPDATE that does not touch it still gets a new version.
 * Thread-safe (stateless over a pool).
 */
public final class ProductRepository implements VersionedLoader<Long, Product> {
  private static final String COLUMNS =
      "id, sku, name, description, price_cents, currency, category_id, stock, version";

  private final DataSource dataSource;

  public ProductRepository(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  @Override
  public @Nullable Versioned<Product> load(Long id) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT " + COLUMNS + " FROM products WHERE id = ?")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? read(rs) : null;
      }
    }
  }

  @Override
  public Map<Long, Versioned<Product>> loadAll(Set<? extends Long> ids) throws SQLException {
    Map<Long, Versioned<Product>> result = new HashMap<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT " + COLUMNS + " FROM products WHERE id = ANY(?)")) {
      Array array = c.createArrayOf("bigint", ids.toArray());
      ps.setArray(1, array);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Versioned<Product> row = read(rs);
          result.put(row.value().id(), row);
        }
      }
    }
    return result;
  }

  /** Sets a product's price; returns the row as committed (new version), or null if absent. */
  public @Nullable Versioned<Product> updatePrice(long id, long priceCents) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "UPDATE products SET price_cents = ? WHERE id = ? RETURNING " + COLUMNS)) {
      ps.setLong(1, priceCents);
      ps.setLong(2, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? read(rs) : null;
      }
    }
  }

  private static Versioned<Product> read(ResultSet rs) throws SQLException {
    Product product = new Product(rs.getLong(1), rs.getString(2), rs.getString(3),
        rs.getString(4), rs.getLong(5), rs.getString(6), rs.getLong(7), rs.getInt(8));
    return Versioned.of(product, rs.getLong(9));
  }
}
