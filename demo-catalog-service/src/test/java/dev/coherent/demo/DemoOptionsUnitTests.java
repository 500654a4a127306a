package dev.coherent.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DemoOptionsUnitTests {

  private static DemoOptions parse(String... args) {
    return DemoOptions.parse(List.of(args));
  }

  private static void assertUsageError(String message, String... args) {
    assertThatThrownBy(() -> parse(args))
        .isInstanceOf(UsageException.class)
        .hasMessage(message);
  }

  @Test
  void noFlagsGiveTheDefaults() {
    DemoOptions options = parse();
    assertThat(options.portA()).isEqualTo(8081).isEqualTo(DemoOptions.DEFAULT_PORT_A);
    assertThat(options.portB()).isEqualTo(8082).isEqualTo(DemoOptions.DEFAULT_PORT_B);
    assertThat(options.reconcileInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(options.runId()).matches("[0-9a-f]{4}");
  }

  @Test
  void everyFlagWithSeparateValue() {
    DemoOptions options = parse("--port-a", "9001", "--port-b", "9002", "--reconcile-interval", "2s");
    assertThat(options.portA()).isEqualTo(9001);
    assertThat(options.portB()).isEqualTo(9002);
    assertThat(options.reconcileInterval()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void everyFlagWithEqualsValueInAnyOrder() {
    DemoOptions options = parse("--reconcile-interval=250ms", "--port-b=1", "--port-a=65535");
    assertThat(options.portA()).isEqualTo(65535);
    assertThat(options.portB()).isEqualTo(1);
    assertThat(options.reconcileInterval()).isEqualTo(Duration.ofMillis(250));
  }

  @ParameterizedTest
  @CsvSource({"250ms,250", "1500ms,1500", "2s,2000", "1m,60000", "1h,3600000", "2S,2000", " 3s ,3000"})
  void durationsInEveryUnit(String text, long millis) {
    assertThat(parse("--reconcile-interval", text).reconcileInterval()).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest
  @CsvSource({"250,250ms", "2000,2s", "60000,1m", "3600000,1h", "1500,1500ms", "0,0ms"})
  void durationsFormatInTheirShortestExactUnit(long millis, String text) {
    assertThat(Durations.format(Duration.ofMillis(millis))).isEqualTo(text);
  }

  @ParameterizedTest
  @CsvSource({"abc", "0", "65536", "-1", "80.5", "''", "123456"})
  void portsOutsideTheRangeOrNotNumbersNameTheFlagAndValue(String value) {
    assertUsageError("--port-a must be a port 1..65535 but was '" + value + "'", "--port-a", value);
    assertUsageError("--port-b must be a port 1..65535 but was '" + value + "'", "--port-b=" + value);
  }

  @ParameterizedTest
  @CsvSource({"2", "fast", "2 s", "2sec", "-1s", "1.5s", "1d", "1234567890s"})
  void malformedDurationsNameTheFlagValueAndForms(String value) {
    assertUsageError(
        "--reconcile-interval must be a duration, a whole number with ms, s, m or h,"
            + " like 250ms, 2s or 1m, but was '" + value + "'",
        "--reconcile-interval", value);
  }

  @ParameterizedTest
  @CsvSource({"249ms,249ms", "0s,0ms", "100ms,100ms"})
  void reconcileIntervalBelow250msIsRefused(String value, String shown) {
    assertUsageError(
        "--reconcile-interval must be at least 250ms but was " + shown,
        "--reconcile-interval", value);
  }

  @Test
  void equalPortsNameBothFlags() {
    assertUsageError("--port-a and --port-b must differ but both were 9000",
        "--port-a", "9000", "--port-b", "9000");
    assertUsageError("--port-a and --port-b must differ but both were 8082", "--port-a", "8082");
  }

  @Test
  void unknownFlagListsTheValidOnes() {
    assertUsageError(
        "unknown flag '--portA' for 'demo'; valid flags: --port-a, --port-b, --reconcile-interval, --admin-token, --help",
        "--portA", "8081");
    assertUsageError(
        "unknown flag '--verbose' for 'demo'; valid flags: --port-a, --port-b, --reconcile-interval, --admin-token, --help",
        "--verbose=true");
  }

  @Test
  void positionalArgumentIsRefused() {
    assertUsageError(
        "unexpected argument '8081' for 'demo'; valid flags: --port-a, --port-b, --reconcile-interval, --admin-token, --help",
        "8081");
  }

  @Test
  void flagWithoutValueSaysWhatValueIsExpected() {
    assertUsageError("--port-a needs a value: a port 1..65535", "--port-a");
    assertUsageError("--port-b needs a value: a port 1..65535", "--port-b", "--port-a", "9000");
    assertUsageError(
        "--reconcile-interval needs a value: a whole number with ms, s, m or h, like 250ms, 2s or 1m,"
            + " at least 250ms",
        "--reconcile-interval");
  }

  @Test
  void flagGivenTwiceIsRefused() {
    assertUsageError("--port-a was given twice ('9000' and '9001'); give it once",
        "--port-a", "9000", "--port-a=9001");
  }

  @Test
  void builderChecksLikeTheParser() {
    assertThatThrownBy(() -> DemoOptions.builder().portA(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--port-a must be a port 1..65535 but was 0");
    assertThatThrownBy(() -> DemoOptions.builder().portB(70000))
        .hasMessage("--port-b must be a port 1..65535 but was 70000");
    assertThatThrownBy(() -> DemoOptions.builder().reconcileInterval(Duration.ofMillis(10)))
        .hasMessage("--reconcile-interval must be at least 250ms but was 10ms");
    assertThatThrownBy(() -> DemoOptions.builder().runId("Not Valid"))
        .hasMessage("runId must be 1 to 12 lowercase letters or digits but was 'Not Valid'");
    assertThatThrownBy(() -> DemoOptions.builder().portA(1).portB(1).build())
        .hasMessage("--port-a and --port-b must differ but both were 1");
  }

  @Test
  void mutateKeepsEveryValue() {
    DemoOptions options =
        DemoOptions.builder().portA(1000).portB(1001).reconcileInterval(Duration.ofSeconds(3))
            .runId("abc1").build();
    assertThat(options.mutate().build()).isEqualTo(options).hasSameHashCodeAs(options);
    assertThat(options.mutate().portB(1002).build().portB()).isEqualTo(1002);
    assertThat(options).hasToString(
        "DemoOptions{portA=1000, portB=1001, reconcileInterval=3s, runId=abc1, demoMode=true}");
    assertThat(options.mutate().build().adminToken()).isEqualTo(options.adminToken());
  }

  @Test
  void theAdminTokenIsRandomUnlessGivenAndChecked() {
    assertThat(DemoOptions.create().adminToken()).matches("[0-9a-f]{32}")
        .isNotEqualTo(DemoOptions.create().adminToken());
    assertThat(DemoOptions.parse(java.util.List.of("--admin-token", "my-token-of-16-chars"))
        .adminToken()).isEqualTo("my-token-of-16-chars");
    assertUsageError("--admin-token must be 16 to 128 letters, digits, '-' or '_' but was 5"
        + " characters", "--admin-token", "short");
    assertUsageError("--admin-token must be 16 to 128 letters, digits, '-' or '_' but was 20"
        + " characters with others than those", "--admin-token", "has spaces in it !!!");
    assertThat(DemoOptions.create().toString()).doesNotContain(DemoOptions.create().adminToken());
  }

  @Test
  void runIdsDifferBetweenOptions() {
    // 65,536 ids: ten draws are all equal with probability 2^-144.
    assertThat(
            java.util.stream.IntStream.range(0, 10)
                .mapToObj(i -> DemoOptions.create().runId())
                .distinct()
                .count())
        .isGreaterThan(1);
  }

  @Test
  void flagUsageListsEveryFlagWithItsDefault() {
    assertThat(DemoOptions.flagUsage())
        .contains("--port-a PORT", "default 8081", "--port-b PORT", "default 8082",
            "--reconcile-interval DURATION", "at least 250ms, default 5s",
            "--admin-token TOKEN", "default: random, printed", "--help");
  }
}
