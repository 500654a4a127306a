package dev.coherent.db;

import dev.coherent.db.internal.SchemaMigrator;
import java.util.List;
import javax.sql.DataSource;

/**
 * Applies Coherent's PostgreSQL schema with Flyway: the change log, its retention function and
 * the {@code coherent_track(...)} helper that opts a table in (see the module README).
 *
 * <pre>{@code
 * MigrationResult result = CoherentSchema.migrate(dataSource);
 * // then, once per table to track, in a migration of your own:
 * //   SELECT coherent_track('products', 'catalog:product', 'id');
 * }</pre>
 *
 * <p>Migrations are recorded in their own history table, {@value #SCHEMA_HISTORY_TABLE}, so they
 * never mix with an application's own Flyway history. A database that already holds other tables
 * is accepted (its history starts with a baseline at version 0). Library migrations use versions
 * 1 to 999, the demo schema 1000 and up; later library migrations are applied even where the
 * demo is already at 1000+ (out-of-order application is enabled for that reason). Concurrent
 * calls from several instances are safe: Flyway serializes them with a PostgreSQL advisory lock.
 *
 * <p>Thread-safe: stateless; each call configures its own Flyway instance.
 */
public final class CoherentSchema {

  /** The change log the tracking triggers append to and the reconciler reads. */
  public static final String CHANGE_LOG_TABLE = "coherent_change_log";

  /** One row: the largest change-log id and txid that retention has deleted. */
  public static final String CHANGE_LOG_HORIZON_TABLE = "coherent_change_log_horizon";

  /** Flyway's history table for the Coherent migrations (library and demo share it). */
  public static final String SCHEMA_HISTORY_TABLE = "coherent_schema_history";

  /** {@code coherent_track(tbl regclass, namespace text, key_column text, version_column text)}. */
  public static final String TRACK_FUNCTION = "coherent_track";

  /** {@code coherent_untrack(tbl regclass)}. */
  public static final String UNTRACK_FUNCTION = "coherent_untrack";

  /** {@code coherent_prune_change_log(max_age interval) returns bigint}. */
  public static final String PRUNE_FUNCTION = "coherent_prune_change_log";

  /** {@code op} of a change-log row for an insert or update: {@code version} is the new version. */
  public static final String OP_UPDATE = "U";

  /**
   * {@code op} of a change-log row for a delete (a tombstone): {@code version} is the deleted
   * row's version + 1, and every version below it is invalid.
   */
  public static final String OP_DELETE = "D";

  /** Where the library migrations live (versions 1 to 999). */
  public static final String LIBRARY_LOCATION = "classpath:db/coherent";

  /** Where the demo catalog migrations live (versions 1000 and up). */
  public static final String DEMO_LOCATION = "classpath:db/demo";

  private CoherentSchema() {}

  /**
   * Brings the library schema (change log, tracking triggers, retention) up to date. Never creates
   * demo tables.
   *
   * @throws SchemaMigrationException if the database cannot be reached or a migration fails
   */
  public static MigrationResult migrate(DataSource dataSource) {
    return SchemaMigrator.migrate(dataSource, List.of(LIBRARY_LOCATION));
  }

  /**
   * Brings the library schema and the demo catalog ({@code categories}, {@code products}, seeded
   * with 20 categories and 10,000 products, both tracked) up to date.
   *
   * @throws SchemaMigrationException if the database cannot be reached or a migration fails
   */
  public static MigrationResult migrateWithDemo(DataSource dataSource) {
    return SchemaMigrator.migrate(dataSource, List.of(LIBRARY_LOCATION, DEMO_LOCATION));
  }
}
