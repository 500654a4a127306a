package dev.coherent.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coherent.db.CoherentSchema;
import org.junit.jupiter.api.Test;

/** The core reads the tables that coherent-db creates: their default names must agree. */
class ChangeLogOptionsUnitTests {

  @Test
  void theDefaultTablesAreTheOnesTheMigrationsCreate() {
    assertThat(ChangeLogOptions.DEFAULT_TABLE).isEqualTo(CoherentSchema.CHANGE_LOG_TABLE);
    assertThat(ChangeLogOptions.DEFAULT_HORIZON_TABLE)
        .isEqualTo(CoherentSchema.CHANGE_LOG_HORIZON_TABLE);
  }
}
