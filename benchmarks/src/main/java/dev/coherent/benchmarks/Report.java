package dev.coherent.benchmarks;

import java.util.Locale;
import java.util.Map;

/**
 * Renders {@link Results} as Markdown: a header with the machine and the command, one table row
 * per measurement with Coherent's figure next to its baselines from the same run, then the notes.
 * A figure missing from the results (its group failed or did not run) shows as "n/a". Stateless.
 */
public final class Report {
  private Report() {}

  public static String markdown(Results r) {
    StringBuilder md = new StringBuilder();
    md.append("## Coherent benchmarks: ").append(text(r, "mode")).append(" mode\n\n");
    Object machine = r.get("machine");
    if (machine instanceof Map<?, ?> m) {
      md.append("- Machine: ").append(m.get("cores")).append(" cores");
      if (m.get("cpu") != null) {
        md.append(", ").append(m.get("cpu"));
      }
      md.append(", ").append(m.get("jvm")).append(", ").append(m.get("os")).append('\n');
    }
    md.append("- Redis: ").append(text(r, "redisVersion")).append(" (").append(text(r, "redisSource"))
        .append("), loopback\n");
    md.append("- Command: `").append(text(r, "command")).append("`\n");
    md.append("- Run at ").append(text(r, "timestamp")).append(", took ")
        .append(num(r, "durationSeconds", "%.0f")).append(" s; JMH: ").append(text(r, "jmhForks")).append(" fork(s), warm-up ")
        .append(text(r, "jmhWarmup")).append(", measurement ").append(text(r, "jmhMeasurement"))
        .append("\n\n");

    md.append("| # | Measurement | Coherent | Baselines (same run) | Ratio / verdict |\n");
    md.append("|---|---|---|---|---|\n");
    for (int t = 1; t <= 2; t++) {
      String s = "T" + t;
      String ratioKey = t == 1 ? "l1HitOpsRatioVsCaffeine" : "l1HitOpsRatioVsCaffeineT2";
      row(md, "1", "L1 hit, Zipf(0.99) over " + num(r, "l1HitKeys", "%,.0f") + " keys, " + t
              + (t == 1 ? " thread" : " threads") + " (ops/s; allocation B/op)",
          ops(r, "l1HitCoherentOpsPerSec" + s) + err(r, "l1HitCoherentOpsError" + s) + " ("
              + num(r, "l1HitCoherentAllocBytesPerOp" + s,
              "%.1f") + " B)",
          "Caffeine `getIfPresent` " + ops(r, "l1HitCaffeineOpsPerSec" + s)
              + err(r, "l1HitCaffeineOpsError" + s) + " ("
              + num(r, "l1HitCaffeineAllocBytesPerOp" + s, "%.1f") + " B); Redisson `RLocalCachedMap.get` "
              + ops(r, "l1HitRedissonOpsPerSec" + s) + err(r, "l1HitRedissonOpsError" + s) + " ("
              + num(r, "l1HitRedissonAllocBytesPerOp" + s, "%.0f") + " B)",
          num(r, ratioKey, "%.2f") + " x Caffeine (target 0.67 x: " + verdict(r.number(ratioKey) >= 0.67,
              r.has(ratioKey)) + "); Redisson "
              + num(r, t == 1 ? "l1HitRedissonRatioVsCaffeine" : "l1HitRedissonRatioVsCaffeineT2",
                  "%.2f") + " x");
    }
    row(md, "1", "L1 hit, 1 thread, against Caffeine counting its hits too (`recordStats()`, as"
            + " when its hit ratio is exported; ops/s)",
        ops(r, "l1HitCoherentOpsPerSecT1"),
        "Caffeine `getIfPresent` with `recordStats()` " + ops(r, "l1HitCaffeineStatsOpsPerSecT1")
            + err(r, "l1HitCaffeineStatsOpsErrorT1"),
        num(r, "l1HitOpsRatioVsCaffeineStats", "%.2f") + " x Caffeine recording stats");
    row(md, "1", "L1 hit, 1 thread, against Caffeine configured as a near cache: the same size"
            + " bound, per-entry TTL with Coherent's default jitter, `recordStats()`; on Caffeine's"
            + " default ticker (`System.nanoTime()`) and on a 10 ms coarse clock like Coherent's (ops/s)",
        ops(r, "l1HitCoherentOpsPerSecT1"),
        "Caffeine `getIfPresent` with `expireAfter` and `recordStats()`: default ticker "
            + ops(r, "l1HitCaffeineNearCacheOpsPerSecT1") + err(r, "l1HitCaffeineNearCacheOpsErrorT1")
            + "; coarse ticker " + ops(r, "l1HitCaffeineNearCacheCoarseOpsPerSecT1")
            + err(r, "l1HitCaffeineNearCacheCoarseOpsErrorT1"),
        num(r, "l1HitOpsRatioVsCaffeineNearCache", "%.2f") + " x / "
            + num(r, "l1HitOpsRatioVsCaffeineNearCacheCoarse", "%.2f")
            + " x Caffeine as a near cache");
    row(md, "2", "Remote read: L1 miss, L2 hit, " + num(r, "remoteReadValueBytes", "%.0f")
            + "-byte value (µs p50 / p99; B/op)",
        num(r, "remoteReadCoherentP50Us", "%.0f") + " / " + num(r, "remoteReadCoherentP99Us", "%.0f")
            + " (" + num(r, "remoteReadCoherentAllocBytesPerOp", "%.0f") + " B)",
        "Lettuce `GET` of the same bytes " + num(r, "remoteReadLettuceP50Us", "%.0f") + " / "
            + num(r, "remoteReadLettuceP99Us", "%.0f") + " ("
            + num(r, "remoteReadLettuceAllocBytesPerOp", "%.0f") + " B)",
        num(r, "remoteReadP50RatioVsLettuce", "%.1f") + " x a GET at p50; "
            + num(r, "remoteReadTimeRatioVsLettuce", "%.1f") + " x its mean time");
    row(md, "3", "Invalidation propagation: A writes, until B reads the new value, "
            + num(r, "propagationWrites", "%,.0f") + " writes (ms p50 / p99 / max)",
        num(r, "propagationP50Ms", "%.2f") + " / " + num(r, "propagationP99Ms", "%.2f") + " / "
            + num(r, "propagationMaxMs", "%.1f"),
        "Redisson `RLocalCachedMap` " + num(r, "redissonPropagationP50Ms", "%.2f") + " / "
            + num(r, "redissonPropagationP99Ms", "%.2f") + " / "
            + num(r, "redissonPropagationMaxMs", "%.1f"),
        "p99 target 5 ms: " + verdict(r.number("propagationP99Ms") < 5, r.has("propagationP99Ms")));
    row(md, "4", "Staleness: B's Pub/Sub killed every " + num(r, "stalenessKillEveryMs", "%.0f")
            + " ms for " + num(r, "stalenessWindowMs", "%.0f") + " ms while A writes, then "
            + num(r, "stalenessTailMs", "%.0f") + " ms of reads (worst staleness ms; keys still stale at"
            + " the end)",
        num(r, "stalenessAfterKillMaxMs", "%.0f") + " ms; "
            + num(r, "stalenessAfterKillKeysStaleAtEnd", "%.0f") + " keys",
        "Redisson default (NONE) " + num(r, "redissonStalenessAfterKillMaxMs", "%.0f") + " ms, "
            + num(r, "redissonStalenessAfterKillKeysStaleAtEnd", "%.0f") + " keys; Redisson LOAD "
            + num(r, "redissonLoadStalenessAfterKillMaxMs", "%.0f") + " ms, "
            + num(r, "redissonLoadStalenessAfterKillKeysStaleAtEnd", "%.0f") + " keys",
        "core without a change log: sequence gaps and resubscription flush L1");
    row(md, "5", "Stampede: 2 x 500 concurrent cold gets of one key, 50 ms loader, "
            + num(r, "stampedeRounds", "%.0f") + " rounds (loader calls per round; p99 ms)",
        "no lease: " + num(r, "stampedeLoaderCalls", "%.1f") + ", "
            + num(r, "stampedeP99Ms", "%.0f") + " ms; lease: " + num(r, "stampedeLeaseLoaderCalls",
            "%.1f") + ", " + num(r, "stampedeLeaseP99Ms", "%.0f") + " ms",
        "Redisson read-through (MapLoader, per-key RLock) " + num(r, "redissonStampedeLoaderCalls",
            "%.1f") + ", " + num(r, "redissonStampedeP99Ms", "%.0f") + " ms; naive cache-aside "
            + num(r, "naiveStampedeLoaderCalls", "%.1f") + ", " + num(r, "naiveStampedeP99Ms", "%.0f")
            + " ms",
        "");
    row(md, "6", "Bulk invalidation of " + num(r, "bulkEntries", "%,.0f") + " entries on 2 runtimes"
            + " (messages; ms until every instance misses)",
        "`invalidateAll()`: " + num(r, "epochInvalidationMessages", "%.0f") + " message, "
            + num(r, "epochInvalidationMs", "%.1f") + " ms",
        "one `invalidate` per key (" + num(r, "perKeyInvalidationKeys", "%,.0f") + " keys): "
            + num(r, "perKeyInvalidationMessages", "%,.0f") + " messages, "
            + num(r, "perKeyInvalidationMs", "%,.0f") + " ms; `invalidateAll(Map)`: "
            + num(r, "batchInvalidationMessages", "%,.0f") + " messages, "
            + num(r, "batchInvalidationMs", "%,.0f") + " ms",
        "");
    row(md, "7", "Hint throughput: invalidations/s one subscriber applies before dropping",
        "256 keys/message: " + atLeast(r, "hintThroughput") + " (first drop at " + num(r, "hintThroughputFirstDropOfferedKeysPerSec", "%,.0f")
            + " offered); 1 key/message: " + atLeast(r, "hintThroughputSingleKey") + "; 1 key/message"
            + " after a burst: " + atLeast(r, "hintThroughputSingleKeyAfterBurst"),
        "",
        "drop policy at the first drop (256 keys/message): "
            + num(r, "hintThroughputFirstDropDroppedKeys", "%,.0f") + " keys dropped, "
            + num(r, "hintThroughputFirstDropFlushes", "%.0f") + " L1 flush(es), caught up "
            + num(r, "hintThroughputFirstDropRecoveryMs", "%,.0f") + " ms after the step");
    row(md, "8", "Hibernate `session.find(Product.class, id)` of a hot id (" + num(r,
            "hibernateHotIds", "%.0f") + " of " + num(r, "hibernateRows", "%,.0f") + " rows), a fresh"
            + " session per find, `READ_WRITE` versioned entity (µs/op; allocation B/op)",
        "2LC hit (L1): " + num(r, "hibernateFindHitUs", "%.2f")
            + usErr(r, "hibernateFindHitUsError") + " ("
            + num(r, "hibernateFindHitAllocBytesPerOp", "%,.0f") + " B)",
        "hibernate-jcache + Caffeine JCache (local only) hit " + num(r, "hibernateJcacheFindHitUs",
            "%.2f") + usErr(r, "hibernateJcacheFindHitUsError") + " ("
            + num(r, "hibernateJcacheFindHitAllocBytesPerOp", "%,.0f")
            + " B); the same, store-by-value (as `missing_cache_strategy=create` makes it) "
            + num(r, "hibernateJcacheByValueFindHitUs", "%.2f")
            + usErr(r, "hibernateJcacheByValueFindHitUsError") + " ("
            + num(r, "hibernateJcacheByValueFindHitAllocBytesPerOp", "%,.0f")
            + " B); no second-level cache (one `SELECT`) " + num(r, "hibernateNoCacheFindUs", "%.1f")
            + usErr(r, "hibernateNoCacheFindUsError") + " ("
            + num(r, "hibernateNoCacheFindAllocBytesPerOp", "%,.0f") + " B)",
        num(r, "hibernateHitRatioVsJcache", "%.2f") + " x jcache's time (target ≤ 1.25 x: "
            + verdict(r.number("hibernateHitRatioVsJcache") <= HibernateFind.TARGET_RATIO,
                r.has("hibernateHitRatioVsJcache")) + "); "
            + num(r, "hibernateHitRatioVsJcacheByValue", "%.2f") + " x store-by-value; the database "
            + num(r, "hibernateNoCacheRatioVsCoherent", "%.0f") + " x Coherent's");
    row(md, "8", "Hibernate cached query (`setCacheable(true)`): the names of "
            + num(r, "hibernateQueryRowsPerResult", "%.0f") + " products from a hot id, " + num(r, "hibernateHotIds", "%.0f") + " distinct results, a fresh session per"
            + " query (µs/op; allocation B/op)",
        "query-cache hit (result from L1, the table's update timestamp read from Redis): "
            + num(r, "hibernateQueryHitUs", "%.2f") + usErr(r, "hibernateQueryHitUsError") + " ("
            + num(r, "hibernateQueryHitAllocBytesPerOp", "%,.0f") + " B)",
        "hibernate-jcache + Caffeine JCache (local only) hit " + num(r, "hibernateJcacheQueryHitUs",
            "%.2f") + usErr(r, "hibernateJcacheQueryHitUsError") + " ("
            + num(r, "hibernateJcacheQueryHitAllocBytesPerOp", "%,.0f")
            + " B); no second-level cache (the `SELECT`) " + num(r, "hibernateNoCacheQueryUs", "%.1f")
            + usErr(r, "hibernateNoCacheQueryUsError") + " ("
            + num(r, "hibernateNoCacheQueryAllocBytesPerOp", "%,.0f") + " B)",
        num(r, "hibernateQueryHitRatioVsJcache", "%.2f") + " x jcache's time; "
            + num(r, "hibernateQueryHitRatioVsNoCache", "%.2f") + " x the database's");

    row(md, "9", "Redis Cluster (3 masters + 3 replicas), sharded hints: propagation as in 3, "
            + num(r, "clusterPropagationWrites", "%,.0f") + " writes (ms p50 / p99 / max)",
        num(r, "clusterPropagationP50Ms", "%.2f") + " / " + num(r, "clusterPropagationP99Ms", "%.2f")
            + " / " + num(r, "clusterPropagationMaxMs", "%.1f"),
        "standalone Redis, same group " + num(r, "clusterStandalonePropagationP50Ms", "%.2f") + " / "
            + num(r, "clusterStandalonePropagationP99Ms", "%.2f") + " / "
            + num(r, "clusterStandalonePropagationMaxMs", "%.1f"),
        num(r, "clusterPropagationP50RatioVsStandalone", "%.2f") + " x / "
            + num(r, "clusterPropagationP99RatioVsStandalone", "%.2f") + " x / "
            + num(r, "clusterPropagationMaxRatioVsStandalone", "%.2f") + " x standalone");
    row(md, "9", "Redis Cluster hint fan-out: " + num(r, "clusterFanoutWrites", "%,.0f")
            + " writes over " + num(r, "clusterFanoutNamespaces", "%.0f") + " namespaces (per master "
            + values(r, "clusterFanoutNamespacesPerMaster") + "); messages each node (masters by port,"
            + " then replicas) delivered to one probe subscriber per channel",
        "sharded: " + values(r, "clusterShardedMessagesPerNode") + " (total "
            + num(r, "clusterShardedMessagesTotal", "%,.0f") + ")",
        "classic: " + values(r, "clusterClassicMessagesPerNode") + " (total "
            + num(r, "clusterClassicMessagesTotal", "%,.0f") + "); standalone: "
            + num(r, "clusterStandaloneMessagesTotal", "%,.0f") + " on its one node",
        "classic " + num(r, "clusterClassicVsShardedMessagesRatio", "%.2f") + " x sharded in total;"
            + " busiest node " + num(r, "clusterShardedMessagesPerNodeMaxRatioVsStandalone", "%.2f")
            + " x (sharded) and " + num(r, "clusterClassicMessagesPerNodeMaxRatioVsStandalone", "%.2f")
            + " x (classic) the standalone node's");

    if (!r.notes().isEmpty()) {
      md.append("\nNotes from this run:\n\n");
      for (String note : r.notes()) {
        md.append("- ").append(note).append('\n');
      }
    }
    if (!r.errors().isEmpty()) {
      md.append("\nGroups that failed:\n\n");
      for (Map.Entry<String, String> e : r.errors().entrySet()) {
        md.append("- ").append(e.getKey()).append(": ").append(e.getValue()).append('\n');
      }
    }
    return md.toString();
  }

  private static void row(StringBuilder md, String n, String what, String coherent,
      String baselines, String ratio) {
    md.append("| ").append(n).append(" | ").append(what).append(" | ").append(coherent)
        .append(" | ").append(baselines).append(" | ").append(ratio).append(" |\n");
  }

  private static String atLeast(Results r, String prefix) {
    String figure = num(r, prefix + "SustainedKeysPerSec", "%,.0f");
    Object limited = r.get(prefix + "PublisherLimited");
    return Boolean.TRUE.equals(limited) ? "≥ " + figure + " (publisher-limited)" : figure;
  }

  /** A map figure's values, in order, joined by " / " ("n/a" when absent). */
  static String values(Results r, String key) {
    Object v = r.get(key);
    if (!(v instanceof Map<?, ?> m) || m.isEmpty()) {
      return "n/a";
    }
    StringBuilder s = new StringBuilder();
    for (Object value : m.values()) {
      s.append(s.length() == 0 ? "" : " / ").append(value instanceof Number n
          ? String.format(Locale.ROOT, "%,d", n.longValue()) : String.valueOf(value));
    }
    return s.toString();
  }

  private static String verdict(boolean met, boolean present) {
    return present ? (met ? "met" : "**not met**") : "n/a";
  }

  private static String text(Results r, String key) {
    Object v = r.get(key);
    return v == null ? "n/a" : v.toString();
  }

  static String num(Results r, String key, String format) {
    double v = r.number(key);
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, format, v);
  }

  static String ops(Results r, String key) {
    double v = r.number(key);
    if (Double.isNaN(v)) {
      return "n/a";
    }
    return v >= 1e6 ? String.format(Locale.ROOT, "%.2f M", v / 1e6)
        : String.format(Locale.ROOT, "%.0f k", v / 1e3);
  }

  /** " ± x" for a JMH error in µs, nothing when it is unknown. */
  private static String usErr(Results r, String key) {
    double v = r.number(key);
    return Double.isNaN(v) ? "" : String.format(Locale.ROOT, " ± %.2f", v);
  }

  /** " ± x" for a JMH score error, nothing when it is unknown. */
  private static String err(Results r, String key) {
    double v = r.number(key);
    return Double.isNaN(v) ? "" : " ± " + ops(r, key);
  }
}
