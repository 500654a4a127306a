package dev.coherent.hibernate;

/**
 * The settings of the Coherent second-level cache, read from Hibernate's configuration (e.g.
 * {@code hibernate.properties}, {@code persistence.xml}, or the settings map). See
 * docs/hibernate.md for each one's values and default. Any other key under {@link #PREFIX} fails
 * the boot, naming the key and the valid ones.
 */
public final class CoherentCacheSettings {
  /** Every Coherent setting starts with this. */
  public static final String PREFIX = "hibernate.cache.coherent.";

  /** {@code redis://host:port} (required unless {@link #RUNTIME} is given). */
  public static final String REDIS_URI = PREFIX + "redis_uri";

  /**
   * A Redis Cluster instead of {@link #REDIS_URI}: comma-separated seed URIs ({@code
   * redis://10.0.0.1:6379,redis://10.0.0.2:6379}).
   */
  public static final String REDIS_CLUSTER = PREFIX + "redis_cluster";

  /** With {@link #REDIS_CLUSTER}: {@code sharded} (default, Redis 7+) or {@code classic}. */
  public static final String CLUSTER_HINTS = PREFIX + "cluster_hints";

  /**
   * An application-built {@code CoherentRuntime} object (in the settings map): the provider uses it
   * and never closes it. With it, the runtime settings below must not be given.
   */
  public static final String RUNTIME = PREFIX + "runtime";

  /** The instance id (default: host-pid-random). */
  public static final String INSTANCE_ID = PREFIX + "instance_id";

  /** The Coherent tenant (default {@code default}). */
  public static final String TENANT = PREFIX + "tenant";

  /** Prefix of Redis keys (default {@code coherent}). */
  public static final String KEY_PREFIX = PREFIX + "key_prefix";

  /** Prefix of hint channels (default {@code pubsub}). */
  public static final String CHANNEL_PREFIX = PREFIX + "channel_prefix";

  /**
   * {@code true}: reconcile from the PostgreSQL change log of coherent-db (read through
   * Hibernate's own connections), so writes made outside Hibernate to a tracked table (psql, batch
   * jobs) reach every instance within the reconcile bound; see docs/hibernate.md for the one
   * statement per table that opts it in. Default {@code false}.
   */
  public static final String CHANGE_LOG = PREFIX + "change_log";

  /** How often the reconciler runs ({@code 5s} by default; 250ms to 10m). */
  public static final String RECONCILE_INTERVAL = PREFIX + "reconcile_interval";

  /**
   * Comma-separated class-name patterns, in {@link java.io.ObjectInputFilter} syntax ({@code
   * com.example.*}, {@code com.example.Money}), that cached entity state may contain besides
   * Hibernate's cache entries, JDK value types and the packages of the cached entities.
   */
  public static final String SERIALIZATION_ALLOW = PREFIX + "serialization_allow";

  /** Per-region overrides: {@code hibernate.cache.coherent.region.<region>.<option>}. */
  public static final String REGION_PREFIX = PREFIX + "region.";

  /** Region option: maximum L1 entries (a positive integer). */
  public static final String L1_MAX_SIZE = "l1_max_size";

  /** Region option: L1 lifetime ({@code 30s}, {@code 5m}, {@code 2h}, or ISO-8601 {@code PT5M}). */
  public static final String L1_TTL = "l1_ttl";

  /** Region option: TTL jitter, a fraction from 0 to 0.5. */
  public static final String TTL_JITTER = "ttl_jitter";

  /** Region option: L2 (Redis) lifetime, as {@link #L1_TTL}. */
  public static final String L2_TTL = "l2_ttl";

  private CoherentCacheSettings() {}
}
