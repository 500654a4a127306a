package dev.coherent.db.internal;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coherent.db.CoherentSchema;
import dev.coherent.db.MigrationResult;
import dev.coherent.db.SchemaMigrationException;
import dev.coherent.db.internal.DataSourceUrlsUnitTests.HikariLike;
import dev.coherent.db.internal.DataSourceUrlsUnitTests.Unnamed;
import java.sql.SQLException;
import java.util.List;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

/** Failures that need no database: they are reported before Flyway starts. */
class SchemaMigratorUnitTests {

  @Test
  void anUnreachableDatabaseIsNamedByItsMaskedUrl() {
    assertThatThrownBy(() -> CoherentSchema.migrate(new HikariLike("jdbc:postgresql://127.0.0.1:1/shop?password=s3cret")))
        .isInstanceOf(SchemaMigrationException.class)
        .hasMessage("could not apply the Coherent schema [classpath:db/coherent] to"
            + " jdbc:postgresql://127.0.0.1:1/shop?password=***: could not connect:"
            + " Connection to 127.0.0.1:1 refused")
        .hasCauseInstanceOf(SQLException.class)
        .asInstanceOf(InstanceOfAssertFactories.type(SchemaMigrationException.class))
        .satisfies(e -> {
          org.assertj.core.api.Assertions.assertThat(e.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:1/shop?password=***");
          org.assertj.core.api.Assertions.assertThat(e.failedMigration()).isNull();
        });
  }

  @Test
  void aDataSourceWithoutAUrlIsNamedByItsClass() {
    assertThatThrownBy(() -> CoherentSchema.migrate(new Unnamed()))
        .isInstanceOf(SchemaMigrationException.class)
        .hasMessageContaining("[classpath:db/coherent] to a " + Unnamed.class.getName()
            + " (its JDBC URL is not obtainable): could not connect");
  }

  @Test
  void argumentsAreChecked() {
    assertThatThrownBy(() -> CoherentSchema.migrate(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("dataSource must not be null");
    assertThatThrownBy(() -> SchemaMigrator.migrate(new Unnamed(), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("locations must name at least one migration location such as classpath:db/coherent but was []");
  }

  @Test
  void aMigrationResultIsValidated() {
    assertThatThrownBy(() -> new MigrationResult(-1, null, "3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("migrationsExecuted must be 0 or more but was -1");
    assertThatThrownBy(() -> new MigrationResult(0, null, " "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("schemaVersion must be a version such as \"3\" but was  ");
  }
}
