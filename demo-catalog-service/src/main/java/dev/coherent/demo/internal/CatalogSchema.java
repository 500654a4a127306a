package dev.coherent.demo.internal;

import dev.coherent.db.CoherentSchema;
import dev.coherent.db.MigrationResult;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * The demo catalog's own schema: {@code categories} (20 rows) and {@code products} (10,000 rows),
 * seeded deterministically and opted in to Coherent's change log. It is applied with its own
 * Flyway configuration into its own history table, {@value #SCHEMA_HISTORY_TABLE}, after the
 * library schema ({@link CoherentSchema#migrate}), which must come first: the last script calls
 * {@code coherent_track(...)}.
 *
 * <p>Thread-safe: stateless; each call configures its own Flyway instance.
 */
public final class CatalogSchema {
  /**
   * Where the catalog migrations live in the demo jar (V1 schema, V2 seed, V3 tracking); not
   * {@code db/demo}, where coherent-db jars from before the split still hold V1000..V1002.
   */
  public static final String LOCATION = "classpath:db/demo-catalog";

  /** Flyway's history table for the catalog, apart from {@link CoherentSchema#SCHEMA_HISTORY_TABLE}. */
  public static final String SCHEMA_HISTORY_TABLE = "demo_schema_history";

  /**
   * The library's tables are always there first, so the schema is never empty when the catalog's
   * history starts: it starts with a baseline at this version, below V1, so every catalog
   * migration still runs.
   */
  static final String BASELINE_VERSION = "0";

  private CatalogSchema() {}

  /** The library schema, then the catalog's; returns what the two calls did, in that order. */
  public static Results migrateAll(DataSource dataSource) {
    MigrationResult library = CoherentSchema.migrate(dataSource);
    return new Results(library, migrate(dataSource));
  }

  /**
   * Brings the catalog schema up to date; the library schema must be migrated already.
   *
   * @throws org.flywaydb.core.api.FlywayException if a catalog migration fails
   */
  public static MigrationResult migrate(DataSource dataSource) {
    Flyway flyway =
        Flyway.configure(CatalogSchema.class.getClassLoader())
            .dataSource(dataSource)
            .locations(LOCATION)
            .table(SCHEMA_HISTORY_TABLE)
            .baselineOnMigrate(true)
            .baselineVersion(BASELINE_VERSION)
            .baselineDescription("before the demo catalog")
            .validateMigrationNaming(true)
            .failOnMissingLocations(true)
            .cleanDisabled(true)
            .load();
    MigrateResult result = flyway.migrate();
    MigrationInfo current = flyway.info().current();
    if (!result.success || current == null || current.getVersion() == null) {
      throw new IllegalStateException(
          "Flyway reported no success applying " + LOCATION + " into " + SCHEMA_HISTORY_TABLE
              + (result.warnings == null ? "" : "; warnings: " + result.warnings));
    }
    return new MigrationResult(
        result.migrationsExecuted, result.initialSchemaVersion, current.getVersion().getVersion());
  }

  /** What {@link #migrateAll} did: the library's migration, then the catalog's. */
  public record Results(MigrationResult library, MigrationResult catalog) {
    /** Migrations applied by both calls together. */
    public int migrationsExecuted() {
      return library.migrationsExecuted() + catalog.migrationsExecuted();
    }
  }
}
