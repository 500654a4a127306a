package dev.coherent.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.openjdk.jmh.runner.RunnerException;

/** Measurements 1 and 2: the JMH parts, recorded into {@link Results}. Stateless. */
final class JmhGroups {
  private JmhGroups() {}

  /** Measurement 1: L1 hit throughput with 1 and 2 threads. */
  static void l1Hit(Budget budget, Results results, Path log) throws RunnerException, IOException {
    results.put("l1HitKeys", L1HitBenchmark.KEYS);
    results.put("l1HitZipfExponent", Zipf.DEFAULT_EXPONENT);
    for (int threads : new int[] {1, 2}) {
      // The other Caffeine baselines (recording stats; as a near cache on its default and on a
      // coarse clock) run with 1 thread only.
      List<Jmh.Score> scores = Jmh.run(
          Pattern.quote(L1HitBenchmark.class.getName()) + "\\.(caffeine|coherent|redisson"
              + (threads == 1
                  ? "|caffeineRecordingStats|caffeineNearCache|caffeineNearCacheCoarse" : "")
              + ")$",
          threads, budget, log);
      String t = "T" + threads;
      Jmh.Score caffeine = required(scores, "caffeine");
      Jmh.Score coherent = required(scores, "coherent");
      Jmh.Score redisson = required(scores, "redisson");
      results.put("l1HitCaffeineOpsPerSec" + t, caffeine.score());
      results.put("l1HitCoherentOpsPerSec" + t, coherent.score());
      results.put("l1HitRedissonOpsPerSec" + t, redisson.score());
      // Half-width of JMH's 99.9 % confidence interval: the run-to-run noise on this machine.
      results.put("l1HitCaffeineOpsError" + t, caffeine.error());
      results.put("l1HitCoherentOpsError" + t, coherent.error());
      results.put("l1HitRedissonOpsError" + t, redisson.error());
      if (threads == 1) {
        Jmh.Score stats = required(scores, "caffeineRecordingStats");
        results.put("l1HitCaffeineStatsOpsPerSecT1", stats.score());
        results.put("l1HitCaffeineStatsOpsErrorT1", stats.error());
        results.put("l1HitOpsRatioVsCaffeineStats", coherent.score() / stats.score());
        Jmh.Score near = required(scores, "caffeineNearCache");
        results.put("l1HitCaffeineNearCacheOpsPerSecT1", near.score());
        results.put("l1HitCaffeineNearCacheOpsErrorT1", near.error());
        results.put("l1HitOpsRatioVsCaffeineNearCache", coherent.score() / near.score());
        Jmh.Score coarse = required(scores, "caffeineNearCacheCoarse");
        results.put("l1HitCaffeineNearCacheCoarseOpsPerSecT1", coarse.score());
        results.put("l1HitCaffeineNearCacheCoarseOpsErrorT1", coarse.error());
        results.put("l1HitOpsRatioVsCaffeineNearCacheCoarse", coherent.score() / coarse.score());
      }
      results.put("l1HitCaffeineAllocBytesPerOp" + t, caffeine.allocBytesPerOp());
      results.put("l1HitCoherentAllocBytesPerOp" + t, coherent.allocBytesPerOp());
      results.put("l1HitRedissonAllocBytesPerOp" + t, redisson.allocBytesPerOp());
      String suffix = threads == 1 ? "" : t;
      results.put("l1HitOpsRatioVsCaffeine" + suffix, coherent.score() / caffeine.score());
      results.put("l1HitRedissonRatioVsCaffeine" + suffix, redisson.score() / caffeine.score());
    }
    double ratio = results.number("l1HitOpsRatioVsCaffeine");
    results.note(String.format("L1 hit: Coherent get reaches %.2f x raw Caffeine getIfPresent with"
        + " 1 thread (target 0.67 x: %s), %.2f x Caffeine recording stats, and %.2f x / %.2f x"
        + " Caffeine configured as a near cache (size bound, jittered TTL, stats) on its default /"
        + " on a coarse clock.", ratio, ratio >= 0.67 ? "met" : "NOT met",
        results.number("l1HitOpsRatioVsCaffeineStats"),
        results.number("l1HitOpsRatioVsCaffeineNearCache"),
        results.number("l1HitOpsRatioVsCaffeineNearCacheCoarse")));
  }

  /** Measurement 2: an L1-miss L2-hit read vs a plain Lettuce GET of the same bytes. */
  static void remoteRead(Budget budget, Results results, Path log) throws RunnerException, IOException {
    List<Jmh.Score> scores = Jmh.run(
        Pattern.quote(RemoteReadBenchmark.class.getName()) + "\\.(coherentL1MissL2Hit|lettuceGet)$",
        1, budget, log);
    Jmh.Score coherent = required(scores, "coherentL1MissL2Hit");
    Jmh.Score lettuce = required(scores, "lettuceGet");
    results.put("remoteReadValueBytes", RemoteReadBenchmark.valueOf("product:0").length());
    results.put("remoteReadCoherentMeanUs", coherent.score());
    results.put("remoteReadCoherentP50Us", coherent.p50());
    results.put("remoteReadCoherentP99Us", coherent.p99());
    results.put("remoteReadCoherentOpsPerSec", 1e6 / coherent.score());
    results.put("remoteReadCoherentAllocBytesPerOp", coherent.allocBytesPerOp());
    results.put("remoteReadLettuceMeanUs", lettuce.score());
    results.put("remoteReadLettuceP50Us", lettuce.p50());
    results.put("remoteReadLettuceP99Us", lettuce.p99());
    results.put("remoteReadLettuceOpsPerSec", 1e6 / lettuce.score());
    results.put("remoteReadLettuceAllocBytesPerOp", lettuce.allocBytesPerOp());
    results.put("remoteReadTimeRatioVsLettuce", coherent.score() / lettuce.score());
    results.put("remoteReadP50RatioVsLettuce", coherent.p50() / lettuce.p50());
  }

  private static Jmh.Score required(List<Jmh.Score> scores, String method) {
    Jmh.Score s = Jmh.find(scores, method);
    if (s == null) {
      throw new IllegalStateException("JMH returned no result for " + method + "; got " + scores);
    }
    return s;
  }
}
