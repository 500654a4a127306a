package dev.coherent.core;

/**
 * When each named space (a table, usually) was last updated, shared by every instance through
 * Redis: what a query cache checks a cached result against. A result computed in a transaction
 * that began at {@code t} (a value of {@link #now()} taken then) is current when every space it
 * read has {@code lastUpdate(space) < t}.
 *
 * <p>One clock for every instance: the values are microseconds of Redis's clock ({@code TIME},
 * kept from ever going backwards by a floor stored next to the timestamps). An update is stamped
 * inside Redis, so whatever the instances' own clocks say, an update that completed after a
 * transaction began has a timestamp at or above that transaction's {@link #now()}: {@code now()}
 * is a lower bound of the shared clock, estimated from a calibration against Redis and the
 * instance's monotonic ticker (with an allowance for drift), without a round trip.
 *
 * <p>Nothing is ever reported as "up to date" by default: a space that has no timestamp (never
 * updated, or lost with Redis's data) reads as updated now, and while Redis does not answer every
 * space reads as {@link #UNKNOWN} (later than any transaction). Updates Redis could not take are
 * kept and written, stamped at the time they are written, when it answers again.
 *
 * <p>Thread-safe. Obtained from {@link CoherentRuntime#updateTimestamps(String)}.
 */
public interface UpdateTimestamps {
  /** What {@link #lastUpdate} answers when Redis does not: later than any transaction. */
  long UNKNOWN = Long.MAX_VALUE;

  /**
   * A lower bound of the shared clock now, in microseconds. 0 until Redis has answered once
   * (every result taken at 0 is out of date). Never blocks. It does not decrease, except when a
   * reply from Redis proves it ran ahead of the shared clock (a clock slewed faster than the
   * estimate's allowance), when it is corrected down to that reply.
   */
  long now();

  /**
   * The last update of {@code space}: a missing timestamp is set to the shared clock's now (or
   * this instance's {@link #now()}, if higher) and returned; {@link #UNKNOWN} when Redis does not
   * answer (one command, within the runtime's command timeout; after a failure, {@link #UNKNOWN}
   * at once for a second while the runtime's maintenance retries), and while an update of this
   * instance's to the space waits to be written.
   *
   * @throws IllegalArgumentException if {@code space} is empty or longer than 512 characters
   */
  long lastUpdate(String space);

  /**
   * Records an update of {@code space}: its timestamp becomes the larger of {@code notBefore} and
   * the shared clock's now, even if that is below the current one (the last write wins, as a query
   * cache's "invalidated until" followed by "invalidated at" needs). Returns the timestamp
   * written, or {@link #UNKNOWN} when Redis did not answer (it is always asked, within the
   * command timeout): the update is kept and written when it answers again, as a {@link #touch}
   * stamped then.
   *
   * @throws IllegalArgumentException if {@code space} is empty or longer than 512 characters
   */
  long update(String space, long notBefore);

  /**
   * Marks {@code space} updated now without ever lowering its timestamp: it becomes the largest of
   * the current one, {@code notBefore} and the shared clock's now. For changes learned after the
   * fact (a change log), replays and clears, which must not shorten a writer's "being written
   * until". Returns the timestamp written, or {@link #UNKNOWN} as {@link #update} does.
   *
   * @throws IllegalArgumentException if {@code space} is empty or longer than 512 characters
   */
  long touch(String space, long notBefore);

  /** Updates not written yet because Redis did not answer (a gauge for operators and tests). */
  int pendingUpdates();
}
