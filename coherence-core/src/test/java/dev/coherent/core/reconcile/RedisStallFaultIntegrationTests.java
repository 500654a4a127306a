package dev.coherent.core.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.coherent.core.ChangeLogOptions;
import dev.coherent.core.Codecs;
import dev.coherent.core.CoherentRuntime;
import dev.coherent.core.Meters;
import dev.coherent.core.NamespaceOptions;
import dev.coherent.core.NearCache;
import dev.coherent.core.Runtimes;
import dev.coherent.core.Versioned;
import dev.coherent.devservices.RedisService;
import dev.coherent.devservices.Services;
import dev.coherent.devservices.TcpProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The freshness guarantee while Redis stalls (issue 11): changes the reconciler reads from the
 * change log while Redis is paused or timing out must still reach L2, or rows changed by plain SQL
 * or by a writer that crashed after its commit are served old from L2 (to this instance after a
 * flush or an L1 expiry, and to every other instance) for up to {@code l2Ttl}.
 *
 * <p>Each scenario test runs a writer instance A and a victim B (B holds the first half of the
 * rows in L1, "hot"; the second half is "cold": in L2 only), a stream of writes of three kinds
 * over both halves during a 3 s Redis fault, readers on A and B that check every read against the
 * commit times, a {@code flushLocal()} of B shortly after the fault, and finally a brand-new
 * instance C: every read on A, B and C must be within the bound, and every row must converge to
 * its latest version on all three. Worst staleness goes to target/staleness-report.txt.
 */
class RedisStallFaultIntegrationTests {
  private static final Duration INTERVAL = Duration.ofMillis(500);
  /** The interval plus one poll, as in {@link FreshnessFaultIntegrationTests}. */
  private static final Duration BOUND = INTERVAL.plusMillis(1000);
  private static final int ROWS = 300;
  /** Rows 1..HOT are read by B before the fault (in B's L1); the rest are cold for B. */
  private static final int HOT = ROWS / 2;
  private static final Duration FAULT = Duration.ofSeconds(3);
  private static final Duration WRITE_PERIOD = Duration.ofMillis(75);
  /** Writes start this long before the fault... */
  private static final Duration AROUND = Duration.ofMillis(500);
  /** ...and go on this long after it, past B's flush. */
  private static final Duration WRITES_AFTER = Duration.ofSeconds(1);
  /** B drops its L1 this long after the fault (repro 2 of issue 11). */
  private static final Duration FLUSH_AFTER = Duration.ofMillis(500);
  /** Readers keep reading this long after the fault. */
  private static final Duration READ_AFTER = Duration.ofSeconds(3);
  private static final int MAX_WRITES = 1000;

  @RegisterExtension final Runtimes runtimes = new Runtimes();

  /**
   * How a row was changed. For the cache, a plain SQL write and a writer that crashed between its
   * commit and its cache call are the same (only the change log knows); they are kept apart so
   * that each is exercised on its own over hot and cold rows.
   */
  enum WriterKind { PLAIN_SQL, CRASHED_WRITER, API_WRITER }

  /** One committed write, for the diagnostics. */
  record Write(WriterKind kind, long version, long nanos) {}

  /** A stale read: worst staleness seen for (instance, key), and the version it returned. */
  record Stale(long millis, long versionRead) {}

  private final RedisService redis = Services.redis();
  private final Queue<Throwable> readerErrors = new ConcurrentLinkedQueue<>();
  private final Map<String, List<Write>> writes = new ConcurrentHashMap<>();
  /** instance -> key -> worst stale read of it. */
  private final Map<String, Map<String, Stale>> stale = new ConcurrentHashMap<>();
  private final AtomicLong violations = new AtomicLong();
  private final List<CoherentRuntime> started = new ArrayList<>();
  private final List<TcpProxy> proxies = new ArrayList<>();
  private CatalogFixture fixture;
  private String testName;
  private long faultStartNanos;
  private long faultEndNanos;

  @BeforeEach
  void setUp(TestInfo info) {
    fixture = new CatalogFixture(ROWS);
    testName = info.getTestMethod().orElseThrow().getName();
  }

  @AfterEach
  void tearDown() {
    // Runtimes first (close() is idempotent; the extension closes them again), then the proxies
    // they talk through, so that no runtime sees its Redis vanish while it shuts down.
    started.forEach(CoherentRuntime::close);
    proxies.forEach(TcpProxy::resume);
    proxies.forEach(TcpProxy::close);
    // A test that failed mid-fault may leave Redis paused for up to FAULT.
    await().atMost(FAULT.plusSeconds(2)).until(redis::isReachable);
    fixture.close();
  }

  // ------------------------------------------------------------------------------------- tests

  @Test
  void redisPausedForAllCommands() throws Exception {
    run(instance("a", null), instance("b", null), () -> {
      redis.pause(FAULT);
      pause(FAULT); // CLIENT PAUSE returns at once; the server holds every client for FAULT
    });
  }

  @Test
  void redisPausedForWrites() throws Exception {
    run(instance("a", null), instance("b", null), () -> {
      redis.pause(FAULT, true);
      pause(FAULT); // as above; PING and plain reads are served, scripts and PUBLISH are held
    });
  }

  @Test
  void redisCommandsTimeOutBehindAStalledNetwork() throws Exception {
    TcpProxy toA = proxy();
    TcpProxy toB = proxy();
    run(instance("a", toA), instance("b", toB), () -> {
      toA.stall();
      toB.stall();
      try {
        pause(FAULT); // connections open, no byte moves: every command times out (500 ms)
      } finally {
        toA.resume();
        toB.resume();
      }
    });
  }

  /** The harness itself: the same scenario with no fault passes. */
  @Test
  void controlWithoutAFault() throws Exception {
    run(instance("a", null), instance("b", null), () -> pause(FAULT));
  }

  /**
   * Nobody alive saw the change: A and B read the changes from the change log during the pause
   * and are closed before it ends, so no instance is left to bring L2 up to date. A new instance
   * must still not serve L2's old versions beyond the bound.
   */
  @Test
  void everyInstanceThatSawTheChangeIsGone() throws Exception {
    everyInstanceGone(FAULT);
  }

  /** The harness of the test above, with no pause: A and B tombstone L2 before they close. */
  @Test
  void controlEveryInstanceGoneWithoutAPause() throws Exception {
    everyInstanceGone(Duration.ZERO);
  }

  // ---------------------------------------------------------------------------------- scenario

  /**
   * Warms A (every row) and B (the hot half), then runs readers on A and B and writers around
   * {@code fault} (which returns when the fault is over), flushes B's L1 {@link #FLUSH_AFTER} the
   * fault, reads on for {@link #READ_AFTER}, and checks every row through A, B and a new C.
   */
  private void run(NearCache<String, String> a, NearCache<String, String> b, Runnable fault)
      throws Exception {
    for (int id = 1; id <= ROWS; id++) {
      a.get(key(id)); // every row in L2 (and A's L1)
    }
    for (int id = 1; id <= HOT; id++) {
      b.get(key(id)); // the hot half in B's L1; the cold half stays in L2 only
    }
    AtomicBoolean reading = new AtomicBoolean(true);
    // A reads the hot rows only, and B too until the fault is over: the cold rows stay in L2 only
    // (nobody's reads load them again), so while Redis stalls only the change log knows of their
    // changes; from the fault's end B reads every row.
    AtomicBoolean bReadsEverything = new AtomicBoolean();
    List<Thread> readers = List.of(
        reader("a", a, reading, () -> false),
        reader("b", b, reading, bReadsEverything::get));
    AtomicBoolean writing = new AtomicBoolean(true);
    // Two writer threads, so that the API writer's calls (which wait for Redis to time out during
    // the fault) do not slow down the writes only the change log knows about.
    List<Thread> writers = List.of(
        writer("writer-db", null, writing, WRITE_PERIOD, WriterKind.PLAIN_SQL,
            WriterKind.CRASHED_WRITER),
        writer("writer-api", a, writing, WRITE_PERIOD.multipliedBy(2), WriterKind.API_WRITER));
    readers.forEach(Thread::start);
    writers.forEach(Thread::start);
    List<CoherentRuntime> polling = List.copyOf(started); // A and B
    List<Double> pollsAtStart = new ArrayList<>();
    List<Double> pollsDuring = new ArrayList<>();
    try {
      pause(AROUND); // writes before the fault
      faultStartNanos = System.nanoTime();
      polling.forEach(r -> pollsAtStart.add(polls(r)));
      fault.run();
      faultEndNanos = System.nanoTime();
      for (int i = 0; i < polling.size(); i++) {
        pollsDuring.add(polls(polling.get(i)) - pollsAtStart.get(i));
      }
      bReadsEverything.set(true);
      pause(FLUSH_AFTER);
      b.flushLocal();
      // Writes go on past the flush, then readers alone until READ_AFTER the fault.
      pause(Duration.ofNanos(faultEndNanos + WRITES_AFTER.toNanos() - System.nanoTime()));
      writing.set(false);
      for (Thread writer : writers) {
        writer.join(10_000);
      }
      pause(Duration.ofNanos(faultEndNanos + READ_AFTER.toNanos() - System.nanoTime()));
    } finally {
      writing.set(false);
      reading.set(false);
      for (Thread writer : writers) {
        writer.join(10_000);
      }
      for (Thread reader : readers) {
        reader.join(10_000);
      }
    }
    assertThat(writers).noneMatch(Thread::isAlive);
    assertThat(readers).noneMatch(Thread::isAlive);
    // A poll makes no Redis call: the fault does not slow the reconcilers down (one poll per
    // interval; two fewer for the phase of the first tick and a loaded machine).
    long expected = FAULT.toMillis() / INTERVAL.toMillis() - 2;
    System.out.printf("%s: change-log polls during the %d ms fault: A %.0f, B %.0f%n", testName,
        FAULT.toMillis(), pollsDuring.get(0), pollsDuring.get(1));
    assertThat(pollsDuring).as("polls during the fault (A, B)")
        .allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo((double) expected));
    NearCache<String, String> c = instance("c", null);
    checkEveryRow(List.of("c", "b", "a"), List.of(c, b, a));
  }

  private static double polls(CoherentRuntime runtime) {
    return Meters.count(runtime.meterRegistry(), "coherent.reconcile.runs", "result", "ok");
  }

  /**
   * A and B (warmed as in {@link #run}); during a pause of {@code pauseFor} (none for the
   * control), plain-SQL updates of cold rows, then A and B are closed before the pause ends; then a
   * new instance C reads.
   */
  private void everyInstanceGone(Duration pauseFor) throws Exception {
    CoherentRuntime runtimeA = runtime("a", null);
    CoherentRuntime runtimeB = runtime("b", null);
    NearCache<String, String> a = namespace(runtimeA);
    NearCache<String, String> b = namespace(runtimeB);
    for (int id = 1; id <= ROWS; id++) {
      a.get(key(id));
    }
    for (int id = 1; id <= HOT; id++) {
      b.get(key(id));
    }
    faultStartNanos = System.nanoTime();
    faultEndNanos = faultStartNanos + FAULT.toNanos();
    if (!pauseFor.isZero()) {
      redis.pause(pauseFor);
    }
    // 20 cold rows changed over the first 1.5 s of the pause: A's and B's reconcilers read every
    // one of them from the change log (a poll every 500 ms) while Redis is paused.
    for (int i = 0; i < 20; i++) {
      write(null, key(HOT + 1 + i * (ROWS - HOT) / 20), WriterKind.PLAIN_SQL, "gone" + i);
      pause(Duration.ofMillis(75)); // spread the commits over several polls
    }
    // The last commit is polled by both (one interval and a poll later), then both close, well
    // before the pause ends.
    pause(Duration.ofNanos(faultStartNanos + Duration.ofMillis(2200).toNanos()
        - System.nanoTime()));
    // close() may wait for a tick blocked on Redis: close both at once, off this thread.
    Map<String, Long> closedAtMillis = new ConcurrentHashMap<>();
    List<Thread> closers = new ArrayList<>();
    for (CoherentRuntime runtime : List.of(runtimeA, runtimeB)) {
      Thread closer = new Thread(() -> {
        runtime.close();
        closedAtMillis.put(runtime.instanceId(),
            (System.nanoTime() - faultStartNanos) / 1_000_000);
      }, "close-" + runtime.instanceId());
      closer.start();
      closers.add(closer);
    }
    for (Thread closer : closers) {
      closer.join(15_000);
    }
    assertThat(closers).noneMatch(Thread::isAlive);
    System.out.printf("%s: A and B closed at %s ms after the pause began (pause %d ms)%n",
        testName, new TreeMap<>(closedAtMillis), pauseFor.toMillis());
    pause(Duration.ofNanos(faultEndNanos - System.nanoTime())); // the pause is over
    await().atMost(Duration.ofSeconds(5)).until(redis::isReachable);
    NearCache<String, String> c = instance("c", null);
    // C reads every row, over and over, until every commit is older than the bound.
    AtomicBoolean reading = new AtomicBoolean(true);
    Thread reader = reader("c", c, reading, () -> true);
    reader.start();
    try {
      pause(BOUND.plusMillis(500)); // well past the bound of the last commit (about t0 + 1.5 s)
    } finally {
      reading.set(false);
      reader.join(10_000);
    }
    assertThat(reader.isAlive()).isFalse();
    checkEveryRow(List.of("c"), List.of(c));
  }

  /**
   * Reads every row through each instance in order (C first: A's reads of a row it holds as a
   * tombstone load it from PostgreSQL and fill L2, which would hide an L2 that nobody else
   * brought up to date), each read checked, then awaits every row at its latest version
   * everywhere, reports, then asserts: no reader exceptions, no read staler than the bound,
   * convergence within the bound plus 5 s.
   */
  private void checkEveryRow(List<String> names, List<NearCache<String, String>> caches) {
    Map<String, NearCache<String, String>> instances = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      instances.put(names.get(i), caches.get(i));
    }
    Map<String, Map<String, Long>> served = new LinkedHashMap<>();
    for (Map.Entry<String, NearCache<String, String>> e : instances.entrySet()) {
      for (int id = 1; id <= ROWS; id++) {
        String key = key(id);
        Versioned<String> read = check(e.getKey(), key, e.getValue());
        long version = read == null ? 0 : read.version();
        if (version != fixture.latest(key)) {
          served.computeIfAbsent(e.getKey(), x -> new TreeMap<>()).put(key, version);
        }
      }
    }
    // Awaited before the assertions so that a failure says whether the stale rows stay stale.
    long awaitStart = System.nanoTime();
    ConditionTimeoutException notConverged = null;
    String convergence;
    try {
      await().atMost(BOUND.plusSeconds(5)).untilAsserted(() -> {
        for (Map.Entry<String, NearCache<String, String>> e : instances.entrySet()) {
          for (int id = 1; id <= ROWS; id++) {
            String key = key(id);
            assertThat(e.getValue().getVersioned(key).version()).as("%s via %s", key, e.getKey())
                .isEqualTo(fixture.latest(key));
          }
        }
      });
      convergence = "every row latest everywhere after "
          + (System.nanoTime() - awaitStart) / 1_000_000 + " ms more";
    } catch (ConditionTimeoutException e) {
      notConverged = e;
      convergence = "NOT converged " + (System.nanoTime() - awaitStart) / 1_000_000
          + " ms later: " + notLatest(instances);
    }
    CatalogFixture.report(testName, fixture.worstStalenessMillis(), BOUND.toMillis(),
        fixture.reads());
    String diagnosis = diagnosis(served) + convergence;
    System.out.println(testName + ": " + diagnosis);
    assertThat(readerErrors).as("exceptions that reached callers").isEmpty();
    assertThat(violations).as("reads staler than the bound: %s", diagnosis).hasValue(0);
    if (notConverged != null) {
      throw notConverged;
    }
  }

  /** Rows whose version through an instance is not the latest now (reads not checked). */
  private Map<String, String> notLatest(Map<String, NearCache<String, String>> instances) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, NearCache<String, String>> e : instances.entrySet()) {
      List<String> rows = new ArrayList<>();
      for (int id = 1; id <= ROWS; id++) {
        Versioned<String> read = e.getValue().getVersioned(key(id));
        if ((read == null ? 0 : read.version()) != fixture.latest(key(id))) {
          rows.add(key(id));
        }
      }
      out.put(e.getKey(), rows.size() + " rows " + abbreviate(rows));
    }
    return out;
  }

  // ---------------------------------------------------------------------------------- helpers

  private TcpProxy proxy() {
    TcpProxy proxy = TcpProxy.to(redis);
    proxies.add(proxy);
    return proxy;
  }

  private CoherentRuntime runtime(String id, @Nullable TcpProxy via) {
    CoherentRuntime runtime = runtimes.start(id, b -> {
      b.reconcileInterval(INTERVAL).livenessTimeout(Duration.ofSeconds(1))
          .changeLog(ChangeLogOptions.builder(fixture.dataSource()).build());
      if (via != null) {
        b.redisUri(via.redisUri(redis.uri()));
      }
    });
    started.add(runtime);
    return runtime;
  }

  private static NearCache<String, String> namespace(CoherentRuntime runtime,
      CatalogFixture fixture) {
    return runtime.namespace(CatalogFixture.NAMESPACE, Codecs.string(), NamespaceOptions.create(),
        fixture.loader());
  }

  private NearCache<String, String> namespace(CoherentRuntime runtime) {
    return namespace(runtime, fixture);
  }

  private NearCache<String, String> instance(String id, @Nullable TcpProxy via) {
    return namespace(runtime(id, via));
  }

  /** Commits one change of {@code key} the way {@code kind} does; {@code api} is the API writer. */
  private void write(@Nullable NearCache<String, String> api, String key, WriterKind kind,
      String name) {
    long version = fixture.update(key, name); // the commit (the trigger logs the change)
    record(key, new Write(kind, version, System.nanoTime()));
    switch (kind) {
      case PLAIN_SQL -> { } // psql, a batch job: nothing else
      case CRASHED_WRITER -> { } // the application committed and died before its cache call
      case API_WRITER -> api.invalidate(key, version);
    }
  }

  private void record(String key, Write write) {
    writes.compute(key, (k, list) -> {
      List<Write> next = list == null ? new ArrayList<>() : new ArrayList<>(list);
      next.add(write);
      return List.copyOf(next);
    });
  }

  /**
   * Every {@code period}, one write by each of {@code kinds} in turn, each kind alternating
   * between a random hot row and a random cold row.
   */
  private Thread writer(String name, @Nullable NearCache<String, String> api,
      AtomicBoolean writing, Duration period, WriterKind... kinds) {
    return new Thread(() -> {
      try {
        for (int i = 0; i < MAX_WRITES && writing.get(); i++) {
          WriterKind kind = kinds[i % kinds.length];
          boolean hot = (i / kinds.length) % 2 == 0;
          int id = hot ? 1 + ThreadLocalRandom.current().nextInt(HOT)
              : HOT + 1 + ThreadLocalRandom.current().nextInt(ROWS - HOT);
          write(api, key(id), kind, name + "-" + i);
          pause(period); // a steady trickle through the whole fault window
        }
      } catch (Throwable t) {
        readerErrors.add(t);
      }
    }, name);
  }

  private Thread reader(String instance, NearCache<String, String> cache, AtomicBoolean reading,
      java.util.function.BooleanSupplier everything) {
    return new Thread(() -> {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      while (reading.get()) {
        int id = 1 + random.nextInt(everything.getAsBoolean() ? ROWS : HOT);
        try {
          check(instance, key(id), cache);
        } catch (Throwable t) {
          readerErrors.add(t);
        }
      }
    }, "reader-" + instance);
  }

  /** One read, checked against the commit times; a stale one is counted and remembered. */
  private @Nullable Versioned<String> check(String instance, String key,
      NearCache<String, String> cache) {
    long start = System.nanoTime();
    Versioned<String> read = cache.getVersioned(key);
    long staleness = fixture.observe(key, start, read);
    if (staleness > BOUND.toNanos()) {
      violations.incrementAndGet();
      long version = read == null ? 0 : read.version();
      stale.computeIfAbsent(instance, i -> new ConcurrentHashMap<>()).merge(key,
          new Stale(staleness / 1_000_000, version),
          (x, y) -> x.millis() >= y.millis() ? x : y);
    }
    return read;
  }

  /**
   * Per instance: how many rows were read stale (hot or cold for B) and which writes they missed
   * (kind, and time relative to the fault's start); then the rows not at their latest version in
   * the final read.
   */
  private String diagnosis(Map<String, Map<String, Long>> served) {
    StringBuilder out = new StringBuilder();
    out.append(String.format("violations=%d, writes during the fault: %s; ", violations.get(),
        writesDuringFault()));
    for (Map.Entry<String, Map<String, Stale>> e : new TreeMap<>(stale).entrySet()) {
      Map<String, Stale> rows = new TreeMap<>(e.getValue());
      long hot = rows.keySet().stream().filter(k -> Integer.parseInt(k) <= HOT).count();
      long worst = rows.values().stream().mapToLong(Stale::millis).max().orElse(0);
      Map<String, Long> missed = rows.entrySet().stream()
          .flatMap(r -> missedBy(r.getKey(), r.getValue().versionRead()).stream())
          .collect(Collectors.groupingBy(w -> w.kind().name(), TreeMap::new,
              Collectors.counting()));
      out.append(String.format("%s read %d rows stale (%d hot, %d cold), worst %d ms, missed"
          + " writes by kind %s, rows %s; ", e.getKey(), rows.size(), hot, rows.size() - hot,
          worst, missed, abbreviate(rows.keySet())));
    }
    for (Map.Entry<String, Map<String, Long>> e : served.entrySet()) {
      Map<String, String> detail = new LinkedHashMap<>();
      e.getValue().forEach((key, version) -> detail.put(key, "v" + version + "<v"
          + fixture.latest(key) + " " + missedBy(key, version).stream()
              .map(w -> w.kind() + "@" + offsetMillis(w.nanos())).toList()));
      out.append(String.format("final read via %s not latest for %d rows: %s; ", e.getKey(),
          detail.size(), abbreviate(detail.entrySet())));
    }
    return out.toString();
  }

  private List<Write> missedBy(String key, long versionRead) {
    return writes.getOrDefault(key, List.of()).stream()
        .filter(w -> w.version() > versionRead).toList();
  }

  private Map<String, Long> writesDuringFault() {
    return writes.entrySet().stream()
        .flatMap(e -> e.getValue().stream()
            .filter(w -> w.nanos() >= faultStartNanos && w.nanos() <= faultEndNanos)
            .map(w -> w.kind() + (Integer.parseInt(e.getKey()) <= HOT ? "/hot" : "/cold")))
        .collect(Collectors.groupingBy(s -> s, TreeMap::new, Collectors.counting()));
  }

  private String offsetMillis(long nanos) {
    return "+" + (nanos - faultStartNanos) / 1_000_000 + "ms";
  }

  private static String abbreviate(java.util.Collection<?> items) {
    return items.size() <= 12 ? items.toString()
        : items.stream().limit(12).toList() + " and " + (items.size() - 12) + " more";
  }

  private static String key(int id) {
    return Integer.toString(id);
  }

  /** Sleeps; every caller says why. Non-positive durations return at once. */
  private static void pause(Duration duration) {
    long deadline = System.nanoTime() + duration.toNanos();
    for (long left = duration.toNanos(); left > 0 && !Thread.currentThread().isInterrupted();
        left = deadline - System.nanoTime()) {
      LockSupport.parkNanos(left);
    }
  }
}
