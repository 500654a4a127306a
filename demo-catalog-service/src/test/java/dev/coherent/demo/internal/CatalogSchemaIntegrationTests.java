package dev.coherent.demo.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coherent.db.CoherentSchema;
import dev.coherent.db.MigrationResult;
import dev.coherent.devservices.Database;
import dev.coherent.devservices.Services;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The demo catalog's schema on real PostgreSQL databases, each test its own: the library schema
 * first, then the catalog's, each in its own history table.
 */
class CatalogSchemaIntegrationTests {

  /** coherent-db's V1 change log, V2 tracking triggers, V3 retention. */
  private static final int LIBRARY_MIGRATIONS = 4;

  /** V1 catalog schema, V2 seed, V3 tracking, V4 Hibernate regions' namespaces and listings. */
  private static final int CATALOG_MIGRATIONS = 4;

  /** Everything in the catalog except updated_at (which is the seeding time). */
  private static final String CATALOG_DIGEST =
      "SELECT md5("
          + " (SELECT string_agg(concat_ws('|', id, name, version), E'\\n' ORDER BY id) FROM categories)"
          + " || (SELECT string_agg(concat_ws('|', id, sku, name, description, price_cents, currency,"
          + "     category_id, stock, version), E'\\n' ORDER BY id) FROM products))";

  @Test
  void migratingSeedsTheCatalogOnceAndAgainChangesNothing() throws Exception {
    try (Database db = Services.postgres().createDatabase("schema_demo")) {
      DataSource ds = db.dataSource();
      CatalogSchema.Results first = CatalogSchema.migrateAll(ds);
      assertThat(first.migrationsExecuted()).isEqualTo(LIBRARY_MIGRATIONS + CATALOG_MIGRATIONS);
      assertThat(first.library()).isEqualTo(new MigrationResult(LIBRARY_MIGRATIONS, null, "4"));
      // The library's tables come first, so the catalog's history starts with a baseline at 0
      // (no catalog migration yet) rather than with nothing.
      assertThat(first.catalog())
          .isEqualTo(new MigrationResult(CATALOG_MIGRATIONS, CatalogSchema.BASELINE_VERSION, "4"));

      assertThat(queryLong(ds, "SELECT count(*) FROM categories")).isEqualTo(20);
      assertThat(queryLong(ds, "SELECT count(*) FROM products")).isEqualTo(10_000);
      assertThat(queryLong(ds, "SELECT count(DISTINCT category_id) FROM products")).isEqualTo(20);
      assertThat(queryLong(ds, "SELECT min(n) FROM (SELECT count(*) n FROM products GROUP BY category_id) c"))
          .isEqualTo(500);
      assertThat(queryLong(ds, "SELECT count(*) FROM products WHERE version <> 1")).isZero();
      assertThat(queryLong(ds, "SELECT count(*) FROM products WHERE price_cents % 100 <> 99")).isZero();
      assertThat(queryLong(ds, "SELECT count(*) FROM products WHERE stock = 0")).isPositive();
      // The seed runs before the tables are tracked: initial data is not a change.
      assertThat(queryLong(ds, "SELECT count(*) FROM coherent_change_log")).isZero();
      // One listing version per category, seeded before the listings are tracked.
      assertThat(queryLong(ds, "SELECT count(*) FROM category_listings WHERE version = 1"))
          .isEqualTo(20);
      assertThat(
              queryLong(
                  ds,
                  "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'coherent_track_%'"
                      + " AND tgrelid IN ('products'::regclass, 'categories'::regclass,"
                      + " 'category_listings'::regclass)"))
          .isEqualTo(9);
      // The two histories stay apart: the library's holds only its own migrations.
      assertThat(queryLong(ds, "SELECT count(*) FROM " + CoherentSchema.SCHEMA_HISTORY_TABLE + " WHERE success"))
          .isEqualTo(LIBRARY_MIGRATIONS);
      String digest = queryString(ds, CATALOG_DIGEST);
      long historyRows = queryLong(ds, "SELECT count(*) FROM " + CoherentSchema.SCHEMA_HISTORY_TABLE);
      long catalogHistoryRows = queryLong(ds, "SELECT count(*) FROM " + CatalogSchema.SCHEMA_HISTORY_TABLE);

      CatalogSchema.Results second = CatalogSchema.migrateAll(ds);
      assertThat(second.migrationsExecuted()).isZero();
      assertThat(second.library()).isEqualTo(new MigrationResult(0, "4", "4"));
      assertThat(second.catalog()).isEqualTo(new MigrationResult(0, "4", "4"));
      assertThat(queryString(ds, CATALOG_DIGEST)).isEqualTo(digest);
      assertThat(queryLong(ds, "SELECT count(*) FROM products")).isEqualTo(10_000);
      assertThat(queryLong(ds, "SELECT count(*) FROM categories")).isEqualTo(20);
      assertThat(queryLong(ds, "SELECT count(*) FROM coherent_change_log")).isZero();
      assertThat(queryLong(ds, "SELECT count(*) FROM " + CoherentSchema.SCHEMA_HISTORY_TABLE)).isEqualTo(historyRows);
      assertThat(queryLong(ds, "SELECT count(*) FROM " + CatalogSchema.SCHEMA_HISTORY_TABLE))
          .isEqualTo(catalogHistoryRows);
    }
  }

  @Test
  void theDemoSeedIsDeterministic() throws Exception {
    try (Database one = Services.postgres().createDatabase("schema_seed_a");
        Database two = Services.postgres().createDatabase("schema_seed_b")) {
      CatalogSchema.migrateAll(one.dataSource());
      CatalogSchema.migrateAll(two.dataSource());

      assertThat(queryString(two.dataSource(), CATALOG_DIGEST))
          .isEqualTo(queryString(one.dataSource(), CATALOG_DIGEST));
      // Every value is arithmetic on the id; product 1 spelled out:
      assertThat(
              queryString(
                  one.dataSource(),
                  "SELECT concat_ws('|', p.sku, p.name, p.description, p.price_cents, p.currency,"
                      + " c.name, p.stock, p.version)"
                      + " FROM products p JOIN categories c ON c.id = p.category_id WHERE p.id = 1"))
          .isEqualTo(
              "SKU-000001|Compact Oak Notebook No. 1"
                  + "|A compact oak notebook from the Books department (item 1 of 10000)."
                  + "|93399|USD|Books|37|1");
    }
  }

  private static long queryLong(DataSource ds, String sql) throws SQLException {
    return Long.parseLong(queryString(ds, sql));
  }

  private static String queryString(DataSource ds, String sql) throws SQLException {
    try (Connection connection = ds.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      assertThat(rows.next()).as("a row from %s", sql).isTrue();
      return rows.getString(1);
    }
  }
}
