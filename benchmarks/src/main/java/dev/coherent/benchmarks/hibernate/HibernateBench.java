package dev.coherent.benchmarks.hibernate;

import dev.coherent.benchmarks.Fixtures;
import dev.coherent.benchmarks.hibernate.HibernateSetup.Built;
import dev.coherent.benchmarks.hibernate.HibernateSetup.Cache;
import dev.coherent.benchmarks.hibernate.HibernateSetup.Db;
import dev.coherent.hibernate.CoherentRegionFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.hibernate.SessionFactory;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.stat.Statistics;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One session factory of the Hibernate group, its counters and the checks made after every JMH
 * iteration; a subclass says what one operation is ({@link #op}: a find, a cached query) and which
 * of Hibernate's statistics count its cache's hits, misses and puts. With a cache, an iteration
 * must have had one hit per operation, no miss, no put and no SQL statement; without one, one
 * statement per operation and no hit. With the query cache, each hit must also have checked the
 * table's update timestamp once (a timestamps-region hit or miss: Hibernate counts a timestamp it
 * finds as a hit, an absent one, which jcache reads as "never updated", as a miss). A failed check
 * throws, which fails the benchmark. At the end of the trial the totals are appended to the file
 * named by {@code -Dcoherent.bench.hibernate.proof}. Public for JMH's generated code, which
 * subclasses the states; not thread-safe: one benchmark thread.
 */
public abstract class HibernateBench {
  static final String PROOF = "coherent.bench.hibernate.proof";

  final String kind;
  final Cache cache;
  private final boolean queryCache;
  private Built built;
  SessionFactory sf;
  Statistics stats;
  long ops;
  private long opsAtStart;
  private long hitsAtStart;
  private long missesAtStart;
  private long putsAtStart;
  private long statementsAtStart;
  private long timestampChecksAtStart;
  private long totalOps;
  private long totalHits;
  private long totalMisses;
  private long totalStatements;
  private long totalTimestampChecks;
  private int iterations;

  /**
   * {@code kind} names the operation in failures and in the proof file ("find", "query");
   * {@code queryCache} turns Hibernate's query cache on (with a second-level cache only).
   */
  HibernateBench(String kind, Cache cache, boolean queryCache) {
    this.kind = kind;
    this.cache = cache;
    this.queryCache = queryCache;
  }

  /** One operation (the next hot key), in a fresh session; returns something read from it. */
  abstract long op();

  /** How many operations visit every hot key once. */
  abstract int keys();

  /** The hits of this operation's cache (with no cache, the counter that must stay still). */
  abstract long hits();

  abstract long misses();

  abstract long puts();

  /** The region whose Coherent namespace's L1 size goes into the proof. */
  abstract String region();

  final void setUp() {
    built = HibernateSetup.build(Db.fromProperties(), cache, Fixtures.redisUrl(),
        Fixtures.newTenant(), false, queryCache);
    sf = built.sessionFactory();
    stats = sf.getStatistics();
    if (cache != Cache.NONE) {
      warm();
    }
  }

  /** Visits every hot key (misses, puts), then repeats until one pass is all hits, no SQL. */
  private void warm() {
    pass();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      long hits = hits();
      long statements = stats.getPrepareStatementCount();
      pass();
      if (hits() - hits == keys() && stats.getPrepareStatementCount() == statements) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(String.format(Locale.ROOT, "%s %s: the hot keys are not"
            + " all cached after 10 s: %d hits of %d", cache.label(), kind, hits() - hits, keys()));
      }
    }
  }

  private void pass() {
    for (int i = 0; i < keys(); i++) {
      op();
    }
  }

  private long timestampChecks() {
    return stats.getUpdateTimestampsCacheHitCount() + stats.getUpdateTimestampsCacheMissCount();
  }

  final void startIteration() {
    opsAtStart = ops;
    hitsAtStart = hits();
    statementsAtStart = stats.getPrepareStatementCount();
    timestampChecksAtStart = timestampChecks();
    if (cache != Cache.NONE) {
      missesAtStart = misses();
      putsAtStart = puts();
    }
  }

  final void checkIteration() {
    long n = ops - opsAtStart;
    long hits = hits() - hitsAtStart;
    long statements = stats.getPrepareStatementCount() - statementsAtStart;
    long timestampChecks = timestampChecks() - timestampChecksAtStart;
    long misses = cache == Cache.NONE ? 0 : misses() - missesAtStart;
    long puts = cache == Cache.NONE ? 0 : puts() - putsAtStart;
    totalOps += n;
    totalHits += hits;
    totalMisses += misses;
    totalStatements += statements;
    totalTimestampChecks += timestampChecks;
    iterations++;
    boolean cached = cache != Cache.NONE;
    long expectedTimestampChecks = cached && queryCache ? n : 0;
    boolean ok = (cached
        ? hits == n && misses == 0 && puts == 0 && statements == 0
        : hits == 0 && statements == n) && timestampChecks == expectedTimestampChecks;
    if (!ok) {
      throw new IllegalStateException(String.format(Locale.ROOT,
          "%s: an iteration of %d %s operations had %d cache hits, %d misses, %d puts, %d SQL"
              + " statements and %d update-timestamp checks; expected %s", cache.label(), n, kind,
          hits, misses, puts, statements, timestampChecks,
          cached ? "one hit per operation, no miss, no put, no statement, "
              + expectedTimestampChecks + " timestamp checks"
              : "no hit, one statement per operation, no timestamp check"));
    }
  }

  final void tearDown() {
    try {
      String proof = System.getProperty(PROOF);
      if (proof != null) {
        long l1 = -1;
        if (cache == Cache.COHERENT) {
          var factory = sf.unwrap(SessionFactoryImplementor.class).getCache().getRegionFactory();
          var namespace = ((CoherentRegionFactory) factory).namespaceOf(region());
          l1 = namespace == null ? -1 : namespace.localSize();
        }
        String line = String.format(Locale.ROOT, "%s %s %d %d %d %d %d %d %d%n", kind,
            cache.label(), iterations, totalOps, totalHits, totalMisses, totalStatements, l1,
            totalTimestampChecks);
        Files.writeString(Path.of(proof), line, StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      built.close();
    }
  }

  /** One system's session factory and its checks, through JMH's lifecycle (one fork each). */
  public abstract static class BenchState {
    final HibernateBench b;

    BenchState(HibernateBench b) {
      this.b = b;
    }

    @Setup(Level.Trial)
    public void setUp() {
      b.setUp();
    }

    @Setup(Level.Iteration)
    public void startIteration() {
      b.startIteration();
    }

    @TearDown(Level.Iteration)
    public void checkIteration() {
      b.checkIteration();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      b.tearDown();
    }
  }
}
