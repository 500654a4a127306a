package dev.coherent.benchmarks;

import dev.coherent.benchmarks.hibernate.HibernateFindBenchmark;
import dev.coherent.benchmarks.hibernate.HibernateQueryBenchmark;
import dev.coherent.benchmarks.hibernate.HibernateSetup;
import dev.coherent.devservices.Database;
import dev.coherent.devservices.PostgresService;
import dev.coherent.devservices.Services;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.openjdk.jmh.runner.RunnerException;

/**
 * Measurement 8, Hibernate's second-level cache: the group's side of {@link
 * HibernateFindBenchmark} and {@link HibernateQueryBenchmark}. Starts PostgreSQL (the configured
 * {@code COHERENT_JDBC_URL}, else embedded), seeds a fresh database, runs the find and the
 * cached-query benchmarks in their forks against it, in one JMH run, and records their times, the
 * Coherent / jcache ratios and the hit counts each fork proved. Stateless.
 */
final class HibernateFind {
  /** The goal of the issue: a Coherent 2LC hit within 1.25 x of hibernate-jcache's local hit. */
  static final double TARGET_RATIO = 1.25;

  private HibernateFind() {}

  /**
   * Hibernate's find path takes a few seconds to compile on 2 cores (in quick mode the jcache
   * baseline was still 2 to 5 x slower than its settled time after 4 s): every mode's warm-up
   * here is at least 5 iterations.
   */
  static final int MIN_WARMUP_ITERATIONS = 5;

  static void run(Budget mode, Results results, Path log) throws RunnerException, IOException {
    Budget budget = new Budget(mode.jmhForks(),
        Math.max(mode.jmhWarmupIterations(), MIN_WARMUP_ITERATIONS), mode.jmhWarmupMillis(),
        mode.jmhMeasurementIterations(), mode.jmhMeasurementMillis(), mode.propagationWrites(),
        mode.stalenessWindowMillis(), mode.stalenessTailMillis(), mode.stampedeRounds(),
        mode.bulkEntries(), mode.bulkPerKeyEntries(), mode.hintStepMillis(), mode.hintKeys(),
        mode.clusterFanoutWrites());
    results.put("hibernateJmhWarmup",
        budget.jmhWarmupIterations() + " x " + budget.jmhWarmupMillis() + " ms");
    PostgresService postgres = Services.postgres();
    results.put("postgresSource", postgres.source().name());
    results.put("hibernateRows", HibernateSetup.ROWS);
    results.put("hibernateHotIds", HibernateSetup.HOT_IDS);
    results.put("hibernateQueryRowsPerResult", HibernateQueryBenchmark.ROWS_PER_RESULT);
    Path proof = Files.createTempFile("coherent-hibernate-proof", ".txt");
    try (Database database = postgres.createDatabase("bench_hibernate")) {
      HibernateSetup.Db db = new HibernateSetup.Db(database.jdbcUrl(), database.user(),
          database.password());
      HibernateSetup.seed(db);
      List<String> jvmArgs = new ArrayList<>(List.of(db.jvmArgs()));
      jvmArgs.add("-Dcoherent.bench.hibernate.proof=" + proof);
      jvmArgs.add("-Dorg.jboss.logging.provider=slf4j"); // else Hibernate logs INFO through JUL
      List<Jmh.Score> scores = Jmh.run("(" + Pattern.quote(HibernateFindBenchmark.class.getName())
              + "\\.(coherentFindHit|jcacheFindHit|jcacheByValueFindHit|noCacheFind)|"
              + Pattern.quote(HibernateQueryBenchmark.class.getName())
              + "\\.(coherentQueryHit|jcacheQueryHit|noCacheQuery))$",
          1, budget, log, jvmArgs.toArray(new String[0]));
      Jmh.Score coherent = required(scores, "coherentFindHit");
      Jmh.Score jcache = required(scores, "jcacheFindHit");
      Jmh.Score byValue = required(scores, "jcacheByValueFindHit");
      Jmh.Score none = required(scores, "noCacheFind");
      results.put("hibernateFindHitUs", coherent.score());
      results.put("hibernateFindHitUsError", coherent.error());
      results.put("hibernateFindHitAllocBytesPerOp", coherent.allocBytesPerOp());
      results.put("hibernateJcacheFindHitUs", jcache.score());
      results.put("hibernateJcacheFindHitUsError", jcache.error());
      results.put("hibernateJcacheFindHitAllocBytesPerOp", jcache.allocBytesPerOp());
      results.put("hibernateJcacheByValueFindHitUs", byValue.score());
      results.put("hibernateJcacheByValueFindHitUsError", byValue.error());
      results.put("hibernateJcacheByValueFindHitAllocBytesPerOp", byValue.allocBytesPerOp());
      results.put("hibernateNoCacheFindUs", none.score());
      results.put("hibernateNoCacheFindUsError", none.error());
      results.put("hibernateNoCacheFindAllocBytesPerOp", none.allocBytesPerOp());
      double ratio = coherent.score() / jcache.score();
      results.put("hibernateHitRatioVsJcache", ratio);
      results.put("hibernateHitTargetMet", ratio <= TARGET_RATIO);
      results.put("hibernateHitRatioVsJcacheByValue", coherent.score() / byValue.score());
      results.put("hibernateNoCacheRatioVsJcache", none.score() / jcache.score());
      results.put("hibernateNoCacheRatioVsCoherent", none.score() / coherent.score());
      recordProof(proof, results);
      results.note(String.format(Locale.ROOT, "Hibernate: a find of a hot id in a fresh session"
          + " takes %.2f µs with Coherent (L1 hit), %.2f µs with hibernate-jcache on Caffeine"
          + " (by reference; %.2f µs store-by-value, as missing_cache_strategy=create makes it) and"
          + " %.2f µs with no second-level cache; Coherent / jcache %.2f x (target %.2f x: %s).",
          coherent.score(), jcache.score(), byValue.score(), none.score(), ratio, TARGET_RATIO,
          ratio <= TARGET_RATIO ? "met" : "NOT met"));
      recordQueries(scores, results);
    } finally {
      Files.deleteIfExists(proof);
    }
  }

  /** The cached-query row: the three systems' times, their ratios and a note. */
  private static void recordQueries(List<Jmh.Score> scores, Results results) {
    Jmh.Score coherentQuery = required(scores, "coherentQueryHit");
    Jmh.Score jcacheQuery = required(scores, "jcacheQueryHit");
    Jmh.Score noneQuery = required(scores, "noCacheQuery");
    results.put("hibernateQueryHitUs", coherentQuery.score());
    results.put("hibernateQueryHitUsError", coherentQuery.error());
    results.put("hibernateQueryHitAllocBytesPerOp", coherentQuery.allocBytesPerOp());
    results.put("hibernateJcacheQueryHitUs", jcacheQuery.score());
    results.put("hibernateJcacheQueryHitUsError", jcacheQuery.error());
    results.put("hibernateJcacheQueryHitAllocBytesPerOp", jcacheQuery.allocBytesPerOp());
    results.put("hibernateNoCacheQueryUs", noneQuery.score());
    results.put("hibernateNoCacheQueryUsError", noneQuery.error());
    results.put("hibernateNoCacheQueryAllocBytesPerOp", noneQuery.allocBytesPerOp());
    double queryRatio = coherentQuery.score() / jcacheQuery.score();
    results.put("hibernateQueryHitRatioVsJcache", queryRatio);
    results.put("hibernateQueryHitRatioVsNoCache", coherentQuery.score() / noneQuery.score());
    results.note(String.format(Locale.ROOT, "Hibernate: a cached query (%d names) in a fresh"
        + " session takes %.2f µs with Coherent (result from L1, the table's update timestamp"
        + " read from Redis on every hit), %.2f µs with hibernate-jcache on Caffeine (local"
        + " only) and %.2f µs in PostgreSQL with no second-level cache; Coherent / jcache %.2f x,"
        + " Coherent / no cache %.2f x.", HibernateQueryBenchmark.ROWS_PER_RESULT,
        coherentQuery.score(), jcacheQuery.score(), noneQuery.score(), queryRatio,
        coherentQuery.score() / noneQuery.score()));
  }

  /**
   * Sums what every fork proved (see {@code HibernateBench}): operations, cache hits, misses, SQL
   * statements and update-timestamp checks over all its iterations, warm-up included, and
   * Coherent's L1 size of the region. A proof line is {@code kind label iterations ops hits misses
   * statements l1 timestampChecks}.
   */
  private static void recordProof(Path proof, Results results) throws IOException {
    String[] keys = {"find coherent", "find jcache", "find jcache_created", "find none",
        "query coherent", "query jcache", "query none"};
    String[] prefixes = {"hibernateCoherent", "hibernateJcache", "hibernateJcacheByValue",
        "hibernateNoCache", "hibernateCoherentQuery", "hibernateJcacheQuery",
        "hibernateNoCacheQuery"};
    long[][] sums = new long[keys.length][6];
    long[] l1 = new long[keys.length];
    Arrays.fill(l1, -1);
    for (String line : Files.readAllLines(proof)) {
      String[] f = line.trim().split(" ");
      int i = Arrays.asList(keys).indexOf(f[0] + " " + f[1]);
      if (i < 0) {
        throw new IllegalStateException("unexpected proof line: " + line);
      }
      for (int j = 0; j < 5; j++) {
        sums[i][j] += Long.parseLong(f[j + 2]);
      }
      l1[i] = Math.max(l1[i], Long.parseLong(f[7]));
      sums[i][5] += Long.parseLong(f[8]);
    }
    for (int i = 0; i < keys.length; i++) {
      boolean query = keys[i].startsWith("query");
      String hits = query ? "QueryCacheHits" : "SecondLevelHits";
      String misses = query ? "QueryCacheMisses" : "SecondLevelMisses";
      results.put(prefixes[i] + "CheckedIterations", sums[i][0]);
      results.put(prefixes[i] + (query ? "Queries" : "Finds"), sums[i][1]);
      results.put(prefixes[i] + hits, sums[i][2]);
      results.put(prefixes[i] + misses, sums[i][3]);
      results.put(prefixes[i] + "SqlStatements", sums[i][4]);
      if (query) {
        results.put(prefixes[i] + "TimestampChecks", sums[i][5]);
      }
    }
    results.put("hibernateCoherentL1Entries", l1[0]);
    results.put("hibernateCoherentQueryL1Entries", l1[4]);
  }

  private static Jmh.Score required(List<Jmh.Score> scores, String method) {
    Jmh.Score s = Jmh.find(scores, method);
    if (s == null) {
      throw new IllegalStateException("JMH returned no result for " + method + "; got " + scores);
    }
    return s;
  }
}
