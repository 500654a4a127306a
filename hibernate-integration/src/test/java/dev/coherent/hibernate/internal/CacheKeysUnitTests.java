package dev.coherent.hibernate.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.hibernate.cache.spi.QueryKey;
import org.junit.jupiter.api.Test;

/** Query-result keys: short, equal for equal queries, and never shared between tenants. */
class CacheKeysUnitTests {
  /** A parameter memento as Hibernate's: serializable, compared by value. */
  private record Params(Object... values) implements QueryKey.ParameterBindingsMemento {}

  private static QueryKey query(String sql, Object param) {
    return new QueryKey(sql, new Params(param), null, 10, Set.of());
  }

  private static String key(String tenant, QueryKey query) {
    return CacheKeys.query(new CacheKeys.QueryCacheKey(tenant, query));
  }

  @Test
  void equalQueriesHaveEqualKeysAndAnyDifferenceChangesIt() {
    String sql = "select i1_0.name from Item i1_0 where i1_0.shelf_id=? order by i1_0.id"
        .repeat(40); // far over Coherent's 1024-character key limit
    String key = key(null, query(sql, 7L));
    assertThat(key).startsWith("q~").hasSize(2 + 43);
    assertThat(key(null, query(sql, 7L))).isEqualTo(key);
    assertThat(key(null, query(sql, 8L))).isNotEqualTo(key);
    assertThat(key(null, query(sql + " ", 7L))).isNotEqualTo(key);
    assertThat(key(null, new QueryKey(sql, new Params(7L), null, 11, Set.of()))).isNotEqualTo(key);
    assertThat(key(null, new QueryKey(sql, new Params(7L), null, 10, Set.of("f"))))
        .isNotEqualTo(key);
  }

  @Test
  void twoTenantsRunningTheSameQueryNeverShareAResult() {
    QueryKey same = query("select 1", 1L);
    assertThat(key("acme", same)).isNotEqualTo(key("globex", same)).isNotEqualTo(key(null, same));
    // The tenant is length-prefixed: "ab" + "c..." never collides with "a" + "bc...".
    assertThat(key("ab", same)).isNotEqualTo(key("a", same));
  }
}
