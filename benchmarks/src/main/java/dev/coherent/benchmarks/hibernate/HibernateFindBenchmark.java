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
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.stat.CacheRegionStatistics;
import org.hibernate.stat.Statistics;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Measurement 8, Hibernate: {@code session.find(Product.class, id)} of a hot id in a fresh session
 * (open, find, close) per operation, with Coherent as the second-level cache (an L1 hit), with
 * hibernate-jcache on Caffeine's JCache (a local hit: the speed to match; once with the region
 * configured by reference, as Caffeine configures a cache by default, once as Hibernate's {@code
 * missing_cache_strategy=create} makes it: store-by-value, a serialization copy per read), and with no
 * second-level cache (a {@code SELECT} by primary key). Each runs in its own fork with its own
 * session factory over the same seeded PostgreSQL table; the ids cycle over {@link
 * HibernateSetup#HOT_IDS} hot ids, all cached before the first iteration.
 *
 * <p>The benchmark checks itself after every iteration, from Hibernate's statistics: with a cache,
 * the region's hits grew by exactly the number of finds, with no miss, no put and no SQL
 * statement prepared; without one, one statement per find and no second-level hit. A failed check
 * fails the benchmark. Each fork appends its totals to the file named by {@code
 * -Dcoherent.bench.hibernate.proof}, which the group reads back into the results.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HibernateFindBenchmark {
  static final String PROOF = "coherent.bench.hibernate.proof";
  static final String REGION = Product.class.getName();
  private static final Long[] IDS = new Long[HibernateSetup.HOT_IDS];

  static {
    for (int i = 0; i < IDS.length; i++) {
      IDS[i] = (long) (i + 1);
    }
  }

  /** One session factory, its counters and the checks; the states below only pick the cache. */
  static final class Bench {
    final Cache cache;
    Built built;
    SessionFactory sf;
    Statistics stats;
    int next;
    long finds;
    long findsAtStart;
    long hitsAtStart;
    long missesAtStart;
    long putsAtStart;
    long statementsAtStart;
    long totalFinds;
    long totalHits;
    long totalMisses;
    long totalStatements;
    int iterations;

    Bench(Cache cache) {
      this.cache = cache;
    }

    void setUp() {
      built = HibernateSetup.build(Db.fromProperties(), cache, Fixtures.redisUrl(),
          Fixtures.newTenant(), false);
      sf = built.sessionFactory();
      stats = sf.getStatistics();
      if (cache != Cache.NONE) {
        warm();
      }
    }

    /** Loads every hot id (misses, puts), then checks that a second pass is all hits. */
    private void warm() {
      for (Long id : IDS) {
        sf.inSession(s -> s.find(Product.class, id));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (true) {
        long hits = hits();
        long statements = stats.getPrepareStatementCount();
        for (Long id : IDS) {
          sf.inSession(s -> s.find(Product.class, id));
        }
        if (hits() - hits == IDS.length && stats.getPrepareStatementCount() == statements) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(cache.label() + ": the hot ids are not all cached after"
              + " 10 s of finds: " + (hits() - hits) + " hits of " + IDS.length + " finds");
        }
      }
    }

    long find() {
      Long id = IDS[next];
      if (++next == IDS.length) {
        next = 0;
      }
      finds++;
      try (Session session = sf.openSession()) {
        Product p = session.find(Product.class, id);
        return p.priceCents + p.version;
      }
    }

    private CacheRegionStatistics region() {
      return stats.getDomainDataRegionStatistics(REGION);
    }

    private long hits() {
      return cache == Cache.NONE ? stats.getSecondLevelCacheHitCount() : region().getHitCount();
    }

    void startIteration() {
      findsAtStart = finds;
      hitsAtStart = hits();
      statementsAtStart = stats.getPrepareStatementCount();
      if (cache != Cache.NONE) {
        missesAtStart = region().getMissCount();
        putsAtStart = region().getPutCount();
      }
    }

    void checkIteration() {
      long n = finds - findsAtStart;
      long hits = hits() - hitsAtStart;
      long statements = stats.getPrepareStatementCount() - statementsAtStart;
      long misses = cache == Cache.NONE ? 0 : region().getMissCount() - missesAtStart;
      long puts = cache == Cache.NONE ? 0 : region().getPutCount() - putsAtStart;
      totalFinds += n;
      totalHits += hits;
      totalMisses += misses;
      totalStatements += statements;
      iterations++;
      boolean ok = cache == Cache.NONE
          ? hits == 0 && statements == n
          : hits == n && misses == 0 && puts == 0 && statements == 0;
      if (!ok) {
        throw new IllegalStateException(String.format(Locale.ROOT,
            "%s: an iteration of %d finds had %d second-level hits, %d misses, %d puts and %d SQL"
                + " statements; expected %s", cache.label(), n, hits, misses, puts, statements,
            cache == Cache.NONE ? "no hit and one statement per find"
                : "one hit per find, no miss, no put, no statement"));
      }
    }

    void tearDown() {
      try {
        String proof = System.getProperty(PROOF);
        if (proof != null) {
          long l1 = -1;
          if (cache == Cache.COHERENT) {
            var factory = sf.unwrap(SessionFactoryImplementor.class).getCache().getRegionFactory();
            var namespace = ((CoherentRegionFactory) factory).namespaceOf(REGION);
            l1 = namespace == null ? -1 : namespace.localSize();
          }
          String line = String.format(Locale.ROOT, "%s %d %d %d %d %d %d%n", cache.label(),
              iterations, totalFinds, totalHits, totalMisses, totalStatements, l1);
          Files.writeString(Path.of(proof), line, StandardOpenOption.CREATE,
              StandardOpenOption.APPEND);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        built.close();
      }
    }
  }

  /** One system's SessionFactory and its checks, through JMH's lifecycle (one fork each). */
  public abstract static class BenchState {
    final Bench b;

    BenchState(Cache cache) {
      this.b = new Bench(cache);
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

  @State(Scope.Benchmark)
  public static class CoherentState extends BenchState {
    public CoherentState() {
      super(Cache.COHERENT);
    }
  }

  @State(Scope.Benchmark)
  public static class JcacheState extends BenchState {
    public JcacheState() {
      super(Cache.JCACHE);
    }
  }

  @State(Scope.Benchmark)
  public static class JcacheCreatedState extends BenchState {
    public JcacheCreatedState() {
      super(Cache.JCACHE_CREATED);
    }
  }

  @State(Scope.Benchmark)
  public static class NoCacheState extends BenchState {
    public NoCacheState() {
      super(Cache.NONE);
    }
  }

  @Benchmark
  public long coherentFindHit(CoherentState s) {
    return s.b.find();
  }

  @Benchmark
  public long jcacheFindHit(JcacheState s) {
    return s.b.find();
  }

  @Benchmark
  public long jcacheByValueFindHit(JcacheCreatedState s) {
    return s.b.find();
  }

  @Benchmark
  public long noCacheFind(NoCacheState s) {
    return s.b.find();
  }
}
