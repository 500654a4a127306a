package dev.coherent.core;

import dev.coherent.devservices.Services;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Builds runtimes against the JVM's shared Redis, each test on its own tenant so tests never see
 * each other's keys or hints, and closes them after each test. Register with
 * {@code @RegisterExtension final Runtimes runtimes = new Runtimes();}.
 */
public final class Runtimes implements AfterEachCallback {
  private final List<CoherentRuntime> open = new ArrayList<>();
  private final boolean cluster;
  private String tenant = newTenant();

  /** Runtimes on the JVM's standalone Redis. */
  public Runtimes() {
    this(false);
  }

  private Runtimes(boolean cluster) {
    this.cluster = cluster;
  }

  /** Runtimes on the JVM's Redis Cluster ({@code Services.redisCluster()}), sharded hints. */
  public static Runtimes onCluster() {
    return new Runtimes(true);
  }

  public static String newTenant() {
    return "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  public String tenant() {
    return tenant;
  }

  public CoherentRuntime start(String instanceId) {
    return start(instanceId, b -> {});
  }

  public synchronized CoherentRuntime start(String instanceId, Consumer<CoherentRuntime.Builder> customizer) {
    CoherentRuntime.Builder builder = CoherentRuntime.builder();
    if (cluster) {
      builder.redisCluster(Services.redisCluster().seeds());
    } else {
      builder.redisUri(Services.redis().url());
    }
    builder.instanceId(instanceId)
        .tenant(tenant)
        .commandTimeout(java.time.Duration.ofMillis(500))
        .maintenanceInterval(java.time.Duration.ofMillis(100));
    customizer.accept(builder);
    CoherentRuntime runtime = builder.build();
    open.add(runtime);
    return runtime;
  }

  /** Closes every runtime started so far, as instances that stop; the tenant stays. */
  public synchronized void closeAll() {
    for (CoherentRuntime runtime : open) {
      runtime.close();
    }
    open.clear();
  }

  @Override
  public synchronized void afterEach(ExtensionContext context) {
    for (CoherentRuntime runtime : open) {
      runtime.close();
    }
    open.clear();
    tenant = newTenant();
  }
}
