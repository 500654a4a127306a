package dev.coherent.hibernate.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hibernate.SessionFactory;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.metamodel.MappingMetamodel;
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
    MappingMetamodel metamodel =
        sessionFactory.unwrap(SessionFactoryImplementor.class).getMappingMetamodel();
    Map<String, Integer> kindsByRegion = kindsByRegion(metamodel);
    metamodel.forEachEntityDescriptor(descriptor -> {
          if (!(descriptor instanceof AbstractEntityPersister p) || !p.canWriteToCache()
              || p.getCacheAccessStrategy() == null
              || !p.getEntityName().equals(p.getRootEntityName())) {
            return; // not cached, or a subclass (its root's table carries the key)
          }
          String region = p.getCacheAccessStrategy().getRegion().getName();
          if (kindsByRegion.getOrDefault(region, 0) > 1) {
            out.add("-- " + p.getEntityName() + ": shares region " + region + " with other cached"
                + " data, whose keys carry the role; give it a region of its own to track it");
            return;
          }
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

  /** How many entity hierarchies, collections and natural ids each region holds. */
  private static Map<String, Integer> kindsByRegion(MappingMetamodel metamodel) {
    Map<String, Integer> kinds = new HashMap<>();
    metamodel.forEachEntityDescriptor(entity -> {
      if (entity.canWriteToCache() && entity.getEntityName().equals(entity.getRootEntityName())) {
        kinds.merge(entity.getCacheAccessStrategy().getRegion().getName(), 1, Integer::sum);
        if (entity.getNaturalIdCacheAccessStrategy() != null) {
          kinds.merge(entity.getNaturalIdCacheAccessStrategy().getRegion().getName(), 1,
              Integer::sum);
        }
      }
    });
    metamodel.forEachCollectionDescriptor(collection -> {
      if (collection.hasCache()) {
        kinds.merge(collection.getCacheAccessStrategy().getRegion().getName(), 1, Integer::sum);
      }
    });
    return kinds;
  }
}
