package dev.coherent.core;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.coherent.core.internal.CoarseTicker;
import dev.coherent.core.internal.HintAuth;
import dev.coherent.core.internal.HintCodec;
import dev.coherent.core.internal.NamespaceCache;
import dev.coherent.core.internal.ReconcileLoop;
import dev.coherent.core.internal.RuntimeContext;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One per service instance: owns one Redis command connection, one Pub/Sub connection, the loader
 * threads and the maintenance thread, and creates the namespaces ({@link NearCache}s). Build with
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
 * to thread-safe components (Lettuce connections, Caffeine, concurrent maps).
 */
public final class CoherentRuntime implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CoherentRuntime.class);
  /** Names, tenants and prefixes end up in Redis keys and channel names: keep them plain. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}");
  /**
   * Tenants have no ':' so that the hash tag {tenant:namespace} and the channel suffix
   * :namespace:tenant are unambiguous (tenant "a:b" + namespace "c" vs tenant "a" + "b:c").
   */
  private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");
  /**
   * How long creating a namespace waits for its change-log catch-up (usually a few milliseconds:
   * the rows since the last synchronisation point); past it the namespace is handed out and reads
   * bypass L2 until the catch-up, retried every tick, has run.
   */
  private static final Duration CATCH_UP_WAIT = Duration.ofSeconds(10);

  private final Builder config;
  private final RedisClient client;
  private final boolean ownsClient;
  private final StatefulRedisConnection<String, byte[]> commands;
  private final StatefulRedisPubSubConnection<String, String> pubsub;
  private final ExecutorService loaders;
  private final ScheduledExecutorService maintenance;
  private final ScheduledExecutorService reconcileExecutor;
  /** Refreshes the L1 clock; null when a ticker was configured (then L1 reads it directly). */
  private final @Nullable ScheduledExecutorService clockExecutor;
  private final ReconcileLoop reconcileLoop;
  private final RuntimeContext context;
  private final HintCodec hintCodec;
  private final Map<String, NamespaceCache<?, ?>> byChannel = new ConcurrentHashMap<>();
  private final Map<String, NamespaceCache<?, ?>> byName = new ConcurrentHashMap<>();
  private final RedisConnectionStateListener connectionListener;
  private final io.micrometer.core.instrument.Counter reconnects;
  private volatile boolean subscriberWasDown;
  private volatile boolean closed;

  private CoherentRuntime(Builder b) {
    this.config = b;
    this.hintCodec = new HintCodec(b.hintAuth);
    this.ownsClient = b.client == null;
    RedisURI uri = RedisURI.builder(Objects.requireNonNull(b.uri, "redisUri")).build();
    if (b.password != null) {
      if (b.username != null) {
        uri.setAuthentication(b.username, b.password);
      } else {
        uri.setAuthentication(b.password);
      }
    }
    uri.setTimeout(b.commandTimeout);
    // CLIENT LIST shows which instance a connection belongs to (operators, fault scenarios).
    uri.setClientName(b.instanceId);
    if (ownsClient) {
      this.client = b.clientResources == null ? RedisClient.create()
          : RedisClient.create(b.clientResources);
      client.setOptions(ClientOptions.builder()
          // Fail fast while disconnected: a read then goes to the source instead of queueing.
          .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
          .autoReconnect(true)
          .timeoutOptions(TimeoutOptions.enabled(b.commandTimeout))
          .build());
    } else {
      this.client = b.client;
    }
    RedisURI target = uri;
    try {
      this.commands = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE), target);
      commands.setTimeout(b.commandTimeout);
      this.pubsub = client.connectPubSub(StringCodec.UTF8, target);
    } catch (RedisException e) {
      if (ownsClient) {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
      }
      throw new IllegalStateException("Coherent cannot connect to Redis at "
          + redact(target) + ": " + rootMessage(e)
          + " (check the Redis URI, credentials and TLS settings)", e);
    }
    this.loaders = b.loadExecutor != null ? null : Executors.newCachedThreadPool(daemon("coherent-loader"));
    this.maintenance = Executors.newSingleThreadScheduledExecutor(daemon("coherent-maintenance"));
    this.reconcileExecutor =
        Executors.newSingleThreadScheduledExecutor(daemon("coherent-reconciler"));
    this.reconcileLoop = new ReconcileLoop(reconcileExecutor, maintenance, b.changeLog,
        b.reconcileInterval, b.reconcileSpacing,
        b.livenessTimeout, b.validationSampleSize, () -> List.copyOf(byName.values()),
        byName::get, this::pingSubscriber, b.ticker, b.meterRegistry);
    Ticker l1Ticker = b.ticker;
    if (b.ticker == Ticker.systemTicker()) {
      this.clockExecutor = Executors.newSingleThreadScheduledExecutor(daemon("coherent-clock"));
      l1Ticker = new CoarseTicker(b.ticker, b.l1ClockResolution, clockExecutor);
    } else {
      this.clockExecutor = null;
    }
    this.context = new RuntimeContext(
        b.instanceId, b.tenant, b.keyPrefix, b.channelPrefix, commands.sync(), b.meterRegistry,
        b.ticker, l1Ticker, b.clock, b.random, b.loadExecutor != null ? b.loadExecutor : loaders,
        maintenance, reconcileExecutor, b.leasePoll, b.hintFilter);
    pubsub.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void message(String channel, String message) {
        reconcileLoop.traffic();
        NamespaceCache<?, ?> namespace = byChannel.get(channel);
        if (namespace != null) {
          namespace.onMessage(message);
        }
      }

      @Override
      public void subscribed(String channel, long count) {
        reconcileLoop.traffic();
        NamespaceCache<?, ?> namespace = byChannel.get(channel);
        if (namespace != null) {
          namespace.subscribed();
        }
      }
    });
    this.connectionListener = new RedisConnectionStateListener() {
      @Override
      public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
        if (connection == pubsub) {
          subscriberWasDown = true;
          byName.values().forEach(NamespaceCache::subscriberDown);
        }
      }

      @Override
      public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
        if (connection == pubsub && subscriberWasDown) {
          subscriberWasDown = false;
          reconnects.increment();
        }
        // Resubscription follows; each namespace reconciles on its subscribed() callback.
      }
    };
    client.addListener(connectionListener);
    this.reconnects = io.micrometer.core.instrument.Counter.builder("coherent.reconcile.reconnects")
        .description("Pub/Sub reconnections").register(b.meterRegistry);
    long period = b.maintenanceInterval.toMillis();
    maintenance.scheduleWithFixedDelay(this::maintain, period, period, TimeUnit.MILLISECONDS);
    try {
      reconcileLoop.start();
    } catch (java.sql.SQLException | RuntimeException e) {
      closeQuietly();
      throw new IllegalStateException("Coherent cannot read the change log ("
          + (b.changeLog == null ? "none" : b.changeLog.table()) + "): " + rootMessage(e)
          + " (is the coherent-db schema migrated and the database reachable?)", e);
    }
    log.info("Coherent runtime {} (tenant {}) connected to Redis at {}", b.instanceId, b.tenant,
        redact(target));
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
   * @throws IllegalStateException if the name is taken in this runtime, or the runtime is closed
   */
  public synchronized <K, V> NearCache<K, V> namespace(
      String name,
      Codec<V> codec,
      NamespaceOptions options,
      Function<? super K, String> keyEncoder,
      @Nullable VersionedLoader<? super K, V> loader) {
    checkName("namespace", name);
    Objects.requireNonNull(codec, "codec");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(keyEncoder, "keyEncoder");
    if (closed) {
      throw new IllegalStateException("runtime " + config.instanceId + " is closed");
    }
    if (byName.containsKey(name)) {
      throw new IllegalStateException("namespace " + name + " already exists in runtime "
          + config.instanceId + "; look it up with namespace(name) instead");
    }
    NamespaceCache<K, V> cache =
        new NamespaceCache<>(name, options, codec, keyEncoder, loader, context, hintCodec);
    long synced;
    try {
      synced = cache.start();
    } catch (RedisException e) {
      throw new IllegalStateException("namespace " + name + ": cannot read its epoch from Redis: "
          + rootMessage(e), e);
    }
    cache.reconciler(reconcileLoop);
    // Before byName.put: no one may read L2 through it before its catch-up (which starts below,
    // once every poll includes it).
    reconcileLoop.prepare(cache, synced);
    byName.put(name, cache);
    byChannel.put(cache.channel(), cache);
    try {
      pubsub.sync().subscribe(cache.channel());
    } catch (RedisException e) {
      byName.remove(name);
      byChannel.remove(cache.channel());
      throw new IllegalStateException("namespace " + name + ": cannot subscribe to "
          + cache.channel() + ": " + rootMessage(e), e);
    }
    reconcileLoop.catchUp(cache, synced, CATCH_UP_WAIT);
    return cache;
  }

  /** An existing namespace by name. */
  @SuppressWarnings("unchecked")
  public <K, V> NearCache<K, V> namespace(String name) {
    NamespaceCache<?, ?> cache = byName.get(name);
    if (cache == null) {
      throw new IllegalArgumentException("no namespace " + name + " in runtime "
          + config.instanceId + "; known: " + byName.keySet());
    }
    return (NearCache<K, V>) cache;
  }

  /** Every namespace of this runtime. */
  public Collection<NearCache<?, ?>> namespaces() {
    return List.copyOf(byName.values());
  }

  public String instanceId() {
    return config.instanceId;
  }

  public String tenant() {
    return config.tenant;
  }

  public MeterRegistry meterRegistry() {
    return config.meterRegistry;
  }

  /** Whether the Pub/Sub connection is open right now. */
  public boolean subscriberConnected() {
    return pubsub.isOpen();
  }

  /**
   * Whether Redis answers a PING now. Blocks for up to {@code commandTimeout} when Redis is slow
   * or paused: do not call it on a request thread that must not wait.
   */
  public boolean redisReachable() {
    try {
      return "PONG".equals(new String(commands.sync().ping().getBytes()));
    } catch (RedisException e) {
      return false;
    }
  }

  /**
   * Runs one reconcile tick now and waits for it: the change-log poll, then the Redis-side checks
   * and the validation sample.
   */
  public void reconcileNow() {
    try {
      reconcileExecutor.submit(reconcileLoop::tick).get();
      maintenance.submit(reconcileLoop::checkRedis).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("reconcile failed", e.getCause());
    }
  }

  private CompletableFuture<?> pingSubscriber() {
    return pubsub.async().ping().toCompletableFuture();
  }

  private void maintain() {
    for (NamespaceCache<?, ?> cache : byName.values()) {
      try {
        cache.maintain();
      } catch (RuntimeException e) {
        log.warn("maintenance of namespace {} failed", cache.name(), e);
      }
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    closeQuietly();
  }

  private void closeQuietly() {
    client.removeListener(connectionListener);
    // First, so that no namespace starts a load or serves L1 from here on (the L1 clock stops).
    byName.values().forEach(NamespaceCache::close);
    maintenance.shutdownNow();
    reconcileExecutor.shutdownNow();
    if (loaders != null) {
      loaders.shutdownNow();
    }
    if (clockExecutor != null) {
      clockExecutor.shutdownNow();
    }
    // Let a tick or reconcile under way finish before its connections go away.
    awaitQuietly(maintenance);
    awaitQuietly(reconcileExecutor);
    pubsub.close();
    commands.close();
    if (ownsClient) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  private static void awaitQuietly(ExecutorService executor) {
    try {
      executor.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String redact(RedisURI uri) {
    return (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort();
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.toString() : root.getMessage();
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger counter = new AtomicInteger();
    return runnable -> {
      Thread t = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private static void checkName(String what, String value) {
    if (value == null || !NAME.matcher(value).matches()) {
      throw new IllegalArgumentException(what + " '" + value + "' must be 1 to 100 characters of"
          + " letters, digits, '_', '.', ':' or '-', starting with a letter or digit");
    }
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
    private io.lettuce.core.resource.@Nullable ClientResources clientResources;
    private @Nullable String username;
    private char @Nullable [] password;
    private String instanceId = defaultInstanceId();
    private String tenant = DEFAULT_TENANT;
    private String keyPrefix = DEFAULT_KEY_PREFIX;
    private String channelPrefix = DEFAULT_CHANNEL_PREFIX;
    private MeterRegistry meterRegistry = new SimpleMeterRegistry();
    private Ticker ticker = Ticker.systemTicker();
    private Clock clock = Clock.systemUTC();
    private DoubleSupplier random = () -> java.util.concurrent.ThreadLocalRandom.current().nextDouble();
    private java.util.concurrent.@Nullable Executor loadExecutor;
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
      this.reconcileInterval = within("reconcileInterval", interval, Duration.ofMillis(250),
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
      this.reconcileSpacing = within("reconcileSpacing", spacing, Duration.ofMillis(10),
          Duration.ofMinutes(10));
      return this;
    }

    /** Silence after which the subscriber is PINGed; no answer counts as down. 100 ms to 10 min. */
    public Builder livenessTimeout(Duration timeout) {
      checkUnsealed("livenessTimeout");
      this.livenessTimeout = within("livenessTimeout", timeout, Duration.ofMillis(100),
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
      Objects.requireNonNull(uri, "redisUri");
      try {
        this.uri = RedisURI.create(uri);
      } catch (RuntimeException e) {
        // Lettuce's own message may quote part of the password: leave it out when there is one.
        String detail = uri.contains("@") ? "" : " (" + e.getMessage() + ")";
        throw new IllegalArgumentException("redisUri '"
            + uri.replaceFirst("^([A-Za-z]+://)([^:@/]*):.*@", "$1$2:***@")
            + "' is not a Redis URI" + detail + "; expected redis://host:port or"
            + " rediss://host:port", uri.contains("@") ? null : e);
      }
      return this;
    }

    /** The Redis server as a Lettuce {@link RedisURI} (copied; later changes do not apply). */
    public Builder redisUri(RedisURI uri) {
      checkUnsealed("redisUri");
      this.uri = RedisURI.builder(Objects.requireNonNull(uri, "redisUri")).build();
      return this;
    }

    /** An existing client to share (not closed by the runtime); still needs {@link #redisUri}. */
    public Builder redisClient(RedisClient client) {
      checkUnsealed("redisClient");
      this.client = Objects.requireNonNull(client, "redisClient");
      return this;
    }

    /**
     * Event loops to share (not shut down by the runtime); the runtime still creates and owns its
     * client, configured to fail fast while disconnected. Ignored with {@link #redisClient}.
     */
    public Builder clientResources(io.lettuce.core.resource.ClientResources resources) {
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
      checkName("instanceId", instanceId);
      this.instanceId = instanceId;
      return this;
    }

    /** Tenants have separate keys and channels; hints of another tenant are ignored. */
    public Builder tenant(String tenant) {
      checkUnsealed("tenant");
      if (tenant == null || !TENANT.matcher(tenant).matches()) {
        throw new IllegalArgumentException("tenant '" + tenant + "' must be 1 to 100 characters of"
            + " letters, digits, '_', '.' or '-', starting with a letter or digit (no ':')");
      }
      this.tenant = tenant;
      return this;
    }

    public Builder keyPrefix(String keyPrefix) {
      checkUnsealed("keyPrefix");
      checkName("keyPrefix", keyPrefix);
      this.keyPrefix = keyPrefix;
      return this;
    }

    public Builder channelPrefix(String channelPrefix) {
      checkUnsealed("channelPrefix");
      checkName("channelPrefix", channelPrefix);
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
    public Builder loadExecutor(java.util.concurrent.Executor executor) {
      checkUnsealed("loadExecutor");
      this.loadExecutor = Objects.requireNonNull(executor, "loadExecutor");
      return this;
    }

    /** Redis command timeout, 10 ms to 60 s. */
    public Builder commandTimeout(Duration timeout) {
      checkUnsealed("commandTimeout");
      this.commandTimeout = within("commandTimeout", timeout, Duration.ofMillis(10),
          Duration.ofSeconds(60));
      return this;
    }

    /** Period of replaying failed writes and retrying reconciles, 10 ms to 1 min. */
    public Builder maintenanceInterval(Duration interval) {
      checkUnsealed("maintenanceInterval");
      this.maintenanceInterval = within("maintenanceInterval", interval, Duration.ofMillis(10),
          Duration.ofMinutes(1));
      return this;
    }

    /**
     * How often the clock that L1 hits read is refreshed from the system ticker, 1 ms to 1 s
     * (default 10 ms). An L1 TTL is met to within about this, early or late; a stalled refresh
     * thread makes it later. Ignored when a {@link #ticker} is configured.
     */
    public Builder l1ClockResolution(Duration resolution) {
      this.l1ClockResolution = within("l1ClockResolution", resolution, Duration.ofMillis(1),
          Duration.ofSeconds(1));
      return this;
    }

    /** Poll period of a lease waiter, 1 ms to 1 s. */
    public Builder leasePoll(Duration poll) {
      checkUnsealed("leasePoll");
      this.leasePoll = within("leasePoll", poll, Duration.ofMillis(1), Duration.ofSeconds(1));
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
      if (uri == null) {
        throw new IllegalStateException("redisUri is required (e.g. redis://localhost:6379)");
      }
      if (reconcileSpacing.compareTo(reconcileInterval) > 0) {
        throw new IllegalStateException("reconcileSpacing (" + reconcileSpacing + ") must not"
            + " exceed reconcileInterval (" + reconcileInterval + ")");
      }
      sealed = true;
      try {
        return new CoherentRuntime(this);
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

    private static Duration within(String name, Duration value, Duration min, Duration max) {
      Objects.requireNonNull(value, name);
      if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
        throw new IllegalArgumentException(name + " must be from " + min + " to " + max
            + " but was " + value);
      }
      return value;
    }

    private static String defaultInstanceId() {
      String host;
      try {
        host = java.net.InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9_.-]", "-");
      } catch (java.io.IOException e) {
        host = "host";
      }
      if (host.isEmpty() || !Character.isLetterOrDigit(host.charAt(0))) {
        host = "host" + host;
      }
      String id = host + "-" + ProcessHandle.current().pid() + "-"
          + UUID.randomUUID().toString().substring(0, 8);
      return id.length() > 100 ? id.substring(id.length() - 100) : id;
    }
  }
}
