package dev.coherent.devservices;

import org.jspecify.annotations.Nullable;

/** A PostgreSQL server named by configuration; validated and connected to once at resolution. */
final class ConfiguredPostgres extends AbstractPostgres {
  private final String url;
  private final String user;
  private final String password;

  private ConfiguredPostgres(String url, String user, String password) {
    this.url = url;
    this.user = user;
    this.password = password;
  }

  static ConfiguredPostgres connect(String url, @Nullable String user, @Nullable String password) {
    JdbcUrls.requireReachable(Settings.JDBC_URL, url, user, password);
    return new ConfiguredPostgres(url, user == null ? "" : user, password == null ? "" : password);
  }

  @Override
  public ServiceSource source() {
    return ServiceSource.CONFIGURED;
  }

  @Override
  public String jdbcUrl() {
    return url;
  }

  @Override
  String jdbcUrlFor(String database) {
    return JdbcUrls.withDatabase(url, database);
  }

  @Override
  public String user() {
    return user;
  }

  @Override
  public String password() {
    return password;
  }
}
