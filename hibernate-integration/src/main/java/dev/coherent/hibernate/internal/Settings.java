package dev.coherent.hibernate.internal;

import static dev.coherent.hibernate.CoherentCacheSettings.CHANGE_LOG;
import static dev.coherent.hibernate.CoherentCacheSettings.CHANNEL_PREFIX;
import static dev.coherent.hibernate.CoherentCacheSettings.CLUSTER_HINTS;
import static dev.coherent.hibernate.CoherentCacheSettings.INSTANCE_ID;
import static dev.coherent.hibernate.CoherentCacheSettings.KEY_PREFIX;
import static dev.coherent.hibernate.CoherentCacheSettings.L1_MAX_SIZE;
import static dev.coherent.hibernate.CoherentCacheSettings.L1_TTL;
import static dev.coherent.hibernate.CoherentCacheSettings.L2_TTL;
import static dev.coherent.hibernate.CoherentCacheSettings.PREFIX;
import static dev.coherent.hibernate.CoherentCacheSettings.RECONCILE_INTERVAL;
import static dev.coherent.hibernate.CoherentCacheSettings.REDIS_CLUSTER;
import static dev.coherent.hibernate.CoherentCacheSettings.REDIS_URI;
import static dev.coherent.hibernate.CoherentCacheSettings.REGION_PREFIX;
import static dev.coherent.hibernate.CoherentCacheSettings.RUNTIME;
import static dev.coherent.hibernate.CoherentCacheSettings.SERIALIZATION_ALLOW;
import static dev.coherent.hibernate.CoherentCacheSettings.TENANT;
import static dev.coherent.hibernate.CoherentCacheSettings.TTL_JITTER;

import dev.coherent.core.ChangeLogOptions;
import dev.coherent.core.ClusterHints;
import dev.coherent.core.CoherentRuntime;
import dev.coherent.core.NamespaceOptions;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hibernate.cache.CacheException;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The {@code hibernate.cache.coherent.*} settings, checked all at once at boot: every invalid or
 * unknown key fails with its name, the value and what is valid. Immutable after {@link #parse}.
 */
public final class Settings {
  private static final Set<String> RUNTIME_KEYS = Set.of(REDIS_URI, REDIS_CLUSTER, CLUSTER_HINTS,
      INSTANCE_ID, TENANT,
      KEY_PREFIX, CHANNEL_PREFIX, CHANGE_LOG, RECONCILE_INTERVAL);
  private static final Set<String> KEYS = Set.of(REDIS_URI, REDIS_CLUSTER, CLUSTER_HINTS, RUNTIME,
      INSTANCE_ID, TENANT,
      KEY_PREFIX, CHANNEL_PREFIX, CHANGE_LOG, RECONCILE_INTERVAL, SERIALIZATION_ALLOW);
  private static final Set<String> REGION_OPTIONS = Set.of(L1_MAX_SIZE, L1_TTL, TTL_JITTER, L2_TTL);
  private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  private final @Nullable CoherentRuntime givenRuntime;
  private final CoherentRuntime.@Nullable Builder builder;
  private final boolean changeLog;
  private final List<String> serializationAllow;
  /** Region name -> a change of the default namespace options. */
  private final Map<String, List<Consumer<NamespaceOptions.Builder>>> regions;

  private Settings(@Nullable CoherentRuntime givenRuntime, CoherentRuntime.@Nullable Builder builder,
      boolean changeLog, List<String> serializationAllow,
      Map<String, List<Consumer<NamespaceOptions.Builder>>> regions) {
    this.givenRuntime = givenRuntime;
    this.builder = builder;
    this.changeLog = changeLog;
    this.serializationAllow = serializationAllow;
    this.regions = regions;
  }

  /** Reads and checks the settings; the runtime is not built yet (see {@link #runtime()}). */
  public static Settings parse(Map<String, Object> config) {
    List<String> errors = new ArrayList<>();
    Map<String, Object> ours = new LinkedHashMap<>();
    config.forEach((key, value) -> {
      if (key.startsWith(PREFIX) && value != null) {
        ours.put(key, value);
      }
    });
    Map<String, List<Consumer<NamespaceOptions.Builder>>> regions = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : ours.entrySet()) {
      String key = e.getKey();
      if (KEYS.contains(key)) {
        continue;
      }
      if (key.startsWith(REGION_PREFIX)) {
        region(key, e.getValue(), regions, errors);
        continue;
      }
      errors.add("unknown setting " + key + "; the settings are " + new TreeSet<>(KEYS) + " and "
          + REGION_PREFIX + "<region>." + new TreeSet<>(REGION_OPTIONS));
    }
    // Each region's overrides together (l1_ttl against the l1MaxTtl cap, say), now, by name.
    regions.forEach((region, changes) -> {
      NamespaceOptions.Builder b = NamespaceOptions.builder();
      try {
        changes.forEach(change -> change.accept(b));
        b.build();
      } catch (IllegalArgumentException | IllegalStateException e) {
        errors.add(REGION_PREFIX + region + ".*: " + e.getMessage());
      }
    });
    CoherentRuntime given = null;
    CoherentRuntime.Builder builder = null;
    Object runtime = ours.get(RUNTIME);
    if (runtime != null) {
      if (runtime instanceof CoherentRuntime r) {
        given = r;
      } else {
        errors.add(RUNTIME + " must be a dev.coherent.core.CoherentRuntime object, but was a "
            + runtime.getClass().getName());
      }
      for (String k : RUNTIME_KEYS) {
        if (ours.containsKey(k)) {
          errors.add(k + " cannot be combined with " + RUNTIME
              + " (the given runtime is already configured)");
        }
      }
    } else if (!ours.containsKey(REDIS_URI) && !ours.containsKey(REDIS_CLUSTER)) {
      errors.add(REDIS_URI + " is required (e.g. redis://localhost:6379), unless "
          + REDIS_CLUSTER + " names a Redis Cluster or " + RUNTIME + " gives a CoherentRuntime");
    } else if (ours.containsKey(REDIS_URI) && ours.containsKey(REDIS_CLUSTER)) {
      errors.add(REDIS_URI + " and " + REDIS_CLUSTER + " are both set; give one: a Redis server"
          + " or a Redis Cluster");
    } else if (ours.containsKey(CLUSTER_HINTS) && !ours.containsKey(REDIS_CLUSTER)) {
      errors.add(CLUSTER_HINTS + " applies only with " + REDIS_CLUSTER);
    } else {
      builder = builder(ours, errors);
    }
    List<String> allow = new ArrayList<>();
    Object patterns = ours.get(SERIALIZATION_ALLOW);
    if (patterns != null) {
      for (String p : patterns.toString().split(",")) {
        if (!p.isBlank()) {
          allow.add(p.strip());
        }
      }
    }
    boolean changeLog = false;
    Object log = ours.get(CHANGE_LOG);
    if (log != null) {
      String text = log.toString().strip();
      if (text.equalsIgnoreCase("true")) {
        changeLog = true;
      } else if (!text.equalsIgnoreCase("false")) {
        errors.add(CHANGE_LOG + ": '" + text + "' must be true or false");
      }
    }
    if (!errors.isEmpty()) {
      throw new CacheException("Coherent second-level cache: invalid settings:\n  - "
          + String.join("\n  - ", errors) + "\n(see docs/hibernate.md)");
    }
    return new Settings(given, builder, changeLog, List.copyOf(allow), regions);
  }

  private static ClusterHints clusterHints(String value) {
    return switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "sharded" -> ClusterHints.SHARDED;
      case "classic" -> ClusterHints.CLASSIC;
      default -> throw new IllegalArgumentException("'" + value + "' must be sharded or classic");
    };
  }

  private static CoherentRuntime.Builder builder(Map<String, Object> ours, List<String> errors) {
    CoherentRuntime.Builder b = CoherentRuntime.builder();
    apply(ours, REDIS_URI, errors, v -> b.redisUri(v));
    apply(ours, REDIS_CLUSTER, errors, v -> b.redisCluster(Arrays.stream(v.split(","))
        .map(String::strip).filter(seed -> !seed.isEmpty()).toArray(String[]::new)));
    apply(ours, CLUSTER_HINTS, errors, v -> b.clusterHints(clusterHints(v)));
    apply(ours, INSTANCE_ID, errors, v -> b.instanceId(v));
    apply(ours, TENANT, errors, v -> b.tenant(v));
    apply(ours, KEY_PREFIX, errors, v -> b.keyPrefix(v));
    apply(ours, CHANNEL_PREFIX, errors, v -> b.channelPrefix(v));
    apply(ours, RECONCILE_INTERVAL, errors, v -> b.reconcileInterval(duration(RECONCILE_INTERVAL, v)));
    return b;
  }

  private static void apply(Map<String, Object> ours, String key, List<String> errors,
      Consumer<String> setter) {
    Object value = ours.get(key);
    if (value == null) {
      return;
    }
    try {
      setter.accept(value.toString().strip());
    } catch (IllegalArgumentException e) {
      errors.add(key + ": " + e.getMessage());
    }
  }

  private static void region(String key, Object value,
      Map<String, List<Consumer<NamespaceOptions.Builder>>> regions, List<String> errors) {
    String rest = key.substring(REGION_PREFIX.length());
    int dot = rest.lastIndexOf('.');
    String region = dot > 0 ? rest.substring(0, dot) : "";
    String option = dot > 0 ? rest.substring(dot + 1) : rest;
    if (region.isEmpty() || !REGION_OPTIONS.contains(option)) {
      errors.add("unknown setting " + key + "; region settings are " + REGION_PREFIX
          + "<region>.<option> with <option> one of " + new TreeSet<>(REGION_OPTIONS));
      return;
    }
    String text = value.toString().strip();
    Consumer<NamespaceOptions.Builder> change;
    try {
      change = switch (option) {
        case L1_MAX_SIZE -> {
          long size = Long.parseLong(text);
          NamespaceOptions.builder().l1MaximumSize(size); // checks it now
          yield b -> b.l1MaximumSize(size);
        }
        case TTL_JITTER -> {
          double jitter = Double.parseDouble(text);
          NamespaceOptions.builder().ttlJitter(jitter);
          yield b -> b.ttlJitter(jitter);
        }
        case L1_TTL -> {
          Duration ttl = duration(key, text);
          NamespaceOptions.builder().l1Ttl(ttl);
          yield b -> b.l1Ttl(ttl);
        }
        default -> {
          Duration ttl = duration(key, text);
          NamespaceOptions.builder().l2Ttl(ttl);
          yield b -> b.l2Ttl(ttl);
        }
      };
    } catch (NumberFormatException e) {
      errors.add(key + ": '" + text + "' is not a number"
          + (option.equals(L1_MAX_SIZE) ? " (a positive integer)" : " (a fraction from 0 to 0.5)"));
      return;
    } catch (IllegalArgumentException e) {
      errors.add(key + ": " + e.getMessage());
      return;
    }
    regions.computeIfAbsent(region, r -> new ArrayList<>()).add(change);
  }

  /** {@code 250ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d}, or ISO-8601 ({@code PT5M}). */
  static Duration duration(String key, String text) {
    Matcher m = SIMPLE_DURATION.matcher(text);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    try {
      return Duration.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("'" + text + "' is not a duration; use e.g. 250ms, 30s,"
          + " 5m, 2h or PT5M");
    }
  }

  /**
   * The runtime to use: the given one, or a new one built from the settings (connects); with the
   * change log on, it reads the log through {@code connections}.
   */
  public CoherentRuntime runtime(Supplier<DataSource> connections) {
    if (givenRuntime != null) {
      return givenRuntime;
    }
    CoherentRuntime.Builder b = java.util.Objects.requireNonNull(builder, "builder");
    if (changeLog) {
      b.changeLog(ChangeLogOptions.builder(connections.get()).build());
    }
    try {
      return b.build();
    } catch (RuntimeException e) {
      throw new CacheException("Coherent second-level cache cannot start: " + e.getMessage(), e);
    }
  }

  /** Whether the provider built the runtime (and so closes it when Hibernate stops). */
  public boolean ownsRuntime() {
    return givenRuntime == null;
  }

  public List<String> serializationAllow() {
    return serializationAllow;
  }

  /** The options of the region's namespace: the defaults with the region's overrides. */
  public NamespaceOptions options(String region) {
    NamespaceOptions.Builder b = NamespaceOptions.builder();
    regions.getOrDefault(region, List.of()).forEach(change -> change.accept(b));
    return b.build();
  }
}
