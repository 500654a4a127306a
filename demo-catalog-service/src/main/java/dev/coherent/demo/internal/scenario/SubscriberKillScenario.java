package dev.coherent.demo.internal.scenario;

import java.io.PrintStream;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code scenario subscriber-kill}: instance-b loses its hints for the outage (Pub/Sub killed
 * again and again, held down, or deaf) while products change through instance-a's API and with
 * plain SQL, and are deleted; two readers read every changed product from b the whole time and
 * a {@link StalenessRecorder} judges each read. After the outage, b's answers must equal the
 * database within the bound.
 *
 * <p>Runs on the calling thread plus two reader threads and a warm-up pool, all its own.
 */
public final class SubscriberKillScenario {
  /** Which way b loses its hints. */
  public enum Mode {
    KILL, DEAF, DOWN
  }

  /** What to run. */
  public record Settings(Mode mode, Duration outage, int products, int apiWrites, int sqlWrites,
      int deletes, Duration pollAllowance) {}

  private static final int READERS = 2;
  private static final int WARM_THREADS = 4;

  private final Target target;
  private final Settings settings;
  private final PrintStream out;
  private final PlainSql sql;
  private final Random random = new Random();

  public SubscriberKillScenario(Target target, Settings settings, PrintStream out) {
    this.target = target;
    this.settings = settings;
    this.out = out;
    this.sql = new PlainSql(target.database());
  }

  /** Runs it and returns the report (keys as in demo-catalog-service/README.md). */
  public Map<String, Object> run() throws Exception {
    Duration bound = target.reconcileInterval().plus(settings.pollAllowance());
    List<Long> ids = sql.randomProducts(settings.products());
    int totalWrites = settings.apiWrites() + settings.sqlWrites() + settings.deletes();
    StalenessRecorder recorder = new StalenessRecorder(bound.toNanos(), totalWrites);
    out.printf(Locale.ROOT, "Warming both instances with %d products ...%n", ids.size());
    out.flush();
    warm(ids, recorder);
    List<Long> toDelete = new ArrayList<>(ids.subList(0, settings.deletes()));
    List<Long> toUpdate = new ArrayList<>(ids.subList(settings.deletes(), ids.size()));
    long hintsBefore = hintsReceived();

    List<Long> written = new CopyOnWriteArrayList<>();
    AtomicBoolean reading = new AtomicBoolean(true);
    List<Thread> readers = new ArrayList<>();
    for (int i = 0; i < READERS; i++) {
      int offset = i;
      Thread reader = new Thread(() -> readB(written, offset, reading, recorder),
          "scenario-reader-" + i);
      reader.setDaemon(true);
      reader.start();
      readers.add(reader);
    }

    out.printf(Locale.ROOT, "Outage of %s's hints (%s) for %d s: %d API writes, %d SQL writes,"
            + " %d deletes ...%n", target.bInstanceId(), settings.mode().name().toLowerCase(
                Locale.ROOT), settings.outage().toSeconds(), settings.apiWrites(),
        settings.sqlWrites(), settings.deletes());
    out.flush();
    long kills = 0;
    long outageStart = System.nanoTime();
    SubscriberKiller killer = startOutage();
    try {
      write(toUpdate, toDelete, written, recorder, outageStart);
      LockSupport.parkNanos(settings.outage().toNanos() - (System.nanoTime() - outageStart));
    } finally {
      if (killer != null) {
        killer.close();
        kills = killer.kills();
      } else {
        target.b().chaos("off", Duration.ZERO);
      }
    }
    long outageEnd = System.nanoTime();
    out.println("Outage over; checking that " + target.bInstanceId() + " serves what the database"
        + " holds ...");
    out.flush();
    Final check = awaitConsistent(written, bound.plusSeconds(2));
    reading.set(false);
    for (Thread reader : readers) {
      reader.join(10_000);
    }
    StalenessRecorder.Summary s = recorder.summary();
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("scenario", "subscriber-kill");
    report.put("mode", settings.mode().name().toLowerCase(Locale.ROOT));
    report.put("reconcileIntervalMs", target.reconcileInterval().toMillis());
    report.put("boundMs", bound.toMillis());
    report.put("outageMs", Duration.ofNanos(outageEnd - outageStart).toMillis());
    report.put("products", ids.size());
    report.put("writesViaApi", settings.apiWrites());
    report.put("writesViaSql", settings.sqlWrites());
    report.put("deletes", settings.deletes());
    report.put("readsFromB", s.reads());
    report.put("staleReads", s.staleReads());
    report.put("maxStalenessMs", s.maxStalenessMs());
    report.put("p50StalenessMs", s.p50StalenessMs());
    report.put("p99StalenessMs", s.p99StalenessMs());
    report.put("staleReadsBeyondBound", s.staleReadsBeyondBound());
    report.put("finalConsistent", check.consistent);
    report.put("finalMismatches", check.mismatches);
    report.put("finalMismatchDetails", check.details);
    report.put("convergedAfterMs", check.afterMillis);
    report.put("hintsReceivedByB", hintsReceived() - hintsBefore);
    report.put("subscriberKills", kills);
    report.put("pass", s.staleReadsBeyondBound() == 0 && check.consistent);
    return report;
  }

  private void warm(List<Long> ids, StalenessRecorder recorder) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(WARM_THREADS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (Long id : ids) {
        done.add(pool.submit(() -> {
          target.a().product(id);
          recorder.baseline(id, target.b().product(id).version());
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private SubscriberKiller startOutage() {
    switch (settings.mode()) {
      case KILL:
        return new SubscriberKiller(target.redisUrl(), target.bInstanceId());
      case DEAF:
        target.b().chaos("deaf", settings.outage().plusSeconds(1));
        return null;
      default:
        target.b().chaos("down", settings.outage().plusSeconds(1));
        return null;
    }
  }

  /** The writes, in random order, spread evenly over the outage. */
  private void write(List<Long> toUpdate, List<Long> toDelete, List<Long> written,
      StalenessRecorder recorder, long start) throws SQLException {
    List<Character> ops = new ArrayList<>();
    ops.addAll(Collections.nCopies(settings.apiWrites(), 'a'));
    ops.addAll(Collections.nCopies(settings.sqlWrites(), 's'));
    ops.addAll(Collections.nCopies(settings.deletes(), 'd'));
    Collections.shuffle(ops, random);
    // Leave the last fifth of the outage without writes: the bound is measured up to its end.
    long spacing = ops.isEmpty() ? 0 : settings.outage().toNanos() * 4 / 5 / ops.size();
    int deleted = 0;
    for (int i = 0; i < ops.size(); i++) {
      LockSupport.parkNanos(start + i * spacing - System.nanoTime());
      char op = ops.get(i);
      long id;
      if (op == 'd') {
        id = toDelete.get(deleted++);
        if (deleted % 2 == 0) {
          target.a().delete(id);
        } else {
          sql.delete(id);
        }
        recorder.committed(id, CatalogClient.DELETED, System.nanoTime());
      } else {
        id = toUpdate.get(random.nextInt(toUpdate.size()));
        long price = 100 + random.nextInt(100_000);
        long version = op == 'a' ? target.a().setPrice(id, price) : sql.setPrice(id, price);
        recorder.committed(id, version, System.nanoTime());
      }
      if (!written.contains(id)) {
        written.add(id);
      }
    }
  }

  private void readB(List<Long> written, int offset, AtomicBoolean reading,
      StalenessRecorder recorder) {
    int next = offset;
    while (reading.get()) {
      if (written.isEmpty()) {
        LockSupport.parkNanos(1_000_000);
        continue;
      }
      long id = written.get(Math.floorMod(next, written.size()));
      next += READERS;
      long start = System.nanoTime();
      try {
        recorder.read(id, start, target.b().product(id).version());
      } catch (IllegalStateException e) {
        // an answer other than 200/404 (b restarting its connections): not a read of a version
      }
    }
  }

  /** The final check: whether b answered what the database holds, and what it did not. */
  private record Final(boolean consistent, int mismatches, long afterMillis, List<String> details) {}

  /** Polls until every written product reads from b as the database has it, or the deadline. */
  private Final awaitConsistent(List<Long> written, Duration within) throws SQLException {
    long start = System.nanoTime();
    long deadline = start + within.toNanos();
    List<String> details;
    do {
      Map<Long, CatalogClient.Read> truth = sql.truth(written);
      details = new ArrayList<>();
      for (Long id : written) {
        CatalogClient.Read served = target.b().product(id);
        if (!served.equals(truth.get(id))) {
          details.add("product " + id + ": b served " + served + ", the database holds "
              + truth.get(id));
        }
      }
      if (details.isEmpty()) {
        return new Final(true, 0, Duration.ofNanos(System.nanoTime() - start).toMillis(),
            List.of());
      }
      LockSupport.parkNanos(50_000_000);
    } while (System.nanoTime() - deadline < 0);
    return new Final(false, details.size(), Duration.ofNanos(System.nanoTime() - start).toMillis(),
        details);
  }

  private long hintsReceived() {
    long total = 0;
    for (var ns : target.b().adminCache().get("namespaces")) {
      total += ns.get("hintsReceived").asLong();
    }
    return total;
  }
}
