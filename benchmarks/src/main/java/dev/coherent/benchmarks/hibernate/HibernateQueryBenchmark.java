package dev.coherent.benchmarks.hibernate;

import dev.coherent.benchmarks.hibernate.HibernateSetup.Cache;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.hibernate.Session;
import org.hibernate.cache.spi.RegionFactory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Measurement 8, Hibernate's query cache: a cacheable HQL selection, the names of the ten products
 * from a hot id on ({@link #HQL}), in a fresh session (open, query, close) per operation, with
 * Coherent as the second-level cache (result from L1, then the table's update timestamp read from
 * Redis), with hibernate-jcache on Caffeine's JCache (the regions by reference, local only), and
 * with no second-level cache (the {@code SELECT} in PostgreSQL). The first id cycles over {@link
 * HibernateSetup#HOT_IDS} values, so there are as many cached results, all cached before the first
 * iteration. A scalar selection: a hit is the query cache alone, with no entity to load.
 *
 * <p>Checked after every iteration from Hibernate's statistics (see {@link HibernateBench}): with a
 * cache, query-cache hits grew by exactly the number of queries, with no miss, no put, no SQL
 * statement and one update-timestamp check per query; without one, one statement per query and
 * no query-cache hit.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HibernateQueryBenchmark {
  static final String HQL =
      "select p.name from Product p where p.id between :first and :last order by p.id";
  /** Rows in each result. */
  public static final int ROWS_PER_RESULT = 10;

  /** The cached query with the next first id; hits, misses and puts of the query cache. */
  static final class QueryBench extends HibernateBench {
    private long first = 1;

    QueryBench(Cache cache) {
      super("query", cache, true);
    }

    @Override
    long op() {
      long from = first;
      if (++first > HibernateSetup.HOT_IDS) {
        first = 1;
      }
      ops++;
      try (Session session = sf.openSession()) {
        List<String> names = session.createSelectionQuery(HQL, String.class)
            .setParameter("first", from).setParameter("last", from + ROWS_PER_RESULT - 1)
            .setCacheable(true).getResultList();
        return names.size() + names.get(0).length();
      }
    }

    @Override
    int keys() {
      return HibernateSetup.HOT_IDS;
    }

    @Override
    long hits() {
      return stats.getQueryCacheHitCount();
    }

    @Override
    long misses() {
      return stats.getQueryCacheMissCount();
    }

    @Override
    long puts() {
      return stats.getQueryCachePutCount();
    }

    @Override
    String region() {
      return RegionFactory.DEFAULT_QUERY_RESULTS_REGION_UNQUALIFIED_NAME;
    }
  }

  @State(Scope.Benchmark)
  public static class CoherentQueryState extends HibernateBench.BenchState {
    public CoherentQueryState() {
      super(new QueryBench(Cache.COHERENT));
    }
  }

  @State(Scope.Benchmark)
  public static class JcacheQueryState extends HibernateBench.BenchState {
    public JcacheQueryState() {
      super(new QueryBench(Cache.JCACHE));
    }
  }

  @State(Scope.Benchmark)
  public static class NoCacheQueryState extends HibernateBench.BenchState {
    public NoCacheQueryState() {
      super(new QueryBench(Cache.NONE));
    }
  }

  @Benchmark
  public long coherentQueryHit(CoherentQueryState s) {
    return s.b.op();
  }

  @Benchmark
  public long jcacheQueryHit(JcacheQueryState s) {
    return s.b.op();
  }

  @Benchmark
  public long noCacheQuery(NoCacheQueryState s) {
    return s.b.op();
  }
}
