package dev.coherent.demo.catalog.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.coherent.core.Hint;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Chaos modes start, end at their deadline (an injected clock) or when turned off. */
class SubscriberChaosUnitTests {
  private final AtomicLong now = new AtomicLong(1_000);
  private final SubscriberChaos chaos = new SubscriberChaos(now::get);
  private final Hint hint = new Hint("id", Hint.Type.KEYS, "ns", "t", List.of(), 1, 1, "o", 0, null);

  @Test
  void deafDropsHintsUntilItsDeadline() {
    assertThat(chaos.hintFilter().test(hint)).isTrue();
    chaos.set(SubscriberChaos.Mode.DEAF, Duration.ofSeconds(30));
    assertThat(chaos.mode()).isEqualTo(SubscriberChaos.Mode.DEAF);
    assertThat(chaos.hintFilter().test(hint)).isFalse();
    now.addAndGet(Duration.ofSeconds(29).toNanos());
    assertThat(chaos.remaining()).isEqualTo(Duration.ofSeconds(1));
    assertThat(chaos.hintFilter().test(hint)).isFalse();
    now.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(chaos.mode()).isEqualTo(SubscriberChaos.Mode.OFF);
    assertThat(chaos.remaining()).isEqualTo(Duration.ZERO);
    assertThat(chaos.hintFilter().test(hint)).isTrue();
  }

  @Test
  void downKeepsHintsButOffEndsItAtOnce() {
    chaos.set(SubscriberChaos.Mode.DOWN, Duration.ofMinutes(1));
    assertThat(chaos.mode()).isEqualTo(SubscriberChaos.Mode.DOWN);
    assertThat(chaos.hintFilter().test(hint)).as("down is not deaf").isTrue();
    chaos.set(SubscriberChaos.Mode.OFF, Duration.ZERO);
    assertThat(chaos.mode()).isEqualTo(SubscriberChaos.Mode.OFF);
  }
}
