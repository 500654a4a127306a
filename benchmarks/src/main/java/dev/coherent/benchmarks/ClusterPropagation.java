package dev.coherent.benchmarks;

import dev.coherent.core.ClusterHints;
import dev.coherent.core.CoherentRuntime;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Measurement 3 ({@link Propagation#coherent}) on the Redis Cluster with sharded hints, right
 * after the same measurement on the standalone Redis as its baseline (the same number of writes, a
 * few seconds apart), then the {@link ClusterFanout} hint fan-out: the {@code cluster} group.
 */
final class ClusterPropagation {
  private ClusterPropagation() {}

  static void run(Budget budget, Results results) {
    int writes = budget.propagationWrites();
    results.put("clusterPropagationWrites", writes);
    String tenant = Fixtures.newTenant();
    CoherentRuntime a = Fixtures.runtime("bench-prop-a", tenant);
    CoherentRuntime b = Fixtures.runtime("bench-prop-b", tenant);
    try {
      Propagation.coherent(writes, a, b).record(results, "clusterStandalonePropagation");
    } finally {
      Fixtures.close(a, b);
    }
    String clusterTenant = Fixtures.newTenant();
    CoherentRuntime ca = Fixtures.clusterRuntime("bench-prop-a", clusterTenant,
        new SimpleMeterRegistry(), ClusterHints.SHARDED);
    CoherentRuntime cb = Fixtures.clusterRuntime("bench-prop-b", clusterTenant,
        new SimpleMeterRegistry(), ClusterHints.SHARDED);
    try {
      Propagation.coherent(writes, ca, cb).record(results, "clusterPropagation");
    } finally {
      Fixtures.close(ca, cb);
    }
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
}
