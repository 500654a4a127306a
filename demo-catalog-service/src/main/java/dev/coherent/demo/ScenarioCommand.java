package dev.coherent.demo;

import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code scenario}: the "subscriber killed" demonstration. It starts both instances, keeps
 * instance-b's Pub/Sub connection dead (killing it again whenever Lettuce reconnects), changes
 * prices through instance-a's HTTP API, reads them back from instance-b the whole time, and
 * reports the worst staleness a reader saw against the bound ({@code --reconcile-interval} plus
 * one poll). Hints published while its subscriber is down are lost; what keeps instance-b fresh
 * is the reconcile on every resubscription and the scheduled change-log polls.
 */
final class ScenarioCommand implements Subcommand {
  static final String DURATION_FLAG = "--duration";
  static final Duration DEFAULT_DURATION = Duration.ofSeconds(20);
  /** What "one poll" may take on top of the interval, generous for a busy laptop. */
  static final Duration POLL_ALLOWANCE = Duration.ofSeconds(1);
  private static final int PRODUCTS = 200;
  private static final Pattern CLIENT = Pattern.compile("id=(\\d+) .*?name=(\\S*) .*?flags=(\\S*)");

  @Override
  public String name() {
    return "scenario";
  }

  @Override
  public String summary() {
    return "kill instance-b's subscriber, write through instance-a, measure b's worst staleness";
  }

  @Override
  public String usage() {
    return String.format(
        "Usage: %s scenario [%s DURATION] [flags]%n%n"
            + "Starts both instances, keeps instance-b's Pub/Sub subscriber killed, updates prices%n"
            + "through instance-a and reads them from instance-b for DURATION (default %s), then%n"
            + "prints the worst staleness observed and the bound it must stay within. Exit code 0%n"
            + "when every read was within the bound, 1 otherwise.%n%nFlags:%n%s",
        DemoMain.PROGRAM, DURATION_FLAG, Durations.format(DEFAULT_DURATION),
        DemoOptions.flagUsage());
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) throws InterruptedException {
    List<String> rest = new ArrayList<>(args);
    Duration duration = DEFAULT_DURATION;
    int at = rest.indexOf(DURATION_FLAG);
    if (at >= 0) {
      if (at + 1 >= rest.size()) {
        throw new UsageException(DURATION_FLAG + " needs a value such as 20s");
      }
      duration = Durations.parse(DURATION_FLAG, rest.get(at + 1));
      if (duration.compareTo(Duration.ofSeconds(2)) < 0 || duration.compareTo(Duration.ofHours(1)) > 0) {
        throw new UsageException(DURATION_FLAG + " must be from 2s to 1h but was '"
            + rest.get(at + 1) + "'");
      }
      rest.remove(at + 1);
      rest.remove(at);
    }
    DemoOptions options = DemoOptions.parse(rest);
    try (RunningDemo demo = DemoApp.start(options, out, DemoApp.DEFAULT_MODULES)) {
      Result result = run(demo, duration, out);
      Duration bound = options.reconcileInterval().plus(POLL_ALLOWANCE);
      out.printf(Locale.ROOT, "%nwrites through %s:   %d%n", demo.instanceA().id(), result.writes);
      out.printf(Locale.ROOT, "reads from %s:      %d%n", demo.instanceB().id(), result.reads);
      out.printf(Locale.ROOT, "subscriber kills:           %d%n", result.kills);
      out.printf(Locale.ROOT, "hints b received:           %.0f (of %d writes)%n",
          result.meter("coherent.hints.received"), result.writes);
      out.printf(Locale.ROOT, "b reconciles on resubscribe: %.0f, change-log polls: %.0f%n",
          result.meter("coherent.reconcile.requests,reason=resubscribed"),
          result.meter("coherent.reconcile.runs,result=ok"));
      out.printf(Locale.ROOT, "worst staleness on b:       %d ms%n", result.worstMillis);
      out.printf(Locale.ROOT, "bound (interval + poll):    %d ms%n", bound.toMillis());
      boolean ok = result.worstMillis <= bound.toMillis();
      out.println(ok
          ? "PASS: with its subscriber killed and most hints lost, instance-b stayed within the bound."
          : "FAIL: instance-b served a price older than the bound allows.");
      out.flush();
      return ok ? DemoMain.EXIT_OK : 1;
    }
  }

  /** What the run measured, with instance-b's {@code coherent.*} meters at the end. */
  record Result(long writes, long reads, long kills, long worstMillis, Map<String, Double> meters) {
    double meter(String name) {
      return meters.getOrDefault(name, 0.0);
    }
  }

  static Result run(RunningDemo demo, Duration duration, PrintStream out) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    URI a = URI.create("http://localhost:" + demo.instanceA().port());
    URI b = URI.create("http://localhost:" + demo.instanceB().port());
    Map<Long, NavigableMap<Long, Long>> commits = new ConcurrentHashMap<>();
    for (long id = 1; id <= PRODUCTS; id++) {
      long version = version(send(http, get(b, id))); // warm instance-b's L1
      commits.computeIfAbsent(id, k -> new ConcurrentSkipListMap<>()).put(version, System.nanoTime());
    }
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong kills = new AtomicLong();
    AtomicLong reads = new AtomicLong();
    AtomicLong worst = new AtomicLong();
    String victim = demo.instanceB().id();
    RedisClient admin = RedisClient.create(demo.instanceB().context().redisUri());
    out.println("Killing " + victim + "'s Pub/Sub subscriber for " + Durations.format(duration)
        + " while " + demo.instanceA().id() + " changes prices ...");
    out.flush();
    Thread killer = new Thread(() -> {
      try (StatefulRedisConnection<String, String> c = admin.connect()) {
        while (running.get()) {
          Matcher m = CLIENT.matcher(c.sync().clientList());
          while (m.find()) {
            if (m.group(2).equals(victim) && m.group(3).contains("P")) {
              c.sync().clientKill(KillArgs.Builder.id(Long.parseLong(m.group(1))));
              kills.incrementAndGet();
            }
          }
          LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
      } finally {
        admin.shutdown();
      }
    }, "scenario-killer");
    Thread reader = new Thread(() -> {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      while (running.get()) {
        long id = 1 + random.nextInt(PRODUCTS);
        long start = System.nanoTime();
        long version;
        try {
          version = version(send(http, get(b, id)));
        } catch (IllegalStateException e) {
          continue;
        }
        reads.incrementAndGet();
        Map.Entry<Long, Long> newer = commits.get(id).higherEntry(version);
        if (newer != null && newer.getValue() < start) {
          worst.accumulateAndGet(start - newer.getValue(), Math::max);
        }
      }
    }, "scenario-reader");
    killer.start();
    reader.start();
    long writes = 0;
    long end = System.nanoTime() + duration.toNanos();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    while (System.nanoTime() < end) {
      long id = 1 + random.nextInt(PRODUCTS);
      String body = "{\"priceCents\": " + (100 + random.nextInt(100_000)) + "}";
      HttpRequest put = HttpRequest.newBuilder(a.resolve("/products/" + id + "/price"))
          .timeout(Duration.ofSeconds(5)).header("Content-Type", "application/json")
          .PUT(HttpRequest.BodyPublishers.ofString(body)).build();
      long version = version(send(http, put));
      commits.get(id).put(version, System.nanoTime()); // committed once the response is back
      writes++;
      LockSupport.parkNanos(Duration.ofMillis(25).toNanos()); // ~40 price changes a second
    }
    running.set(false);
    killer.join();
    reader.join();
    Map<String, Double> meters = new java.util.TreeMap<>();
    String stats = send(http, HttpRequest.newBuilder(b.resolve("/cache/stats"))
        .timeout(Duration.ofSeconds(5)).GET().build());
    Matcher m = METER.matcher(stats);
    while (m.find()) {
      meters.put(m.group(1), Double.parseDouble(m.group(2)));
    }
    return new Result(writes, reads.get(), kills.get(), worst.get() / 1_000_000, meters);
  }

  private static HttpRequest get(URI base, long id) {
    return HttpRequest.newBuilder(base.resolve("/products/" + id))
        .timeout(Duration.ofSeconds(5)).GET().build();
  }

  private static String send(HttpClient http, HttpRequest request) {
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(request.uri() + " answered " + response.statusCode()
            + ": " + response.body());
      }
      return response.body();
    } catch (IOException e) {
      throw new IllegalStateException(request.uri() + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static final Pattern METER = Pattern.compile("\"(coherent\\.[^\"]+)\":([-0-9.E]+)");
  private static final Pattern VERSION = Pattern.compile("\"version\":(\\d+)");

  private static long version(String body) {
    Matcher m = VERSION.matcher(body);
    if (!m.find()) {
      throw new IllegalStateException("no version in " + body);
    }
    return Long.parseLong(m.group(1));
  }
}
