package dev.coherent.core.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

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
