package dev.coherent.db.internal;

import dev.coherent.db.CoherentSchema;
import dev.coherent.db.MigrationResult;
import dev.coherent.db.SchemaMigrationException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.MigrateOutput;
import org.flywaydb.core.api.output.MigrateResult;
import org.flywaydb.core.internal.exception.FlywayMigrateException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs Flyway over a list of migration locations into {@link CoherentSchema#SCHEMA_HISTORY_TABLE}
 * and translates the outcome into Coherent's types, so no Flyway type leaks into the API.
 *
 * <p>Thread-safe: stateless.
 */
public final class SchemaMigrator {
  private static final Logger log = LoggerFactory.getLogger(SchemaMigrator.class);

  /**
   * A database that already holds other tables (the application's own) gets a baseline at this
   * version, below V1, so every Coherent migration still runs; without it Flyway refuses a
   * non-empty schema that has no history table.
   */
  static final String BASELINE_VERSION = "0";

  private SchemaMigrator() {}

  /**
   * Applies the pending migrations found in {@code locations} (Flyway location syntax, e.g.
   * {@code classpath:db/coherent}).
   *
   * @throws SchemaMigrationException if the database cannot be reached or a migration fails
   */
  public static MigrationResult migrate(DataSource dataSource, List<String> locations) {
    if (dataSource == null) {
      throw new NullPointerException("dataSource must not be null");
    }
    if (locations == null || locations.isEmpty()) {
      throw new IllegalArgumentException(
          "locations must name at least one migration location such as "
              + CoherentSchema.LIBRARY_LOCATION + " but was " + locations);
    }
    String jdbcUrl = connect(dataSource, locations);
    Flyway flyway =
        Flyway.configure(SchemaMigrator.class.getClassLoader())
            .dataSource(dataSource)
            .locations(locations.toArray(String[]::new))
            .table(CoherentSchema.SCHEMA_HISTORY_TABLE)
            .baselineOnMigrate(true)
            .baselineVersion(BASELINE_VERSION)
            .baselineDescription("existing schema before Coherent")
            // Databases migrated before the demo had its own history hold its V1000..V1002 here,
            // above every library version: later library migrations must still run on them,
            // not fail validation as "ignored".
            .outOfOrder(true)
            .validateMigrationNaming(true)
            .failOnMissingLocations(true)
            .cleanDisabled(true)
            .load();

    MigrateResult result;
    MigrationInfo current;
    try {
      result = flyway.migrate();
      current = flyway.info().current();
    } catch (FlywayException e) {
      String failed = failedMigration(e);
      throw new SchemaMigrationException(
          "could not apply the Coherent schema " + locations + " to " + jdbcUrl + ": "
              + (failed != null ? "migration " + failed + " failed: " : "")
              + e.getMessage(),
          jdbcUrl, failed, e);
    }
    if (!result.success || current == null || current.getVersion() == null) {
      String failed =
          result.getFailedMigrations().stream()
              .map(m -> m.filepath)
              .collect(Collectors.joining(", "));
      throw new SchemaMigrationException(
          "could not apply the Coherent schema " + locations + " to " + jdbcUrl
              + ": Flyway reported no success"
              + (failed.isEmpty() ? "" : "; failed migrations: " + failed)
              + (result.warnings == null ? "" : "; warnings: " + result.warnings),
          jdbcUrl, failed.isEmpty() ? null : failed, null);
    }

    MigrationResult migration =
        new MigrationResult(
            result.migrationsExecuted,
            result.initialSchemaVersion,
            current.getVersion().getVersion());
    if (migration.changed()) {
      log.info(
          "Coherent schema at {}: applied {} migration(s) ({}), version {} -> {}",
          jdbcUrl,
          migration.migrationsExecuted(),
          (result.migrations == null ? List.<MigrateOutput>of() : result.migrations).stream()
              .map(m -> m.version == null || m.version.isEmpty() ? m.description : "V" + m.version)
              .collect(Collectors.joining(", ")),
          migration.previousSchemaVersion() == null ? "none" : migration.previousSchemaVersion(),
          migration.schemaVersion());
    } else {
      log.debug("Coherent schema at {} is up to date at version {}", jdbcUrl, migration.schemaVersion());
    }
    return migration;
  }

  /** Opens one connection to learn the URL, so a failure to connect is reported before Flyway. */
  private static String connect(DataSource dataSource, List<String> locations) {
    String configured = DataSourceUrls.configuredUrl(dataSource);
    try (Connection connection = dataSource.getConnection()) {
      String url = connection.getMetaData().getURL();
      return url != null ? DataSourceUrls.mask(url) : DataSourceUrls.describe(dataSource, configured);
    } catch (SQLException | RuntimeException e) {
      String described = DataSourceUrls.describe(dataSource, configured);
      throw new SchemaMigrationException(
          "could not apply the Coherent schema " + locations + " to " + described
              + ": could not connect: " + e.getMessage(),
          configured, null, e);
    }
  }

  /** The failing migration's script, e.g. {@code V2__tracking_triggers.sql}, if Flyway names one. */
  private static @Nullable String failedMigration(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof FlywayMigrateException migrate && migrate.getMigration() != null) {
        MigrationInfo info = migrate.getMigration();
        return info.getScript() != null ? info.getScript() : info.getDescription();
      }
    }
    return null;
  }
}
