package dev.coherent.benchmarks;

import dev.coherent.core.ClusterHints;
import dev.coherent.core.CoherentRuntime;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Measurement 3 ({@link Propagation#coherent}) on the Redis Cluster with sharded hints and, as
 * its baseline, on the standalone Redis: the same number of writes in rounds ordered standalone,
 * cluster, cluster, standalone, seconds apart; then the {@link ClusterFanout} hint fan-out: the {@code cluster} group.
 */
final class ClusterPropagation {
  private ClusterPropagation() {}

  static void run(Budget budget, Results results) {
    int writes = budget.propagationWrites();
    results.put("clusterPropagationWrites", writes);
    // ABBA: standalone, cluster, cluster, standalone, half the writes each, so that JIT warm-up
    // (this group may be the first of the run) and drift during the group weigh on both alike.
    Stats standalone = new Stats();
    Stats cluster = new Stats();
    int[] timeouts = new int[2];
    for (boolean onCluster : new boolean[] {false, true, true, false}) {
      Propagation.Timings t = round(writes / 2, onCluster);
      (onCluster ? cluster : standalone).addAll(t.stats());
      timeouts[onCluster ? 1 : 0] += t.timeouts();
    }
    new Propagation.Timings(standalone, timeouts[0]).record(results, "clusterStandalonePropagation");
    new Propagation.Timings(cluster, timeouts[1]).record(results, "clusterPropagation");
    for (String p : new String[] {"P50", "P99", "Max"}) {
      results.put("clusterPropagation" + p + "RatioVsStandalone",
          results.number("clusterPropagation" + p + "Ms")
              / results.number("clusterStandalonePropagation" + p + "Ms"));
    }
    results.note(String.format("Cluster propagation (sharded hints): p50 %.2f / p99 %.2f / max %.1f"
            + " ms against standalone %.2f / %.2f / %.1f ms in the same group (p99 %.2f x); timeouts"
            + " %d and %d.", results.number("clusterPropagationP50Ms"),
        results.number("clusterPropagationP99Ms"), results.number("clusterPropagationMaxMs"),
        results.number("clusterStandalonePropagationP50Ms"),
        results.number("clusterStandalonePropagationP99Ms"),
        results.number("clusterStandalonePropagationMaxMs"),
        results.number("clusterPropagationP99RatioVsStandalone"),
        (long) results.number("clusterPropagationTimeouts"),
        (long) results.number("clusterStandalonePropagationTimeouts")));
    ClusterFanout.run(budget, results);
  }

  /** One round of measurement 3 with two fresh runtimes of a fresh tenant. */
  private static Propagation.Timings round(int writes, boolean onCluster) {
    String tenant = Fixtures.newTenant();
    CoherentRuntime a = onCluster ? Fixtures.clusterRuntime("bench-prop-a", tenant,
        new SimpleMeterRegistry(), ClusterHints.SHARDED) : Fixtures.runtime("bench-prop-a", tenant);
    CoherentRuntime b = onCluster ? Fixtures.clusterRuntime("bench-prop-b", tenant,
        new SimpleMeterRegistry(), ClusterHints.SHARDED) : Fixtures.runtime("bench-prop-b", tenant);
    try {
      return Propagation.coherent(writes, a, b);
    } finally {
      Fixtures.close(a, b);
    }
  }
}
