package dev.coherent.core;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Per-namespace settings, immutable. Create with {@link #builder()} (or {@link #create()} for the
 * defaults) and change a copy with {@link #mutate()}. Every setter checks its argument and says
 * what was wrong; {@link Builder#build()} checks the combination.
 */
public final class NamespaceOptions {
  /** Enough for a hot working set of one entity type on one instance without tuning. */
  public static final long DEFAULT_L1_MAXIMUM_SIZE = 10_000;
  /** L1 freshness does not depend on the TTL (hints and the reconciler do that); this bounds memory of cold keys. */
  public static final Duration DEFAULT_L1_TTL = Duration.ofMinutes(5);
  /** ±20 % spreads the expiry of entries loaded together so they do not all reload at once. */
  public static final double DEFAULT_TTL_JITTER = 0.2;
  /** Nothing lives longer than this in L1 even if every other mechanism failed. */
  public static final Duration DEFAULT_L1_MAX_TTL = Duration.ofMinutes(30);
  public static final Duration DEFAULT_L2_TTL = Duration.ofHours(1);
  /** Off: a "not found" is not cached unless the namespace asks for it. */
  public static final Duration DEFAULT_NEGATIVE_TTL = Duration.ZERO;
  /** Longer than any sane load, so a slow fill that started before an invalidation is refused. */
  public static final Duration DEFAULT_TOMBSTONE_TTL = Duration.ofMinutes(2);
  /** While Redis is unreachable, hints cannot arrive: L1 entries live at most this long. */
  public static final Duration DEFAULT_DEGRADED_L1_TTL = Duration.ofSeconds(1);
  public static final Duration DEFAULT_LEASE_TIME = Duration.ofSeconds(5);
  public static final Duration DEFAULT_LEASE_WAIT = Duration.ofSeconds(2);
  /** Pending invalidations coalesced per namespace before the drop policy flushes L1. */
  public static final int DEFAULT_HINT_BUFFER_CAPACITY = 10_000;
  /** Keeps one hint message under ~32 KiB with keys of ~100 bytes. */
  public static final int DEFAULT_MAX_KEYS_PER_HINT = 256;
  /** A flood of (possibly forged) EPOCH hints costs at most this many local flushes a second. */
  public static final int DEFAULT_EPOCH_HINTS_PER_SECOND = 10;

  private final long l1MaximumSize;
  private final Duration l1Ttl;
  private final double ttlJitter;
  private final Duration l1MaxTtl;
  private final Duration l2Ttl;
  private final boolean l2Enabled;
  private final Duration negativeTtl;
  private final Duration tombstoneTtl;
  private final Duration degradedL1Ttl;
  private final boolean leaseEnabled;
  private final Duration leaseTime;
  private final Duration leaseWait;
  private final int hintBufferCapacity;
  private final int maxKeysPerHint;
  private final int epochHintsPerSecond;

  private NamespaceOptions(Builder b) {
    this.l1MaximumSize = b.l1MaximumSize;
    this.l1Ttl = b.l1Ttl;
    this.ttlJitter = b.ttlJitter;
    this.l1MaxTtl = b.l1MaxTtl;
    this.l2Ttl = b.l2Ttl;
    this.l2Enabled = b.l2Enabled;
    this.negativeTtl = b.negativeTtl;
    this.tombstoneTtl = b.tombstoneTtl;
    this.degradedL1Ttl = b.degradedL1Ttl;
    this.leaseEnabled = b.leaseEnabled;
    this.leaseTime = b.leaseTime;
    this.leaseWait = b.leaseWait;
    this.hintBufferCapacity = b.hintBufferCapacity;
    this.maxKeysPerHint = b.maxKeysPerHint;
    this.epochHintsPerSecond = b.epochHintsPerSecond;
  }

  public static NamespaceOptions create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this object's settings. */
  public Builder mutate() {
    Builder b = new Builder();
    b.l1MaximumSize = l1MaximumSize;
    b.l1Ttl = l1Ttl;
    b.ttlJitter = ttlJitter;
    b.l1MaxTtl = l1MaxTtl;
    b.l2Ttl = l2Ttl;
    b.l2Enabled = l2Enabled;
    b.negativeTtl = negativeTtl;
    b.tombstoneTtl = tombstoneTtl;
    b.degradedL1Ttl = degradedL1Ttl;
    b.leaseEnabled = leaseEnabled;
    b.leaseTime = leaseTime;
    b.leaseWait = leaseWait;
    b.hintBufferCapacity = hintBufferCapacity;
    b.maxKeysPerHint = maxKeysPerHint;
    b.epochHintsPerSecond = epochHintsPerSecond;
    return b;
  }

  public long l1MaximumSize() { return l1MaximumSize; }
  public Duration l1Ttl() { return l1Ttl; }
  public double ttlJitter() { return ttlJitter; }
  public Duration l1MaxTtl() { return l1MaxTtl; }
  public Duration l2Ttl() { return l2Ttl; }
  public boolean l2Enabled() { return l2Enabled; }
  public Duration negativeTtl() { return negativeTtl; }
  public boolean negativeCaching() { return !negativeTtl.isZero(); }
  public Duration tombstoneTtl() { return tombstoneTtl; }
  public Duration degradedL1Ttl() { return degradedL1Ttl; }
  public boolean leaseEnabled() { return leaseEnabled; }
  public Duration leaseTime() { return leaseTime; }
  public Duration leaseWait() { return leaseWait; }
  public int hintBufferCapacity() { return hintBufferCapacity; }
  public int maxKeysPerHint() { return maxKeysPerHint; }
  public int epochHintsPerSecond() { return epochHintsPerSecond; }

  /** Equal when every setting is (a value class: namespaces created twice are compared by it). */
  @Override
  public boolean equals(Object other) {
    return other instanceof NamespaceOptions o && settings().equals(o.settings());
  }

  @Override
  public int hashCode() {
    return settings().hashCode();
  }

  private List<Object> settings() {
    return List.of(l1MaximumSize, l1Ttl, ttlJitter, l1MaxTtl, l2Ttl, l2Enabled, negativeTtl,
        tombstoneTtl, degradedL1Ttl, leaseEnabled, leaseTime, leaseWait, hintBufferCapacity,
        maxKeysPerHint, epochHintsPerSecond);
  }

  @Override
  public String toString() {
    return "NamespaceOptions{l1MaximumSize=" + l1MaximumSize + ", l1Ttl=" + l1Ttl
        + ", ttlJitter=" + ttlJitter + ", l1MaxTtl=" + l1MaxTtl + ", l2Ttl=" + l2Ttl
        + ", l2Enabled=" + l2Enabled + ", negativeTtl=" + negativeTtl
        + ", tombstoneTtl=" + tombstoneTtl + ", degradedL1Ttl=" + degradedL1Ttl
        + ", leaseEnabled=" + leaseEnabled + ", leaseTime=" + leaseTime
        + ", leaseWait=" + leaseWait + ", hintBufferCapacity=" + hintBufferCapacity
        + ", maxKeysPerHint=" + maxKeysPerHint + ", epochHintsPerSecond=" + epochHintsPerSecond
        + "}";
  }

  /** Builds {@link NamespaceOptions}; not thread-safe. */
  public static final class Builder {
    private long l1MaximumSize = DEFAULT_L1_MAXIMUM_SIZE;
    private Duration l1Ttl = DEFAULT_L1_TTL;
    private double ttlJitter = DEFAULT_TTL_JITTER;
    private Duration l1MaxTtl = DEFAULT_L1_MAX_TTL;
    private Duration l2Ttl = DEFAULT_L2_TTL;
    private boolean l2Enabled = true;
    private Duration negativeTtl = DEFAULT_NEGATIVE_TTL;
    private Duration tombstoneTtl = DEFAULT_TOMBSTONE_TTL;
    private Duration degradedL1Ttl = DEFAULT_DEGRADED_L1_TTL;
    private boolean leaseEnabled;
    private Duration leaseTime = DEFAULT_LEASE_TIME;
    private Duration leaseWait = DEFAULT_LEASE_WAIT;
    private int hintBufferCapacity = DEFAULT_HINT_BUFFER_CAPACITY;
    private int maxKeysPerHint = DEFAULT_MAX_KEYS_PER_HINT;
    private int epochHintsPerSecond = DEFAULT_EPOCH_HINTS_PER_SECOND;

    private Builder() {}

    /** Maximum number of L1 entries (values and tombstones), at least 1. */
    public Builder l1MaximumSize(long size) {
      if (size < 1) {
        throw new IllegalArgumentException("l1MaximumSize must be at least 1 but was " + size);
      }
      this.l1MaximumSize = size;
      return this;
    }

    /** Mean time an L1 value lives before it is reloaded, at least 1 ms. */
    public Builder l1Ttl(Duration ttl) {
      this.l1Ttl = positive("l1Ttl", ttl);
      return this;
    }

    /** Fraction by which each TTL is randomly lengthened or shortened, 0 to 0.5. */
    public Builder ttlJitter(double fraction) {
      if (!(fraction >= 0 && fraction <= 0.5)) {
        throw new IllegalArgumentException(
            "ttlJitter must be a fraction from 0 to 0.5 but was " + fraction);
      }
      this.ttlJitter = fraction;
      return this;
    }

    /** Hard maximum lifetime of an L1 value, whatever the jitter: at least l1Ttl. */
    public Builder l1MaxTtl(Duration ttl) {
      this.l1MaxTtl = positive("l1MaxTtl", ttl);
      return this;
    }

    /** Mean TTL of L2 values and tombstones (jittered like L1), at least 1 ms. */
    public Builder l2Ttl(Duration ttl) {
      this.l2Ttl = positive("l2Ttl", ttl);
      return this;
    }

    /** Whether values are kept in Redis too; without L2 only hints and epochs use Redis. */
    public Builder l2Enabled(boolean enabled) {
      this.l2Enabled = enabled;
      return this;
    }

    /** How long a "not found" is cached; {@link Duration#ZERO} turns negative caching off. */
    public Builder negativeTtl(Duration ttl) {
      this.negativeTtl = nonNegative("negativeTtl", ttl);
      return this;
    }

    /** How long an L1 tombstone refuses older fills; must be longer than the slowest load. */
    public Builder tombstoneTtl(Duration ttl) {
      this.tombstoneTtl = positive("tombstoneTtl", ttl);
      return this;
    }

    /** L1 lifetime of entries loaded while Redis is unreachable (no hints can arrive then). */
    public Builder degradedL1Ttl(Duration ttl) {
      this.degradedL1Ttl = positive("degradedL1Ttl", ttl);
      return this;
    }

    /**
     * Turns the cluster-wide load lease on: on an L2 miss one instance loads while the others wait
     * up to {@code wait} for L2, then load themselves. {@code leaseTime} bounds how long a dead
     * holder blocks the others.
     */
    public Builder lease(Duration leaseTime, Duration wait) {
      this.leaseTime = positive("leaseTime", leaseTime);
      this.leaseWait = nonNegative("leaseWait", wait);
      this.leaseEnabled = true;
      return this;
    }

    public Builder leaseDisabled() {
      this.leaseEnabled = false;
      return this;
    }

    /** Distinct keys of pending hints kept before the drop policy engages, at least 1. */
    public Builder hintBufferCapacity(int capacity) {
      if (capacity < 1) {
        throw new IllegalArgumentException("hintBufferCapacity must be at least 1 but was " + capacity);
      }
      this.hintBufferCapacity = capacity;
      return this;
    }

    /** Keys per published hint message, 1 to 10,000; larger batches are split. */
    public Builder maxKeysPerHint(int keys) {
      if (keys < 1 || keys > 10_000) {
        throw new IllegalArgumentException("maxKeysPerHint must be from 1 to 10000 but was " + keys);
      }
      this.maxKeysPerHint = keys;
      return this;
    }

    /** EPOCH hints acted on per second, at least 1; the rest only flag a reconcile. */
    public Builder epochHintsPerSecond(int perSecond) {
      if (perSecond < 1) {
        throw new IllegalArgumentException(
            "epochHintsPerSecond must be at least 1 but was " + perSecond);
      }
      this.epochHintsPerSecond = perSecond;
      return this;
    }

    public NamespaceOptions build() {
      if (l1MaxTtl.compareTo(l1Ttl) < 0) {
        throw new IllegalStateException(
            "l1MaxTtl (" + l1MaxTtl + ") must be at least l1Ttl (" + l1Ttl + ")");
      }
      if (leaseEnabled && !l2Enabled) {
        throw new IllegalStateException("the load lease needs L2 (waiters read the value from Redis); enable L2 or disable the lease");
      }
      return new NamespaceOptions(this);
    }

    /** Longer than any sensible cache lifetime, and far inside what nanoseconds can count. */
    static final Duration MAX_DURATION = Duration.ofDays(365);

    private static Duration positive(String name, Duration d) {
      Objects.requireNonNull(d, name);
      if (d.compareTo(Duration.ofMillis(1)) < 0 || d.compareTo(MAX_DURATION) > 0) {
        throw new IllegalArgumentException(
            name + " must be from 1 ms to " + MAX_DURATION + " but was " + d);
      }
      return d;
    }

    private static Duration nonNegative(String name, Duration d) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.compareTo(MAX_DURATION) > 0) {
        throw new IllegalArgumentException(
            name + " must be from 0 to " + MAX_DURATION + " but was " + d);
      }
      return d;
    }
  }
}
