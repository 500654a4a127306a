package dev.coherent.demo.internal.scenario;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * The two instances a scenario runs against and what it needs besides their HTTP API: the Redis
 * they share (to kill b's subscriber) and a connection pool of its own over their database (for
 * writes and checks no application is involved in).
 *
 * <p>Thread-safe: the clients and the pool are; {@link #close()} closes the pool and whatever
 * was started for the scenario.
 */
public final class Target implements AutoCloseable {
  private final CatalogClient a;
  private final CatalogClient b;
  private final String redisUrl;
  private final HikariDataSource database;
  private final Duration reconcileInterval;
  private final String bInstanceId;
  private final AutoCloseable owned;

  private Target(CatalogClient a, CatalogClient b, String redisUrl, HikariDataSource database,
      Duration reconcileInterval, String bInstanceId, AutoCloseable owned) {
    this.a = a;
    this.b = b;
    this.redisUrl = redisUrl;
    this.database = database;
    this.reconcileInterval = reconcileInterval;
    this.bInstanceId = bInstanceId;
    this.owned = owned;
  }

  /**
   * Connects to running instances; {@code owned} is closed with the target (the instances the
   * scenario started, or nothing). Reads b's instance id and reconcile interval from its
   * {@code GET /admin/cache}.
   *
   * @throws IllegalStateException when an instance does not answer or refuses the token
   */
  public static Target connect(URI a, URI b, String token, String redisUrl, String jdbcUrl,
      String jdbcUser, String jdbcPassword, AutoCloseable owned) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    CatalogClient ca = new CatalogClient(http, a, token);
    CatalogClient cb = new CatalogClient(http, b, token);
    for (CatalogClient c : new CatalogClient[] {ca, cb}) {
      if (!c.healthy()) {
        throw new IllegalStateException(c.base() + "/health does not answer 200");
      }
    }
    var bCache = cb.adminCache();
    HikariConfig config = new HikariConfig();
    config.setPoolName("scenario-sql");
    config.setJdbcUrl(jdbcUrl);
    config.setUsername(jdbcUser);
    config.setPassword(jdbcPassword);
    config.setMaximumPoolSize(4);
    config.setMinimumIdle(1);
    config.setConnectionTimeout(5_000);
    config.addDataSourceProperty("ApplicationName", "coherent-scenario");
    HikariDataSource pool = new HikariDataSource(config);
    return new Target(ca, cb, redisUrl, pool,
        Duration.ofMillis(bCache.get("reconcileIntervalMs").asLong()),
        bCache.get("instance").asText(), owned);
  }

  public CatalogClient a() {
    return a;
  }

  public CatalogClient b() {
    return b;
  }

  public String redisUrl() {
    return redisUrl;
  }

  /** A pool over the instances' database, for plain-SQL writes and checks. */
  public DataSource database() {
    return database;
  }

  /** Instance-b's reconcile interval, as it reports it. */
  public Duration reconcileInterval() {
    return reconcileInterval;
  }

  /** Instance-b's id: its Redis client name ({@code CLIENT LIST}). */
  public String bInstanceId() {
    return bInstanceId;
  }

  @Override
  public void close() throws Exception {
    try {
      database.close();
    } finally {
      owned.close();
    }
  }
}
