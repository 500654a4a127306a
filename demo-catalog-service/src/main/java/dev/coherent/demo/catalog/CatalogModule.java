package dev.coherent.demo.catalog;

import dev.coherent.core.CoherentRuntime;
import dev.coherent.demo.InstanceContext;
import dev.coherent.demo.InstanceModule;
import dev.coherent.demo.catalog.internal.CatalogServices;
import io.javalin.config.RoutesConfig;
import org.hibernate.SessionFactory;

/**
 * The catalog of one instance: {@link Product} and {@link Category} through Hibernate with
 * Coherent as its second-level cache, each category's product listing cached programmatically
 * through the core API, both on one {@link CoherentRuntime} per instance (one set of meters, one
 * change-log reconciler), plus the admin endpoints. Routes: see demo-catalog-service/README.md.
 *
 * <p>Thread-safe: everything it holds is; handlers run on Jetty's request threads.
 */
public final class CatalogModule implements InstanceModule {
  private final CatalogServices services;

  public CatalogModule(InstanceContext context) {
    this.services = CatalogServices.start(context);
  }

  /** This instance's Coherent runtime (Hibernate's regions and the listing namespace). */
  public CoherentRuntime runtime() {
    return services.runtime();
  }

  /** This instance's Hibernate session factory. */
  public SessionFactory sessionFactory() {
    return services.sessionFactory();
  }

  @Override
  public void addRoutes(RoutesConfig routes) {
    services.addRoutes(routes);
  }

  @Override
  public void close() {
    services.close();
  }
}
