package dev.coherent.demo;

import com.zaxxer.hikari.HikariDataSource;
import dev.coherent.demo.internal.CatalogDatabase;
import dev.coherent.demo.internal.Closer;
import dev.coherent.demo.internal.ApiErrors;
import dev.coherent.demo.internal.HealthService;
import dev.coherent.demo.internal.InstanceMetrics;
import dev.coherent.demo.internal.Ports;
import dev.coherent.devservices.RedisService;
import io.javalin.Javalin;
import io.javalin.http.staticfiles.Location;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * One HTTP instance of the catalog service, standing in for one JVM of a real deployment: its
 * own Jetty server, connection pool, Lettuce event loops and {@link InstanceModule}s (later: its
 * own caches). It serves {@code GET /health}, {@code GET /metrics} (Prometheus), the live page
 * ({@code GET /}, static files from {@code src/main/resources/live}), {@code GET /demo/instances}
 * and whatever routes its modules add; errors of every route are JSON ({@link ApiException}, or
 * a 500 with a correlation id). Requests from the other instances' pages are allowed (CORS), so
 * the live page served by one instance can read both.
 *
 * <p>Started by {@link DemoApp}; closing it stops the HTTP server first, then the modules (last
 * created first), then the health probes, the pool and the event loops.
 *
 * <p>Thread-safe: immutable after start; {@link #close()} is idempotent (see {@link Closer}).
 */
public final class CatalogInstance implements AutoCloseable {
  /** Connections per instance: the demo's request rate is small; later endpoints may raise it. */
  static final int DEFAULT_POOL_SIZE = 8;
  /** A request waits at most this long for a pooled connection, so /health never hangs on it. */
  static final Duration POOL_CONNECTION_TIMEOUT = Duration.ofSeconds(1);
  /** Jetty threads per instance: two instances in one JVM, each a small service. */
  static final int MAX_HTTP_THREADS = 32;

  private final InstanceContext context;
  private final List<InstanceModule> modules;
  private final Closer closer;

  private CatalogInstance(InstanceContext context, List<InstanceModule> modules, Closer closer) {
    this.context = context;
    this.modules = List.copyOf(modules);
    this.closer = closer;
  }

  /**
   * Creates the instance's resources and modules and starts its HTTP server on {@code port}.
   *
   * @throws DemoStartupException naming {@code portFlag} when the port cannot be bound
   */
  static CatalogInstance start(
      String instanceId,
      int port,
      String portFlag,
      Duration reconcileInterval,
      RedisService redis,
      CatalogDatabase database,
      DemoOptions options,
      List<URI> instances,
      List<InstanceModuleFactory> moduleFactories) {
    Closer closer = new Closer(instanceId);
    try {
      ClientResources resources =
          DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
      closer.register(() -> resources.shutdown(0, 2, TimeUnit.SECONDS).get(3, TimeUnit.SECONDS));
      HikariDataSource pool =
          closer.register(
              database.openPool(instanceId, DEFAULT_POOL_SIZE, POOL_CONNECTION_TIMEOUT));
      InstanceMetrics metrics = closer.register(new InstanceMetrics(instanceId));
      InstanceContext context =
          new InstanceContext(
              instanceId, port, reconcileInterval, redis.uri(), redis.source(), resources, pool,
              database.source(), metrics.registry(), options.adminToken(), options.demoMode(),
              instances);
      HealthService health = closer.register(new HealthService(context));
      List<InstanceModule> modules = new ArrayList<>();
      for (InstanceModuleFactory factory : moduleFactories) {
        modules.add(closer.register(factory.create(context)));
      }
      QueuedThreadPool httpThreads = new QueuedThreadPool(MAX_HTTP_THREADS, 2);
      httpThreads.setName(instanceId + "-http");
      Javalin app =
          Javalin.create(
              config -> {
                config.startup.showJavalinBanner = false;
                config.startup.showOldJavalinVersionWarning = false;
                config.jetty.port = port;
                config.jetty.threadPool = httpThreads;
                config.requestLogger.http(metrics::record);
                config.staticFiles.add(files -> {
                  files.hostedPath = "/";
                  files.directory = "/live";
                  files.location = Location.CLASSPATH;
                });
                config.bundledPlugins.enableCors(cors -> cors.addRule(rule -> {
                  List<String> origins = new ArrayList<>();
                  for (URI instance : instances) {
                    origins.add("http://localhost:" + instance.getPort());
                    origins.add("http://127.0.0.1:" + instance.getPort());
                  }
                  rule.allowHost(origins.get(0), origins.subList(1, origins.size())
                      .toArray(String[]::new));
                  rule.exposeHeader("Served-From");
                  rule.exposeHeader("Served-By");
                  rule.exposeHeader("ETag");
                }));
                new ApiErrors(instanceId).register(config.routes);
                config.routes.get("/health", health::handle);
                config.routes.get("/metrics", metrics::scrape);
                config.routes.get("/demo/instances", ctx -> ctx.json(describe(instances)));
                for (InstanceModule module : modules) {
                  module.addRoutes(config.routes);
                }
              });
      closer.register(app::stop);
      try {
        app.start();
      } catch (RuntimeException e) {
        if (Ports.isBindFailure(e)) {
          throw Ports.inUse(port, portFlag, e);
        }
        throw e;
      }
      return new CatalogInstance(context, modules, closer);
    } catch (RuntimeException | Error e) {
      closer.close();
      throw e;
    }
  }

  private static List<Map<String, Object>> describe(List<URI> instances) {
    List<Map<String, Object>> out = new ArrayList<>();
    char name = 'a';
    for (URI instance : instances) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("name", String.valueOf(name++));
      one.put("url", instance.toString());
      out.add(one);
    }
    return out;
  }

  /** Unique per process, e.g. {@code instance-a-3f9c}. */
  public String id() {
    return context.instanceId();
  }

  public int port() {
    return context.port();
  }

  /** {@code http://localhost:<port>}. */
  public URI baseUri() {
    return URI.create("http://localhost:" + port());
  }

  /** {@code http://localhost:<port>/health}. */
  public URI healthUri() {
    return URI.create("http://localhost:" + port() + "/health");
  }

  /** What this instance's modules were given: its pool, Redis URI and event loops. */
  public InstanceContext context() {
    return context;
  }

  /** The modules this instance hosts, in creation order. */
  public List<InstanceModule> modules() {
    return modules;
  }

  /** Stops the HTTP server, then the modules, probes, pool and event loops. Idempotent. */
  @Override
  public void close() {
    closer.close();
  }

  @Override
  public String toString() {
    return "CatalogInstance{" + id() + " on port " + port() + "}";
  }
}
