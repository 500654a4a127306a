package dev.coherent.core.internal;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.coherent.core.ChangeLogOptions;
import dev.coherent.core.ClusterHints;
import dev.coherent.core.Hint;
import dev.coherent.core.internal.redis.HintAuth;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.resource.ClientResources;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.DoubleSupplier;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * A runtime's configuration, as {@code CoherentRuntime.Builder} checked it (see its setters for
 * what each value means). Immutable: the builder copies what is mutable (the URIs, the password).
 * Standalone Redis has a {@code uri}; a cluster has {@code clusterSeeds} or a {@code
 * clusterClient} (then the seeds may be empty: the client has its own) and no {@code uri}.
 */
public record RuntimeSettings(
    @Nullable RedisURI uri,
    @Nullable RedisClient client,
    List<RedisURI> clusterSeeds,
    @Nullable RedisClusterClient clusterClient,
    ClusterHints clusterHints,
    @Nullable ClientResources clientResources,
    @Nullable String username,
    char @Nullable [] password,
    String instanceId,
    String tenant,
    String keyPrefix,
    String channelPrefix,
    MeterRegistry meterRegistry,
    Ticker ticker,
    Clock clock,
    DoubleSupplier random,
    @Nullable Executor loadExecutor,
    Duration commandTimeout,
    Duration maintenanceInterval,
    Duration leasePoll,
    Duration l1ClockResolution,
    Predicate<Hint> hintFilter,
    HintAuth hintAuth,
    @Nullable ChangeLogOptions changeLog,
    Duration reconcileInterval,
    Duration reconcileSpacing,
    Duration livenessTimeout,
    int validationSampleSize) {

  /** Whether this runtime runs on a Redis Cluster. */
  public boolean cluster() {
    return uri == null;
  }

  /** The root cause's message of {@code e}, for error messages that name what failed. */
  public static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.toString() : root.getMessage();
  }
}
