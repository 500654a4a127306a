package dev.coherent.core.internal;

import dev.coherent.core.ClusterHints;
import io.lettuce.core.RedisURI;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** Argument checks of the public builders, each naming the value and what is valid. Stateless. */
public final class Checks {
  /** Names, tenants and prefixes end up in Redis keys and channel names: keep them plain. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}");
  /**
   * Tenants have no ':' so that the hash tag {tenant:namespace} and the channel suffix
   * :namespace:tenant are unambiguous (tenant "a:b" + namespace "c" vs tenant "a" + "b:c").
   */
  private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");

  private Checks() {}

  /** A namespace name, instance id or prefix. */
  public static String name(String what, String value) {
    if (value == null || !NAME.matcher(value).matches()) {
      throw new IllegalArgumentException(what + " '" + value + "' must be 1 to 100 characters of"
          + " letters, digits, '_', '.', ':' or '-', starting with a letter or digit");
    }
    return value;
  }

  public static String tenant(String tenant) {
    if (tenant == null || !TENANT.matcher(tenant).matches()) {
      throw new IllegalArgumentException("tenant '" + tenant + "' must be 1 to 100 characters of"
          + " letters, digits, '_', '.' or '-', starting with a letter or digit (no ':')");
    }
    return tenant;
  }

  /** A Redis URI; {@code what} names the setting. Never quotes a password. */
  public static RedisURI redisUri(String what, String uri) {
    Objects.requireNonNull(uri, what);
    try {
      return RedisURI.create(uri);
    } catch (RuntimeException e) {
      // Lettuce's own message may quote part of the password: leave it out when there is one.
      String detail = uri.contains("@") ? "" : " (" + e.getMessage() + ")";
      throw new IllegalArgumentException(what + " '"
          + uri.replaceFirst("^([A-Za-z]+://)([^:@/]*):.*@", "$1$2:***@")
          + "' is not a Redis URI" + detail + "; expected redis://host:port or"
          + " rediss://host:port", uri.contains("@") ? null : e);
    }
  }

  /** A cluster's seed URIs: at least one; an immutable copy. */
  public static List<RedisURI> clusterSeeds(List<RedisURI> seeds) {
    if (seeds.isEmpty()) {
      throw new IllegalArgumentException("redisCluster needs at least one seed URI but was"
          + " given none; e.g. redisCluster(\"redis://10.0.0.1:6379\")");
    }
    return List.copyOf(seeds);
  }

  /**
   * One Redis server or one Redis Cluster, and only the options that apply to it.
   *
   * @throws IllegalStateException naming the options that conflict
   */
  public static void redisTarget(@Nullable RedisURI uri, boolean seeds, boolean clusterClient,
      boolean standaloneClient, @Nullable ClusterHints hints) {
    boolean cluster = seeds || clusterClient;
    if (uri == null && !cluster) {
      throw new IllegalStateException("redisUri or redisCluster is required (e.g."
          + " redis://localhost:6379)");
    }
    if (uri != null && cluster) {
      throw new IllegalStateException("both redisUri (" + uri.getHost() + ":" + uri.getPort()
          + ") and a cluster (" + (clusterClient ? "redisClusterClient" : "redisCluster")
          + ") are set; a runtime uses one Redis server or one Redis Cluster");
    }
    if (cluster && standaloneClient) {
      throw new IllegalStateException("redisClient is a standalone client but the runtime is"
          + " set up for a cluster; share a RedisClusterClient with redisClusterClient instead");
    }
    if (!cluster && hints != null) {
      throw new IllegalStateException("clusterHints (" + hints + ") applies to a Redis"
          + " Cluster only (redisCluster or redisClusterClient); standalone Redis always uses"
          + " classic Pub/Sub");
    }
  }

  public static Duration within(String name, Duration value, Duration min, Duration max) {
    Objects.requireNonNull(value, name);
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new IllegalArgumentException(name + " must be from " + min + " to " + max
          + " but was " + value);
    }
    return value;
  }

  /** host-pid-random, at most 100 characters, valid as a {@link #name}. */
  public static String defaultInstanceId() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9_.-]", "-");
    } catch (IOException e) {
      host = "host";
    }
    if (host.isEmpty() || !Character.isLetterOrDigit(host.charAt(0))) {
      host = "host" + host;
    }
    String id = host + "-" + ProcessHandle.current().pid() + "-"
        + UUID.randomUUID().toString().substring(0, 8);
    return id.length() > 100 ? id.substring(id.length() - 100) : id;
  }
}
