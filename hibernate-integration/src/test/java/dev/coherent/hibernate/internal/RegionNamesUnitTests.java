package dev.coherent.hibernate.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.hibernate.cache.CacheException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RegionNamesUnitTests {
  private static final java.util.regex.Pattern NAMESPACE =
      java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}");

  @ParameterizedTest
  @ValueSource(strings = {"com.example.Product", "com.example.Product##NaturalId",
      "app.com.example.Order.lines", "default-update-timestamps-region", "a:b", "ünïcødé region",
      "x"})
  void everyRegionNameMapsToAValidNamespaceAndBack(String region) {
    String namespace = RegionNames.namespace(region);
    assertThat(namespace).matches(NAMESPACE).startsWith("hb:");
    assertThat(RegionNames.region(namespace)).isEqualTo(region);
  }

  @Test
  void theMappingIsReadable() {
    assertThat(RegionNames.namespace("com.example.Product##NaturalId"))
        .isEqualTo("hb:com.example.Product:23:23NaturalId");
    assertThat(RegionNames.namespace("a:b")).isEqualTo("hb:a:3ab");
  }

  @Test
  void aRegionTooLongForANamespaceFailsNamingItAndTheWayOut() {
    String region = "com.example." + "x".repeat(100);
    assertThatThrownBy(() -> RegionNames.namespace(region)).isInstanceOf(CacheException.class)
        .hasMessageContaining("region '" + region + "'")
        .hasMessageContaining("@Cache(region = \"...\")");
  }
}
