package dev.coherent.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs JMH benchmarks through its {@link Runner} API: forked JVMs per benchmark (so the JIT
 * profile of one system never pollutes another's), the GC profiler on for allocation per
 * operation, the human-readable log appended to a file. The fork reaches the run's Redis through
 * {@code -Dcoherent.redis.url}. Stateless.
 */
final class Jmh {
  /** One benchmark's figures. */
  record Score(String method, double score, String unit, double error,
      double allocBytesPerOp, double p50, double p99) {}

  private Jmh() {}

  /** Runs the benchmarks matching {@code includeRegex}; {@code jvmArgs} go to every fork too. */
  static List<Score> run(String includeRegex, int threads, Budget budget, Path log,
      String... jvmArgs) throws RunnerException, IOException {
    Path part = Files.createTempFile("coherent-jmh", ".log");
    ChainedOptionsBuilder options = new OptionsBuilder()
        .include(includeRegex)
        .threads(threads)
        .forks(budget.jmhForks())
        .warmupIterations(budget.jmhWarmupIterations())
        .warmupTime(TimeValue.milliseconds(budget.jmhWarmupMillis()))
        .measurementIterations(budget.jmhMeasurementIterations())
        .measurementTime(TimeValue.milliseconds(budget.jmhMeasurementMillis()))
        .jvmArgsAppend(forkArgs(jvmArgs))
        .addProfiler(GCProfiler.class)
        .shouldFailOnError(true)
        .verbosity(VerboseMode.NORMAL)
        .output(part.toString());
    Collection<RunResult> results;
    try {
      results = new Runner(options.build()).run();
    } finally {
      // JMH truncates its output file: collect each run's log into the one file.
      if (Files.exists(part)) {
        Files.write(log, Files.readAllBytes(part), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Files.delete(part);
      }
    }
    List<Score> scores = new ArrayList<>();
    for (RunResult r : results) {
      String benchmark = r.getParams().getBenchmark();
      String method = benchmark.substring(benchmark.lastIndexOf('.') + 1);
      Result<?> primary = r.getPrimaryResult();
      double p50 = Double.NaN;
      double p99 = Double.NaN;
      if (primary.getStatistics().getN() > 0) {
        p50 = primary.getStatistics().getPercentile(50);
        p99 = primary.getStatistics().getPercentile(99);
      }
      scores.add(new Score(method, primary.getScore(), primary.getScoreUnit(),
          primary.getScoreError(), secondary(r, "gc.alloc.rate.norm"), p50, p99));
    }
    return scores;
  }

  /** The JVM options of every fork, then {@code extra} (one call: JMH keeps only the last list). */
  private static String[] forkArgs(String... extra) {
    List<String> args = new ArrayList<>(List.of(
        "-Dcoherent.redis.url=" + Fixtures.redisUrl(),
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        "-Xms1g", "-Xmx1g"));
    args.addAll(List.of(extra));
    return args.toArray(new String[0]);
  }

  static @Nullable Score find(List<Score> scores, String method) {
    for (Score s : scores) {
      if (s.method().equals(method)) {
        return s;
      }
    }
    return null;
  }

  private static double secondary(RunResult r, String label) {
    for (var e : r.getSecondaryResults().entrySet()) {
      if (e.getKey().endsWith(label)) {
        return e.getValue().getScore();
      }
    }
    return Double.NaN;
  }
}
