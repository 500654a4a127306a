package dev.coherent.demo;

import dev.coherent.demo.internal.CatalogDatabase;
import dev.coherent.demo.internal.Closer;
import dev.coherent.devservices.RedisService;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The demo while it runs: two started {@link CatalogInstance}s over one Redis and one migrated
 * database. {@link #close()} stops both instances (HTTP servers, modules, pools); the Redis and
 * PostgreSQL servers belong to the JVM ({@code Services}) and stop at its exit.
 *
 * <p>Thread-safe: immutable apart from closing, which is idempotent and may come from a shutdown
 * hook while another thread waits in {@link #awaitClosed()}.
 */
public final class RunningDemo implements AutoCloseable {
  private final DemoOptions options;
  private final CatalogInstance instanceA;
  private final CatalogInstance instanceB;
  private final RedisService redis;
  private final CatalogDatabase database;
  private final Duration startupTime;
  private final Closer closer;
  private final CountDownLatch closed = new CountDownLatch(1);

  RunningDemo(
      DemoOptions options,
      CatalogInstance instanceA,
      CatalogInstance instanceB,
      RedisService redis,
      CatalogDatabase database,
      Duration startupTime,
      Closer closer) {
    this.options = options;
    this.instanceA = instanceA;
    this.instanceB = instanceB;
    this.redis = redis;
    this.database = database;
    this.startupTime = startupTime;
    this.closer = closer;
  }

  public DemoOptions options() {
    return options;
  }

  /** The instance on {@link DemoOptions#portA()}. */
  public CatalogInstance instanceA() {
    return instanceA;
  }

  /** The instance on {@link DemoOptions#portB()}. */
  public CatalogInstance instanceB() {
    return instanceB;
  }

  public List<CatalogInstance> instances() {
    return List.of(instanceA, instanceB);
  }

  /** The JDBC URL of the migrated catalog database, password masked. */
  public String databaseUrl() {
    return database.displayUrl();
  }

  /** The Redis both instances use (for fault injection: {@code CLIENT KILL}). */
  public RedisService redis() {
    return redis;
  }

  /**
   * A new connection pool over the catalog database, for writes that bypass the application
   * (the scenarios' plain-SQL updates); the caller closes it.
   */
  public com.zaxxer.hikari.HikariDataSource openPool(String name, int size) {
    return database.openPool(name, size, Duration.ofSeconds(5));
  }

  /** What a scenario started later needs to reach this demo (see {@code DemoStateFile}). */
  dev.coherent.demo.internal.DemoStateFile.State state() {
    return new dev.coherent.demo.internal.DemoStateFile.State(
        instanceA.baseUri().toString(), instanceB.baseUri().toString(), options.adminToken(),
        redis.url(), database.jdbcUrl(), database.user(), database.password(),
        options.reconcileInterval().toMillis());
  }

  /** From the call to {@link DemoApp#start} until both instances served. */
  public Duration startupTime() {
    return startupTime;
  }

  /** Blocks until {@link #close()} has finished. */
  public void awaitClosed() throws InterruptedException {
    closed.await();
  }

  /** Stops instance-b, then instance-a. Idempotent; never throws. */
  @Override
  public void close() {
    try {
      closer.close();
    } finally {
      closed.countDown();
    }
  }
}
