package dev.coherent.devservices;

import org.testcontainers.postgresql.PostgreSQLContainer;

/** PostgreSQL 16 in a container; Testcontainers removes it at JVM exit. */
final class ContainerPostgres extends AbstractPostgres {
  private final PostgreSQLContainer container;

  private ContainerPostgres(PostgreSQLContainer container) {
    this.container = container;
  }

  @SuppressWarnings("resource") // lives until JVM exit
  static ContainerPostgres start() {
    PostgreSQLContainer container = new PostgreSQLContainer("postgres:16");
    container.start();
    return new ContainerPostgres(container);
  }

  @Override
  public ServiceSource source() {
    return ServiceSource.TESTCONTAINERS;
  }

  @Override
  public String jdbcUrl() {
    return container.getJdbcUrl();
  }

  @Override
  String jdbcUrlFor(String database) {
    return JdbcUrls.withDatabase(container.getJdbcUrl(), database);
  }

  @Override
  public String user() {
    return container.getUsername();
  }

  @Override
  public String password() {
    return container.getPassword();
  }
}
