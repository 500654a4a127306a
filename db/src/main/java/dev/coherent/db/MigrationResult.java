package dev.coherent.db;

import org.jspecify.annotations.Nullable;

/**
 * What one {@link CoherentSchema#migrate} call did.
 *
 * @param migrationsExecuted how many migrations this call applied; 0 when the schema was already
 *     up to date
 * @param previousSchemaVersion the schema version before this call, e.g. {@code "3"}; {@code null}
 *     when the database had no Coherent schema yet
 * @param schemaVersion the schema version after this call, e.g. {@code "3"} (the highest version
 *     in the history: {@code "1002"} on a database the demo migrated before it had its own history)
 */
public record MigrationResult(
    int migrationsExecuted, @Nullable String previousSchemaVersion, String schemaVersion) {

  public MigrationResult {
    if (migrationsExecuted < 0) {
      throw new IllegalArgumentException(
          "migrationsExecuted must be 0 or more but was " + migrationsExecuted);
    }
    if (schemaVersion == null || schemaVersion.isBlank()) {
      throw new IllegalArgumentException(
          "schemaVersion must be a version such as \"3\" but was " + schemaVersion);
    }
  }

  /** Whether this call changed the schema. */
  public boolean changed() {
    return migrationsExecuted > 0;
  }
}
