package dev.coherent.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.coherent.demo.internal.DemoStateFile;
import dev.coherent.demo.internal.scenario.PropagationScenario;
import dev.coherent.demo.internal.scenario.SubscriberKillScenario;
import dev.coherent.demo.internal.scenario.Target;
import dev.coherent.devservices.Settings;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code scenario subscriber-kill | propagation}: measures instance-b's freshness against the
 * bound, on running instances (the {@code demo}'s, found through its state file, or any given
 * with {@code --a}/{@code --b}) or on instances it starts itself. Prints a table, writes the JSON
 * report ({@code --report FILE}, else to stdout), exits 0 on PASS and 1 on FAIL. Flags and report
 * keys: demo-catalog-service/README.md.
 */
final class ScenarioCommand implements Subcommand {
  static final String KILL = "subscriber-kill";
  static final String PROPAGATION = "propagation";
  /** What "one poll" may take on top of the interval, generous for a busy laptop. */
  static final Duration POLL_ALLOWANCE = Duration.ofSeconds(1);
  static final Duration DEFAULT_OUTAGE = Duration.ofSeconds(20);

  private static final Set<String> OWN_FLAGS = Set.of("--a", "--b", "--token", "--report",
      "--mode", "--outage", "--products", "--api-writes", "--sql-writes", "--deletes", "--writes");
  private static final Set<String> DEMO_FLAGS = Set.of(DemoOptions.PORT_A_FLAG,
      DemoOptions.PORT_B_FLAG, DemoOptions.RECONCILE_INTERVAL_FLAG, DemoOptions.ADMIN_TOKEN_FLAG);
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Override
  public String name() {
    return "scenario";
  }

  @Override
  public String summary() {
    return "subscriber-kill: b loses its hints while A and plain SQL write; propagation: hint latency";
  }

  @Override
  public String usage() {
    return String.format(Locale.ROOT,
        "Usage: %1$s scenario subscriber-kill [--mode kill|deaf|down] [--outage 20s] [flags]%n"
            + "       %1$s scenario propagation [--writes 200] [flags]%n%n"
            + "Runs against the running demo (found through its state file), the instances given%n"
            + "with --a/--b, or else instances it starts itself. Prints a table, writes the JSON%n"
            + "report (--report FILE, else stdout); exit code 0 on PASS, 1 on FAIL.%n%n"
            + "subscriber-kill flags:%n"
            + "  --mode kill|deaf|down          how b loses hints (default kill)%n"
            + "  --outage DURATION              how long (2s to 10m, default %2$s)%n"
            + "  --products N                   products warmed on both instances (10..10000, default 500)%n"
            + "  --api-writes M                 price changes through a's API (default 200)%n"
            + "  --sql-writes K                 price changes with plain SQL (default 100)%n"
            + "  --deletes D                    deletes, half API, half SQL (default 20, at most N/2)%n"
            + "propagation flags:%n"
            + "  --writes N                     price changes on a, each timed until b serves it (default 200)%n"
            + "common flags:%n"
            + "  --a URL --b URL                running instances (with --token, COHERENT_REDIS_URL and%n"
            + "                                 COHERENT_JDBC_URL unless the demo's state file has them)%n"
            + "  --token TOKEN                  their admin token (or COHERENT_ADMIN_TOKEN)%n"
            + "  --report FILE                  where to write the JSON report%n"
            + "flags for instances the scenario starts itself:%n%3$s",
        DemoMain.PROGRAM, Durations.format(DEFAULT_OUTAGE), DemoOptions.flagUsage());
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) throws InterruptedException {
    if (args.isEmpty() || !(args.get(0).equals(KILL) || args.get(0).equals(PROPAGATION))) {
      throw new UsageException("scenario needs a name, " + KILL + " or " + PROPAGATION
          + (args.isEmpty() ? "" : ", but was '" + args.get(0) + "'"));
    }
    String scenario = args.get(0);
    Map<String, String> flags = new LinkedHashMap<>();
    List<String> demoFlags = new ArrayList<>();
    split(args.subList(1, args.size()), flags, demoFlags);
    if (scenario.equals(PROPAGATION)) {
      for (String f : List.of("--mode", "--outage", "--products", "--api-writes", "--sql-writes",
          "--deletes")) {
        if (flags.containsKey(f)) {
          throw new UsageException(f + " is a flag of " + KILL + ", not of " + PROPAGATION);
        }
      }
    } else if (flags.containsKey("--writes")) {
      throw new UsageException("--writes is a flag of " + PROPAGATION + "; " + KILL
          + " takes --api-writes and --sql-writes");
    }
    Object settings = scenario.equals(KILL) ? killSettings(flags) : count(flags, "--writes", 200, 1,
        10_000);
    DemoOptions options = DemoOptions.parse(demoFlags);
    Path report = flags.containsKey("--report") ? Path.of(flags.get("--report")) : null;
    try (Target target = target(flags, options, out)) {
      Map<String, Object> result = settings instanceof SubscriberKillScenario.Settings s
          ? new SubscriberKillScenario(target, s, out).run()
          : new PropagationScenario(target, (Integer) settings, POLL_ALLOWANCE, out).run();
      print(result, out);
      String json = JSON.writeValueAsString(result);
      if (report == null) {
        out.println(json);
      } else {
        if (report.toAbsolutePath().getParent() != null) {
          Files.createDirectories(report.toAbsolutePath().getParent());
        }
        Files.writeString(report, json + System.lineSeparator());
        out.println("Report: " + report.toAbsolutePath());
      }
      boolean pass = Boolean.TRUE.equals(result.get("pass"));
      out.println(pass ? "PASS" : "FAIL");
      out.flush();
      return pass ? DemoMain.EXIT_OK : DemoMain.EXIT_FAILURE;
    } catch (InterruptedException | UsageException | DemoStartupException e) {
      throw e;
    } catch (IOException e) {
      throw new DemoStartupException("could not write the report " + report + ": "
          + e.getMessage(), e);
    } catch (Exception e) {
      if (e instanceof RuntimeException r && !(e instanceof IllegalStateException)) {
        throw r;
      }
      throw new DemoStartupException("scenario " + scenario + " failed: " + e.getMessage(), e);
    }
  }

  /** Sorts the scenario's own flags from the {@link DemoOptions} flags. */
  private static void split(List<String> args, Map<String, String> flags, List<String> demo) {
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      String flag = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
      if (!OWN_FLAGS.contains(flag)) {
        if (!DEMO_FLAGS.contains(flag)) {
          throw new UsageException("unknown flag '" + flag + "' for 'scenario'; valid flags: "
              + String.join(", ", new java.util.TreeSet<>(OWN_FLAGS)) + ", "
              + String.join(", ", new java.util.TreeSet<>(DEMO_FLAGS)));
        }
        demo.add(arg);
        if (!arg.contains("=") && i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
          demo.add(args.get(++i));
        }
        continue;
      }
      String value;
      if (arg.contains("=")) {
        value = arg.substring(arg.indexOf('=') + 1);
      } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
        value = args.get(++i);
      } else {
        throw new UsageException(flag + " needs a value");
      }
      if (flags.put(flag, value) != null) {
        throw new UsageException(flag + " was given twice; give it once");
      }
    }
  }

  private static SubscriberKillScenario.Settings killSettings(Map<String, String> flags) {
    String mode = flags.getOrDefault("--mode", "kill");
    SubscriberKillScenario.Mode m;
    switch (mode) {
      case "kill": m = SubscriberKillScenario.Mode.KILL; break;
      case "deaf": m = SubscriberKillScenario.Mode.DEAF; break;
      case "down": m = SubscriberKillScenario.Mode.DOWN; break;
      default:
        throw new UsageException("--mode must be kill, deaf or down but was '" + mode + "'");
    }
    Duration outage = flags.containsKey("--outage")
        ? Durations.parse("--outage", flags.get("--outage")) : DEFAULT_OUTAGE;
    if (outage.compareTo(Duration.ofSeconds(2)) < 0 || outage.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new UsageException("--outage must be from 2s to 10m but was '"
          + flags.get("--outage") + "'");
    }
    int products = count(flags, "--products", 500, 10, 10_000);
    int deletes = count(flags, "--deletes", 20, 0, products / 2);
    return new SubscriberKillScenario.Settings(m, outage, products,
        count(flags, "--api-writes", 200, 0, 100_000), count(flags, "--sql-writes", 100, 0, 100_000),
        deletes, POLL_ALLOWANCE);
  }

  private static int count(Map<String, String> flags, String flag, int dflt, int min, int max) {
    String raw = flags.get(flag);
    if (raw == null) {
      return dflt;
    }
    if (raw.matches("\\d{1,9}")) {
      int value = Integer.parseInt(raw);
      if (value >= min && value <= max) {
        return value;
      }
    }
    throw new UsageException(flag + " must be a whole number from " + min + " to " + max
        + " but was '" + raw + "'");
  }

  /** The running demo's instances, the given ones, or new ones. */
  private static Target target(Map<String, String> flags, DemoOptions options, PrintStream out) {
    String a = flags.get("--a");
    String b = flags.get("--b");
    if ((a == null) != (b == null)) {
      throw new UsageException("--a and --b go together: give both instances' URLs, or neither");
    }
    if (a == null) {
      Optional<DemoStateFile.State> running = DemoStateFile.read(options.portA())
          .filter(s -> answers(s.a()));
      if (running.isPresent()) {
        out.println("Using the running demo at " + running.get().a() + " and "
            + running.get().b() + " (" + DemoStateFile.path(options.portA()) + ")");
        return connect(running.get(), () -> {});
      }
      out.println("No demo is running on port " + options.portA() + "; starting two instances.");
      RunningDemo demo = DemoApp.start(options, out, DemoApp.DEFAULT_MODULES);
      try {
        return connect(demo.state(), demo);
      } catch (RuntimeException e) {
        demo.close();
        throw e;
      }
    }
    URI ua = uri("--a", a);
    URI ub = uri("--b", b);
    Optional<DemoStateFile.State> state = DemoStateFile.read(ua.getPort())
        .filter(s -> URI.create(s.a()).getPort() == ua.getPort());
    String token = flags.getOrDefault("--token", System.getenv("COHERENT_ADMIN_TOKEN"));
    if (token == null && state.isPresent()) {
      token = state.get().adminToken();
    }
    String redis = Settings.get(Settings.REDIS_URL);
    String jdbc = Settings.get(Settings.JDBC_URL);
    String user = Settings.get(Settings.JDBC_USER);
    String password = Settings.get(Settings.JDBC_PASSWORD);
    if (jdbc == null && state.isPresent()) {
      jdbc = state.get().jdbcUrl();
      user = state.get().jdbcUser();
      password = state.get().jdbcPassword();
    }
    if (redis == null && state.isPresent()) {
      redis = state.get().redisUrl();
    }
    if (token == null || redis == null || jdbc == null) {
      throw new UsageException("with --a/--b the scenario needs "
          + (token == null ? "the admin token (--token or COHERENT_ADMIN_TOKEN) " : "")
          + (redis == null ? Settings.REDIS_URL + " " : "")
          + (jdbc == null ? Settings.JDBC_URL + " (and its user and password) " : "")
          + "— the instances' own Redis and database");
    }
    return Target.connect(ua, ub, token, redis, jdbc, user, password, () -> {});
  }

  private static Target connect(DemoStateFile.State s, AutoCloseable owned) {
    return Target.connect(URI.create(s.a()), URI.create(s.b()), s.adminToken(), s.redisUrl(),
        s.jdbcUrl(), s.jdbcUser(), s.jdbcPassword(), owned);
  }

  private static boolean answers(String base) {
    return new dev.coherent.demo.internal.scenario.CatalogClient(
        java.net.http.HttpClient.newHttpClient(), URI.create(base), "").healthy();
  }

  private static URI uri(String flag, String value) {
    try {
      URI uri = URI.create(value);
      if (("http".equals(uri.getScheme())) && uri.getHost() != null && uri.getPort() > 0) {
        return uri;
      }
    } catch (IllegalArgumentException e) {
      // answered below
    }
    throw new UsageException(flag + " must be an instance's URL like http://localhost:8081 but was '"
        + value + "'");
  }

  private static void print(Map<String, Object> result, PrintStream out) {
    out.println();
    result.forEach((k, v) -> out.printf(Locale.ROOT, "  %-24s %s%n", k, v));
    out.println();
  }
}
