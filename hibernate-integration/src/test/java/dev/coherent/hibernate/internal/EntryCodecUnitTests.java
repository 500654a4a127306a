package dev.coherent.hibernate.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.Serializable;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The serialization allow-list: what may come back from Redis, and what is never instantiated. */
class EntryCodecUnitTests {
  /** A class of a package no region names: what a forged or foreign entry could carry. */
  static final class Gadget implements Serializable {
    private static final long serialVersionUID = 1L;
    static volatile int instantiated;

    private Object readResolve() {
      instantiated++;
      return this;
    }
  }

  private final EntryCodec codec = new EntryCodec(Set.of("com.example.shop"), List.of());

  @Test
  void hibernateAndJdkValueTypesRoundTrip() {
    Object[] state = {1L, "name", new BigDecimal("12.50"), LocalDate.of(2026, 12, 1),
        List.of(1, 2)};
    Object back = codec.decode(codec.encode(state));
    assertThat((Object[]) back).containsExactly(state);
  }

  @Test
  void aClassOutsideTheListIsRefusedBeforeItIsInstantiated() {
    byte[] foreign = codec.encode(new Object[] {new Gadget()});
    int before = Gadget.instantiated;

    assertThatThrownBy(() -> codec.decode(foreign)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("outside the serialization allow-list")
        .hasMessageContaining("hibernate.cache.coherent.serialization_allow");
    assertThat(Gadget.instantiated).isEqualTo(before);
  }

  @Test
  void theEntitiesPackagesAndConfiguredPatternsAreAllowed() {
    EntryCodec allowing = new EntryCodec(Set.of(Gadget.class.getPackageName()), List.of());
    assertThat(allowing.decode(allowing.encode(new Gadget()))).isInstanceOf(Gadget.class);
    EntryCodec configured = new EntryCodec(Set.of(), List.of(Gadget.class.getName()));
    assertThat(configured.decode(configured.encode(new Gadget()))).isInstanceOf(Gadget.class);
  }
}
