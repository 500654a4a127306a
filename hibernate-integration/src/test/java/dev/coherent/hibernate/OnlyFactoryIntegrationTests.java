package dev.coherent.hibernate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coherent.devservices.Database;
import dev.coherent.devservices.Services;
import java.util.Map;
import java.util.UUID;
import org.hibernate.SessionFactory;
import org.hibernate.cache.spi.RegionFactory;
import org.junit.jupiter.api.Test;

/**
 * With Coherent the only region factory on the class path, Hibernate uses it with no factory
 * setting at all. Runs in its own Failsafe execution without hibernate-jcache (which the
 * differential test needs, and which would make two factories), see this module's pom.
 */
class OnlyFactoryIntegrationTests {

  @Test
  void asTheOnlyRegisteredFactoryItIsUsedWithoutTheFactorySetting() {
    try (Database db = Services.postgres().createDatabase("hibernate_only")) {
      Map<String, Object> s = TwoInstancesIntegrationTests.settings(db, "only",
          "only" + UUID.randomUUID().toString().substring(0, 8));
      s.remove("hibernate.cache.region.factory_class");
      s.put("hibernate.hbm2ddl.auto", "create");
      try (SessionFactory sf = TwoInstancesIntegrationTests.build(s)) {
        assertThat(sf.getSessionFactoryOptions().getServiceRegistry()
            .getService(RegionFactory.class)).isInstanceOf(CoherentRegionFactory.class);
      }
    }
  }
}
