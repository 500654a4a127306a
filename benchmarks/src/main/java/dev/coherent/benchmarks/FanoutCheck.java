package dev.coherent.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Records the fan-out runs of {@link ClusterFanout} and checks every count against what the
 * writes imply: each write published one hint, both runtimes received each one, a classic hint
 * reached the probe on every node, a sharded one only the probes of its shard (its master and
 * that master's replicas), and the cluster bus carried exactly the forwards that follow from that.
 * Stateless.
 */
final class FanoutCheck {
  private FanoutCheck() {}

  static void record(Results results, int writes, ClusterTopology topology,
      Map<String, Long> writesPerMaster, ClusterFanout.Run sharded, ClusterFanout.Run classic,
      ClusterFanout.Run standalone) {
    List<String> wrong = new ArrayList<>();
    put(results, "clusterSharded", sharded, NodeProbes.Counts::sharded);
    put(results, "clusterClassic", classic, NodeProbes.Counts::classic);
    put(results, "clusterStandalone", standalone, NodeProbes.Counts::classic);
    double shardedMax = results.number("clusterShardedMessagesPerNodeMax");
    double classicMax = results.number("clusterClassicMessagesPerNodeMax");
    double standaloneMax = results.number("clusterStandaloneMessagesPerNodeMax");
    results.put("clusterClassicVsShardedMessagesRatio",
        results.number("clusterClassicMessagesTotal") / results.number("clusterShardedMessagesTotal"));
    results.put("clusterShardedMessagesPerNodeMaxRatioVsStandalone", shardedMax / standaloneMax);
    results.put("clusterClassicMessagesPerNodeMaxRatioVsStandalone", classicMax / standaloneMax);
    results.put("clusterShardedBusPerNode", sharded.bus());
    results.put("clusterClassicBusPerNode", classic.bus());

    for (ClusterTopology.Node node : topology.nodes()) {
      String label = topology.label(node);
      long owned = writesPerMaster.get(topology.shardOf(node).id());
      expect(wrong, "sharded, " + label + ", sharded messages", owned,
          sharded.perNode().get(label).sharded());
      expect(wrong, "sharded, " + label + ", classic messages", 0,
          sharded.perNode().get(label).classic());
      expect(wrong, "classic, " + label + ", classic messages", writes,
          classic.perNode().get(label).classic());
      expect(wrong, "classic, " + label + ", sharded messages", 0,
          classic.perNode().get(label).sharded());
    }
    standalone.perNode().forEach((label, c) ->
        expect(wrong, "standalone, " + label + ", messages", writes, c.classic()));
    Map<String, ClusterFanout.Run> runs = new LinkedHashMap<>();
    runs.put("sharded", sharded);
    runs.put("classic", classic);
    runs.put("standalone", standalone);
    List<String> duplicates = new ArrayList<>();
    for (Map.Entry<String, ClusterFanout.Run> e : runs.entrySet()) {
      String mode = e.getKey();
      ClusterFanout.Run run = e.getValue();
      expect(wrong, mode + ", hints published by A", writes, run.publishedByA());
      // One subscription per runtime and channel, on the node Redis delivers from: beyond the
      // probes' own, 2 runtimes x 50 namespaces of the mode's kind, none of the other kind.
      long runtimeSubs = 2L * ClusterFanout.NAMESPACES;
      boolean shardedMode = mode.equals("sharded");
      expect(wrong, mode + ", classic subscriptions beyond the probes'",
          shardedMode ? 0 : runtimeSubs, beyondProbes(run, NodeProbes.Counts::classic));
      expect(wrong, mode + ", sharded subscriptions beyond the probes'",
          shardedMode ? runtimeSubs : 0, beyondProbes(run, NodeProbes.Counts::sharded));
      // Every write observed by both runtimes' subscriptions (the core's own counter).
      if (Math.min(run.receivedByA(), run.receivedByB()) < writes) {
        wrong.add(String.format("%s: runtimes A and B received %d and %d of %d hints", mode,
            run.receivedByA(), run.receivedByB(), writes));
      } else if (Math.max(run.receivedByA(), run.receivedByB()) > writes) {
        duplicates.add(String.format("%s A %,d and B %,d", mode, run.receivedByA(),
            run.receivedByB()));
      }
    }
    if (!duplicates.isEmpty()) {
      results.note(String.format("Cluster fan-out: each runtime's coherent.hints.received counted"
          + " more hints than were published (%,d per run) while Redis held exactly one"
          + " subscription per runtime and channel (PUBSUB NUMSUB / SHARDNUMSUB): %s. The core's"
          + " cluster subscriber handles each delivered message more than once (the extra copies"
          + " show as coherent.hints.reordered in clusterShardedHintMetersOfB and"
          + " clusterClassicHintMetersOfB); the per-node counts are the probes', not these.",
          writes, String.join("; ", duplicates)));
    }
    long replicaForwards = 0;
    for (ClusterTopology.Node node : topology.nodes()) {
      if (!node.master()) {
        replicaForwards += writesPerMaster.get(node.masterId());
      }
    }
    expect(wrong, "sharded, bus publishshard_received", replicaForwards,
        ClusterBus.total(sharded.bus(), "publishshard_received"));
    expect(wrong, "sharded, bus publish_received", 0,
        ClusterBus.total(sharded.bus(), "publish_received"));
    expect(wrong, "classic, bus publish_received", (long) (topology.nodes().size() - 1) * writes,
        ClusterBus.total(classic.bus(), "publish_received"));
    expect(wrong, "classic, bus publishshard_received", 0,
        ClusterBus.total(classic.bus(), "publishshard_received"));
    results.put("clusterShardedBusMessagesTotal",
        ClusterBus.total(sharded.bus(), "publishshard_received"));
    results.put("clusterClassicBusMessagesTotal", ClusterBus.total(classic.bus(), "publish_received"));
    results.put("clusterFanoutChecksFailed", wrong.size());
    results.note(String.format("Cluster fan-out, %,d writes over %d namespaces spread %s: messages"
            + " delivered to one probe subscriber per channel on each node, sharded %s (total %,d),"
            + " classic %s (total %,d: %.2f x sharded); standalone %,d on its one node.%s",
        writes, ClusterFanout.NAMESPACES, results.get("clusterFanoutNamespacesPerMaster"),
        results.get("clusterShardedMessagesPerNode"), (long) results.number("clusterShardedMessagesTotal"),
        results.get("clusterClassicMessagesPerNode"), (long) results.number("clusterClassicMessagesTotal"),
        results.number("clusterClassicVsShardedMessagesRatio"), (long) standaloneMax,
        wrong.isEmpty() ? " Every count matched what the writes imply." : " MISMATCHES: " + wrong));
    if (!wrong.isEmpty()) {
      throw new IllegalStateException("fan-out counts do not add up: " + wrong);
    }
  }

  private static long beyondProbes(ClusterFanout.Run run, ToLongFunction<NodeProbes.Counts> kind) {
    long all = run.subscribers().values().stream().mapToLong(kind).sum();
    long probes = run.probeSubscriptions().values().stream().mapToLong(kind).sum();
    return all - probes;
  }

  private static void put(Results results, String prefix, ClusterFanout.Run run,
      ToLongFunction<NodeProbes.Counts> kind) {
    Map<String, Long> perNode = new LinkedHashMap<>();
    run.perNode().forEach((label, c) -> perNode.put(label, kind.applyAsLong(c)));
    results.put(prefix + "MessagesPerNode", perNode);
    results.put(prefix + "MessagesTotal", perNode.values().stream().mapToLong(Long::longValue).sum());
    results.put(prefix + "MessagesPerNodeMax",
        perNode.values().stream().mapToLong(Long::longValue).max().orElse(0));
    results.put(prefix + "HintsPublishedByA", run.publishedByA());
    results.put(prefix + "HintsReceivedByA", run.receivedByA());
    results.put(prefix + "HintsReceivedByB", run.receivedByB());
    results.put(prefix + "HintMetersOfB", run.hintMetersB());
    Map<String, Object> subscribers = new LinkedHashMap<>();
    run.subscribers().forEach((label, c) -> {
      Map<String, Long> kinds = new LinkedHashMap<>();
      kinds.put("classic", c.classic());
      kinds.put("sharded", c.sharded());
      subscribers.put(label, kinds);
    });
    results.put(prefix + "SubscribersPerNode", subscribers);
  }

  private static void expect(List<String> wrong, String what, long expected, long actual) {
    if (expected != actual) {
      wrong.add(what + ": expected " + expected + ", counted " + actual);
    }
  }
}
