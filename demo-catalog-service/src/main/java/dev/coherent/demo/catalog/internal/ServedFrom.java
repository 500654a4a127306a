package dev.coherent.demo.catalog.internal;

import io.lettuce.core.event.command.CommandListener;
import io.lettuce.core.event.command.CommandStartedEvent;
import java.util.Locale;
import java.util.function.Supplier;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.metamodel.model.domain.NavigableRole;
import org.hibernate.stat.internal.StatisticsImpl;
import org.hibernate.stat.spi.StatisticsFactory;
import org.hibernate.stat.spi.StatisticsImplementor;

/**
 * Where one read was served from, {@link Tier#L1}, {@link Tier#L2} or {@link Tier#DB}, observed
 * rather than guessed: while {@link #trace} runs a read on the request thread, two hooks mark what
 * that thread did.
 * <ul>
 *   <li>Hibernate's statistics (this is the session factory's {@code hibernate.stats.factory}):
 *       an entity loaded from the database ({@code loadEntity}, {@code fetchEntity}) marks
 *       {@code db};
 *   <li>a Lettuce {@link CommandListener} on the runtime's Redis client: any Redis command
 *       started by this thread marks {@code l2} (an L1 hit sends none; an L1 miss reads Redis on
 *       the calling thread, see {@code NearCache.getIfPresent}).
 * </ul>
 * Neither hook changes what the read does or returns. {@code db} wins over {@code l2} (a miss
 * also read Redis); a read that marked neither was answered by L1. One case reads as {@code l1}
 * although Redis was read: a request that joined another request's in-flight L2 read of the same
 * key on this instance (that read ran on the other request's thread).
 *
 * <p>Thread-safe: the mark lives in a {@link ThreadLocal} per tracer; hooks running on threads
 * without a trace (event loops, the reconciler, other requests' loads) do nothing.
 */
final class ServedFrom implements StatisticsFactory, CommandListener {
  /** Where a read was answered. */
  enum Tier {
    L1, L2, DB;

    /** The header value: {@code l1}, {@code l2}, {@code db}. */
    String header() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A result and where it came from. */
  record Traced<T>(T value, Tier tier) {}

  private static final class Marks {
    boolean redis;
    boolean database;
  }

  private final ThreadLocal<Marks> current = new ThreadLocal<>();

  /** Runs {@code read} on this thread and reports where it was served from. */
  <T> Traced<T> trace(Supplier<T> read) {
    Marks marks = new Marks();
    Marks outer = current.get();
    current.set(marks);
    try {
      T value = read.get();
      Tier tier = marks.database ? Tier.DB : marks.redis ? Tier.L2 : Tier.L1;
      return new Traced<>(value, tier);
    } finally {
      if (outer == null) {
        current.remove();
      } else {
        current.set(outer);
      }
    }
  }

  // ------------------------------------------------------------------- Lettuce: a Redis command

  @Override
  public void commandStarted(CommandStartedEvent event) {
    Marks marks = current.get();
    if (marks != null) {
      marks.redis = true;
    }
  }

  // -------------------------------------------------- Hibernate: statistics that note DB loads

  @Override
  public StatisticsImplementor buildStatistics(SessionFactoryImplementor sessionFactory) {
    return new StatisticsImpl(sessionFactory) {
      @Override
      public void loadEntity(String entityName) {
        super.loadEntity(entityName);
        markDatabase();
      }

      @Override
      public void fetchEntity(String entityName) {
        super.fetchEntity(entityName);
        markDatabase();
      }

      @Override
      public void entityCacheMiss(NavigableRole entityName, String regionName) {
        super.entityCacheMiss(entityName, regionName);
        markDatabase(); // a second-level cache miss is followed by the database load
      }
    };
  }

  private void markDatabase() {
    Marks marks = current.get();
    if (marks != null) {
      marks.database = true;
    }
  }
}
