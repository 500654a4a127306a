package dev.coherent.devservices;

import org.jspecify.annotations.Nullable;

/**
 * The names of the settings that point Coherent's tests and demo at existing services. Each is read
 * from the environment first, then from the system property of the same name in lower case with
 * dots ({@code COHERENT_REDIS_URL} or {@code -Dcoherent.redis.url}).
 */
public final class Settings {
  public static final String REDIS_URL = "COHERENT_REDIS_URL";
  /** Seed nodes of an existing Redis Cluster, comma-separated {@code redis://host:port} URLs. */
  public static final String REDIS_CLUSTER_URL = "COHERENT_REDIS_CLUSTER_URL";
  public static final String JDBC_URL = "COHERENT_JDBC_URL";
  public static final String JDBC_USER = "COHERENT_JDBC_USER";
  public static final String JDBC_PASSWORD = "COHERENT_JDBC_PASSWORD";
  /** Set to {@code false} to skip the Docker probe and go straight to embedded binaries. */
  public static final String TESTCONTAINERS = "COHERENT_TESTCONTAINERS";

  private Settings() {}

  /** The value of a setting, or null when it is unset or blank. */
  public static @Nullable String get(String name) {
    String value = System.getenv(name);
    if (value == null || value.isBlank()) {
      value = System.getProperty(name.toLowerCase(java.util.Locale.ROOT).replace('_', '.'));
    }
    return value == null || value.isBlank() ? null : value.trim();
  }

  /** A URL with any password replaced by {@code ***}, safe for messages and logs. */
  public static String mask(@Nullable String url) {
    if (url == null) {
      return "null";
    }
    String masked = url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    return masked.replaceAll("^([a-z]+://)([^:@/]*):([^@/]*)@", "$1$2:***@");
  }
}
