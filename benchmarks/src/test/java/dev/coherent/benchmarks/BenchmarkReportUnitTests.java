package dev.coherent.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Argument parsing, the JSON and Markdown writers, and the helpers; no benchmark runs here. */
class BenchmarkReportUnitTests {

  @Test
  void defaultsWriteFullResultsUnderBenchmarksResults() {
    Args args = Args.parse();
    assertThat(args.quick()).isFalse();
    assertThat(args.mode()).isEqualTo("full");
    assertThat(args.out()).isEqualTo(Path.of("benchmarks", "results", "full.json"));
    assertThat(args.markdownOut()).isEqualTo(Path.of("benchmarks", "results", "full.md"));
    assertThat(args.groups()).isEqualTo(Args.GROUPS);
  }

  @Test
  void quickOutAndOnlyAreParsed() {
    Args args = Args.parse("--quick", "--out", "/tmp/x/run.json", "--only", "stampede, L1");
    assertThat(args.quick()).isTrue();
    assertThat(args.out()).isEqualTo(Path.of("/tmp/x/run.json"));
    assertThat(args.markdownOut()).isEqualTo(Path.of("/tmp/x/run.md"));
    assertThat(args.groups()).containsExactly("l1", "stampede"); // run order, not argument order
    assertThat(Args.parse("--only", "hibernate").groups()).containsExactly("hibernate");
    assertThat(Args.parse("--quick").out()).isEqualTo(Path.of("benchmarks", "results", "quick.json"));
  }

  @Test
  void badArgumentsSayWhatIsValid() {
    assertThatThrownBy(() -> Args.parse("--fast"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown argument '--fast'").hasMessageContaining("usage:");
    assertThatThrownBy(() -> Args.parse("--out"))
        .hasMessageContaining("--out needs a value");
    assertThatThrownBy(() -> Args.parse("--only", "l1,nope"))
        .hasMessageContaining("unknown group 'nope'").hasMessageContaining("l1,remote");
  }

  @Test
  void jsonKeepsInsertionOrderRoundsAndNeverWritesNaN() throws Exception {
    Results r = new Results();
    r.put("mode", "quick");
    r.put("propagationP99Ms", 1.234567);
    r.put("stampedeLoaderCalls", 2.0);
    r.put("broken", Double.NaN);
    r.put("steps", List.of(Map.of("a", 1)));
    r.note("something seen");
    r.error("bulk", new IllegalStateException("boom"));
    JsonNode json = new ObjectMapper().readTree(r.toJson());
    assertThat(json.fieldNames()).toIterable()
        .containsSequence("mode", "propagationP99Ms", "stampedeLoaderCalls", "broken", "steps");
    assertThat(json.get("propagationP99Ms").doubleValue()).isEqualTo(1.235);
    assertThat(json.get("stampedeLoaderCalls").isIntegralNumber()).isTrue();
    assertThat(json.get("broken").textValue()).isEqualTo("NaN");
    assertThat(json.get("notes").get(0).textValue()).isEqualTo("something seen");
    assertThat(json.get("errors").get("bulk").textValue()).contains("boom");
  }

  @Test
  void markdownShowsFiguresNextToTheirBaselinesAndNaForMissingOnes(@TempDir Path dir)
      throws Exception {
    Results r = new Results();
    r.put("mode", "quick");
    r.put("l1HitCoherentOpsPerSecT1", 2_500_000.0);
    r.put("l1HitCaffeineOpsPerSecT1", 5_000_000.0);
    r.put("l1HitOpsRatioVsCaffeine", 0.5);
    r.put("l1HitCaffeineStatsOpsPerSecT1", 4_000_000.0);
    r.put("l1HitOpsRatioVsCaffeineStats", 0.625);
    r.put("l1HitCaffeineNearCacheOpsPerSecT1", 1_250_000.0);
    r.put("l1HitOpsRatioVsCaffeineNearCache", 2.0);
    r.put("l1HitCaffeineNearCacheCoarseOpsPerSecT1", 2_800_000.0);
    r.put("l1HitOpsRatioVsCaffeineNearCacheCoarse", 0.8929);
    r.put("propagationP50Ms", 0.8);
    r.put("propagationP99Ms", 3.2);
    r.put("redissonPropagationP99Ms", 2.9);
    r.put("epochInvalidationMessages", 1);
    r.put("hintThroughputFirstDropDroppedKeys", 12_800);
    r.put("hintThroughputFirstDropFlushes", 1);
    r.put("hintThroughputFirstDropRecoveryMs", 1_234.5);
    r.put("hibernateHotIds", 100);
    r.put("hibernateRows", 1_000);
    r.put("hibernateFindHitUs", 1.02);
    r.put("hibernateFindHitUsError", 0.064);
    r.put("hibernateJcacheFindHitUs", 0.917);
    r.put("hibernateHitRatioVsJcache", 1.112);
    r.put("hibernateNoCacheFindUs", 40.13);
    r.put("hibernateQueryRowsPerResult", 10);
    r.put("hibernateQueryHitUs", 31.5);
    r.put("hibernateJcacheQueryHitUs", 2.1);
    r.put("hibernateNoCacheQueryUs", 90.0);
    r.put("hibernateQueryHitRatioVsJcache", 15.0);
    r.put("hibernateQueryHitRatioVsNoCache", 0.35);
    r.put("clusterPropagationWrites", 1_000);
    r.put("clusterPropagationP50Ms", 1.5);
    r.put("clusterPropagationP99Ms", 6.0);
    r.put("clusterStandalonePropagationP99Ms", 3.0);
    r.put("clusterPropagationP99RatioVsStandalone", 2.0);
    r.put("clusterFanoutWrites", 1_000);
    r.put("clusterFanoutNamespaces", 50);
    r.put("clusterFanoutNamespacesPerMaster", Map.of("127.0.0.1:1 (master)", 50));
    r.put("clusterShardedMessagesPerNode", new java.util.LinkedHashMap<>(Map.of("a", 1_000L)));
    r.put("clusterShardedMessagesTotal", 1_000);
    r.put("clusterClassicVsShardedMessagesRatio", 6.0);
    Path json = dir.resolve("out/run.json");
    Path md = dir.resolve("out/run.md");
    r.write(json, md);
    assertThat(json).exists();
    String table = Files.readString(md);
    assertThat(table).contains("## Coherent benchmarks: quick mode")
        .contains("| 1 | L1 hit, Zipf(0.99)")
        .contains("2.50 M")
        .contains("0.50 x Caffeine (target 0.67 x: **not met**)")
        .contains("`recordStats()` 4.00 M")
        .contains("0.63 x Caffeine recording stats")
        .contains("default ticker 1.25 M")
        .contains("coarse ticker 2.80 M")
        .contains("2.00 x / 0.89 x Caffeine as a near cache")
        .contains("0.80 / 3.20 / n/a")
        .contains("p99 target 5 ms: met")
        .contains("`invalidateAll()`: 1 message")
        .contains("drop policy at the first drop (256 keys/message): 12,800 keys dropped, 1 L1"
            + " flush(es), caught up 1,235 ms after the step")
        .contains("| 8 | Hibernate `session.find(Product.class, id)` of a hot id (100 of 1,000 rows)")
        .contains("2LC hit (L1): 1.02 ± 0.06 (n/a B)")
        .contains("Caffeine JCache (local only) hit 0.92 (n/a B)")
        .contains("no second-level cache (one `SELECT`) 40.1")
        .contains("1.11 x jcache's time (target ≤ 1.25 x: met)")
        .contains("| 8 | Hibernate cached query (`setCacheable(true)`): the names of 10 products"
            + " from a hot id, 100 distinct results")
        .contains("read from Redis): 31.50 (n/a B)")
        .contains("Caffeine JCache (local only) hit 2.10 (n/a B); no second-level cache (the"
            + " `SELECT`) 90.0")
        .contains("15.00 x jcache's time; 0.35 x the database's")
        .contains("| 9 | Redis Cluster (3 masters + 3 replicas), sharded hints: propagation as in 3,"
            + " 1,000 writes (ms p50 / p99 / max) | 1.50 / 6.00 / n/a | standalone Redis, same group"
            + " n/a / 3.00 / n/a | n/a x / 2.00 x / n/a x standalone |")
        .contains("1,000 writes over 50 namespaces (per master 50)")
        .contains("| sharded: 1,000 (total 1,000) | classic: n/a (total n/a)")
        .contains("classic 6.00 x sharded in total");
    assertThat(table.lines().filter(l -> l.startsWith("| ")).count())
        .as("the header and fourteen measurement rows").isEqualTo(15);
  }

  @Test
  void clusterTopologyFindsEachSlotsMasterAndEachReplicasShard() {
    ClusterTopology t = ClusterTopology.parse(String.join("\n",
        "r1 127.0.0.1:7104@17104 slave m1 0 1 4 connected",
        "m2 127.0.0.1:7102@17102 master - 0 1 2 connected 5461-10922",
        "m1 127.0.0.1:7101@17101 myself,master - 0 1 1 connected 0-5460 [5461->-m2]",
        "m3 127.0.0.1:7103@17103 master - 0 1 3 connected 10923-16382 16383"));
    assertThat(t.nodes()).extracting(ClusterTopology.Node::port)
        .containsExactly(7101, 7102, 7103, 7104);
    assertThat(t.masterOf("x{b}").port()).isEqualTo(7101); // slot 3300
    assertThat(t.masterOf("x{a}").port()).isEqualTo(7103); // slot 15495
    assertThat(t.label(t.nodes().get(3))).isEqualTo("127.0.0.1:7104 (replica of :7101)");
    assertThat(t.label(t.shardOf(t.nodes().get(0)))).isEqualTo("127.0.0.1:7101 (master)");
  }

  @Test
  void refreshedTickerMovesOnlyWhenItsRefresherRuns() {
    try (L1HitBenchmark.RefreshedTicker ticker =
        new L1HitBenchmark.RefreshedTicker(Duration.ofMillis(1))) {
      long first = ticker.read();
      // No Awaitility in this module: poll the refresher (every 1 ms) for at most 5 s.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (ticker.read() == first && System.nanoTime() < deadline) {
        LockSupport.parkNanos(100_000);
      }
      assertThat(ticker.read()).isGreaterThan(first).isLessThanOrEqualTo(System.nanoTime());
    }
  }

  @Test
  void settleHeapReturnsOnlyAfterTheCollectorHasRun() {
    long before = L1HitBenchmark.collections();
    L1HitBenchmark.settleHeap();
    assertThat(L1HitBenchmark.collections() - before)
        .isGreaterThanOrEqualTo(L1HitBenchmark.SETTLING_COLLECTIONS);
  }

  @Test
  void zipfIsDeterministicSkewedAndInRange() {
    int[] a = Zipf.indices(1_000, 100_000, Zipf.DEFAULT_EXPONENT, 1);
    int[] b = Zipf.indices(1_000, 100_000, Zipf.DEFAULT_EXPONENT, 1);
    assertThat(a).isEqualTo(b);
    int[] counts = new int[1_000];
    for (int i : a) {
      assertThat(i).isBetween(0, 999);
      counts[i]++;
    }
    int max = 0;
    for (int c : counts) {
      max = Math.max(max, c);
    }
    // Rank 1 of Zipf(0.99) over 1,000 keys has p ~ 0.13; uniform would be 0.001.
    assertThat(max).isGreaterThan(10_000);
    assertThatThrownBy(() -> Zipf.indices(0, 1, 1, 1)).hasMessageContaining("keys must be at least 1");
  }

  @Test
  void statsUseNearestRankPercentiles() {
    Stats s = new Stats();
    for (int i = 1; i <= 100; i++) {
      s.add(i * 1_000_000L);
    }
    assertThat(s.percentileMs(50)).isEqualTo(50.0);
    assertThat(s.percentileMs(99)).isEqualTo(99.0);
    assertThat(s.maxMs()).isEqualTo(100.0);
    assertThat(new Stats().percentileMs(50)).isNaN();
  }
}
