package dev.coherent.demo;

import dev.coherent.devservices.ServiceSource;
import io.lettuce.core.RedisURI;
import io.lettuce.core.resource.ClientResources;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;

/**
 * What one {@link CatalogInstance} gives the {@link InstanceModule}s it hosts: its identity and
 * the connections it owns. Each instance has its own connection pool and its own Lettuce
 * {@link ClientResources} (event loops), as if it ran in its own JVM; the instance closes them
 * after its modules, so modules must not close them.
 *
 * <p>Immutable and thread-safe (the pool, the client resources and the registry are
 * thread-safe).
 */
public final class InstanceContext {
  private final String instanceId;
  private final int port;
  private final Duration reconcileInterval;
  private final RedisURI redisUri;
  private final ServiceSource redisSource;
  private final ClientResources redisResources;
  private final DataSource dataSource;
  private final ServiceSource databaseSource;
  private final MeterRegistry meterRegistry;
  private final String adminToken;
  private final boolean demoMode;
  private final List<URI> instances;

  InstanceContext(
      String instanceId,
      int port,
      Duration reconcileInterval,
      RedisURI redisUri,
      ServiceSource redisSource,
      ClientResources redisResources,
      DataSource dataSource,
      ServiceSource databaseSource,
      MeterRegistry meterRegistry,
      String adminToken,
      boolean demoMode,
      List<URI> instances) {
    this.instanceId = instanceId;
    this.port = port;
    this.reconcileInterval = reconcileInterval;
    this.redisUri = RedisURI.builder(redisUri).build();
    this.redisSource = redisSource;
    this.redisResources = redisResources;
    this.dataSource = dataSource;
    this.databaseSource = databaseSource;
    this.meterRegistry = meterRegistry;
    this.adminToken = adminToken;
    this.demoMode = demoMode;
    this.instances = List.copyOf(instances);
  }

  /** Unique per process, e.g. {@code instance-a-3f9c}; use it as the hint {@code origin}. */
  public String instanceId() {
    return instanceId;
  }

  /** The HTTP port this instance serves on. */
  public int port() {
    return port;
  }

  /** How often this instance should reconcile with the database change log. */
  public Duration reconcileInterval() {
    return reconcileInterval;
  }

  /** A new copy of the Redis URI on each call (callers may change it, e.g. its timeout). */
  public RedisURI redisUri() {
    return RedisURI.builder(redisUri).build();
  }

  public ServiceSource redisSource() {
    return redisSource;
  }

  /**
   * This instance's Lettuce event loops; create clients with {@code RedisClient.create(
   * redisResources(), redisUri())} and shut those clients down in {@link InstanceModule#close()}.
   */
  public ClientResources redisResources() {
    return redisResources;
  }

  /** This instance's connection pool over the migrated catalog database. */
  public DataSource dataSource() {
    return dataSource;
  }

  public ServiceSource databaseSource() {
    return databaseSource;
  }

  /** This instance's meters, served as {@code GET /metrics} (Prometheus text format). */
  public MeterRegistry meterRegistry() {
    return meterRegistry;
  }

  /** The bearer token {@code /admin/*} requires. */
  public String adminToken() {
    return adminToken;
  }

  /** Whether the chaos and plain-SQL admin endpoints are on ({@link DemoOptions#demoMode()}). */
  public boolean demoMode() {
    return demoMode;
  }

  /** The base URLs of every instance of the demo ({@code http://localhost:8081}, ...), in order. */
  public List<URI> instances() {
    return instances;
  }

  @Override
  public String toString() {
    return "InstanceContext{" + instanceId + " on port " + port + "}";
  }
}
