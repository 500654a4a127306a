package dev.coherent.core.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;
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
  final Timer loadTimer;
  final Counter hintsPublished;
  final Counter hintsReceived;
  final Counter hintsApplied;
  final Counter hintsCoalesced;
  final Counter hintsDropped;
  final Counter hintsReordered;
  final Counter sequenceGaps;
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
  private final Tags tags;
  private final ConcurrentMap<String, Counter> malformed = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Counter> ignored = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Counter> reconcileRequests = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Counter> unconfirmed = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Counter> rejected = new ConcurrentHashMap<>();

  NamespaceMetrics(MeterRegistry registry, String namespace) {
    this.registry = registry;
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
