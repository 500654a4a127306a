package dev.coherent.core;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.coherent.core.internal.Checks;
import dev.coherent.core.internal.NamespaceCache;
import dev.coherent.core.internal.RuntimeEngine;
import dev.coherent.core.internal.RuntimeSettings;
import dev.coherent.core.internal.redis.HintAuth;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.resource.ClientResources;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * One per service instance, on one Redis server or one Redis Cluster ({@link
 * Builder#redisCluster(String...)}): owns one Redis command connection, one Pub/Sub connection, the
 * maintenance, reconciler and (with the default ticker) clock threads, the loader threads unless a
 * {@code loadExecutor} is given, and creates the namespaces ({@link NearCache}s). Build with
 * {@link #builder()}; close it at shutdown.
 *
 * <pre>{@code
 * try (CoherentRuntime runtime = CoherentRuntime.builder()
 *         .redisUri("redis://localhost:6379")
 *         .instanceId("catalog-1")
 *         .build()) {
 *   NearCache<Long, Product> products = runtime.namespace("catalog:product",
 *       Codecs.json(Product.class), NamespaceOptions.create(), String::valueOf, repository::load);
 *   Product p = products.get(42L);
 * }
 * }</pre>
 *
 * <p>Thread-safe. Namespaces are created under the runtime's lock; everything else is delegated
 * to thread-safe components (the engine in {@code internal}, Lettuce, Caffeine, concurrent maps).
 */
public final class CoherentRuntime implements AutoCloseable {
  /**
   * How long creating a namespace waits for its change-log catch-up (usually a few milliseconds:
   * the rows since the last synchronisation point); past it the namespace is handed out and reads
   * bypass L2 until the catch-up, retried every tick, has run.
   */
  private static final Duration CATCH_UP_WAIT = Duration.ofSeconds(10);

  private final RuntimeSettings settings;
  private final RuntimeEngine engine;
  /** What callers hold for each namespace: a public type only, never the internal class. */
  private final Map<String, Handle<?, ?>> handles = new ConcurrentHashMap<>();

  /** A namespace as handed out, with what it was created with (for {@link #getOrCreateNamespace}). */
  private record Handle<K, V>(NearCache<K, V> cache, NamespaceOptions options,
      Function<? super K, String> keyEncoder) {}

  private CoherentRuntime(RuntimeSettings settings) {
    this.settings = settings;
    this.engine = new RuntimeEngine(settings);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A namespace of String keys without a default loader (use {@code get(key, loader)}). */
  public <V> NearCache<String, V> namespace(String name, Codec<V> codec) {
    return namespace(name, codec, NamespaceOptions.create(), Function.identity(), null);
  }

  /** A namespace of String keys with a default loader. */
  public <V> NearCache<String, V> namespace(
      String name, Codec<V> codec, NamespaceOptions options, VersionedLoader<String, V> loader) {
    return namespace(name, codec, options, Function.identity(), loader);
  }

  /**
   * A namespace with any key type: {@code keyEncoder} turns a key into its string form in Redis
   * keys and hints (1 to 1024 characters; equal keys must give equal strings).
   *
   * @throws IllegalArgumentException if the name is not a valid namespace name
   * @throws IllegalStateException if the name is taken in this runtime, the runtime is closed, or
   *     Redis does not answer (the namespace reads its epoch and subscribes)
   */
  public synchronized <K, V> NearCache<K, V> namespace(
      String name,
      Codec<V> codec,
      NamespaceOptions options,
      Function<? super K, String> keyEncoder,
      @Nullable VersionedLoader<? super K, V> loader) {
    NearCache<K, V> created = create(name, codec, options, keyEncoder, loader);
    if (created == null) {
      throw new IllegalStateException("namespace " + name + " already exists in runtime "
          + settings.instanceId() + "; look it up with namespace(name) instead");
    }
    return created;
  }

  /**
   * The namespace {@code name}, created as {@link #namespace(String, Codec, NamespaceOptions,
   * Function, VersionedLoader)} does on the first call; later calls return the same one, as a
   * Hibernate {@code RegionFactory} or a Spring {@code CacheManager} asks for a region again.
   *
   * @throws IllegalStateException if the namespace exists with other options or another key
   *     encoder (codec and loader cannot be compared; the first call's are kept), or the runtime
   *     is closed
   */
  @SuppressWarnings("unchecked")
  public synchronized <K, V> NearCache<K, V> getOrCreateNamespace(
      String name,
      Codec<V> codec,
      NamespaceOptions options,
      Function<? super K, String> keyEncoder,
      @Nullable VersionedLoader<? super K, V> loader) {
    engine.checkOpen();
    Handle<?, ?> existing = handles.get(name);
    if (existing == null) {
      return Objects.requireNonNull(create(name, codec, options, keyEncoder, loader), name);
    }
    if (!existing.options().equals(options) || existing.keyEncoder() != keyEncoder) {
      throw new IllegalStateException("namespace " + name + " exists in runtime "
          + settings.instanceId() + " with " + (existing.options().equals(options)
              ? "another key encoder" : "other options (" + existing.options() + ")")
          + "; ask for it with the options and key encoder it was created with");
    }
    return (NearCache<K, V>) existing.cache();
  }

  private <K, V> @Nullable NearCache<K, V> create(String name, Codec<V> codec,
      NamespaceOptions options, Function<? super K, String> keyEncoder,
      @Nullable VersionedLoader<? super K, V> loader) {
    Checks.name("namespace", name);
    Objects.requireNonNull(codec, "codec");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(keyEncoder, "keyEncoder");
    NamespaceCache<K, V> cache =
        engine.create(name, codec, options, keyEncoder, loader, CATCH_UP_WAIT);
    if (cache == null) {
      return null;
    }
    NearCache<K, V> handle = new CoherentNearCache<>(cache);
    handles.put(name, new Handle<>(handle, options, keyEncoder));
    return handle;
  }

  /** An existing namespace by name. */
  @SuppressWarnings("unchecked")
  public <K, V> NearCache<K, V> namespace(String name) {
    Handle<?, ?> handle = handles.get(name);
    if (handle == null) {
      throw new IllegalArgumentException("no namespace " + name + " in runtime "
          + settings.instanceId() + "; known: " + handles.keySet());
    }
    return (NearCache<K, V>) handle.cache();
  }

  /** Every namespace of this runtime. */
  public Collection<NearCache<?, ?>> namespaces() {
    List<NearCache<?, ?>> all = new ArrayList<>();
    handles.values().forEach(handle -> all.add(handle.cache()));
    return List.copyOf(all);
  }

  public String instanceId() {
    return settings.instanceId();
  }

  public String tenant() {
    return settings.tenant();
  }

  public MeterRegistry meterRegistry() {
    return settings.meterRegistry();
  }

  /**
   * The update timestamps of {@code scope} (see {@link UpdateTimestamps}): the same for every
   * instance of the same tenant and key prefix, created on first use.
   *
   * @throws IllegalArgumentException if {@code scope} is not a valid name (as a namespace's)
   * @throws IllegalStateException if the runtime is closed
   */
  public UpdateTimestamps updateTimestamps(String scope) {
    return new CoherentUpdateTimestamps(
        engine.updateTimestamps(Checks.name("update timestamps scope", scope)));
  }

  /** Whether the Pub/Sub connection is open right now. */
  public boolean subscriberConnected() {
    return engine.redis().subscriberConnected();
  }

  /**
   * Whether Redis answers a PING now. Blocks for up to {@code commandTimeout} when Redis is slow
   * or paused: do not call it on a request thread that must not wait.
   */
  public boolean redisReachable() {
    return engine.redis().reachable();
  }

  /**
   * Runs one reconcile tick now and waits for it: the change-log poll, then the Redis-side checks
   * and the validation sample.
   */
  public void reconcileNow() {
    engine.reconcileNow();
  }

  @Override
  public void close() {
    engine.close();
  }

  /**
   * Configures a {@link CoherentRuntime}. Each setter checks its argument; {@link #build()} checks
   * the combination, connects, and seals the builder (every later setter or build throws
   * {@link IllegalStateException}). Not thread-safe.
   */
  public static final class Builder {
    /** A command that takes longer than this counts as Redis being down (reads go to the source). */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(1);
    /** How often pending writes are replayed and failed reconciles retried. */
    public static final Duration DEFAULT_MAINTENANCE_INTERVAL = Duration.ofSeconds(1);
    /** How often the L1 clock is refreshed: L1 deadlines hold to about this. */
    public static final Duration DEFAULT_L1_CLOCK_RESOLUTION = Duration.ofMillis(10);
    /** How often an instance waiting on another's load lease looks at L2. */
    public static final Duration DEFAULT_LEASE_POLL = Duration.ofMillis(5);
    public static final String DEFAULT_TENANT = "default";
    public static final String DEFAULT_KEY_PREFIX = "coherent";
    public static final String DEFAULT_CHANNEL_PREFIX = "pubsub";
    /** The staleness bound with every hint lost is about this plus one poll. */
    public static final Duration DEFAULT_RECONCILE_INTERVAL = Duration.ofSeconds(5);
    /**
     * Requested reconciles (a sequence gap, a resubscription...) start at most this often: at 30 %
     * hint loss a namespace sees a gap per few hints, and each would otherwise be a poll.
     */
    public static final Duration DEFAULT_RECONCILE_SPACING = Duration.ofMillis(250);
    /** A quiet channel is normal; a quiet channel that does not answer PING is not. */
    public static final Duration DEFAULT_LIVENESS_TIMEOUT = Duration.ofSeconds(5);
    /** A few entries a tick catch a lost invalidation cheaply; alert on coherent.stale.detected. */
    public static final int DEFAULT_VALIDATION_SAMPLE_SIZE = 16;

    private @Nullable RedisURI uri;
    private @Nullable RedisClient client;
    private List<RedisURI> clusterSeeds = List.of();
    private @Nullable RedisClusterClient clusterClient;
    private @Nullable ClusterHints clusterHints;
    private @Nullable ClientResources clientResources;
    private @Nullable String username;
    private char @Nullable [] password;
    private String instanceId = Checks.defaultInstanceId();
    private String tenant = DEFAULT_TENANT;
    private String keyPrefix = DEFAULT_KEY_PREFIX;
    private String channelPrefix = DEFAULT_CHANNEL_PREFIX;
    private MeterRegistry meterRegistry = new SimpleMeterRegistry();
    private Ticker ticker = Ticker.systemTicker();
    private Clock clock = Clock.systemUTC();
    private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();
    private @Nullable Executor loadExecutor;
    private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
    private Duration maintenanceInterval = DEFAULT_MAINTENANCE_INTERVAL;
    private Duration leasePoll = DEFAULT_LEASE_POLL;
    private Duration l1ClockResolution = DEFAULT_L1_CLOCK_RESOLUTION;
    private Predicate<Hint> hintFilter = hint -> true;
    private HintAuth hintAuth = HintAuth.none();
    private @Nullable ChangeLogOptions changeLog;
    private Duration reconcileInterval = DEFAULT_RECONCILE_INTERVAL;
    private Duration reconcileSpacing = DEFAULT_RECONCILE_SPACING;
    private Duration livenessTimeout = DEFAULT_LIVENESS_TIMEOUT;
    private int validationSampleSize = DEFAULT_VALIDATION_SAMPLE_SIZE;
    /** Set by a successful {@link #build()}: the runtime reads this builder as its configuration. */
    private boolean sealed;

    private Builder() {}

    /**
     * Reconciles from the PostgreSQL change log (see {@code coherent-db}): with every hint lost, a
     * read returns a version at least as new as any committed more than {@code reconcileInterval}
     * plus one poll ago. Without it, reconciles flush L1 locally instead.
     */
    public Builder changeLog(ChangeLogOptions options) {
      checkUnsealed("changeLog");
      this.changeLog = Objects.requireNonNull(options, "changeLog");
      return this;
    }

    /** Period of the reconcile tick (change-log poll, Redis-side check, validation), 250 ms to 10 min. */
    public Builder reconcileInterval(Duration interval) {
      checkUnsealed("reconcileInterval");
      this.reconcileInterval = Checks.within("reconcileInterval", interval, Duration.ofMillis(250),
          Duration.ofMinutes(10));
      return this;
    }

    /**
     * Minimum time between the starts of two requested reconciles (a sequence gap, a
     * resubscription, a buffer overflow...), 10 ms to 10 min and at most {@link
     * #reconcileInterval}: requests that come sooner wait and share one change-log poll. The
     * freshness bound does not depend on it (the periodic poll does not wait); it caps the polls
     * a storm of lost hints costs at about one per spacing and interval.
     */
    public Builder reconcileSpacing(Duration spacing) {
      checkUnsealed("reconcileSpacing");
      this.reconcileSpacing = Checks.within("reconcileSpacing", spacing, Duration.ofMillis(10),
          Duration.ofMinutes(10));
      return this;
    }

    /** Silence after which the subscriber is PINGed; no answer counts as down. 100 ms to 10 min. */
    public Builder livenessTimeout(Duration timeout) {
      checkUnsealed("livenessTimeout");
      this.livenessTimeout = Checks.within("livenessTimeout", timeout, Duration.ofMillis(100),
          Duration.ofMinutes(10));
      return this;
    }

    /** L1 entries per namespace checked against L2 each tick, 0 (off) to 10,000. */
    public Builder validationSampleSize(int entries) {
      checkUnsealed("validationSampleSize");
      if (entries < 0 || entries > 10_000) {
        throw new IllegalArgumentException(
            "validationSampleSize must be from 0 to 10000 but was " + entries);
      }
      this.validationSampleSize = entries;
      return this;
    }

    /**
     * The Redis server: {@code redis://[user:password@]host:port[/db]}, or {@code rediss://...}
     * for TLS.
     */
    public Builder redisUri(String uri) {
      checkUnsealed("redisUri");
      this.uri = Checks.redisUri("redisUri", uri);
      return this;
    }

    /**
     * A Redis Cluster, by one or more seed nodes ({@code redis://host:port} or {@code
     * rediss://...}, as {@link #redisUri(String)}): the client discovers the other nodes. Every
     * key of a namespace is in one slot (hash tag {@code {tenant:namespace}}), and hints travel
     * as {@link #clusterHints} says. Instead of {@link #redisUri}.
     */
    public Builder redisCluster(String... seedUris) {
      checkUnsealed("redisCluster");
      Objects.requireNonNull(seedUris, "redisCluster");
      List<RedisURI> seeds = new ArrayList<>();
      for (String seed : seedUris) {
        seeds.add(Checks.redisUri("redisCluster seed", seed));
      }
      this.clusterSeeds = Checks.clusterSeeds(seeds);
      return this;
    }

    /** A Redis Cluster by Lettuce {@link RedisURI} seeds (copied), as {@link #redisCluster(String...)}. */
    public Builder redisCluster(Collection<RedisURI> seedUris) {
      checkUnsealed("redisCluster");
      Objects.requireNonNull(seedUris, "redisCluster");
      List<RedisURI> seeds = new ArrayList<>();
      for (RedisURI seed : seedUris) {
        seeds.add(RedisURI.builder(Objects.requireNonNull(seed, "redisCluster seed")).build());
      }
      this.clusterSeeds = Checks.clusterSeeds(seeds);
      return this;
    }

    /**
     * An existing cluster client to share (not closed by the runtime); it connects to its own
     * seeds, and its options are left as they are (Coherent's own client fails fast while
     * disconnected and refreshes the topology periodically and on MOVED: configure it alike).
     */
    public Builder redisClusterClient(RedisClusterClient client) {
      checkUnsealed("redisClusterClient");
      this.clusterClient = Objects.requireNonNull(client, "redisClusterClient");
      return this;
    }

    /**
     * How hints travel on a cluster: {@link ClusterHints#SHARDED} (the default; Redis 7+, checked
     * at {@link #build}) or {@link ClusterHints#CLASSIC} (Redis 6 clusters). Every instance of a
     * tenant must use the same mode (docs/protocol.md, "Hint channels"). Cluster only.
     */
    public Builder clusterHints(ClusterHints mode) {
      checkUnsealed("clusterHints");
      this.clusterHints = Objects.requireNonNull(mode, "clusterHints");
      return this;
    }

    /** The Redis server as a Lettuce {@link RedisURI} (copied; later changes do not apply). */
    public Builder redisUri(RedisURI uri) {
      checkUnsealed("redisUri");
      this.uri = RedisURI.builder(Objects.requireNonNull(uri, "redisUri")).build();
      return this;
    }

    /** An existing standalone client to share (not closed by the runtime); still needs {@link #redisUri}. */
    public Builder redisClient(RedisClient client) {
      checkUnsealed("redisClient");
      this.client = Objects.requireNonNull(client, "redisClient");
      return this;
    }

    /**
     * Event loops to share (not shut down by the runtime); the runtime still creates and owns its
     * client, configured to fail fast while disconnected. Ignored with {@link #redisClient}.
     */
    public Builder clientResources(ClientResources resources) {
      checkUnsealed("clientResources");
      this.clientResources = Objects.requireNonNull(resources, "clientResources");
      return this;
    }

    /** ACL user and password, overriding any in the URI. */
    public Builder credentials(@Nullable String username, char[] password) {
      checkUnsealed("credentials");
      this.username = username;
      this.password = Objects.requireNonNull(password, "password").clone();
      return this;
    }

    /** Unique per running instance; appears in hints as their origin. Default: host-pid-random. */
    public Builder instanceId(String instanceId) {
      checkUnsealed("instanceId");
      Checks.name("instanceId", instanceId);
      this.instanceId = instanceId;
      return this;
    }

    /** Tenants have separate keys and channels; hints of another tenant are ignored. */
    public Builder tenant(String tenant) {
      checkUnsealed("tenant");
      this.tenant = Checks.tenant(tenant);
      return this;
    }

    public Builder keyPrefix(String keyPrefix) {
      checkUnsealed("keyPrefix");
      Checks.name("keyPrefix", keyPrefix);
      this.keyPrefix = keyPrefix;
      return this;
    }

    public Builder channelPrefix(String channelPrefix) {
      checkUnsealed("channelPrefix");
      Checks.name("channelPrefix", channelPrefix);
      this.channelPrefix = channelPrefix;
      return this;
    }

    /** Where {@code coherent.*} meters go; default a private {@link SimpleMeterRegistry}. */
    public Builder meterRegistry(MeterRegistry registry) {
      checkUnsealed("meterRegistry");
      this.meterRegistry = Objects.requireNonNull(registry, "meterRegistry");
      return this;
    }

    /**
     * Time source of L1 expiry, lease waits and timers; tests pass a fake. With the default
     * system ticker, L1 hits read a copy of it refreshed every {@link #l1ClockResolution}; a ticker
     * given here is read directly on every hit instead (precise and deterministic, but each read
     * of {@code System.nanoTime()} on the hit path costs far more than the lookup itself).
     */
    public Builder ticker(Ticker ticker) {
      checkUnsealed("ticker");
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /** Wall clock for hint timestamps and initial epochs. */
    public Builder clock(Clock clock) {
      checkUnsealed("clock");
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Uniform [0, 1) source for TTL jitter (tests pass a seeded or fixed one). */
    public Builder random(DoubleSupplier random) {
      checkUnsealed("random");
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /** Runs loads; default a cached pool of daemon threads owned by the runtime. */
    public Builder loadExecutor(Executor executor) {
      checkUnsealed("loadExecutor");
      this.loadExecutor = Objects.requireNonNull(executor, "loadExecutor");
      return this;
    }

    /** Redis command timeout, 10 ms to 60 s. */
    public Builder commandTimeout(Duration timeout) {
      checkUnsealed("commandTimeout");
      this.commandTimeout = Checks.within("commandTimeout", timeout, Duration.ofMillis(10),
          Duration.ofSeconds(60));
      return this;
    }

    /** Period of replaying failed writes and retrying reconciles, 10 ms to 1 min. */
    public Builder maintenanceInterval(Duration interval) {
      checkUnsealed("maintenanceInterval");
      this.maintenanceInterval = Checks.within("maintenanceInterval", interval, Duration.ofMillis(10),
          Duration.ofMinutes(1));
      return this;
    }

    /**
     * How often the clock that L1 hits read is refreshed from the system ticker, 1 ms to 1 s
     * (default 10 ms). An L1 TTL is met to within about this, early or late; a stalled refresh
     * thread makes it later. Ignored when a {@link #ticker} is configured.
     */
    public Builder l1ClockResolution(Duration resolution) {
      checkUnsealed("l1ClockResolution");
      this.l1ClockResolution = Checks.within("l1ClockResolution", resolution, Duration.ofMillis(1),
          Duration.ofSeconds(1));
      return this;
    }

    /** Poll period of a lease waiter, 1 ms to 1 s. */
    public Builder leasePoll(Duration poll) {
      checkUnsealed("leasePoll");
      this.leasePoll = Checks.within("leasePoll", poll, Duration.ofMillis(1), Duration.ofSeconds(1));
      return this;
    }

    /**
     * Fault injection for tests and demos: a received hint the predicate rejects is dropped as if
     * Pub/Sub had lost it. Never use it to filter in production.
     */
    public Builder hintFilter(Predicate<Hint> filter) {
      checkUnsealed("hintFilter");
      this.hintFilter = Objects.requireNonNull(filter, "hintFilter");
      return this;
    }

    /**
     * Authenticated hints: this instance signs every hint it publishes with HMAC-SHA256 under
     * {@code signingKey} and drops every hint that is unsigned or whose signature matches none of
     * {@code signingKey} and {@code alsoAccepted} (counted as {@code
     * coherent.hints.rejected{reason=unsigned|bad_signature}}). Every instance of a tenant needs
     * the same key; {@code alsoAccepted} lets keys rotate without dropping hints (see
     * docs/operations.md). Keys are at least 16 bytes (32 random bytes recommended) and copied.
     */
    public Builder authenticatedHints(byte[] signingKey, byte[]... alsoAccepted) {
      checkUnsealed("authenticatedHints");
      Objects.requireNonNull(signingKey, "signingKey");
      Objects.requireNonNull(alsoAccepted, "alsoAccepted");
      this.hintAuth = HintAuth.of(signingKey, List.of(alsoAccepted));
      return this;
    }

    /**
     * Connects and starts the runtime, and seals this builder: a runtime's configuration never
     * changes after it is built, and one builder builds one runtime (two runtimes with one
     * instance id would ignore each other's hints). A build that fails leaves it open.
     *
     * @throws IllegalStateException if this builder already built a runtime, or the runtime
     *     cannot start (Redis or the change log unreachable)
     */
    public CoherentRuntime build() {
      checkUnsealed("build");
      Checks.redisTarget(uri, !clusterSeeds.isEmpty(), clusterClient != null, client != null,
          clusterHints);
      if (reconcileSpacing.compareTo(reconcileInterval) > 0) {
        throw new IllegalStateException("reconcileSpacing (" + reconcileSpacing + ") must not"
            + " exceed reconcileInterval (" + reconcileInterval + ")");
      }
      sealed = true;
      try {
        return new CoherentRuntime(new RuntimeSettings(uri, client, clusterSeeds, clusterClient,
            clusterHints == null ? ClusterHints.SHARDED : clusterHints, clientResources, username,
            password == null ? null : password.clone(), instanceId, tenant, keyPrefix,
            channelPrefix, meterRegistry, ticker, clock, random, loadExecutor, commandTimeout,
            maintenanceInterval, leasePoll, l1ClockResolution, hintFilter, hintAuth, changeLog,
            reconcileInterval, reconcileSpacing, livenessTimeout, validationSampleSize));
      } catch (RuntimeException | Error e) {
        sealed = false;
        throw e;
      }
    }

    private void checkUnsealed(String what) {
      if (sealed) {
        throw new IllegalStateException("this builder already built runtime " + instanceId
            + "; its configuration cannot change and it builds no other runtime (" + what
            + "); use CoherentRuntime.builder() for another one");
      }
    }
  }
}
