package dev.coherent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NamespaceOptionsUnitTests {

  @Test
  void defaultsAreTheDocumentedConstants() {
    NamespaceOptions o = NamespaceOptions.create();

    assertThat(o.l1MaximumSize()).isEqualTo(NamespaceOptions.DEFAULT_L1_MAXIMUM_SIZE).isEqualTo(10_000);
    assertThat(o.l1Ttl()).isEqualTo(NamespaceOptions.DEFAULT_L1_TTL).isEqualTo(Duration.ofMinutes(5));
    assertThat(o.ttlJitter()).isEqualTo(NamespaceOptions.DEFAULT_TTL_JITTER).isEqualTo(0.2);
    assertThat(o.l1MaxTtl()).isEqualTo(NamespaceOptions.DEFAULT_L1_MAX_TTL)
        .isEqualTo(Duration.ofMinutes(30));
    assertThat(o.l2Ttl()).isEqualTo(NamespaceOptions.DEFAULT_L2_TTL).isEqualTo(Duration.ofHours(1));
    assertThat(o.l2Enabled()).isTrue();
    assertThat(o.negativeTtl()).isEqualTo(NamespaceOptions.DEFAULT_NEGATIVE_TTL)
        .isEqualTo(Duration.ZERO);
    assertThat(o.negativeCaching()).isFalse();
    assertThat(o.tombstoneTtl()).isEqualTo(NamespaceOptions.DEFAULT_TOMBSTONE_TTL)
        .isEqualTo(Duration.ofMinutes(2));
    assertThat(o.degradedL1Ttl()).isEqualTo(NamespaceOptions.DEFAULT_DEGRADED_L1_TTL)
        .isEqualTo(Duration.ofSeconds(1));
    assertThat(o.leaseEnabled()).isFalse();
    assertThat(o.leaseTime()).isEqualTo(NamespaceOptions.DEFAULT_LEASE_TIME)
        .isEqualTo(Duration.ofSeconds(5));
    assertThat(o.leaseWait()).isEqualTo(NamespaceOptions.DEFAULT_LEASE_WAIT)
        .isEqualTo(Duration.ofSeconds(2));
    assertThat(o.hintBufferCapacity()).isEqualTo(NamespaceOptions.DEFAULT_HINT_BUFFER_CAPACITY)
        .isEqualTo(10_000);
    assertThat(o.maxKeysPerHint()).isEqualTo(NamespaceOptions.DEFAULT_MAX_KEYS_PER_HINT)
        .isEqualTo(256);
    assertThat(o.epochHintsPerSecond()).isEqualTo(NamespaceOptions.DEFAULT_EPOCH_HINTS_PER_SECOND)
        .isEqualTo(10);
  }

  @Test
  void createAndAnUntouchedBuilderAgree() {
    assertThat(NamespaceOptions.builder().build().toString())
        .isEqualTo(NamespaceOptions.create().toString());
  }

  // ------------------------------------------------------------------------ setters

  static Stream<Arguments> badSettings() {
    return Stream.of(
        bad("l1MaximumSize must be at least 1 but was 0", b -> b.l1MaximumSize(0)),
        bad("l1MaximumSize must be at least 1 but was -5", b -> b.l1MaximumSize(-5)),
        bad("l1Ttl must be from 1 ms to PT8760H but was PT0S", b -> b.l1Ttl(Duration.ZERO)),
        bad("l1Ttl must be from 1 ms to PT8760H but was PT0.000999999S",
            b -> b.l1Ttl(Duration.ofNanos(999_999))),
        bad("l1Ttl must be from 1 ms to PT8760H but was PT-1S", b -> b.l1Ttl(Duration.ofSeconds(-1))),
        bad("ttlJitter must be a fraction from 0 to 0.5 but was -0.01", b -> b.ttlJitter(-0.01)),
        bad("ttlJitter must be a fraction from 0 to 0.5 but was 0.51", b -> b.ttlJitter(0.51)),
        bad("ttlJitter must be a fraction from 0 to 0.5 but was NaN", b -> b.ttlJitter(Double.NaN)),
        bad("ttlJitter must be a fraction from 0 to 0.5 but was Infinity",
            b -> b.ttlJitter(Double.POSITIVE_INFINITY)),
        bad("l1MaxTtl must be from 1 ms to PT8760H but was PT0S", b -> b.l1MaxTtl(Duration.ZERO)),
        bad("l2Ttl must be from 1 ms to PT8760H but was PT0S", b -> b.l2Ttl(Duration.ZERO)),
        bad("negativeTtl must be from 0 to PT8760H but was PT-0.001S",
            b -> b.negativeTtl(Duration.ofMillis(-1))),
        bad("tombstoneTtl must be from 1 ms to PT8760H but was PT0S", b -> b.tombstoneTtl(Duration.ZERO)),
        bad("degradedL1Ttl must be from 1 ms to PT8760H but was PT0S",
            b -> b.degradedL1Ttl(Duration.ZERO)),
        bad("leaseTime must be from 1 ms to PT8760H but was PT0S",
            b -> b.lease(Duration.ZERO, Duration.ofSeconds(1))),
        bad("leaseWait must be from 0 to PT8760H but was PT-1S",
            b -> b.lease(Duration.ofSeconds(1), Duration.ofSeconds(-1))),
        bad("hintBufferCapacity must be at least 1 but was 0", b -> b.hintBufferCapacity(0)),
        bad("maxKeysPerHint must be from 1 to 10000 but was 0", b -> b.maxKeysPerHint(0)),
        bad("maxKeysPerHint must be from 1 to 10000 but was 10001", b -> b.maxKeysPerHint(10_001)),
        bad("epochHintsPerSecond must be at least 1 but was 0", b -> b.epochHintsPerSecond(0)));
  }

  private static Arguments bad(String message, Consumer<NamespaceOptions.Builder> setter) {
    return Arguments.of(message, setter);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badSettings")
  void everySetterRejectsBadInputNamingSettingValueAndRange(
      String message, Consumer<NamespaceOptions.Builder> setter) {
    NamespaceOptions.Builder builder = NamespaceOptions.builder();
    assertThatThrownBy(() -> setter.accept(builder))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void nullDurationsAreRejectedNamingTheSetting() {
    NamespaceOptions.Builder b = NamespaceOptions.builder();
    assertThatThrownBy(() -> b.l1Ttl(null)).isInstanceOf(NullPointerException.class).hasMessage("l1Ttl");
    assertThatThrownBy(() -> b.l1MaxTtl(null)).hasMessage("l1MaxTtl");
    assertThatThrownBy(() -> b.l2Ttl(null)).hasMessage("l2Ttl");
    assertThatThrownBy(() -> b.negativeTtl(null)).hasMessage("negativeTtl");
    assertThatThrownBy(() -> b.tombstoneTtl(null)).hasMessage("tombstoneTtl");
    assertThatThrownBy(() -> b.degradedL1Ttl(null)).hasMessage("degradedL1Ttl");
    assertThatThrownBy(() -> b.lease(null, Duration.ZERO)).hasMessage("leaseTime");
    assertThatThrownBy(() -> b.lease(Duration.ofSeconds(1), null)).hasMessage("leaseWait");
  }

  @Test
  void boundaryValuesAreAccepted() {
    NamespaceOptions o = NamespaceOptions.builder()
        .l1MaximumSize(1)
        .l1Ttl(Duration.ofMillis(1))
        .l1MaxTtl(Duration.ofMillis(1))
        .ttlJitter(0.5)
        .l2Ttl(Duration.ofMillis(1))
        .negativeTtl(Duration.ZERO)
        .tombstoneTtl(Duration.ofMillis(1))
        .degradedL1Ttl(Duration.ofMillis(1))
        .lease(Duration.ofMillis(1), Duration.ZERO)
        .hintBufferCapacity(1)
        .maxKeysPerHint(10_000)
        .epochHintsPerSecond(1)
        .build();
    assertThat(o.ttlJitter()).isEqualTo(0.5);
    assertThat(o.leaseWait()).isZero();
    assertThat(o.maxKeysPerHint()).isEqualTo(10_000);
    assertThat(NamespaceOptions.builder().ttlJitter(0).maxKeysPerHint(1).build().ttlJitter()).isZero();
  }

  @Test
  void negativeCachingIsOnExactlyWhenTheNegativeTtlIsNotZero() {
    assertThat(NamespaceOptions.builder().negativeTtl(Duration.ofSeconds(30)).build().negativeCaching())
        .isTrue();
    assertThat(NamespaceOptions.builder().negativeTtl(Duration.ofNanos(1)).build().negativeCaching())
        .isTrue();
    assertThat(NamespaceOptions.builder().negativeTtl(Duration.ofSeconds(30))
        .negativeTtl(Duration.ZERO).build().negativeCaching()).isFalse();
  }

  @Test
  void leaseTurnsTheLeaseOnAndLeaseDisabledTurnsItOffKeepingTheTimes() {
    NamespaceOptions on = NamespaceOptions.builder()
        .lease(Duration.ofSeconds(3), Duration.ofMillis(500)).build();
    assertThat(on.leaseEnabled()).isTrue();
    assertThat(on.leaseTime()).isEqualTo(Duration.ofSeconds(3));
    assertThat(on.leaseWait()).isEqualTo(Duration.ofMillis(500));

    NamespaceOptions off = on.mutate().leaseDisabled().build();
    assertThat(off.leaseEnabled()).isFalse();
    assertThat(off.leaseTime()).isEqualTo(Duration.ofSeconds(3));
  }

  // ------------------------------------------------------------------------ build()

  @Test
  void buildRejectsAHardMaximumBelowTheTtl() {
    NamespaceOptions.Builder b = NamespaceOptions.builder().l1Ttl(Duration.ofHours(1));
    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("l1MaxTtl (PT30M) must be at least l1Ttl (PT1H)");
    assertThatThrownBy(() -> NamespaceOptions.builder().l1MaxTtl(Duration.ofMinutes(1)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("l1MaxTtl (PT1M) must be at least l1Ttl (PT5M)");
  }

  @Test
  void theTtlComboIsCheckedAtBuildSoSetterOrderDoesNotMatter() {
    NamespaceOptions o = NamespaceOptions.builder()
        .l1Ttl(Duration.ofHours(1)) // above the default max for a moment
        .l1MaxTtl(Duration.ofHours(1))
        .build();
    assertThat(o.l1MaxTtl()).isEqualTo(o.l1Ttl());
  }

  @Test
  void buildRejectsALeaseWithoutL2() {
    NamespaceOptions.Builder b = NamespaceOptions.builder()
        .l2Enabled(false).lease(Duration.ofSeconds(5), Duration.ofSeconds(2));
    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the load lease needs L2 (waiters read the value from Redis); enable L2 or"
            + " disable the lease");
    assertThatCode(() -> b.leaseDisabled().build()).doesNotThrowAnyException();
    assertThatCode(() -> b.l2Enabled(true).lease(Duration.ofSeconds(1), Duration.ZERO).build())
        .doesNotThrowAnyException();
  }

  @Test
  void aBuilderCanBuildSeveralIndependentOptions() {
    NamespaceOptions.Builder b = NamespaceOptions.builder().l1MaximumSize(5);
    NamespaceOptions first = b.build();
    NamespaceOptions second = b.l1MaximumSize(6).build();
    assertThat(first.l1MaximumSize()).isEqualTo(5);
    assertThat(second.l1MaximumSize()).isEqualTo(6);
  }

  // ------------------------------------------------------------------------ mutate()

  private static NamespaceOptions everySettingChanged() {
    return NamespaceOptions.builder()
        .l1MaximumSize(123)
        .l1Ttl(Duration.ofSeconds(42))
        .ttlJitter(0.05)
        .l1MaxTtl(Duration.ofSeconds(77))
        .l2Ttl(Duration.ofMinutes(9))
        .negativeTtl(Duration.ofSeconds(3))
        .tombstoneTtl(Duration.ofSeconds(11))
        .degradedL1Ttl(Duration.ofMillis(250))
        .lease(Duration.ofSeconds(4), Duration.ofMillis(1500))
        .hintBufferCapacity(99)
        .maxKeysPerHint(17)
        .epochHintsPerSecond(3)
        .build();
  }

  @Test
  void toStringNamesEverySetting() {
    assertThat(everySettingChanged().toString()).isEqualTo("NamespaceOptions{l1MaximumSize=123,"
        + " l1Ttl=PT42S, ttlJitter=0.05, l1MaxTtl=PT1M17S, l2Ttl=PT9M, l2Enabled=true,"
        + " negativeTtl=PT3S, tombstoneTtl=PT11S, degradedL1Ttl=PT0.25S, leaseEnabled=true,"
        + " leaseTime=PT4S, leaseWait=PT1.5S, hintBufferCapacity=99, maxKeysPerHint=17,"
        + " epochHintsPerSecond=3}");
  }

  @Test
  void mutateCopiesEveryField() {
    NamespaceOptions original = everySettingChanged();
    assertThat(original.mutate().build().toString()).isEqualTo(original.toString());

    NamespaceOptions withoutL2 = NamespaceOptions.builder().l2Enabled(false).build();
    assertThat(withoutL2.mutate().build().toString()).isEqualTo(withoutL2.toString());
    assertThat(withoutL2.mutate().build().l2Enabled()).isFalse();
  }

  @Test
  void changingAMutatedCopyLeavesTheOriginalAlone() {
    NamespaceOptions original = everySettingChanged();
    String before = original.toString();

    NamespaceOptions changed = original.mutate()
        .l1MaximumSize(1).leaseDisabled().negativeTtl(Duration.ZERO).build();

    assertThat(original.toString()).isEqualTo(before);
    assertThat(changed.l1MaximumSize()).isEqualTo(1);
    assertThat(changed.leaseEnabled()).isFalse();
    assertThat(changed.negativeCaching()).isFalse();
    assertThat(changed.l1Ttl()).isEqualTo(original.l1Ttl());
  }

  // ------------------------------------------------------------------------ bugs

  @Test
  void durationsThatDoNotFitInNanosecondsAreRejected() {
    Duration threeCenturies = Duration.ofDays(365L * 300);
    assertThatThrownBy(() -> NamespaceOptions.builder().l1MaxTtl(threeCenturies))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("l1MaxTtl");
    assertThatThrownBy(() -> NamespaceOptions.builder().l1Ttl(Duration.ofSeconds(Long.MAX_VALUE)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("l1Ttl");
  }

  @Test
  void optionsWithTheSameSettingsAreEqualAndOneDifferentSettingIsNot() {
    NamespaceOptions one =
        NamespaceOptions.builder().l1MaximumSize(7).negativeTtl(Duration.ofSeconds(3)).build();
    NamespaceOptions same =
        NamespaceOptions.builder().negativeTtl(Duration.ofSeconds(3)).l1MaximumSize(7).build();

    assertThat(one).isEqualTo(same).hasSameHashCodeAs(same);
    assertThat(one).isEqualTo(one.mutate().build());
    assertThat(one).isNotEqualTo(one.mutate().tombstoneTtl(Duration.ofSeconds(9)).build());
    assertThat(one).isNotEqualTo(NamespaceOptions.create()).isNotEqualTo("options");
  }
}
