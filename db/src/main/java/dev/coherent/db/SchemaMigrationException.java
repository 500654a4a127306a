package dev.coherent.db;

import org.jspecify.annotations.Nullable;

/**
 * Applying the Coherent schema failed: the database could not be reached, a migration failed, or
 * the database's migration history does not match the migrations on the classpath. The message
 * names the database (its JDBC URL, password masked) and, when one failed, the migration.
 */
public final class SchemaMigrationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final @Nullable String jdbcUrl;
  private final @Nullable String failedMigration;

  public SchemaMigrationException(
      String message, @Nullable String jdbcUrl, @Nullable String failedMigration,
      @Nullable Throwable cause) {
    super(message, cause);
    this.jdbcUrl = jdbcUrl;
    this.failedMigration = failedMigration;
  }

  /** The JDBC URL of the database (password masked), or {@code null} if it was not obtainable. */
  public @Nullable String jdbcUrl() {
    return jdbcUrl;
  }

  /**
   * The script of the migration that failed, e.g. {@code V2__tracking_triggers.sql}, or {@code
   * null} when the failure was not in one migration (no connection, history mismatch).
   */
  public @Nullable String failedMigration() {
    return failedMigration;
  }
}
