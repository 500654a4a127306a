package dev.coherent.demo.internal;

import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;

/**
 * One instance's meters, scraped as {@code GET /metrics} in the Prometheus text format: JVM and
 * process meters (Micrometer's binders), {@code http.server.requests} (a timer per method, route
 * template and status: bounded tags, never a raw path), and whatever the modules register (the
 * core's {@code coherent.*} and {@code cache.*} meters, Hibernate's statistics). Every meter is
 * tagged {@code instance}.
 *
 * <p>Thread-safe: Micrometer's registry is; the GC binder's listener is closed with it.
 */
public final class InstanceMetrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();

  public InstanceMetrics(String instanceId) {
    registry.config().commonTags("instance", instanceId);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** {@code GET /metrics}. */
  public void scrape(Context ctx) {
    ctx.contentType("text/plain; version=0.0.4; charset=utf-8");
    ctx.result(registry.scrape());
  }

  /** Javalin's request logger: times each request under its route template. */
  public void record(Context ctx, Float executionTimeMs) {
    Endpoint endpoint;
    try {
      endpoint = ctx.endpoints().matchedHttpEndpoint();
    } catch (RuntimeException e) {
      endpoint = null;
    }
    String uri = endpoint == null ? "NOT_FOUND" : endpoint.path;
    Timer.builder("http.server.requests")
        .description("HTTP requests served by this instance")
        .tag("method", ctx.method().name())
        .tag("uri", uri)
        .tag("status", Integer.toString(ctx.statusCode()))
        .register(registry)
        .record((long) (executionTimeMs * 1_000_000L), TimeUnit.NANOSECONDS);
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
