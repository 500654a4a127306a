package dev.coherent.demo.catalog.internal;

import dev.coherent.core.Codecs;
import dev.coherent.core.CoherentRuntime;
import dev.coherent.core.NamespaceOptions;
import dev.coherent.core.NearCache;
import dev.coherent.core.Versioned;
import dev.coherent.core.VersionedLoader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The product listing of each category, cached <em>programmatically</em> through the core API
 * (beside Hibernate's regions, on the same runtime): namespace {@value #NAMESPACE}, key the
 * category id, value every product of the category in id order (a page is a slice of it), version
 * the category's row in {@code category_listings}. A trigger on {@code products} raises that
 * version in the transaction of every product insert, update or delete, and the table is tracked,
 * so a listing follows plain-SQL writes through the change log; the service's own writes also
 * {@link #invalidate} it right after their commit, at the version they read before it.
 *
 * <p>Thread-safe: the namespace is, and the loader is stateless over a pool.
 */
final class Listings implements VersionedLoader<Long, Listings.Listing> {
  static final String NAMESPACE = "catalog:listing";

  /** One product in a listing. */
  record Item(long id, String sku, String name, long priceCents, String currency, int stock,
      long version) {}

  /** A category's products, in id order. */
  record Listing(long categoryId, String categoryName, List<Item> products) {}

  private final DataSource dataSource;
  private final NearCache<Long, Listing> cache;

  Listings(CoherentRuntime runtime, DataSource dataSource) {
    this.dataSource = dataSource;
    this.cache = runtime.namespace(NAMESPACE, Codecs.json(Listing.class),
        NamespaceOptions.create(), String::valueOf, this);
  }

  NearCache<Long, Listing> cache() {
    return cache;
  }

  /** The listing of a category with its version, or null when there is no such category. */
  @Nullable Versioned<Listing> get(long categoryId) {
    return cache.getVersioned(categoryId);
  }

  /** After a commit that changed the category's products: drops older listings everywhere. */
  void invalidate(long categoryId, long version) {
    cache.invalidate(categoryId, version);
  }

  /** The listing and its version, read in one snapshot. */
  @Override
  public @Nullable Versioned<Listing> load(Long categoryId) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      c.setReadOnly(true);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      try {
        return read(c, categoryId);
      } finally {
        c.rollback();
        c.setAutoCommit(true);
        c.setReadOnly(false);
        c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
      }
    }
  }

  private static @Nullable Versioned<Listing> read(Connection c, long categoryId)
      throws SQLException {
    long version;
    String name;
    try (PreparedStatement ps = c.prepareStatement("SELECT l.version, c.name"
        + " FROM category_listings l JOIN categories c ON c.id = l.category_id"
        + " WHERE l.category_id = ?")) {
      ps.setLong(1, categoryId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        version = rs.getLong(1);
        name = rs.getString(2);
      }
    }
    List<Item> items = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT id, sku, name, price_cents, currency,"
        + " stock, version FROM products WHERE category_id = ? ORDER BY id")) {
      ps.setLong(1, categoryId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          items.add(new Item(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4),
              rs.getString(5), rs.getInt(6), rs.getLong(7)));
        }
      }
    }
    return Versioned.of(new Listing(categoryId, name, List.copyOf(items)), version);
  }
}
