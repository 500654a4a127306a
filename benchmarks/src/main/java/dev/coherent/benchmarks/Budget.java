package dev.coherent.benchmarks;

/**
 * How much each measurement does in a mode. {@link #QUICK} is sized to finish the whole run in
 * about 4 minutes on a 2-core machine; {@link #FULL} follows the figures (10,000 writes
 * for propagation and so on). Immutable.
 *
 * @param jmhForks JMH forks per benchmark (forked JVMs: run-to-run variance shows between them)
 * @param jmhWarmupIterations JMH warm-up iterations per fork
 * @param jmhWarmupMillis length of each warm-up iteration
 * @param jmhMeasurementIterations JMH measured iterations per benchmark
 * @param jmhMeasurementMillis length of each measured iteration
 * @param propagationWrites writes whose propagation is timed, per system
 * @param stalenessWindowMillis how long B's subscriber is being killed while writes go on
 * @param stalenessTailMillis how long reads go on after the last kill (writes to hot keys only)
 * @param stampedeRounds rounds of 2 x 500 concurrent cold gets, per variant
 * @param bulkEntries namespace size for bulk invalidation
 * @param bulkPerKeyEntries keys deleted one by one in the per-key baseline (each is a Redis round
 *     trip, so the quick mode does a tenth of them and says so)
 * @param hintStepMillis length of each offered-rate step of the hint throughput run
 * @param hintKeys distinct keys the hint run invalidates (all held in the subscriber's L1)
 * @param clusterFanoutWrites writes over the 50 namespaces of the cluster fan-out, per hint mode
 */
public record Budget(
    int jmhForks,
    int jmhWarmupIterations,
    int jmhWarmupMillis,
    int jmhMeasurementIterations,
    int jmhMeasurementMillis,
    int propagationWrites,
    int stalenessWindowMillis,
    int stalenessTailMillis,
    int stampedeRounds,
    int bulkEntries,
    int bulkPerKeyEntries,
    int hintStepMillis,
    int hintKeys,
    int clusterFanoutWrites) {

  public static final Budget QUICK = new Budget(1, 2, 1000, 2, 1000, 1_000, 2_000, 2_000, 3, 100_000,
      10_000, 500, 20_000, 1_000);
  public static final Budget FULL = new Budget(2, 3, 2000, 5, 2000, 10_000, 8_000, 8_000, 10, 100_000,
      100_000, 2_000, 100_000, 10_000);

  public static Budget of(boolean quick) {
    return quick ? QUICK : FULL;
  }
}
