package dev.coherent.benchmarks;

import dev.coherent.core.ClusterHints;
import dev.coherent.core.CoherentRuntime;
import dev.coherent.devservices.Services;
import io.lettuce.core.RedisURI;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Consumer;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import org.redisson.config.SingleServerConfig;

/**
 * Builds the systems under test against the run's Redis ({@link Services#redis()}: the configured
 * {@code COHERENT_REDIS_URL}, else an embedded server). Every scenario uses its own tenant or map
 * name so runs never see each other's keys or hints. Stateless; thread-safe.
 */
public final class Fixtures {
  private Fixtures() {}

  /** A fresh tenant name: Coherent keys and channels of different runs never meet. */
  public static String newTenant() {
    return "b" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  public static String redisUrl() {
    return Services.redis().url();
  }

  /**
   * A runtime on the run's Redis with the defaults a user gets, except a 2 s command timeout
   * (loopback, but 1,000 blocked threads on 2 cores may delay a reply past the default).
   */
  public static CoherentRuntime runtime(String instanceId, String tenant, MeterRegistry meters,
      Consumer<CoherentRuntime.Builder> customizer) {
    CoherentRuntime.Builder builder = CoherentRuntime.builder()
        .redisUri(redisUrl())
        .instanceId(instanceId)
        .tenant(tenant)
        .meterRegistry(meters)
        .commandTimeout(Duration.ofSeconds(2));
    customizer.accept(builder);
    return builder.build();
  }

  /**
   * A runtime on the run's Redis Cluster ({@link Services#redisCluster()}: 3 masters and 3
   * replicas of the system's {@code redis-server}, or {@code COHERENT_REDIS_CLUSTER_URL}) with the
   * given hint mode, otherwise as {@link #runtime(String, String, MeterRegistry, Consumer)}.
   */
  public static CoherentRuntime clusterRuntime(String instanceId, String tenant, MeterRegistry meters,
      ClusterHints hints) {
    return CoherentRuntime.builder()
        .redisCluster(Services.redisCluster().seedUrls().toArray(String[]::new))
        .clusterHints(hints)
        .instanceId(instanceId)
        .tenant(tenant)
        .meterRegistry(meters)
        .commandTimeout(Duration.ofSeconds(2))
        .build();
  }

  public static CoherentRuntime runtime(String instanceId, String tenant) {
    return runtime(instanceId, tenant, new SimpleMeterRegistry(), b -> {});
  }

  /**
   * A Redisson client with its defaults except the String codec (what Coherent's benchmarks use
   * too, so neither side pays for a heavier codec).
   */
  public static RedissonClient redisson() {
    RedisURI uri = Services.redis().uri();
    Config config = new Config();
    SingleServerConfig server = config.useSingleServer()
        .setAddress((uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort());
    // Credentials, if the configured URL has any: user:password@ (Lettuce 7 no longer exposes them).
    String userInfo = java.net.URI.create(redisUrl()).getUserInfo();
    if (userInfo != null && !userInfo.isEmpty()) {
      int colon = userInfo.indexOf(':');
      if (colon < 0) {
        server.setPassword(userInfo);
      } else {
        if (colon > 0) {
          server.setUsername(userInfo.substring(0, colon));
        }
        server.setPassword(userInfo.substring(colon + 1));
      }
    }
    config.setCodec(StringCodec.INSTANCE);
    return Redisson.create(config);
  }

  /** Closes quietly: cleanup must not hide the measurement's own error. */
  public static void close(AutoCloseable... closeables) {
    for (AutoCloseable c : closeables) {
      if (c == null) {
        continue;
      }
      try {
        c.close();
      } catch (Exception ignored) {
        // best effort
      }
    }
  }

  public static void shutdown(RedissonClient... clients) {
    for (RedissonClient c : clients) {
      if (c == null) {
        continue;
      }
      try {
        c.shutdown(0, 2, java.util.concurrent.TimeUnit.SECONDS);
      } catch (RuntimeException ignored) {
        // best effort
      }
    }
  }

  /** Value of a counter or function counter (0 when absent). */
  public static double count(MeterRegistry registry, String name, String... tags) {
    var counter = registry.find(name).tags(tags).counter();
    if (counter != null) {
      return counter.count();
    }
    var functionCounter = registry.find(name).tags(tags).functionCounter();
    return functionCounter == null ? 0 : functionCounter.count();
  }

  /** Sum of all counters with the name (across every tag combination). */
  public static double sum(MeterRegistry registry, String name) {
    double total = 0;
    for (var c : registry.find(name).counters()) {
      total += c.count();
    }
    for (var c : registry.find(name).functionCounters()) {
      total += c.count();
    }
    return total;
  }
}
