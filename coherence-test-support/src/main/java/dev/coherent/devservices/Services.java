package dev.coherent.devservices;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that decides which Redis and PostgreSQL the tests and the demo use, in this order:
 *
 * <ol>
 *   <li>an explicit URL ({@link Settings#REDIS_URL}, {@link Settings#JDBC_URL} with
 *       {@link Settings#JDBC_USER} and {@link Settings#JDBC_PASSWORD}), validated and pinged;
 *   <li>Testcontainers ({@code redis:7}, {@code postgres:16}) when Testcontainers is on the class
 *       path (an optional dependency: tests add it, the demo and benchmark jars do not ship it)
 *       and a Docker engine answers;
 *   <li>embedded binaries on free loopback ports.
 * </ol>
 *
 * Each service is resolved once per JVM, on first use, and the choice is logged once. Started
 * services stop at JVM exit.
 *
 * <p>Thread-safe: resolution is guarded by the class lock; the results are immutable handles.
 */
public final class Services {
  private static final Logger log = LoggerFactory.getLogger(Services.class);

  private static @Nullable RedisService redis;
  private static @Nullable PostgresService postgres;
  private static @Nullable Boolean docker;
  private static @Nullable RedisClusterService redisCluster;

  private Services() {}

  /** The Redis server for this JVM, started on first call. */
  public static synchronized RedisService redis() {
    if (redis == null) {
      String url = Settings.get(Settings.REDIS_URL);
      RedisService chosen;
      if (url != null) {
        chosen = ConfiguredRedis.connect(Settings.REDIS_URL, url);
      } else if (dockerAvailable()) {
        chosen = ContainerRedis.launch();
      } else {
        chosen = EmbeddedRedis.launch();
      }
      log.info("Redis for this JVM: {} at {}", chosen.source(), Settings.mask(chosen.url()));
      redis = chosen;
    }
    return redis;
  }

  /**
   * Why no Redis Cluster can be had here (no {@link Settings#REDIS_CLUSTER_URL} and no
   * {@code redis-server} 7 on the PATH), for a JUnit assumption; null when {@link #redisCluster()}
   * will work. Docker is not used for the cluster: a containerised cluster announces addresses the
   * host cannot reach without host networking.
   */
  public static synchronized @Nullable String redisClusterUnavailable() {
    if (redisCluster != null || Settings.get(Settings.REDIS_CLUSTER_URL) != null) {
      return null;
    }
    return SystemRedisCluster.unavailableReason();
  }

  /**
   * The Redis Cluster for this JVM, started on first call: {@link Settings#REDIS_CLUSTER_URL}, or
   * 3 masters and 3 replicas of the system's {@code redis-server} on free loopback ports.
   *
   * @throws IllegalStateException if neither is possible ({@link #redisClusterUnavailable()} says why)
   */
  public static synchronized RedisClusterService redisCluster() {
    if (redisCluster == null) {
      String url = Settings.get(Settings.REDIS_CLUSTER_URL);
      RedisClusterService chosen;
      if (url != null) {
        chosen = ConfiguredRedisCluster.connect(Settings.REDIS_CLUSTER_URL, url);
      } else {
        String reason = SystemRedisCluster.unavailableReason();
        if (reason != null) {
          throw new IllegalStateException("no Redis Cluster: " + reason + "; or set "
              + Settings.REDIS_CLUSTER_URL);
        }
        chosen = SystemRedisCluster.launch();
      }
      log.info("Redis Cluster for this JVM: {} at {}", chosen.source(),
          Settings.mask(String.join(",", chosen.seedUrls())));
      redisCluster = chosen;
    }
    return redisCluster;
  }

  /** The PostgreSQL server for this JVM, started on first call. */
  public static synchronized PostgresService postgres() {
    if (postgres == null) {
      String url = Settings.get(Settings.JDBC_URL);
      PostgresService chosen;
      if (url != null) {
        chosen =
            ConfiguredPostgres.connect(
                url, Settings.get(Settings.JDBC_USER), Settings.get(Settings.JDBC_PASSWORD));
      } else if (dockerAvailable() && postgresContainerPresent()) {
        chosen = ContainerPostgres.start();
      } else {
        chosen = EmbeddedPostgresService.start();
      }
      log.info("PostgreSQL for this JVM: {} at {}", chosen.source(), Settings.mask(chosen.jdbcUrl()));
      postgres = chosen;
    }
    return postgres;
  }

  private static boolean dockerAvailable() {
    if (docker == null) {
      String flag = Settings.get(Settings.TESTCONTAINERS);
      if ("false".equalsIgnoreCase(flag)) {
        docker = false;
      } else if (!Containers.present(Containers.CORE_CLASS, Services.class.getClassLoader())) {
        docker = false;
        log.info("Testcontainers is not on the class path: using embedded binaries");
      } else {
        boolean available = Containers.dockerAvailable();
        docker = available;
        log.info("Docker engine {}", available ? "found: using Testcontainers" : "not found: using embedded binaries");
      }
    }
    return docker;
  }

  private static boolean postgresContainerPresent() {
    boolean present = Containers.present(Containers.POSTGRES_CLASS, Services.class.getClassLoader());
    if (!present) {
      log.info("org.testcontainers:testcontainers-postgresql is not on the class path: using embedded PostgreSQL");
    }
    return present;
  }
}
