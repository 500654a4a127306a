package dev.coherent.benchmarks;

import dev.coherent.core.ClusterHints;
import dev.coherent.core.Codecs;
import dev.coherent.core.CoherentRuntime;
import dev.coherent.core.NamespaceOptions;
import dev.coherent.core.NearCache;
import dev.coherent.core.Versioned;
import dev.coherent.devservices.Services;
import io.lettuce.core.RedisURI;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The hint fan-out on a Redis Cluster: 50 namespaces (their hash tags spread over the masters),
 * runtimes A and B with all 50 open, A writes round-robin over them; once with sharded hints, once
 * with classic ones, and once on the standalone Redis as the baseline. What is counted, exactly:
 * the messages each node delivers to one probe subscriber per hint channel ({@link NodeProbes}),
 * plus each node's cluster-bus Pub/Sub counters ({@link ClusterBus}) and the messages each
 * runtime's own subscription received ({@code coherent.hints.received}). Every count is checked
 * against what the writes imply; a mismatch fails the group after the figures are recorded.
 */
final class ClusterFanout {
  static final int NAMESPACES = 50;
  static final long AWAIT_NANOS = 10_000_000_000L;

  /** Messages counted in one mode. */
  record Run(Map<String, NodeProbes.Counts> perNode, Map<String, NodeProbes.Counts> subscribers,
      Map<String, NodeProbes.Counts> probeSubscriptions,
      long receivedByA, long receivedByB, long publishedByA, Map<String, Map<String, Long>> bus,
      Map<String, Long> hintMetersB) {}

  /** B's hint meters recorded with each run (what B made of what it received). */
  static final List<String> HINT_METERS = List.of("coherent.hints.received",
      "coherent.hints.applied", "coherent.hints.coalesced", "coherent.hints.reordered",
      "coherent.hints.dropped", "coherent.hints.ignored", "coherent.reconcile.gaps");

  private final String tenant = Fixtures.newTenant();
  private final List<String> namespaces = new ArrayList<>();
  private final int writes;
  private long version; // increasing across the runs: each put is newer than the last one

  private ClusterFanout(int writes) {
    this.writes = writes;
    for (int i = 0; i < NAMESPACES; i++) {
      namespaces.add(String.format("bench:fan:%02d", i));
    }
  }

  static void run(Budget budget, Results results) {
    ClusterFanout f = new ClusterFanout(budget.clusterFanoutWrites());
    RedisURI seed = Services.redisCluster().seeds().get(0);
    ClusterTopology topology = ClusterTopology.read(seed);
    results.put("clusterFanoutNamespaces", NAMESPACES);
    results.put("clusterFanoutWrites", f.writes);
    Map<String, Long> owned = f.writesPerMaster(topology);
    Map<String, Object> spread = new LinkedHashMap<>();
    for (ClusterTopology.Node m : topology.masters()) {
      spread.put(topology.label(m), f.namespaces.stream()
          .filter(ns -> topology.masterOf(f.shardedChannel(ns)).equals(m)).count());
    }
    results.put("clusterFanoutNamespacesPerMaster", spread);

    List<NodeProbes.Target> targets = new ArrayList<>();
    for (ClusterTopology.Node node : topology.nodes()) {
      ClusterTopology.Node shard = topology.shardOf(node);
      targets.add(new NodeProbes.Target(topology.label(node), ClusterBus.uri(seed, node),
          f.namespaces.stream().map(f::classicChannel).toList(),
          f.namespaces.stream().map(f::shardedChannel)
              .filter(ch -> topology.masterOf(ch).equals(shard)).toList()));
    }
    Map<String, Run> runs = new LinkedHashMap<>();
    try (NodeProbes probes = NodeProbes.open(targets)) {
      for (ClusterHints mode : ClusterHints.values()) {
        runs.put(mode.name(), f.measure(probes,
            (id, meters) -> Fixtures.clusterRuntime(id, f.tenant, meters, mode),
            () -> ClusterBus.read(topology, seed)));
      }
    }
    NodeProbes.Target standalone = new NodeProbes.Target(
        Services.redis().uri().getHost() + ":" + Services.redis().uri().getPort() + " (standalone)",
        Services.redis().uri(), f.namespaces.stream().map(f::classicChannel).toList(), List.of());
    Run baseline;
    try (NodeProbes probes = NodeProbes.open(List.of(standalone))) {
      baseline = f.measure(probes,
          (id, meters) -> Fixtures.runtime(id, f.tenant, meters, b -> {}), Map::of);
    }
    FanoutCheck.record(results, f.writes, topology, owned, runs.get("SHARDED"),
        runs.get("CLASSIC"), baseline);
  }

  /** The writes that land on each master: what its namespaces receive of the round-robin. */
  Map<String, Long> writesPerMaster(ClusterTopology topology) {
    Map<String, Long> owned = new LinkedHashMap<>();
    for (ClusterTopology.Node m : topology.masters()) {
      owned.put(m.id(), 0L);
    }
    for (int i = 0; i < writes; i++) {
      owned.merge(topology.masterOf(shardedChannel(namespaces.get(i % NAMESPACES))).id(), 1L,
          Long::sum);
    }
    return owned;
  }

  /** The classic hint channel (docs/protocol.md, "Hint channels"; the default prefix). */
  String classicChannel(String namespace) {
    return CoherentRuntime.Builder.DEFAULT_CHANNEL_PREFIX + ":v1:cache-invalidate:" + namespace + ":"
        + tenant;
  }

  /** The sharded hint channel, in the slot of the namespace's keys. */
  String shardedChannel(String namespace) {
    return CoherentRuntime.Builder.DEFAULT_CHANNEL_PREFIX + ":v1:cache-invalidate:{" + tenant + ":"
        + namespace + "}";
  }

  private Run measure(NodeProbes probes,
      BiFunction<String, MeterRegistry, CoherentRuntime> runtimes,
      Supplier<Map<String, Map<String, Long>>> bus) {
    MeterRegistry metersA = new SimpleMeterRegistry();
    MeterRegistry metersB = new SimpleMeterRegistry();
    CoherentRuntime a = runtimes.apply("bench-fan-a", metersA);
    CoherentRuntime b = runtimes.apply("bench-fan-b", metersB);
    try {
      List<NearCache<String, String>> onA = new ArrayList<>();
      for (String ns : namespaces) {
        onA.add(a.namespace(ns, Codecs.string(), NamespaceOptions.create(),
            key -> Versioned.of(key + "|0", 0)));
        b.namespace(ns, Codecs.string(), NamespaceOptions.create(),
            key -> Versioned.of(key + "|0", 0));
      }
      awaitSubscribed(onA, metersB);
      Map<String, NodeProbes.Counts> subscribers = probes.subscribers();
      Map<String, Double> metersBefore = hintMeters(metersB);
      await(() -> stable(probes)); // the warm-up's messages have all arrived at the probes
      probes.reset();
      double receivedA = Fixtures.sum(metersA, "coherent.hints.received");
      double receivedB = Fixtures.sum(metersB, "coherent.hints.received");
      double publishedA = Fixtures.sum(metersA, "coherent.hints.published");
      Map<String, Map<String, Long>> busBefore = bus.get();
      for (int i = 0; i < writes; i++) {
        onA.get(i % NAMESPACES).put("item:" + (i / NAMESPACES % 16), "v|" + (++version), version);
      }
      await(() -> Fixtures.sum(metersB, "coherent.hints.received") - receivedB >= writes
          && Fixtures.sum(metersA, "coherent.hints.received") - receivedA >= writes);
      await(() -> stable(probes));
      LockSupport.parkNanos(200_000_000L); // anything more would arrive now, and be counted
      Map<String, Long> hintMetersB = new LinkedHashMap<>();
      hintMeters(metersB).forEach((name, v) ->
          hintMetersB.put(name, Math.round(v - metersBefore.get(name))));
      return new Run(probes.counts(), subscribers, probes.probeSubscriptions(),
          Math.round(Fixtures.sum(metersA, "coherent.hints.received") - receivedA),
          Math.round(Fixtures.sum(metersB, "coherent.hints.received") - receivedB),
          Math.round(Fixtures.sum(metersA, "coherent.hints.published") - publishedA),
          ClusterBus.delta(busBefore, bus.get()), hintMetersB);
    } finally {
      Fixtures.close(a, b);
    }
  }

  private static Map<String, Double> hintMeters(MeterRegistry meters) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (String name : HINT_METERS) {
      m.put(name, Fixtures.sum(meters, name));
    }
    return m;
  }

  /**
   * Until B has received a hint in every namespace (so both runtimes' subscriptions are live): A
   * writes a warm-up key in each namespace B has not heard from yet, every 100 ms.
   */
  private void awaitSubscribed(List<NearCache<String, String>> onA, MeterRegistry metersB) {
    long deadline = System.nanoTime() + AWAIT_NANOS;
    for (; ; ) {
      boolean all = true;
      for (int i = 0; i < NAMESPACES; i++) {
        if (Fixtures.count(metersB, "coherent.hints.received", "namespace", namespaces.get(i)) == 0) {
          all = false;
          onA.get(i).put("warm-up", "v|" + (++version), version);
        }
      }
      if (all) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("B did not hear from every namespace within 10 s");
      }
      LockSupport.parkNanos(100_000_000L);
    }
  }

  /** Whether the probes' counts did not move in the last 50 ms. */
  private boolean stable(NodeProbes probes) {
    Map<String, NodeProbes.Counts> before = probes.counts();
    LockSupport.parkNanos(50_000_000L);
    return before.equals(probes.counts());
  }

  private static void await(BooleanSupplier condition) {
    long deadline = System.nanoTime() + AWAIT_NANOS;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not reached within 10 s");
      }
      LockSupport.parkNanos(10_000_000L);
    }
  }
}
