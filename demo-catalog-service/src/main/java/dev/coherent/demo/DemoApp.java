package dev.coherent.demo;

import com.zaxxer.hikari.HikariDataSource;
import dev.coherent.db.SchemaMigrationException;
import dev.coherent.demo.internal.CatalogDatabase;
import dev.coherent.demo.internal.CatalogSchema;
import dev.coherent.demo.internal.Closer;
import dev.coherent.demo.internal.Ports;
import dev.coherent.devservices.PostgresService;
import dev.coherent.devservices.RedisService;
import dev.coherent.devservices.ServiceSource;
import dev.coherent.devservices.Services;
import dev.coherent.devservices.Settings;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Starts the demo programmatically: {@code try (RunningDemo demo = DemoApp.start(options)) {...}}.
 * The {@code demo} subcommand and the integration tests both come through here.
 *
 * <p>Order: check both ports (so a busy port fails before anything starts), resolve Redis and
 * PostgreSQL through {@link Services}, create and migrate the catalog database, then start
 * instance-a and instance-b. A failure undoes what was started and throws.
 */
public final class DemoApp {
  /** The modules every instance hosts when none are given: the catalog endpoints. */
  public static final List<InstanceModuleFactory> DEFAULT_MODULES =
      List.of(dev.coherent.demo.catalog.CatalogModule::new);

  /** Migration may take a while on a cold server; only startup waits on this pool. */
  private static final Duration MIGRATION_CONNECTION_TIMEOUT = Duration.ofSeconds(10);

  private DemoApp() {}

  /** Starts with {@link #DEFAULT_MODULES}, printing progress to {@link System#out}. */
  public static RunningDemo start(DemoOptions options) {
    return start(options, System.out, DEFAULT_MODULES);
  }

  /**
   * Starts the demo, printing where Redis and PostgreSQL came from and the health URLs to
   * {@code out}; each instance hosts one module from each factory.
   *
   * @throws DemoStartupException a port in use or a database that cannot be migrated (one line)
   * @throws dev.coherent.devservices.ServiceConfigurationException a bad COHERENT_* setting
   */
  public static RunningDemo start(
      DemoOptions options, PrintStream out, List<InstanceModuleFactory> moduleFactories) {
    long startNanos = System.nanoTime();
    Ports.requireFree(options.portA(), DemoOptions.PORT_A_FLAG);
    Ports.requireFree(options.portB(), DemoOptions.PORT_B_FLAG);

    out.println("Coherent demo catalog service, run " + options.runId());
    RedisService redis = Services.redis();
    out.println("Redis:       " + redis.source() + " at " + Settings.mask(redis.url())
        + origin(redis.source(), Settings.REDIS_URL));
    PostgresService postgres = Services.postgres();
    CatalogDatabase database = CatalogDatabase.prepare(postgres);
    out.println("PostgreSQL:  " + database.source() + " at " + database.displayUrl()
        + origin(database.source(), Settings.JDBC_URL));
    out.println("Schema:      " + migrate(database));

    Closer closer = new Closer("demo " + options.runId());
    try {
      CatalogInstance a =
          closer.register(
              CatalogInstance.start(
                  "instance-a-" + options.runId(), options.portA(), DemoOptions.PORT_A_FLAG,
                  options.reconcileInterval(), redis, database, options, instances(options),
                  moduleFactories));
      CatalogInstance b =
          closer.register(
              CatalogInstance.start(
                  "instance-b-" + options.runId(), options.portB(), DemoOptions.PORT_B_FLAG,
                  options.reconcileInterval(), redis, database, options, instances(options),
                  moduleFactories));
      Duration startup = Duration.ofNanos(System.nanoTime() - startNanos);
      for (CatalogInstance instance : List.of(a, b)) {
        out.println(String.format(Locale.ROOT, "%-12s %s", instance.id() + ":", instance.healthUri()));
      }
      out.println(String.format(Locale.ROOT,
          "Ready in %.1f s; each instance reconciles every %s.",
          seconds(startup.toNanos()), Durations.format(options.reconcileInterval())));
      out.flush();
      return new RunningDemo(options, a, b, redis, database, startup, closer);
    } catch (RuntimeException | Error e) {
      closer.close();
      throw e;
    }
  }

  /**
   * Applies the library schema (change log, tracking trigger), then the catalog's own; returns
   * the line to print.
   */
  private static String migrate(CatalogDatabase database) {
    long start = System.nanoTime();
    try (HikariDataSource pool =
        database.openPool("catalog-migration", 2, MIGRATION_CONNECTION_TIMEOUT)) {
      CatalogSchema.Results result = CatalogSchema.migrateAll(pool);
      long products;
      try (Connection connection = pool.getConnection();
          Statement statement = connection.createStatement();
          ResultSet rows = statement.executeQuery("SELECT count(*) FROM products")) {
        rows.next();
        products = rows.getLong(1);
      }
      return String.format(Locale.ROOT, "version %s, catalog version %s (%s) in %.1f s, %d products",
          result.library().schemaVersion(),
          result.catalog().schemaVersion(),
          result.migrationsExecuted() > 0
              ? result.migrationsExecuted() + " migrations applied"
              : "up to date",
          seconds(System.nanoTime() - start), products);
    } catch (SchemaMigrationException e) {
      // Its message already names the database and the failed migration.
      throw new DemoStartupException(e.getMessage(), e);
    } catch (SQLException | RuntimeException e) {
      throw new DemoStartupException(
          "could not migrate the catalog database at " + database.displayUrl() + ": "
              + rootMessage(e), e);
    }
  }

  private static List<java.net.URI> instances(DemoOptions options) {
    return List.of(java.net.URI.create("http://localhost:" + options.portA()),
        java.net.URI.create("http://localhost:" + options.portB()));
  }

  private static String origin(ServiceSource source, String setting) {
    return source == ServiceSource.CONFIGURED
        ? " (from " + setting + ")"
        : " (set " + setting + " to use your own)";
  }

  private static String rootMessage(Throwable thrown) {
    Throwable root = thrown;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.toString() : root.getMessage();
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }
}
