package dev.coherent.db;

import dev.coherent.db.internal.SchemaMigrator;
import java.util.List;
import javax.sql.DataSource;

/**
 * Test-only migrations under {@code db/src/test/resources/db/testfixtures}: the demo catalog as
 * coherent-db shipped it before the demo got its own module ({@code categories} with 20 rows,
 * {@code products} with 10,000, both tracked; versions 1000 to 1002 in the library's history).
 */
final class TestFixtures {
  /** V1000 catalog schema, V1001 seed, V1002 tracking. */
  static final String CATALOG_LOCATION = "classpath:db/testfixtures/catalog";

  private TestFixtures() {}

  /**
   * The library schema and the catalog in one history, {@value CoherentSchema#SCHEMA_HISTORY_TABLE}:
   * what {@code migrateWithDemo} did before the split.
   */
  static MigrationResult migrateWithCatalog(DataSource dataSource) {
    return SchemaMigrator.migrate(
        dataSource, List.of(CoherentSchema.LIBRARY_LOCATION, CATALOG_LOCATION));
  }
}
