package dev.coherent.core.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.cache.CacheMeterBinder;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;

/**
 * The meters of one namespace, all named {@code coherent.*} and tagged {@code namespace} (see
 * docs/operations.md for the list). Hot-path counters are {@link LongAdder}s exposed through
 * {@link FunctionCounter}s so an L1 hit costs one striped add.
 *
 * <p>Thread-safe: adders and Micrometer meters are; the reason-tagged maps are concurrent.
 */
final class NamespaceMetrics {
  final LongAdder l1Hits = new LongAdder();
  final LongAdder l1Misses = new LongAdder();
  final LongAdder l2Hits = new LongAdder();
  final LongAdder l2Misses = new LongAdder();
  final LongAdder loadFound = new LongAdder();
  final LongAdder loadNotFound = new LongAdder();
  /** {@code put} and {@code fill} calls (for {@code cache.puts}). */
  final LongAdder puts = new LongAdder();
  /** {@code getIfPresent} calls that found nothing cached (for {@code cache.gets{result=miss}}). */
  final LongAdder probeMisses = new LongAdder();
  /** Values and not-found entries L1 evicted by its size bound or swept out expired. */
  final LongAdder evictions = new LongAdder();
  final Timer loadTimer;
  final Counter hintsPublished;
  final Counter hintsReceived;
  final Counter hintsApplied;
  final Counter hintsCoalesced;
  final Counter hintsDropped;
  final Counter hintsReordered;
  final Counter sequenceGaps;
  final Counter sequenceRegressions;
  final Counter reconcileApplied;
  final Counter reconcileFlushes;
  final Counter staleDetected;
  final Counter epochBumps;
  final Counter epochChanges;
  final Counter fillRacesPrevented;
  final Counter redisErrors;
  final Counter codecErrors;
  final Counter localFlushes;
  final Counter leaseWaits;
  final Counter l2Regressions;

  private final MeterRegistry registry;
  private final String namespace;
  private final Tags tags;
  private final ConcurrentMap<String, Counter> malformed = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Counter> ignored = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Counter> reconcileRequests = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Counter> unconfirmed = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Counter> rejected = new ConcurrentHashMap<>();

  NamespaceMetrics(MeterRegistry registry, String namespace) {
    this.registry = registry;
    this.namespace = namespace;
    this.tags = Tags.of("namespace", namespace);
    adder("coherent.gets", l1Hits, "tier", "l1", "result", "hit");
    adder("coherent.gets", l1Misses, "tier", "l1", "result", "miss");
    adder("coherent.gets", l2Hits, "tier", "l2", "result", "hit");
    adder("coherent.gets", l2Misses, "tier", "l2", "result", "miss");
    adder("coherent.gets", loadFound, "tier", "load", "result", "hit");
    adder("coherent.gets", loadNotFound, "tier", "load", "result", "miss");
    loadTimer = Timer.builder("coherent.load").description("time spent in the loader")
        .tags(tags).register(registry);
    hintsPublished = counter("coherent.hints.published");
    hintsReceived = counter("coherent.hints.received");
    hintsApplied = counter("coherent.hints.applied");
    hintsCoalesced = counter("coherent.hints.coalesced");
    hintsDropped = counter("coherent.hints.dropped");
    hintsReordered = counter("coherent.hints.reordered");
    sequenceGaps = counter("coherent.reconcile.gaps");
    sequenceRegressions = counter("coherent.reconcile.sequence.regressions");
    reconcileApplied = counter("coherent.reconcile.applied");
    reconcileFlushes = counter("coherent.reconcile.flushes");
    staleDetected = counter("coherent.stale.detected");
    epochBumps = counter("coherent.epoch.bumps");
    epochChanges = counter("coherent.epoch.changes");
    fillRacesPrevented = counter("coherent.fill.races.prevented");
    redisErrors = counter("coherent.redis.errors");
    codecErrors = counter("coherent.codec.errors");
    localFlushes = counter("coherent.flushes");
    leaseWaits = counter("coherent.lease.waits");
    l2Regressions = counter("coherent.l2.regressions");
  }

  /**
   * The same reads in Micrometer's cache conventions ({@code cache.gets{cache,result}}, {@code
   * cache.puts}, {@code cache.evictions}, {@code cache.size}), through Micrometer's own {@link
   * CacheMeterBinder}, so that cache dashboards made for Caffeine or Spring work unchanged. A hit
   * is a read answered by L1 or L2, a miss one that went to the source; a put is a value stored
   * from the source or by {@code put}.
   */
  void bindCacheConventions(LongSupplier size) {
    new CacheMeterBinder<NamespaceMetrics>(this, namespace, Tags.empty()) {
      @Override
      protected Long size() {
        return size.getAsLong();
      }

      @Override
      protected long hitCount() {
        return l1Hits.sum() + l2Hits.sum();
      }

      @Override
      protected Long missCount() {
        return loadFound.sum() + loadNotFound.sum() + probeMisses.sum();
      }

      @Override
      protected Long evictionCount() {
        return evictions.sum();
      }

      @Override
      protected long putCount() {
        return loadFound.sum() + loadNotFound.sum() + puts.sum();
      }

      @Override
      protected void bindImplementationSpecificMetrics(MeterRegistry registry) {
        // Coherent's own meters are the coherent.* ones, registered above.
      }
    }.bindTo(registry);
  }

  <T> void gauge(String name, T target, ToDoubleFunction<T> value) {
    Gauge.builder(name, target, value).tags(tags).register(registry);
  }

  void malformed(String reason) {
    malformed.computeIfAbsent(reason, r -> counter("coherent.hints.malformed", "reason", r)).increment();
  }

  void ignored(String reason) {
    ignored.computeIfAbsent(reason, r -> counter("coherent.hints.ignored", "reason", r)).increment();
  }

  /** A hinted key version or epoch that neither Redis nor the source confirmed (kind key|epoch). */
  void hintsUnconfirmed(String kind) {
    unconfirmed.computeIfAbsent(kind, k -> counter("coherent.hints.unconfirmed", "kind", k))
        .increment();
  }

  /** A hint dropped by hint authentication (reason unsigned|bad_signature). */
  void rejected(String reason) {
    rejected.computeIfAbsent(reason, r -> counter("coherent.hints.rejected", "reason", r))
        .increment();
  }

  void reconcileRequested(String reason) {
    reconcileRequests
        .computeIfAbsent(reason, r -> counter("coherent.reconcile.requests", "reason", r))
        .increment();
  }

  private Counter counter(String name, String... extraTags) {
    return Counter.builder(name).tags(tags.and(extraTags)).register(registry);
  }

  private void adder(String name, LongAdder adder, String... extraTags) {
    FunctionCounter.builder(name, adder, LongAdder::doubleValue).tags(tags.and(extraTags))
        .register(registry);
  }
}
