package dev.coherent.benchmarks;

import dev.coherent.devservices.RedisService;
import dev.coherent.devservices.Services;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs every measurement of the benchmark suite against one Redis (configured with
 * {@code COHERENT_REDIS_URL}, else embedded) and writes the JSON results plus a Markdown table.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar [--quick] [--out FILE] [--only GROUP,...]</pre>
 *
 * Each figure is measured together with its baseline in the same run. A group that fails is
 * recorded under {@code errors} and the others still run; the exit status is then 1.
 */
public final class BenchmarkMain {
  private static final PrintStream out = System.out;

  private BenchmarkMain() {}

  public static void main(String[] argv) throws IOException {
    Args args;
    try {
      args = Args.parse(argv);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    if (args.help()) {
      out.println(Args.USAGE);
      return;
    }
    // Before the first logger exists: the measurements print their own progress.
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
    }
    if (System.getProperty("org.jboss.logging.provider") == null) {
      System.setProperty("org.jboss.logging.provider", "slf4j"); // Hibernate's logs: not JUL
    }
    int status = run(args);
    System.exit(status);
  }

  static int run(Args args) throws IOException {
    long started = System.nanoTime();
    Budget budget = Budget.of(args.quick());
    Results results = new Results();
    results.put("mode", args.mode());
    results.put("timestamp", Instant.now().toString());
    results.put("machine", machine());
    boolean defaultOut = args.out().equals(Args.parse(args.quick() ? "--quick" : "--help").out());
    results.put("command", "java -jar benchmarks/target/benchmarks.jar"
        + (args.quick() ? " --quick" : "") + (defaultOut ? "" : " --out " + args.out())
        + (args.only().isEmpty() ? "" : " --only " + String.join(",", args.groups())));
    results.put("jmhForks", budget.jmhForks());
    results.put("jmhWarmup", budget.jmhWarmupIterations() + " x " + budget.jmhWarmupMillis() + " ms");
    results.put("jmhMeasurement",
        budget.jmhMeasurementIterations() + " x " + budget.jmhMeasurementMillis() + " ms");

    RedisService redis = Services.redis();
    results.put("redisSource", redis.source().name());
    results.put("redisVersion", redisVersion());
    Path jmhLog = args.out().resolveSibling(
        args.markdownOut().getFileName().toString().replace(".md", "-jmh.log"));
    Path dir = jmhLog.toAbsolutePath().getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    Files.deleteIfExists(jmhLog);
    out.printf("Coherent benchmarks, %s mode, Redis %s (%s); JMH log: %s%n", args.mode(),
        results.get("redisVersion"), redis.source(), jmhLog);

    Map<String, Object> groupSeconds = new LinkedHashMap<>();
    for (String group : args.groups()) {
      long t0 = System.nanoTime();
      out.printf("[%5.1f s] %s ...%n", (t0 - started) / 1e9, group);
      try {
        switch (group) {
          case "l1" -> JmhGroups.l1Hit(budget, results, jmhLog);
          case "remote" -> JmhGroups.remoteRead(budget, results, jmhLog);
          case "propagation" -> Propagation.run(budget, results);
          case "staleness" -> Staleness.run(budget, results);
          case "stampede" -> Stampede.run(budget, results);
          case "bulk" -> BulkInvalidation.run(budget, results);
          case "hints" -> HintThroughput.run(budget, results);
          case "cluster" -> ClusterPropagation.run(budget, results);
          case "hibernate" -> HibernateFind.run(budget, results, jmhLog);
          default -> throw new IllegalStateException("no group " + group);
        }
      } catch (Throwable e) {
        results.error(group, e);
        System.err.println("group " + group + " failed:");
        e.printStackTrace();
      }
      groupSeconds.put(group, Results.round((System.nanoTime() - t0) / 1e9));
    }
    results.put("groupSeconds", groupSeconds);
    results.put("durationSeconds", (System.nanoTime() - started) / 1e9);
    results.write(args.out(), args.markdownOut());
    out.printf("[%5.1f s] done: %s and %s%n", (System.nanoTime() - started) / 1e9, args.out(),
        args.markdownOut());
    out.println();
    out.print(Report.markdown(results));
    return results.errors().isEmpty() ? 0 : 1;
  }

  private static Map<String, Object> machine() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
        + System.getProperty("os.arch"));
    m.put("maxHeapMb", Runtime.getRuntime().maxMemory() / (1024 * 1024));
    String cpu = cpuModel();
    if (cpu != null) {
      m.put("cpu", cpu);
    }
    return m;
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: leave it out
    }
    return null;
  }

  private static String redisVersion() {
    RedisClient client = RedisClient.create(Fixtures.redisUrl());
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      for (String line : c.sync().info("server").split("\r?\n")) {
        if (line.startsWith("redis_version:")) {
          return line.substring("redis_version:".length()).trim();
        }
      }
      return "unknown";
    } finally {
      client.shutdown();
    }
  }
}
