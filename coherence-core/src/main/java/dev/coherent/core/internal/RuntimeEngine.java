package dev.coherent.core.internal;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.coherent.core.Codec;
import dev.coherent.core.NamespaceOptions;
import dev.coherent.core.VersionedLoader;
import dev.coherent.core.internal.reconcile.ReconcileLoop;
import dev.coherent.core.internal.redis.HintCodec;
import dev.coherent.core.internal.redis.L2Store;
import dev.coherent.core.internal.redis.RedisConnections;
import dev.coherent.core.internal.redis.RedisUpdateTimestamps;
import io.lettuce.core.RedisException;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@code CoherentRuntime} runs: the Redis connections, the loader, maintenance, reconciler
 * and clock threads, the reconcile loop, and the namespaces by name and by channel. The runtime is
 * its public face.
 *
 * <p>Thread-safety: namespaces are created under this object's lock ({@link #create}) and kept in
 * concurrent maps; the Pub/Sub events arrive on Lettuce's event loop and only look up a namespace
 * and hand the event to it; the maintenance thread runs {@link #maintain}; {@code closed} is set
 * once, under the same lock, so a namespace is never created on a closed runtime.
 */
public final class RuntimeEngine implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RuntimeEngine.class);

  private final RuntimeSettings settings;
  private final @Nullable ExecutorService loaders;
  private final ScheduledExecutorService maintenance;
  private final ScheduledExecutorService reconcileExecutor;
  /** Refreshes the L1 clock; null when a ticker was configured (then L1 reads it directly). */
  private final @Nullable ScheduledExecutorService clockExecutor;
  private final ReconcileLoop reconcileLoop;
  private final Counter reconnects;
  private final Counter lostSubscriptions;
  private final RedisConnections redis;
  private final RuntimeContext context;
  private final HintCodec hintCodec;
  private final Map<String, NamespaceCache<?, ?>> byChannel = new ConcurrentHashMap<>();
  private final Map<String, NamespaceCache<?, ?>> byName = new ConcurrentHashMap<>();
  private final Map<String, RedisUpdateTimestamps> timestamps = new ConcurrentHashMap<>();
  private boolean closed;

  /**
   * Connects and starts the threads and the reconcile loop.
   *
   * @throws IllegalStateException if Redis or the change log cannot be reached
   */
  public RuntimeEngine(RuntimeSettings s) {
    this.settings = s;
    this.hintCodec = new HintCodec(s.hintAuth());
    this.loaders = s.loadExecutor() != null ? null
        : Executors.newCachedThreadPool(daemon("coherent-loader"));
    this.maintenance = Executors.newSingleThreadScheduledExecutor(daemon("coherent-maintenance"));
    this.reconcileExecutor =
        Executors.newSingleThreadScheduledExecutor(daemon("coherent-reconciler"));
    this.reconcileLoop = new ReconcileLoop(reconcileExecutor, maintenance, s.changeLog(),
        s.reconcileInterval(), s.reconcileSpacing(), s.livenessTimeout(),
        s.validationSampleSize(), () -> List.copyOf(byName.values()), byName::get,
        this::pingSubscriber, s.ticker(), s.meterRegistry());
    this.reconnects = Counter.builder("coherent.reconcile.reconnects")
        .description("Pub/Sub reconnections").register(s.meterRegistry());
    this.lostSubscriptions = Counter.builder("coherent.reconcile.subscriptions.lost")
        .description("hint channel subscriptions a Redis Cluster took away (slot moved, node"
            + " lost), each subscribed again on the new owner").register(s.meterRegistry());
    Ticker l1Ticker = s.ticker();
    if (s.ticker() == Ticker.systemTicker()) {
      this.clockExecutor = Executors.newSingleThreadScheduledExecutor(daemon("coherent-clock"));
      l1Ticker = new CoarseTicker(s.ticker(), s.l1ClockResolution(), clockExecutor);
    } else {
      this.clockExecutor = null;
    }
    try {
      this.redis = new RedisConnections(s, new PubSubEvents());
    } catch (RuntimeException e) {
      stopThreads();
      throw e;
    }
    this.context = new RuntimeContext(s.instanceId(), s.tenant(), s.meterRegistry(), s.ticker(),
        l1Ticker, s.clock(), s.random(), s.loadExecutor() != null ? s.loadExecutor() : loaders,
        maintenance, reconcileExecutor, s.leasePoll(), s.hintFilter());
    long period = s.maintenanceInterval().toMillis();
    maintenance.scheduleWithFixedDelay(this::maintain, period, period, TimeUnit.MILLISECONDS);
    try {
      reconcileLoop.start();
    } catch (java.sql.SQLException | RuntimeException e) {
      shutdown();
      throw new IllegalStateException("Coherent cannot read the change log ("
          + (s.changeLog() == null ? "none" : s.changeLog().table()) + "): "
          + RuntimeSettings.rootMessage(e)
          + " (is the coherent-db schema migrated and the database reachable?)", e);
    }
    log.info("Coherent runtime {} (tenant {}) connected to Redis at {}", s.instanceId(),
        s.tenant(), redis.redacted());
  }

  /** Hands each Pub/Sub event to the namespace of its channel. Event loop threads. */
  private final class PubSubEvents implements RedisConnections.Events {
    @Override
    public void message(String channel, String payload) {
      reconcileLoop.traffic();
      NamespaceCache<?, ?> namespace = byChannel.get(channel);
      if (namespace != null) {
        namespace.onMessage(payload);
      }
    }

    @Override
    public void subscribed(String channel) {
      reconcileLoop.traffic();
      NamespaceCache<?, ?> namespace = byChannel.get(channel);
      if (namespace != null) {
        namespace.subscribed();
      }
    }

    @Override
    public void subscriberDisconnected() {
      byName.values().forEach(NamespaceCache::subscriberDown);
    }

    @Override
    public void subscriberReconnected() {
      // Resubscription follows; each namespace reconciles on its subscribed() callback.
      reconnects.increment();
    }

    @Override
    public void channelLost(String channel) {
      // Its TTLs clamp until the channel is subscribed again on its slot's new owner (the
      // maintenance thread retries); the confirmation reconciles, as after a reconnect.
      lostSubscriptions.increment();
      NamespaceCache<?, ?> namespace = byChannel.get(channel);
      if (namespace != null) {
        namespace.subscriberDown();
      }
    }
  }

  /**
   * Creates, starts and subscribes a namespace, and waits (up to {@code catchUpWait}) for its
   * change-log catch-up. Returns null if the name is taken.
   *
   * @throws IllegalStateException if the runtime is closed, or Redis cannot start the namespace
   */
  public synchronized <K, V> @Nullable NamespaceCache<K, V> create(String name, Codec<V> codec,
      NamespaceOptions options, Function<? super K, String> keyEncoder,
      @Nullable VersionedLoader<? super K, V> loader, Duration catchUpWait) {
    checkOpen();
    if (byName.containsKey(name)) {
      return null;
    }
    L2Store l2 = redis.store(name);
    NamespaceCache<K, V> cache = new NamespaceCache<>(name, options, codec, keyEncoder, loader,
        context, l2, hintCodec, reconcileLoop);
    long synced;
    try {
      synced = cache.start();
    } catch (RedisException e) {
      throw new IllegalStateException("namespace " + name + ": cannot read its epoch from Redis: "
          + RuntimeSettings.rootMessage(e), e);
    }
    // Before byName.put: no one may read L2 through it before its catch-up (which starts below,
    // once every poll includes it).
    reconcileLoop.prepare(cache, synced);
    byName.put(name, cache);
    byChannel.put(cache.channel(), cache);
    try {
      redis.subscribe(cache.channel());
    } catch (RedisException e) {
      byName.remove(name);
      byChannel.remove(cache.channel());
      throw new IllegalStateException("namespace " + name + ": cannot subscribe to "
          + cache.channel() + ": " + RuntimeSettings.rootMessage(e), e);
    }
    reconcileLoop.catchUp(cache, synced, catchUpWait);
    return cache;
  }

  /** The update timestamps of {@code scope}, created on first use (the same object after). */
  public synchronized RedisUpdateTimestamps updateTimestamps(String scope) {
    checkOpen();
    return timestamps.computeIfAbsent(scope, s -> redis.updateTimestamps(s, settings.ticker()));
  }

  private java.util.concurrent.CompletableFuture<?> pingSubscriber() {
    return redis.pingSubscriber();
  }

  /** @throws IllegalStateException if the runtime is closed */
  public synchronized void checkOpen() {
    if (closed) {
      throw new IllegalStateException("runtime " + settings.instanceId() + " is closed");
    }
  }

  public RedisConnections redis() {
    return redis;
  }

  /** Runs one reconcile tick now and waits for it, then the Redis-side checks. */
  public void reconcileNow() {
    try {
      reconcileExecutor.submit(reconcileLoop::tick).get();
      maintenance.submit(reconcileLoop::checkRedis).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      throw new IllegalStateException("reconcile failed", e.getCause());
    }
  }

  private void maintain() {
    try {
      redis.maintain();
    } catch (RuntimeException e) {
      log.warn("resubscribing hint channels failed", e);
    }
    for (NamespaceCache<?, ?> cache : byName.values()) {
      try {
        cache.maintain();
      } catch (RuntimeException e) {
        log.warn("maintenance of namespace {} failed", cache.name(), e);
      }
    }
    timestamps.forEach((scope, stamps) -> {
      try {
        stamps.maintain();
      } catch (RuntimeException e) {
        log.warn("maintenance of update timestamps {} failed", scope, e);
      }
    });
  }

  @Override
  public void close() {
    synchronized (this) { // waits for a namespace being created; two closes shut down once
      if (closed) {
        return;
      }
      closed = true;
    }
    shutdown();
  }

  private void shutdown() {
    redis.mute();
    // First, so that no namespace starts a load or serves L1 from here on (the L1 clock stops).
    byName.values().forEach(NamespaceCache::close);
    stopThreads();
    // Let a tick or reconcile under way finish before its connections go away.
    awaitQuietly(maintenance);
    awaitQuietly(reconcileExecutor);
    redis.close();
  }

  private void stopThreads() {
    maintenance.shutdownNow();
    reconcileExecutor.shutdownNow();
    if (loaders != null) {
      loaders.shutdownNow();
    }
    if (clockExecutor != null) {
      clockExecutor.shutdownNow();
    }
  }

  private static void awaitQuietly(ExecutorService executor) {
    try {
      executor.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger counter = new AtomicInteger();
    return runnable -> {
      Thread t = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
