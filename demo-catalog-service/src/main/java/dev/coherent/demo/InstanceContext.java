package dev.coherent.demo;

import dev.coherent.devservices.ServiceSource;
import io.lettuce.core.RedisURI;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * What one {@link CatalogInstance} gives the {@link InstanceModule}s it hosts: its identity and
 * the connections it owns. Each instance has its own connection pool and its own Lettuce
 * {@link ClientResources} (event loops), as if it ran in its own JVM; the instance closes them
 * after its modules, so modules must not close them.
 *
 * <p>Immutable and thread-safe (the pool and the client resources are thread-safe).
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

  InstanceContext(
      String instanceId,
      int port,
      Duration reconcileInterval,
      RedisURI redisUri,
      ServiceSource redisSource,
      ClientResources redisResources,
      DataSource dataSource,
      ServiceSource databaseSource) {
    this.instanceId = instanceId;
    this.port = port;
    this.reconcileInterval = reconcileInterval;
    this.redisUri = RedisURI.builder(redisUri).build();
    this.redisSource = redisSource;
    this.redisResources = redisResources;
    this.dataSource = dataSource;
    this.databaseSource = databaseSource;
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

  @Override
  public String toString() {
    return "InstanceContext{" + instanceId + " on port " + port + "}";
  }
}
