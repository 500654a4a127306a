package dev.coherent.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The command line of {@link BenchmarkMain}: {@code [--quick] [--out FILE] [--only GROUP,...]}.
 * Immutable.
 *
 * @param quick short iterations and fewer operations (the CI-sized run)
 * @param out where the JSON goes; the Markdown table goes next to it with the extension {@code .md}
 * @param only the groups to run (empty: all of them, see {@link #GROUPS})
 * @param help whether only the usage was asked for
 */
public record Args(boolean quick, Path out, Set<String> only, boolean help) {
  /** Every measurement group in the order it runs. */
  public static final List<String> GROUPS = List.of(
      "l1", "remote", "propagation", "staleness", "stampede", "bulk", "hints", "cluster",
      "hibernate");

  public static final String USAGE = String.join("\n",
      "usage: java -jar benchmarks/target/benchmarks.jar [--quick] [--out FILE] [--only GROUP,...]",
      "  --quick       short iterations, fewer operations (about 4 minutes on 2 cores)",
      "  --out FILE    JSON results (default benchmarks/results/<quick|full>.json);",
      "                the Markdown table is written next to it as <name>.md",
      "  --only LIST   run only these groups: " + String.join(",", GROUPS),
      "Redis: COHERENT_REDIS_URL (or -Dcoherent.redis.url) if set, else an embedded server.",
      "PostgreSQL (hibernate group): COHERENT_JDBC_URL with COHERENT_JDBC_USER and",
      "  COHERENT_JDBC_PASSWORD if set, else an embedded server (Linux x86-64 only).",
      "Redis Cluster (cluster group): COHERENT_REDIS_CLUSTER_URL if set, else 3 masters and 3",
      "  replicas of the system's redis-server 7 on free loopback ports.");

  public static Args parse(String... args) {
    boolean quick = false;
    boolean help = false;
    @Nullable Path out = null;
    Set<String> only = new LinkedHashSet<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--quick" -> quick = true;
        case "--help", "-h" -> help = true;
        case "--out" -> {
          out = Path.of(value(args, ++i, "--out", "a file name such as results/run.json"));
        }
        case "--only" -> {
          for (String group : value(args, ++i, "--only", "a list such as l1,stampede").split(",")) {
            String g = group.trim().toLowerCase(Locale.ROOT);
            if (!GROUPS.contains(g)) {
              throw new IllegalArgumentException(
                  "--only: unknown group '" + group + "'; known groups: " + String.join(",", GROUPS));
            }
            only.add(g);
          }
        }
        default -> throw new IllegalArgumentException(
            "unknown argument '" + arg + "'\n" + USAGE);
      }
    }
    if (out == null) {
      out = Path.of("benchmarks", "results", (quick ? "quick" : "full") + ".json");
    }
    return new Args(quick, out, Set.copyOf(only), help);
  }

  /** Whether {@code group} runs. */
  public boolean runs(String group) {
    return only.isEmpty() || only.contains(group);
  }

  public String mode() {
    return quick ? "quick" : "full";
  }

  /** The Markdown file next to the JSON: same name, extension {@code .md}. */
  public Path markdownOut() {
    String name = out.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String base = dot > 0 ? name.substring(0, dot) : name;
    return out.resolveSibling(base + ".md");
  }

  private static String value(String[] args, int i, String option, String expected) {
    if (i >= args.length || args[i].startsWith("--")) {
      throw new IllegalArgumentException(option + " needs a value: " + expected);
    }
    return args[i];
  }

  /** The groups in run order, filtered by {@code --only}. */
  public List<String> groups() {
    List<String> list = new ArrayList<>();
    for (String g : GROUPS) {
      if (runs(g)) {
        list.add(g);
      }
    }
    return list;
  }
}
