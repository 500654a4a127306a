package dev.coherent.core.internal;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.coherent.core.Hint;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.function.DoubleSupplier;
import java.util.function.Predicate;

/**
 * What every namespace of a runtime shares. Immutable; each component is thread-safe.
 *
 * @param ticker precise time: lease waits, load timers, rate limits, maintenance periods
 * @param l1Ticker time of L1 entry deadlines, read on every L1 hit: a {@link CoarseTicker} over
 *     the system ticker, or the configured ticker itself when one is given (tests)
 * @param loadExecutor runs loads (may block on the loader and on Redis)
 * @param maintenance runs the hint drain and pending-write replays (never blocks on I/O for long)
 * @param reconcile runs reconciles one at a time (may block on PostgreSQL)
 * @param hintFilter fault-injection hook: hints it rejects are dropped as if lost
 */
record RuntimeContext(
    String instanceId,
    String tenant,
    MeterRegistry meters,
    Ticker ticker,
    Ticker l1Ticker,
    Clock clock,
    DoubleSupplier random,
    Executor loadExecutor,
    Executor maintenance,
    Executor reconcile,
    Duration leasePoll,
    Predicate<Hint> hintFilter) {}
