package dev.coherent.demo.catalog.internal;

import dev.coherent.core.ChangeLogOptions;
import dev.coherent.core.CoherentRuntime;
import dev.coherent.demo.InstanceContext;
import dev.coherent.demo.internal.Closer;
import io.javalin.config.RoutesConfig;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.hibernate.SessionFactory;
import org.hibernate.orm.micrometer.HibernateMetrics;

/**
 * Builds and owns what one instance's catalog runs on, in order: its Lettuce resources and
 * client (with the chaos hook and the served-from listener), the Coherent runtime (change log,
 * the instance's meter registry, the chaos hint filter), the listing namespace, the Hibernate
 * session factory on that runtime, and the routes; closes them in reverse.
 *
 * <p>Thread-safe: immutable after {@link #start}; the parts are thread-safe.
 */
public final class CatalogServices implements AutoCloseable {
  /** Redis calls slower than this count as Redis down (the core's default). */
  static final Duration COMMAND_TIMEOUT = CoherentRuntime.Builder.DEFAULT_COMMAND_TIMEOUT;
  /** Lettuce reconnects quickly, so a subscriber held down comes back soon after the chaos ends. */
  static final Delay RECONNECT_DELAY =
      Delay.exponential(Duration.ofMillis(10), Duration.ofMillis(500), 2, TimeUnit.MILLISECONDS);

  private final CoherentRuntime runtime;
  private final CatalogPersistence persistence;
  private final ProductRoutes products;
  private final AdminRoutes admin;
  private final Closer closer;

  private CatalogServices(CoherentRuntime runtime, CatalogPersistence persistence,
      ProductRoutes products, AdminRoutes admin, Closer closer) {
    this.runtime = runtime;
    this.persistence = persistence;
    this.products = products;
    this.admin = admin;
    this.closer = closer;
  }

  public static CatalogServices start(InstanceContext context) {
    Closer closer = new Closer(context.instanceId() + " catalog");
    try {
      SubscriberChaos chaos = new SubscriberChaos();
      ServedFrom servedFrom = new ServedFrom();
      ClientResources resources = DefaultClientResources.builder()
          .ioThreadPoolSize(2).computationThreadPoolSize(2)
          .nettyCustomizer(chaos.nettyCustomizer())
          .reconnectDelay(RECONNECT_DELAY)
          .build();
      closer.register(() -> resources.shutdown(0, 2, TimeUnit.SECONDS).get(3, TimeUnit.SECONDS));
      RedisClient client = RedisClient.create(resources);
      // What the runtime sets on a client it creates itself (see the user guide).
      client.setOptions(ClientOptions.builder()
          .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
          .autoReconnect(true)
          .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
          .build());
      client.addListener(servedFrom);
      closer.register(() -> client.shutdown(Duration.ZERO, Duration.ofSeconds(2)));
      CoherentRuntime runtime = closer.register(CoherentRuntime.builder()
          .redisUri(context.redisUri())
          .redisClient(client)
          .instanceId(context.instanceId())
          .meterRegistry(context.meterRegistry())
          .reconcileInterval(context.reconcileInterval())
          .changeLog(ChangeLogOptions.builder(context.dataSource()).build())
          .hintFilter(chaos.hintFilter())
          .build());
      Listings listings = new Listings(runtime, context.dataSource());
      CatalogPersistence persistence =
          closer.register(new CatalogPersistence(context.dataSource(), runtime, servedFrom));
      HibernateMetrics.monitor(context.meterRegistry(), persistence.sessionFactory(), "catalog");
      ProductStore store = new ProductStore(persistence.sessionFactory(), listings, servedFrom);
      CacheView view = new CacheView(runtime, context.reconcileInterval(), chaos);
      return new CatalogServices(runtime, persistence,
          new ProductRoutes(context.instanceId(), store, listings),
          new AdminRoutes(context.adminToken(), context.demoMode(), runtime, view, chaos,
              context.dataSource()),
          closer);
    } catch (RuntimeException | Error e) {
      closer.close();
      throw e;
    }
  }

  public CoherentRuntime runtime() {
    return runtime;
  }

  public SessionFactory sessionFactory() {
    return persistence.sessionFactory();
  }

  public void addRoutes(RoutesConfig routes) {
    products.addTo(routes);
    admin.addTo(routes);
  }

  /** Closes the session factory, the runtime, the Redis client and its resources. */
  @Override
  public void close() {
    closer.close();
  }
}
