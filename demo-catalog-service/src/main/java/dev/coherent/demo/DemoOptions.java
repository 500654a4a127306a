package dev.coherent.demo;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * What the {@code demo} subcommand runs: the ports of the two instances, the reconcile interval
 * and the run id that makes instance ids unique per process.
 *
 * <p>Immutable: {@link #create()}, {@link #builder()}, {@link #mutate()} or {@link #parse(List)}.
 * Every value is checked when it is set and the combination once in {@link Builder#build()}; the
 * messages name the command-line flag, since that is where users meet them.
 */
public final class DemoOptions {
  public static final String PORT_A_FLAG = "--port-a";
  public static final String PORT_B_FLAG = "--port-b";
  public static final String RECONCILE_INTERVAL_FLAG = "--reconcile-interval";
  public static final String ADMIN_TOKEN_FLAG = "--admin-token";

  public static final int DEFAULT_PORT_A = 8081;
  public static final int DEFAULT_PORT_B = 8082;
  /** Five seconds, the design's demo default: short enough to watch a lost hint heal. */
  public static final Duration DEFAULT_RECONCILE_INTERVAL = Duration.ofSeconds(5);
  /** Below this the reconciler would poll the change log far harder than the demo's writes need. */
  public static final Duration MIN_RECONCILE_INTERVAL = Duration.ofMillis(250);

  private static final String PORT_RANGE = "1..65535";
  private static final String TOKEN_FORM = "16 to 128 letters, digits, '-' or '_'";
  private static final java.security.SecureRandom TOKENS = new java.security.SecureRandom();

  private final int portA;
  private final int portB;
  private final Duration reconcileInterval;
  private final String runId;
  private final String adminToken;
  private final boolean demoMode;

  private DemoOptions(Builder builder) {
    this.portA = builder.portA;
    this.portB = builder.portB;
    this.reconcileInterval = builder.reconcileInterval;
    this.runId = builder.runId == null ? randomRunId() : builder.runId;
    this.adminToken = builder.adminToken == null ? randomToken() : builder.adminToken;
    this.demoMode = builder.demoMode;
  }

  /** The defaults, with a random run id. */
  public static DemoOptions create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these options, run id included. */
  public Builder mutate() {
    return new Builder()
        .portA(portA)
        .portB(portB)
        .reconcileInterval(reconcileInterval)
        .runId(runId)
        .adminToken(adminToken)
        .demoMode(demoMode);
  }

  /**
   * Parses the flags of the {@code demo} subcommand ({@code --flag value} or {@code --flag=value}).
   *
   * @throws UsageException for an unknown flag, a flag given twice, a missing or invalid value, or
   *     equal ports
   */
  public static DemoOptions parse(List<String> args) {
    Builder builder = builder();
    Map<String, String> seen = new HashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--")) {
        throw new UsageException(
            "unexpected argument '" + arg + "' for 'demo'; valid flags: " + flagList());
      }
      String flag = arg;
      @Nullable String value = null;
      int equals = arg.indexOf('=');
      if (equals >= 0) {
        flag = arg.substring(0, equals);
        value = arg.substring(equals + 1);
      }
      if (!flag.equals(PORT_A_FLAG)
          && !flag.equals(PORT_B_FLAG)
          && !flag.equals(RECONCILE_INTERVAL_FLAG)
          && !flag.equals(ADMIN_TOKEN_FLAG)) {
        throw new UsageException(
            "unknown flag '" + flag + "' for 'demo'; valid flags: " + flagList());
      }
      if (value == null) {
        if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
          throw new UsageException(flag + " needs a value: " + expected(flag));
        }
        value = args.get(++i);
      }
      String previous = seen.put(flag, value);
      if (previous != null) {
        throw new UsageException(
            flag + " was given twice ('" + previous + "' and '" + value + "'); give it once");
      }
      switch (flag) {
        case PORT_A_FLAG:
          builder.portA(parsePort(flag, value));
          break;
        case PORT_B_FLAG:
          builder.portB(parsePort(flag, value));
          break;
        case ADMIN_TOKEN_FLAG:
          builder.adminToken(value);
          break;
        default:
          builder.reconcileInterval(Durations.parse(flag, value));
          break;
      }
    }
    return builder.build();
  }

  /** The flag lines of the usage text, one flag per line, indented by two spaces. */
  public static String flagUsage() {
    return String.format(
        Locale.ROOT,
        "  %-30s HTTP port of instance-a (%s, default %d)%n"
            + "  %-30s HTTP port of instance-b (%s, default %d)%n"
            + "  %-30s how often each instance reconciles with the database%n"
            + "  %-30s (at least %s, default %s; units ms, s, m, h)%n"
            + "  %-30s the bearer token of /admin/* (%s; default: random, printed)%n"
            + "  %-30s print this help%n",
        PORT_A_FLAG + " PORT", PORT_RANGE, DEFAULT_PORT_A,
        PORT_B_FLAG + " PORT", PORT_RANGE, DEFAULT_PORT_B,
        RECONCILE_INTERVAL_FLAG + " DURATION",
        "", Durations.format(MIN_RECONCILE_INTERVAL), Durations.format(DEFAULT_RECONCILE_INTERVAL),
        ADMIN_TOKEN_FLAG + " TOKEN", TOKEN_FORM,
        "--help");
  }

  private static String flagList() {
    return PORT_A_FLAG + ", " + PORT_B_FLAG + ", " + RECONCILE_INTERVAL_FLAG + ", "
        + ADMIN_TOKEN_FLAG + ", --help";
  }

  private static String expected(String flag) {
    if (flag.equals(ADMIN_TOKEN_FLAG)) {
      return TOKEN_FORM;
    }
    return flag.equals(RECONCILE_INTERVAL_FLAG)
        ? Durations.VALID_FORMS + ", at least " + Durations.format(MIN_RECONCILE_INTERVAL)
        : "a port " + PORT_RANGE;
  }

  private static int parsePort(String flag, String text) {
    String trimmed = text.trim();
    if (trimmed.matches("\\d{1,5}")) {
      int port = Integer.parseInt(trimmed);
      if (port >= 1 && port <= 65535) {
        return port;
      }
    }
    throw new UsageException(flag + " must be a port " + PORT_RANGE + " but was '" + text + "'");
  }

  private static String randomToken() {
    byte[] bytes = new byte[16];
    TOKENS.nextBytes(bytes);
    return java.util.HexFormat.of().formatHex(bytes);
  }

  private static String randomRunId() {
    return String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(0x10000));
  }

  /** HTTP port of {@code instance-a}. */
  public int portA() {
    return portA;
  }

  /** HTTP port of {@code instance-b}; never equal to {@link #portA()}. */
  public int portB() {
    return portB;
  }

  /** How often each instance reconciles with the database change log; at least 250 ms. */
  public Duration reconcileInterval() {
    return reconcileInterval;
  }

  /** Short id of this run, the suffix of both instance ids ({@code instance-a-<runId>}). */
  public String runId() {
    return runId;
  }

  /** The bearer token {@code /admin/*} requires; 32 random hex digits unless set. */
  public String adminToken() {
    return adminToken;
  }

  /**
   * Whether the demo-only admin endpoints work (subscriber chaos, plain-SQL writes and reads);
   * true unless turned off, which makes them answer 403.
   */
  public boolean demoMode() {
    return demoMode;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof DemoOptions
        && ((DemoOptions) other).portA == portA
        && ((DemoOptions) other).portB == portB
        && ((DemoOptions) other).reconcileInterval.equals(reconcileInterval)
        && ((DemoOptions) other).runId.equals(runId)
        && ((DemoOptions) other).adminToken.equals(adminToken)
        && ((DemoOptions) other).demoMode == demoMode;
  }

  @Override
  public int hashCode() {
    return Objects.hash(portA, portB, reconcileInterval, runId, adminToken, demoMode);
  }

  @Override
  public String toString() {
    return "DemoOptions{portA=" + portA + ", portB=" + portB + ", reconcileInterval="
        + Durations.format(reconcileInterval) + ", runId=" + runId + ", demoMode=" + demoMode
        + "}"; // never the token
  }

  /** Builds {@link DemoOptions}; not thread-safe. */
  public static final class Builder {
    private int portA = DEFAULT_PORT_A;
    private int portB = DEFAULT_PORT_B;
    private Duration reconcileInterval = DEFAULT_RECONCILE_INTERVAL;
    private @Nullable String runId;
    private @Nullable String adminToken;
    private boolean demoMode = true;

    private Builder() {}

    /** 16 to 128 letters, digits, '-' or '_'; random when not set. */
    public Builder adminToken(String token) {
      Objects.requireNonNull(token, ADMIN_TOKEN_FLAG + " must not be null");
      if (!token.matches("[A-Za-z0-9_-]{16,128}")) {
        throw new UsageException(ADMIN_TOKEN_FLAG + " must be " + TOKEN_FORM + " but was "
            + token.length() + " characters" + (token.matches("[A-Za-z0-9_-]*") ? ""
                : " with others than those"));
      }
      this.adminToken = token;
      return this;
    }

    /** False makes the demo-only admin endpoints answer 403 (default true). */
    public Builder demoMode(boolean on) {
      this.demoMode = on;
      return this;
    }

    public Builder portA(int port) {
      this.portA = checkPort(PORT_A_FLAG, port);
      return this;
    }

    public Builder portB(int port) {
      this.portB = checkPort(PORT_B_FLAG, port);
      return this;
    }

    public Builder reconcileInterval(Duration interval) {
      Objects.requireNonNull(interval, RECONCILE_INTERVAL_FLAG + " must not be null");
      if (interval.compareTo(MIN_RECONCILE_INTERVAL) < 0) {
        throw new UsageException(
            RECONCILE_INTERVAL_FLAG + " must be at least " + Durations.format(MIN_RECONCILE_INTERVAL)
                + " but was " + Durations.format(interval));
      }
      this.reconcileInterval = interval;
      return this;
    }

    /** 1 to 12 lowercase letters or digits; random when not set. */
    public Builder runId(String runId) {
      Objects.requireNonNull(runId, "runId must not be null");
      if (!runId.matches("[a-z0-9]{1,12}")) {
        throw new IllegalArgumentException(
            "runId must be 1 to 12 lowercase letters or digits but was '" + runId + "'");
      }
      this.runId = runId;
      return this;
    }

    /** @throws UsageException when both ports are equal */
    public DemoOptions build() {
      if (portA == portB) {
        throw new UsageException(
            PORT_A_FLAG + " and " + PORT_B_FLAG + " must differ but both were " + portA);
      }
      return new DemoOptions(this);
    }

    private static int checkPort(String flag, int port) {
      if (port < 1 || port > 65535) {
        throw new UsageException(flag + " must be a port " + PORT_RANGE + " but was " + port);
      }
      return port;
    }
  }
}
