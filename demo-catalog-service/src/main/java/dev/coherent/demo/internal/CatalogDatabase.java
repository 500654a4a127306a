package dev.coherent.demo.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.coherent.devservices.Database;
import dev.coherent.devservices.PostgresService;
import dev.coherent.devservices.ServiceSource;
import dev.coherent.devservices.Settings;
import java.time.Duration;

/**
 * The coordinates of the demo's catalog database and the pools over it. A configured server
 * ({@code COHERENT_JDBC_URL}) is used as it is: its database is migrated in place. An embedded or
 * container server gets a new database {@code catalog_<pid>_<n>} per run.
 *
 * <p>Immutable and thread-safe.
 */
public final class CatalogDatabase {
  /** The pgjdbc connect timeout (seconds): a dead host must not hold a request for pgjdbc's 10 s. */
  private static final String CONNECT_TIMEOUT_SECONDS = "2";

  private final ServiceSource source;
  private final String jdbcUrl;
  private final String user;
  private final String password;

  private CatalogDatabase(ServiceSource source, String jdbcUrl, String user, String password) {
    this.source = source;
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password;
  }

  /** The configured database, or a new empty one on a server this JVM started. */
  public static CatalogDatabase prepare(PostgresService postgres) {
    if (postgres.source() == ServiceSource.CONFIGURED) {
      return new CatalogDatabase(
          postgres.source(), postgres.jdbcUrl(), postgres.user(), postgres.password());
    }
    // The Database's own pool has test-sized timeouts; the demo opens its own pools below.
    try (Database database = postgres.createDatabase("catalog")) {
      return new CatalogDatabase(
          postgres.source(), database.jdbcUrl(), database.user(), database.password());
    }
  }

  public ServiceSource source() {
    return source;
  }

  /** The JDBC URL as configured (it may hold a password: not for output). */
  public String jdbcUrl() {
    return jdbcUrl;
  }

  public String user() {
    return user;
  }

  public String password() {
    return password;
  }

  /** The JDBC URL with any password masked, for output. */
  public String displayUrl() {
    return Settings.mask(jdbcUrl);
  }

  /**
   * A new pool over the database.
   *
   * @param poolName shown in Hikari's thread names and as the PostgreSQL application_name
   * @param maximumSize the most connections the pool opens
   * @param connectionTimeout how long {@code getConnection()} waits before failing (at least 500 ms)
   */
  public HikariDataSource openPool(String poolName, int maximumSize, Duration connectionTimeout) {
    HikariConfig config = new HikariConfig();
    config.setPoolName(poolName);
    config.setJdbcUrl(jdbcUrl);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(maximumSize);
    config.setMinimumIdle(1);
    config.setConnectionTimeout(connectionTimeout.toMillis());
    // Hikari silently resets a validation timeout that is not below the connection timeout to 5 s.
    config.setValidationTimeout(Math.max(250, connectionTimeout.toMillis() / 2));
    config.addDataSourceProperty("connectTimeout", CONNECT_TIMEOUT_SECONDS);
    config.addDataSourceProperty("ApplicationName", poolName);
    return new HikariDataSource(config);
  }
}
