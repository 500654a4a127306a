package dev.coherent.hibernate.internal;

import java.util.ArrayList;
import java.util.List;
import org.hibernate.SessionFactory;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.persister.entity.AbstractEntityPersister;

/**
 * The {@code coherent_track(...)} statement of each cached entity's table, read from Hibernate's
 * metamodel: its root table, the namespace of its region, its id column and its version column.
 * Entities it cannot map (a composite id, several roots in one region) are named in a comment
 * instead. Stateless.
 */
public final class Tracking {
  private Tracking() {}

  public static List<String> statements(SessionFactory sessionFactory) {
    List<String> out = new ArrayList<>();
    sessionFactory.unwrap(SessionFactoryImplementor.class).getMappingMetamodel()
        .forEachEntityDescriptor(descriptor -> {
          if (!(descriptor instanceof AbstractEntityPersister p) || !p.canWriteToCache()
              || p.getCacheAccessStrategy() == null
              || !p.getEntityName().equals(p.getRootEntityName())) {
            return; // not cached, or a subclass (its root's table carries the key)
          }
          String region = p.getCacheAccessStrategy().getRegion().getName();
          String[] id = p.getIdentifierColumnNames();
          if (id.length != 1) {
            out.add("-- " + p.getEntityName() + ": a composite id cannot be tracked yet");
            return;
          }
          String version = p.getVersionMapping() == null ? null
              : p.getVersionMapping().getSelectionExpression();
          out.add("SELECT coherent_track('" + p.getRootTableName() + "', '"
              + RegionNames.namespace(region) + "', '" + id[0] + "', "
              + (version == null ? "version_column => NULL" : "'" + version + "'") + ");");
        });
    out.sort(null);
    return out;
  }
}
