package dev.coherent.demo.internal.scenario;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * {@code scenario propagation}: with every subscriber alive, how long a price change committed
 * through instance-a takes to be served by instance-b. Each write goes to a product both
 * instances hold in L1; from A's answer on, b is read in a tight loop until it serves the new
 * version (or the bound passes), and the time from the answer to the start of the first fresh
 * read is the write's propagation time ({@code p50Ms}...; usually about zero: the writer publishes
 * the hint before A answers, so it has most often arrived by then). {@code p50FromRequestMs}...
 * count from sending the write instead, A's own latency included. Writes run one after the
 * other.
 *
 * <p>Runs on the calling thread.
 */
public final class PropagationScenario {
  private final Target target;
  private final int writes;
  private final Duration pollAllowance;
  private final PrintStream out;

  public PropagationScenario(Target target, int writes, Duration pollAllowance, PrintStream out) {
    this.target = target;
    this.writes = writes;
    this.pollAllowance = pollAllowance;
    this.out = out;
  }

  public Map<String, Object> run() throws Exception {
    Duration bound = target.reconcileInterval().plus(pollAllowance);
    List<Long> ids = new PlainSql(target.database()).randomProducts(Math.min(writes, 100));
    out.printf(Locale.ROOT, "Propagation: %d price changes on %s, each read back from %s ...%n",
        writes, target.a().base(), target.b().base());
    out.flush();
    Random random = new Random();
    long[] nanos = new long[writes];
    long[] fromRequest = new long[writes];
    int notVisible = 0;
    for (int i = 0; i < writes; i++) {
      long id = ids.get(i % ids.size());
      target.a().product(id);
      target.b().product(id); // both hold it: the hint has something to invalidate
      long sent = System.nanoTime();
      long version = target.a().setPrice(id, 100 + random.nextInt(100_000));
      long committed = System.nanoTime();
      long deadline = committed + bound.toNanos();
      long seen = -1;
      while (System.nanoTime() - deadline < 0) {
        long start = System.nanoTime();
        if (target.b().product(id).version() >= version) {
          seen = Math.max(0, start - committed);
          break;
        }
      }
      if (seen < 0) {
        notVisible++;
        seen = bound.toNanos();
      }
      nanos[i] = seen;
      fromRequest[i] = committed - sent + seen;
    }
    Arrays.sort(nanos);
    Arrays.sort(fromRequest);
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("scenario", "propagation");
    report.put("mode", "alive");
    report.put("reconcileIntervalMs", target.reconcileInterval().toMillis());
    report.put("boundMs", bound.toMillis());
    report.put("writes", writes);
    report.put("p50Ms", StalenessRecorder.millis(StalenessRecorder.percentile(nanos, 0.50)));
    report.put("p99Ms", StalenessRecorder.millis(StalenessRecorder.percentile(nanos, 0.99)));
    report.put("maxMs", StalenessRecorder.millis(nanos.length == 0 ? 0 : nanos[nanos.length - 1]));
    report.put("p50FromRequestMs",
        StalenessRecorder.millis(StalenessRecorder.percentile(fromRequest, 0.50)));
    report.put("p99FromRequestMs",
        StalenessRecorder.millis(StalenessRecorder.percentile(fromRequest, 0.99)));
    report.put("notVisibleWithinBound", notVisible);
    report.put("pass", notVisible == 0);
    return report;
  }
}
