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

/**
 * Applying the library schema to real PostgreSQL databases, each test its own; some start from a
 * database that also holds the catalog fixture in the same history ({@link TestFixtures}), as
 * databases the demo migrated before it had its own history do. (The demo catalog's own schema
 * is tested in demo-catalog-service.)
 */
class CoherentSchemaIntegrationTests {

  /** V1 change log, V2 tracking triggers, V3 retention, V4 versions without a version column. */
  private static final int LIBRARY_MIGRATIONS = 4;

  @Test
  void migratingAnEmptyDatabaseTwiceAppliesTheLibraryOnceAndNeverTheDemo() throws Exception {
    try (Database db = Services.postgres().createDatabase("schema_twice")) {
      MigrationResult first = CoherentSchema.migrate(db.dataSource());
      assertThat(first).isEqualTo(new MigrationResult(LIBRARY_MIGRATIONS, null, "4"));
      assertThat(first.changed()).isTrue();

      MigrationResult second = CoherentSchema.migrate(db.dataSource());
      assertThat(second).isEqualTo(new MigrationResult(0, "4", "4"));
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
  void libraryMigrateAfterTheDemoLeavesTheDemoAlone() throws Exception {
    try (Database db = Services.postgres().createDatabase("schema_demo_then_lib")) {
      TestFixtures.migrateWithCatalog(db.dataSource());

      // The catalog's V1000+ are unknown to a library-only run: ignored as "future", not an error.
      MigrationResult result = CoherentSchema.migrate(db.dataSource());
      assertThat(result.migrationsExecuted()).isZero();
      // The version reported is the history's highest (see MigrationResult.schemaVersion).
      assertThat(result.schemaVersion()).isEqualTo("1002");
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
      assertThat(result.schemaVersion()).isEqualTo("4");
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
      TestFixtures.migrateWithCatalog(db.dataSource());

      MigrationResult result =
          SchemaMigrator.migrate(
              db.dataSource(),
              List.of(
                  CoherentSchema.LIBRARY_LOCATION,
                  TestFixtures.CATALOG_LOCATION,
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
