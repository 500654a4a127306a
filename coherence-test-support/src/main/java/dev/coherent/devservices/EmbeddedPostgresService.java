package dev.coherent.devservices;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The embedded PostgreSQL binary on a free port; it removes itself at JVM exit. */
final class EmbeddedPostgresService extends AbstractPostgres {
  private final EmbeddedPostgres postgres;

  private EmbeddedPostgresService(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  static EmbeddedPostgresService start() {
    try {
      EmbeddedPostgres postgres =
          EmbeddedPostgres.builder()
              .setPort(FreePort.pick())
              .setServerConfig("max_connections", "200")
              .setServerConfig("fsync", "off")
              .setServerConfig("synchronous_commit", "off")
              .start();
      return new EmbeddedPostgresService(postgres);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start embedded PostgreSQL", e);
    }
  }

  @Override
  public ServiceSource source() {
    return ServiceSource.EMBEDDED;
  }

  @Override
  public String jdbcUrl() {
    return jdbcUrlFor("postgres");
  }

  @Override
  String jdbcUrlFor(String database) {
    return postgres.getJdbcUrl("postgres", database);
  }

  @Override
  public String user() {
    return "postgres";
  }

  @Override
  public String password() {
    return "postgres";
  }
}
