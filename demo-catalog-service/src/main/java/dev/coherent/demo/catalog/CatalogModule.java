package dev.coherent.demo.catalog;

import dev.coherent.core.ChangeLogOptions;
import dev.coherent.core.Codecs;
import dev.coherent.core.CoherentRuntime;
import dev.coherent.core.NamespaceOptions;
import dev.coherent.core.NearCache;
import dev.coherent.core.Versioned;
import dev.coherent.demo.InstanceContext;
import dev.coherent.demo.InstanceModule;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The catalog endpoints of one instance, served through its own Coherent runtime: the
 * {@code catalog:product} namespace (L1 Caffeine, L2 Redis, hints) reconciled from the change log
 * every {@code --reconcile-interval}.
 *
 * <ul>
 *   <li>{@code GET /products/{id}}: the product, its version and which instance served it;
 *   <li>{@code PUT /products/{id}/price} with {@code {"priceCents": 1299}}: updates PostgreSQL,
 *       then tells the cache (the other instance drops its copy on the hint);
 *   <li>{@code GET /cache/stats}: the instance's {@code coherent.*} meters.
 * </ul>
 *
 * <p>Thread-safe: the runtime and the repository are.
 */
public final class CatalogModule implements InstanceModule {
  public static final String NAMESPACE = "catalog:product";

  private final InstanceContext context;
  private final MeterRegistry meters = new SimpleMeterRegistry();
  private final ProductRepository repository;
  private final CoherentRuntime runtime;
  private final NearCache<Long, Product> products;

  public CatalogModule(InstanceContext context) {
    this.context = context;
    this.repository = new ProductRepository(context.dataSource());
    this.runtime = CoherentRuntime.builder()
        .redisUri(context.redisUri())
        .clientResources(context.redisResources())
        .instanceId(context.instanceId())
        .meterRegistry(meters)
        .reconcileInterval(context.reconcileInterval())
        .changeLog(ChangeLogOptions.builder(context.dataSource()).build())
        .build();
    this.products = runtime.namespace(NAMESPACE, Codecs.json(Product.class),
        NamespaceOptions.builder().lease(Duration.ofSeconds(2), Duration.ofMillis(500)).build(),
        String::valueOf, repository);
  }

  public CoherentRuntime runtime() {
    return runtime;
  }

  public NearCache<Long, Product> products() {
    return products;
  }

  @Override
  public void addRoutes(RoutesConfig routes) {
    routes.get("/products/{id}", this::getProduct);
    routes.put("/products/{id}/price", this::putPrice);
    routes.get("/cache/stats", this::stats);
  }

  private void getProduct(Context ctx) {
    Long id = productId(ctx);
    if (id == null) {
      return;
    }
    Versioned<Product> product = products.getVersioned(id);
    if (product == null) {
      ctx.status(404).json(Map.of("error", "no product " + id));
      return;
    }
    ctx.json(body(product));
  }

  /** The request body of a price change. */
  public record PriceChange(Long priceCents) {}

  private void putPrice(Context ctx) throws Exception {
    Long id = productId(ctx);
    if (id == null) {
      return;
    }
    PriceChange change;
    try {
      change = ctx.bodyAsClass(PriceChange.class);
    } catch (RuntimeException e) {
      ctx.status(400).json(Map.of("error",
          "body must be JSON like {\"priceCents\": 1299}: " + e.getMessage()));
      return;
    }
    if (change == null || change.priceCents() == null || change.priceCents() < 0) {
      ctx.status(400).json(Map.of("error", "priceCents must be a whole number of cents >= 0 but was "
          + (change == null ? null : change.priceCents())));
      return;
    }
    Versioned<Product> updated = repository.updatePrice(id, change.priceCents());
    if (updated == null) {
      ctx.status(404).json(Map.of("error", "no product " + id));
      return;
    }
    // After the commit: install the new version here and publish the hint to the others.
    products.put(id, updated.value(), updated.version());
    ctx.json(body(updated));
  }

  private void stats(Context ctx) {
    Map<String, Double> values = new TreeMap<>();
    for (Meter meter : meters.getMeters()) {
      StringBuilder name = new StringBuilder(meter.getId().getName());
      meter.getId().getTags().forEach(t -> {
        if (!t.getKey().equals("namespace")) {
          name.append(',').append(t.getKey()).append('=').append(t.getValue());
        }
      });
      meter.measure().forEach(m -> values.merge(name + (m.getStatistic().name().equals("COUNT")
          || m.getStatistic().name().equals("VALUE") ? "" : "." + m.getStatistic().name()
          .toLowerCase(java.util.Locale.ROOT)), m.getValue(), Double::sum));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("instance", context.instanceId());
    body.put("namespace", products.status());
    body.put("meters", values);
    ctx.json(body);
  }

  private Map<String, Object> body(Versioned<Product> product) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("product", product.value());
    body.put("version", product.version());
    body.put("servedBy", context.instanceId());
    return body;
  }

  private static Long productId(Context ctx) {
    String raw = ctx.pathParam("id");
    try {
      long id = Long.parseLong(raw);
      if (id > 0) {
        return id;
      }
    } catch (NumberFormatException ignored) {
      // answered below
    }
    ctx.status(400).json(Map.of("error", "product id must be a positive whole number but was '"
        + raw + "'"));
    return null;
  }

  @Override
  public void close() {
    runtime.close();
  }
}
