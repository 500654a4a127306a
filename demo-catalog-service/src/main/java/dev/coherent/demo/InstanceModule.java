package dev.coherent.demo;

import io.javalin.config.RoutesConfig;

/**
 * A piece of an instance that is added later: the catalog endpoints with their cache runtime, a
 * metrics endpoint. One module object per instance, created by an {@link InstanceModuleFactory}
 * from the instance's {@link InstanceContext}, so each instance has its own caches.
 *
 * <p>Lifecycle: created, then {@link #addRoutes} once before the HTTP server starts, then
 * {@link #close()} once after the HTTP server stopped (in reverse order of creation). Handlers run
 * on Jetty's request threads, so a module's state must be thread-safe.
 */
public interface InstanceModule extends AutoCloseable {

  /** Adds this module's HTTP routes, e.g. {@code routes.get("/products/{id}", this::get)}. */
  void addRoutes(RoutesConfig routes);

  /** Releases what the module created (Redis clients, schedulers); must not throw. */
  @Override
  default void close() {}
}
