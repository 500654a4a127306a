package dev.coherent.demo.catalog.internal;

import dev.coherent.core.CoherentRuntime;
import dev.coherent.core.NearCache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What {@code GET /admin/cache} shows of one instance, read from the core's public API only:
 * each namespace's L1 size and {@code status()} (epoch, last hint sequence, reconcile requested,
 * degraded), its hint counters, the runtime's subscriber connection, the reconciler's poll
 * counts and lag (from the {@code coherent.reconcile.*} meters), and the chaos mode in force.
 *
 * <p>Thread-safe: reads thread-safe objects on each call.
 */
final class CacheView {
  private final CoherentRuntime runtime;
  private final Duration reconcileInterval;
  private final SubscriberChaos chaos;

  CacheView(CoherentRuntime runtime, Duration reconcileInterval, SubscriberChaos chaos) {
    this.runtime = runtime;
    this.reconcileInterval = reconcileInterval;
    this.chaos = chaos;
  }

  Map<String, Object> snapshot() {
    MeterRegistry meters = runtime.meterRegistry();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("instance", runtime.instanceId());
    body.put("reconcileIntervalMs", reconcileInterval.toMillis());
    Map<String, Object> subscriber = new LinkedHashMap<>();
    subscriber.put("connected", runtime.subscriberConnected());
    SubscriberChaos.Mode mode = chaos.mode();
    subscriber.put("chaos", mode.name().toLowerCase(java.util.Locale.ROOT));
    subscriber.put("chaosRemainingMs", chaos.remaining().toMillis());
    subscriber.put("state", mode == SubscriberChaos.Mode.DEAF ? "deaf"
        : runtime.subscriberConnected() ? "up" : "down");
    body.put("subscriber", subscriber);
    Map<String, Object> reconciler = new LinkedHashMap<>();
    reconciler.put("pollsOk", count(meters, "coherent.reconcile.runs", "result", "ok"));
    reconciler.put("pollsFailed", count(meters, "coherent.reconcile.runs", "result", "failed"));
    Timer lag = meters.find("coherent.reconcile.lag").timer();
    reconciler.put("lagMaxMs", lag == null ? 0 : Math.round(lag.max(TimeUnit.MILLISECONDS)));
    reconciler.put("lagMeanMs", lag == null ? 0 : Math.round(lag.mean(TimeUnit.MILLISECONDS)));
    reconciler.put("changesApplied", sum(meters, "coherent.reconcile.applied", null));
    body.put("reconciler", reconciler);
    List<Map<String, Object>> namespaces = new ArrayList<>();
    List<NearCache<?, ?>> all = new ArrayList<>(runtime.namespaces());
    all.sort(Comparator.comparing(NearCache::name));
    for (NearCache<?, ?> ns : all) {
      NearCache.NamespaceStatus status = ns.status();
      Map<String, Object> n = new LinkedHashMap<>();
      n.put("name", ns.name());
      n.put("l1Size", ns.localSize());
      n.put("epoch", status.epoch());
      n.put("lastSequence", status.lastSequence());
      n.put("reconcileRequested", status.reconcileRequested());
      n.put("degraded", status.degraded());
      n.put("hintsReceived", sum(meters, "coherent.hints.received", ns.name()));
      n.put("hintsApplied", sum(meters, "coherent.hints.applied", ns.name()));
      n.put("reconcileApplied", sum(meters, "coherent.reconcile.applied", ns.name()));
      namespaces.add(n);
    }
    body.put("namespaces", namespaces);
    return body;
  }

  private static long count(MeterRegistry meters, String name, String tag, String value) {
    double total = 0;
    for (Counter c : meters.find(name).tag(tag, value).counters()) {
      total += c.count();
    }
    for (FunctionCounter c : meters.find(name).tag(tag, value).functionCounters()) {
      total += c.count();
    }
    return Math.round(total);
  }

  /** A counter's total, for one namespace or (null) all of them. */
  private static long sum(MeterRegistry meters, String name, String namespace) {
    double total = 0;
    var search = namespace == null ? meters.find(name) : meters.find(name).tag("namespace", namespace);
    for (Counter c : search.counters()) {
      total += c.count();
    }
    for (FunctionCounter c : search.functionCounters()) {
      total += c.count();
    }
    return Math.round(total);
  }
}
