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
 * never mix with an application's own Flyway history (the demo catalog, too, has its own). A
 * database that already holds other tables is accepted (its history starts with a baseline at
 * version 0). Versions in that history that this library does not ship are ignored: databases
 * migrated by the demo before it got its own history hold its versions 1000 to 1002 there.
 * Library migrations released later still run on such databases although their versions are
 * lower (out-of-order application is enabled for that reason only). Concurrent calls from several
 * instances are safe: Flyway serializes them with a PostgreSQL advisory lock.
 *
 * <p>Thread-safe: stateless; each call configures its own Flyway instance.
 */
public final class CoherentSchema {

  /** The change log the tracking triggers append to and the reconciler reads. */
  public static final String CHANGE_LOG_TABLE = "coherent_change_log";

  /** One row: the largest change-log id and txid that retention has deleted. */
  public static final String CHANGE_LOG_HORIZON_TABLE = "coherent_change_log_horizon";

  /** Flyway's history table for the Coherent library migrations. */
  public static final String SCHEMA_HISTORY_TABLE = "coherent_schema_history";

  /**
   * {@code coherent_track(tbl regclass, namespace text, key_column text, version_column text)};
   * a NULL {@code version_column} tracks a table without one (see {@link #VERSION_FUNCTION}).
   */
  public static final String TRACK_FUNCTION = "coherent_track";

  /**
   * {@code coherent_version(namespace text, key text) returns bigint}: the version of a key of a
   * table tracked without a version column, as of the calling statement's snapshot (0 if never
   * written). Read it with the row in one SELECT; a writer reads it after its write, in the same
   * transaction.
   */
  public static final String VERSION_FUNCTION = "coherent_version";

  /** One row per key of the tables tracked without a version column: its current version. */
  public static final String KEY_VERSION_TABLE = "coherent_key_version";

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

  /** Where the library migrations live. */
  public static final String LIBRARY_LOCATION = "classpath:db/coherent";

  private CoherentSchema() {}

  /**
   * Brings the library schema (change log, tracking triggers, retention) up to date. Creates no
   * application tables: opt yours in with {@code coherent_track(...)} in your own migrations.
   *
   * @throws SchemaMigrationException if the database cannot be reached or a migration fails
   */
  public static MigrationResult migrate(DataSource dataSource) {
    return SchemaMigrator.migrate(dataSource, List.of(LIBRARY_LOCATION));
  }
}
