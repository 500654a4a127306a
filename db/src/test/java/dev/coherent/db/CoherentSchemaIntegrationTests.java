package dev.coherent.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coherent.db.internal.SchemaMigrator;
import dev.coherent.devservices.Database;
import dev.coherent.devservices.Services;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** Applying the library and demo schemas to real PostgreSQL databases, each test its own. */
class CoherentSchemaIntegrationTests {

  /** V1 change log, V2 tracking triggers, V3 retention. */
  private static final int LIBRARY_MIGRATIONS = 3;

  /** V1000 catalog schema, V1001 seed, V1002 tracking. */
  private static final int DEMO_MIGRATIONS = 3;

  /** Everything in the catalog except updated_at (which is the seeding time). */
  private static final String CATALOG_DIGEST =
      "SELECT md5("
          + " (SELECT string_agg(concat_ws('|', id, name, version), E'\\n' ORDER BY id) FROM categories)"
          + " || (SELECT string_agg(concat_ws('|', id, sku, name, description, price_cents, currency,"
          + "     category_id, stock, version), E'\\n' ORDER BY id) FROM products))";

  @Test
  void migratingAnEmptyDatabaseTwiceAppliesTheLibraryOnceAndNeverTheDemo() throws Exception {
    try (Database db = Services.postgres().createDatabase("schema_twice")) {
      MigrationResult first = CoherentSchema.migrate(db.dataSource());
      assertThat(first).isEqualTo(new MigrationResult(LIBRARY_MIGRATIONS, null, "3"));
      assertThat(first.changed()).isTrue();

      MigrationResult second = CoherentSchema.migrate(db.dataSource());
      assertThat(second).isEqualTo(new MigrationResult(0, "3", "3"));
      assertThat(second.changed()).isFalse();

      DataSource ds = db.dataSource();
      assertThat(relationExists(ds, CoherentSchema.CHANGE_LOG_TABLE)).isTrue();
      assertThat(relationExists(ds, CoherentSchema.CHANGE_LOG_HORIZON_TABLE)).isTrue();
      assertThat(relationExists(ds, CoherentSchema.SCHEMA_HISTORY_TABLE)).isTrue();
      assertThat(relationExists(ds, "products")).isFalse();
      assertThat(relationExists(ds, "categories")).isFalse();
      assertThat(Sql.queryLong(ds, "SELECT count(*) FROM coherent_schema_history WHERE success"))
          .isEqualTo(LIBRARY_MIGRATIONS);
      assertThat(Sql.queryLong(ds, "SELECT count(*) FROM coherent_change_log_horizon")).isEqualTo(1);
      assertThat(
              Sql.queryLong(
                  ds,
                  "SELECT count(*) FROM pg_proc WHERE proname IN (?, ?, ?)",
                  CoherentSchema.TRACK_FUNCTION,
                  CoherentSchema.UNTRACK_FUNCTION,
                  CoherentSchema.PRUNE_FUNCTION))
          .isEqualTo(3);
    }
  }

  @Test
  void migrateWithDemoSeedsTheCatalogOnceAndAgainChangesNothing() throws Exception {
    try (Database db = Services.postgres().createDatabase("schema_demo")) {
      DataSource ds = db.dataSource();
      MigrationResult first = CoherentSchema.migrateWithDemo(ds);
      assertThat(first).isEqualTo(
          new MigrationResult(LIBRARY_MIGRATIONS + DEMO_MIGRATIONS, null, "1002"));

      assertThat(Sql.queryLong(ds, "SELECT count(*) FROM categories")).isEqualTo(20);
      assertThat(Sql.queryLong(ds, "SELECT count(*) FROM products")).isEqualTo(10_000);
      assertThat(Sql.queryLong(ds, "SELECT count(DISTINCT category_id) FROM products")).isEqualTo(20);
      assertThat(Sql.queryLong(ds, "SELECT min(n) FROM (SELECT count(*) n FROM products GROUP BY category_id) c"))
          .isEqualTo(500);
      assertThat(Sql.queryLong(ds, "SELECT count(*) FROM products WHERE version <> 1")).isZero();
      assertThat(Sql.queryLong(ds, "SELECT count(*) FROM products WHERE price_cents % 100 <> 99")).isZero();
      assertThat(Sql.queryLong(ds, "SELECT count(*) FROM products WHERE stock = 0")).isPositive();
      // The seed runs before the tables are tracked: initial data is not a change.
      assertThat(Sql.queryLong(ds, "SELECT count(*) FROM coherent_change_log")).isZero();
      assertThat(
              Sql.queryLong(
                  ds,
                  "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'coherent_track_%'"
                      + " AND tgrelid IN ('products'::regclass, 'categories'::regclass)"))
          .isEqualTo(6);
      String digest = Sql.queryString(ds, CATALOG_DIGEST);
      long historyRows = Sql.queryLong(ds, "SELECT count(*) FROM coherent_schema_history");

      MigrationResult second = CoherentSchema.migrateWithDemo(ds);
      assertThat(second).isEqualTo(new MigrationResult(0, "1002", "1002"));
      assertThat(Sql.queryString(ds, CATALOG_DIGEST)).isEqualTo(digest);
      assertThat(Sql.queryLong(ds, "SELECT count(*) FROM products")).isEqualTo(10_000);
      assertThat(Sql.queryLong(ds, "SELECT count(*) FROM categories")).isEqualTo(20);
      assertThat(Sql.queryLong(ds, "SELECT count(*) FROM coherent_change_log")).isZero();
      assertThat(Sql.queryLong(ds, "SELECT count(*) FROM coherent_schema_history")).isEqualTo(historyRows);
    }
  }

  @Test
  void theDemoSeedIsDeterministic() throws Exception {
    try (Database one = Services.postgres().createDatabase("schema_seed_a");
        Database two = Services.postgres().createDatabase("schema_seed_b")) {
      CoherentSchema.migrateWithDemo(one.dataSource());
      CoherentSchema.migrateWithDemo(two.dataSource());

      assertThat(Sql.queryString(two.dataSource(), CATALOG_DIGEST))
          .isEqualTo(Sql.queryString(one.dataSource(), CATALOG_DIGEST));
      // Every value is arithmetic on the id; product 1 spelled out:
      assertThat(
              Sql.queryString(
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

  @Test
  void libraryMigrateAfterTheDemoLeavesTheDemoAlone() throws Exception {
    try (Database db = Services.postgres().createDatabase("schema_demo_then_lib")) {
      CoherentSchema.migrateWithDemo(db.dataSource());

      // The demo's V1000+ are unknown to a library-only run: ignored as "future", not an error.
      MigrationResult result = CoherentSchema.migrate(db.dataSource());
      assertThat(result.migrationsExecuted()).isZero();
      assertThat(Sql.queryLong(db.dataSource(), "SELECT count(*) FROM products")).isEqualTo(10_000);
    }
  }

  @Test
  void aDatabaseThatAlreadyHoldsTheApplicationsTablesIsAccepted() throws Exception {
    try (Database db = Services.postgres().createDatabase("schema_existing")) {
      DataSource ds = db.dataSource();
      Sql.update(ds, "CREATE TABLE orders (id bigint PRIMARY KEY, total_cents bigint NOT NULL)");
      Sql.update(ds, "INSERT INTO orders VALUES (1, 500)");

      MigrationResult result = CoherentSchema.migrate(ds);

      // A baseline at version 0 comes first, so every library migration still runs.
      assertThat(result.migrationsExecuted()).isEqualTo(LIBRARY_MIGRATIONS);
      assertThat(result.schemaVersion()).isEqualTo("3");
      assertThat(Sql.queryString(ds, "SELECT version FROM coherent_schema_history ORDER BY installed_rank LIMIT 1"))
          .isEqualTo("0");
      assertThat(Sql.queryLong(ds, "SELECT total_cents FROM orders WHERE id = 1")).isEqualTo(500);
      Sql.execute(ds, "SELECT coherent_track('orders', 'shop:order', 'id', 'total_cents')");
      long before = Sql.maxLogId(ds);
      Sql.update(ds, "UPDATE orders SET total_cents = 400 WHERE id = 1");
      assertThat(Sql.logRows(ds, before, "shop:order", "1"))
          .singleElement()
          .satisfies(row -> assertThat(row.version()).isEqualTo(501));
    }
  }

  @Test
  void aLibraryMigrationReleasedAfterTheDemoWasAppliedStillRuns() throws Exception {
    try (Database db = Services.postgres().createDatabase("schema_out_of_order")) {
      CoherentSchema.migrateWithDemo(db.dataSource());

      MigrationResult result =
          SchemaMigrator.migrate(
              db.dataSource(),
              List.of(
                  CoherentSchema.LIBRARY_LOCATION,
                  CoherentSchema.DEMO_LOCATION,
                  "classpath:db/test_later"));

      assertThat(result.migrationsExecuted()).isEqualTo(1);
      assertThat(result.schemaVersion()).isEqualTo("1002");
      assertThat(relationExists(db.dataSource(), "later_library_change")).isTrue();
    }
  }

  @Test
  void aFailingMigrationIsReportedWithTheDatabaseAndTheMigration() throws Exception {
    try (Database db = Services.postgres().createDatabase("schema_broken")) {
      assertThatThrownBy(
              () ->
                  SchemaMigrator.migrate(
                      db.dataSource(),
                      List.of(CoherentSchema.LIBRARY_LOCATION, "classpath:db/test_broken")))
          .isInstanceOfSatisfying(
              SchemaMigrationException.class,
              e -> {
                assertThat(e.jdbcUrl()).startsWith("jdbc:postgresql://").contains("/" + db.name());
                assertThat(e.failedMigration()).isEqualTo("V997__broken_on_purpose.sql");
                assertThat(e.getMessage())
                    .contains(db.name())
                    .contains("migration V997__broken_on_purpose.sql failed")
                    .contains("no_such_function_coherent_test")
                    .contains("classpath:db/test_broken");
              });
      // PostgreSQL DDL is transactional: the failed migration left nothing behind.
      assertThat(relationExists(db.dataSource(), "broken_on_purpose")).isFalse();
    }
  }

  private static boolean relationExists(DataSource ds, String name) throws SQLException {
    try (Connection connection = ds.getConnection()) {
      return Sql.queryLong(connection, "SELECT count(*) FROM pg_class WHERE relname = ?", name) > 0;
    }
  }
}
