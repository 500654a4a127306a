package dev.coherent.benchmarks;

import dev.coherent.benchmarks.hibernate.HibernateFindBenchmark;
import dev.coherent.benchmarks.hibernate.HibernateSetup;
import dev.coherent.devservices.Database;
import dev.coherent.devservices.PostgresService;
import dev.coherent.devservices.Services;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.openjdk.jmh.runner.RunnerException;

/**
 * Measurement 8, Hibernate's second-level cache: the group's side of {@link
 * HibernateFindBenchmark}. Starts PostgreSQL (the configured {@code COHERENT_JDBC_URL}, else
 * embedded), seeds a fresh database, runs the three benchmarks in their forks against it and
 * records their times, the Coherent / jcache ratio and the hit counts each fork proved. Stateless.
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
        mode.bulkEntries(), mode.bulkPerKeyEntries(), mode.hintStepMillis(), mode.hintKeys());
    results.put("hibernateJmhWarmup",
        budget.jmhWarmupIterations() + " x " + budget.jmhWarmupMillis() + " ms");
    PostgresService postgres = Services.postgres();
    results.put("postgresSource", postgres.source().name());
    results.put("hibernateRows", HibernateSetup.ROWS);
    results.put("hibernateHotIds", HibernateSetup.HOT_IDS);
    results.put("hibernateQueryCache",
        "not measured: Coherent refuses hibernate.cache.use_query_cache=true (not supported yet)");
    Path proof = Files.createTempFile("coherent-hibernate-proof", ".txt");
    try (Database database = postgres.createDatabase("bench_hibernate")) {
      HibernateSetup.Db db = new HibernateSetup.Db(database.jdbcUrl(), database.user(),
          database.password());
      HibernateSetup.seed(db);
      List<String> jvmArgs = new ArrayList<>(List.of(db.jvmArgs()));
      jvmArgs.add("-Dcoherent.bench.hibernate.proof=" + proof);
      jvmArgs.add("-Dorg.jboss.logging.provider=slf4j"); // else Hibernate logs INFO through JUL
      List<Jmh.Score> scores = Jmh.run(
          Pattern.quote(HibernateFindBenchmark.class.getName())
              + "\\.(coherentFindHit|jcacheFindHit|jcacheByValueFindHit|noCacheFind)$",
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
          + " %.2f µs with no second-level cache; Coherent / jcache %.2f x (target %.2f x: %s)."
          + " The cached-query row waits for Coherent's query cache.", coherent.score(),
          jcache.score(), byValue.score(), none.score(), ratio, TARGET_RATIO,
          ratio <= TARGET_RATIO ? "met" : "NOT met"));
    } finally {
      Files.deleteIfExists(proof);
    }
  }

  /**
   * Sums what every fork proved (see {@link HibernateFindBenchmark}): finds, second-level hits,
   * misses and SQL statements over all its iterations, warm-up included, and Coherent's L1 size.
   */
  private static void recordProof(Path proof, Results results) throws IOException {
    String[] prefixes =
        {"hibernateCoherent", "hibernateJcache", "hibernateJcacheByValue", "hibernateNoCache"};
    String[] labels = {"coherent", "jcache", "jcache_created", "none"};
    long[][] sums = new long[labels.length][5];
    long[] l1 = {-1, -1, -1, -1};
    for (String line : Files.readAllLines(proof)) {
      String[] f = line.trim().split(" ");
      for (int i = 0; i < labels.length; i++) {
        if (f[0].equals(labels[i])) {
          for (int j = 0; j < 5; j++) {
            sums[i][j] += Long.parseLong(f[j + 1]);
          }
          l1[i] = Math.max(l1[i], Long.parseLong(f[6]));
        }
      }
    }
    for (int i = 0; i < labels.length; i++) {
      results.put(prefixes[i] + "CheckedIterations", sums[i][0]);
      results.put(prefixes[i] + "Finds", sums[i][1]);
      results.put(prefixes[i] + "SecondLevelHits", sums[i][2]);
      results.put(prefixes[i] + "SecondLevelMisses", sums[i][3]);
      results.put(prefixes[i] + "SqlStatements", sums[i][4]);
    }
    results.put("hibernateCoherentL1Entries", l1[0]);
  }

  private static Jmh.Score required(List<Jmh.Score> scores, String method) {
    Jmh.Score s = Jmh.find(scores, method);
    if (s == null) {
      throw new IllegalStateException("JMH returned no result for " + method + "; got " + scores);
    }
    return s;
  }
}
