package dev.coherent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Builder validation only: nothing here calls build() with a URI, so nothing connects. */
class CoherentRuntimeBuilderUnitTests {
  private static final String NAME_RULE = " must be 1 to 100 characters of letters, digits, '_',"
      + " '.', ':' or '-', starting with a letter or digit";

  // ------------------------------------------------------------------------ redisUri

  @ParameterizedTest
  @ValueSource(strings = {
      "redis://localhost:6379",
      "redis://localhost",
      "redis://localhost:6379/2",
      "redis://user:secret@localhost:6379",
      "redis://:secret@localhost:6379/0",
      "rediss://cache.example.com:6380",
      "rediss://app:secret@cache.example.com:6380/1"})
  void acceptsRedisAndRedissUris(String uri) {
    CoherentRuntime.Builder builder = CoherentRuntime.builder();
    assertThat(builder.redisUri(uri)).isSameAs(builder);
  }

  static Stream<Arguments> badUris() {
    return Stream.of(
        Arguments.of("localhost:6379",
            "redisUri 'localhost:6379' is not a Redis URI (Scheme localhost not supported);"
                + " expected redis://host:port or rediss://host:port"),
        Arguments.of("http://localhost:6379",
            "redisUri 'http://localhost:6379' is not a Redis URI (Scheme http not supported);"
                + " expected redis://host:port or rediss://host:port"),
        Arguments.of("",
            "redisUri '' is not a Redis URI (URI must not be empty);"
                + " expected redis://host:port or rediss://host:port"),
        Arguments.of("redis://",
            "redisUri 'redis://' is not a Redis URI (Expected authority at index 8: redis://);"
                + " expected redis://host:port or rediss://host:port"),
        Arguments.of("redis://localhost:6379/abc",
            "redisUri 'redis://localhost:6379/abc' is not a Redis URI (For input string: \"abc\");"
                + " expected redis://host:port or rediss://host:port"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badUris")
  void rejectsWhatIsNotARedisUriSayingWhatWouldBeValid(String uri, String message) {
    assertThatThrownBy(() -> CoherentRuntime.builder().redisUri(uri))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message)
        .hasCauseInstanceOf(RuntimeException.class);
  }

  @Test
  void aRejectedUriDoesNotShowItsPassword() {
    assertThatThrownBy(() -> CoherentRuntime.builder().redisUri("redis://app:s3cret@host:6379/abc"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("redisUri 'redis://app:***@host:6379/abc' is not a Redis URI")
        .message().doesNotContain("s3cret");
  }

  @Test
  void aRejectedUriNeverShowsItsPassword() {
    assertThatThrownBy(() -> CoherentRuntime.builder().redisUri("redis://app:pa/ss@host:6379/0"))
        .isInstanceOf(IllegalArgumentException.class)
        .message().doesNotContain("pa/ss").doesNotContain("ss@");
  }

  @Test
  void aNullUriIsRejectedNamingTheSetting() {
    assertThatThrownBy(() -> CoherentRuntime.builder().redisUri((String) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("redisUri");
  }

  @Test
  void buildWithoutAUriFailsBeforeConnecting() {
    assertThatThrownBy(() -> CoherentRuntime.builder().instanceId("a").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("redisUri or redisCluster is required (e.g. redis://localhost:6379)");
  }

  @Test
  void aRejectedUriLeavesNoUriBehind() {
    CoherentRuntime.Builder builder = CoherentRuntime.builder();
    assertThatThrownBy(() -> builder.redisUri("nope")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(builder::build).hasMessageStartingWith("redisUri or redisCluster is required");
  }

  // ------------------------------------------------------------------------ names

  private static final String LONGEST = "a".repeat(100);

  static Stream<Arguments> nameSetters() {
    return Stream.of(
        Arguments.of("instanceId", (BiConsumer<CoherentRuntime.Builder, String>) CoherentRuntime.Builder::instanceId),
        Arguments.of("keyPrefix", (BiConsumer<CoherentRuntime.Builder, String>) CoherentRuntime.Builder::keyPrefix),
        Arguments.of("channelPrefix", (BiConsumer<CoherentRuntime.Builder, String>) CoherentRuntime.Builder::channelPrefix));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("nameSetters")
  void namesMustBePlainSoTheyCanGoIntoKeysAndChannels(
      String setting, BiConsumer<CoherentRuntime.Builder, String> setter) {
    for (String bad : new String[] {"a b", "{x}", "", "a".repeat(101), "-a", "_a", ".a", ":a",
        "a/b", "a|b", "a*", "ü", "a\n"}) {
      assertThatThrownBy(() -> setter.accept(CoherentRuntime.builder(), bad))
          .as("%s '%s'", setting, bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(setting + " '" + bad + "'" + NAME_RULE);
    }
    assertThatThrownBy(() -> setter.accept(CoherentRuntime.builder(), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(setting + " 'null'" + NAME_RULE);
    for (String good : new String[] {"a", "7", LONGEST, "catalog:product", "t-1_a.b:c", "A9"}) {
      assertThatCode(() -> setter.accept(CoherentRuntime.builder(), good))
          .as("%s '%s'", setting, good)
          .doesNotThrowAnyException();
    }
  }

  @Test
  void tenantsHaveNoColonSoKeysOfTwoTenantsNeverCollide() {
    // With ':' allowed, tenant "shop:eu" + namespace "product" and tenant "shop" + namespace
    // "eu:product" would share the hash tag {shop:eu:product}: epoch, sequence and entries.
    assertThatThrownBy(() -> CoherentRuntime.builder().tenant("shop:eu"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tenant 'shop:eu' must be 1 to 100 characters of letters, digits, '_', '.' or"
            + " '-', starting with a letter or digit (no ':')");
    for (String bad : new String[] {"a b", "{x}", "", "a".repeat(101), "-a", ":a", "a/b"}) {
      assertThatThrownBy(() -> CoherentRuntime.builder().tenant(bad))
          .as("tenant '%s'", bad).isInstanceOf(IllegalArgumentException.class);
    }
    for (String good : new String[] {"a", "7", LONGEST, "t-1_a.b", "A9"}) {
      assertThatCode(() -> CoherentRuntime.builder().tenant(good)).doesNotThrowAnyException();
    }
  }

  // ------------------------------------------------------------------------ durations

  @Test
  void commandTimeoutMustBeFrom10MsTo60s() {
    CoherentRuntime.Builder b = CoherentRuntime.builder();
    assertThatThrownBy(() -> b.commandTimeout(Duration.ofMillis(9)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("commandTimeout must be from PT0.01S to PT1M but was PT0.009S");
    assertThatThrownBy(() -> b.commandTimeout(Duration.ofSeconds(61)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("commandTimeout must be from PT0.01S to PT1M but was PT1M1S");
    assertThatThrownBy(() -> b.commandTimeout(Duration.ofMillis(-1)))
        .hasMessage("commandTimeout must be from PT0.01S to PT1M but was PT-0.001S");
    assertThatThrownBy(() -> b.commandTimeout(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("commandTimeout");
    assertThat(b.commandTimeout(Duration.ofMillis(10))).isSameAs(b);
    assertThat(b.commandTimeout(Duration.ofSeconds(60))).isSameAs(b);
  }

  static Stream<Arguments> boundedDurations() {
    return Stream.of(
        bounded("maintenanceInterval", CoherentRuntime.Builder::maintenanceInterval,
            Duration.ofMillis(10), Duration.ofMinutes(1)),
        bounded("l1ClockResolution", CoherentRuntime.Builder::l1ClockResolution,
            Duration.ofMillis(1), Duration.ofSeconds(1)),
        bounded("leasePoll", CoherentRuntime.Builder::leasePoll,
            Duration.ofMillis(1), Duration.ofSeconds(1)),
        bounded("reconcileInterval", CoherentRuntime.Builder::reconcileInterval,
            Duration.ofMillis(250), Duration.ofMinutes(10)),
        bounded("livenessTimeout", CoherentRuntime.Builder::livenessTimeout,
            Duration.ofMillis(100), Duration.ofMinutes(10)));
  }

  private static Arguments bounded(String setting,
      BiConsumer<CoherentRuntime.Builder, Duration> setter, Duration min, Duration max) {
    return Arguments.of(setting, setter, min, max);
  }

  @ParameterizedTest(name = "{0} from {2} to {3}")
  @MethodSource("boundedDurations")
  void aDurationOutsideItsRangeIsRefusedWithTheRangeAndTheValueNamed(String setting,
      BiConsumer<CoherentRuntime.Builder, Duration> setter, Duration min, Duration max) {
    CoherentRuntime.Builder b = CoherentRuntime.builder();
    Duration below = min.minusNanos(1);
    Duration above = max.plusMillis(1);
    assertThatThrownBy(() -> setter.accept(b, below))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(setting + " must be from " + min + " to " + max + " but was " + below);
    assertThatThrownBy(() -> setter.accept(b, above))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(setting + " must be from " + min + " to " + max + " but was " + above);
    assertThatThrownBy(() -> setter.accept(b, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage(setting);
    assertThatCode(() -> {
      setter.accept(b, min);
      setter.accept(b, max);
    }).doesNotThrowAnyException();
  }

  @Test
  void validationSampleSizeMustBeFrom0To10000() {
    CoherentRuntime.Builder b = CoherentRuntime.builder();
    assertThatThrownBy(() -> b.validationSampleSize(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("validationSampleSize must be from 0 to 10000 but was -1");
    assertThatThrownBy(() -> b.validationSampleSize(10_001))
        .hasMessage("validationSampleSize must be from 0 to 10000 but was 10001");
    assertThatCode(() -> b.validationSampleSize(0).validationSampleSize(10_000))
        .doesNotThrowAnyException();
  }

  @Test
  void defaultsAreTheDocumentedConstants() {
    assertThat(CoherentRuntime.Builder.DEFAULT_COMMAND_TIMEOUT).isEqualTo(Duration.ofSeconds(1));
    assertThat(CoherentRuntime.Builder.DEFAULT_MAINTENANCE_INTERVAL).isEqualTo(Duration.ofSeconds(1));
    assertThat(CoherentRuntime.Builder.DEFAULT_LEASE_POLL).isEqualTo(Duration.ofMillis(5));
    assertThat(CoherentRuntime.Builder.DEFAULT_TENANT).isEqualTo("default");
    assertThat(CoherentRuntime.Builder.DEFAULT_KEY_PREFIX).isEqualTo("coherent");
    assertThat(CoherentRuntime.Builder.DEFAULT_CHANNEL_PREFIX).isEqualTo("pubsub");
    assertThat(CoherentRuntime.Builder.DEFAULT_RECONCILE_INTERVAL).isEqualTo(Duration.ofSeconds(5));
    assertThat(CoherentRuntime.Builder.DEFAULT_LIVENESS_TIMEOUT).isEqualTo(Duration.ofSeconds(5));
    assertThat(CoherentRuntime.Builder.DEFAULT_VALIDATION_SAMPLE_SIZE).isEqualTo(16);
  }

  // ------------------------------------------------------------------------ null checks

  @Test
  void nullCollaboratorsAreRejectedNamingTheSetting() {
    CoherentRuntime.Builder b = CoherentRuntime.builder();
    assertThatThrownBy(() -> b.redisClient(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("redisClient");
    assertThatThrownBy(() -> b.credentials("user", null)).isInstanceOf(NullPointerException.class)
        .hasMessage("password");
    assertThatThrownBy(() -> b.meterRegistry(null)).hasMessage("meterRegistry");
    assertThatThrownBy(() -> b.ticker(null)).hasMessage("ticker");
    assertThatThrownBy(() -> b.clock(null)).hasMessage("clock");
    assertThatThrownBy(() -> b.random(null)).hasMessage("random");
    assertThatThrownBy(() -> b.loadExecutor(null)).hasMessage("loadExecutor");
    assertThatThrownBy(() -> b.hintFilter(null)).hasMessage("hintFilter");
    assertThatThrownBy(() -> b.changeLog(null)).hasMessage("changeLog");
  }

  @Test
  void credentialsWithoutAUserAreAccepted() {
    CoherentRuntime.Builder b = CoherentRuntime.builder();
    assertThat(b.credentials(null, "secret".toCharArray())).isSameAs(b);
    assertThat(b.credentials("app", new char[0])).isSameAs(b);
  }

  @Test
  void aClusterAndAServerTogetherAreRefusedBeforeConnecting() {
    assertThatThrownBy(CoherentRuntime.builder().redisUri("redis://localhost:6379")
        .redisCluster("redis://10.0.0.1:7000")::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("both redisUri (localhost:6379) and a cluster (redisCluster) are set; a"
            + " runtime uses one Redis server or one Redis Cluster");
  }

  @Test
  void clusterSeedsAreCheckedAsRedisUris() {
    assertThatThrownBy(() -> CoherentRuntime.builder().redisCluster("localhost:7000"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("redisCluster seed 'localhost:7000' is not a Redis URI");
    assertThatThrownBy(() -> CoherentRuntime.builder().redisCluster(new String[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("redisCluster needs at least one seed URI but was given none");
  }

  @Test
  void clusterHintsOnStandaloneRedisIsRefused() {
    assertThatThrownBy(CoherentRuntime.builder().redisUri("redis://localhost:6379")
        .clusterHints(ClusterHints.CLASSIC)::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("clusterHints (CLASSIC) applies to a Redis Cluster only");
  }
}
