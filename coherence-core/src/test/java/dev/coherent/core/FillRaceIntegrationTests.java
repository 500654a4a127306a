package dev.coherent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fill race: a reader loads v1 slowly, a writer commits v2 and invalidates, then the reader
 * finishes. v1 must not be installed in the reader's L1 nor in L2 — with the hint delivered, and
 * with the hint lost (then L2's version check alone must stop it).
 */
class FillRaceIntegrationTests {
  @RegisterExtension final Runtimes runtimes = new Runtimes();

  @ParameterizedTest(name = "hint lost: {0}")
  @ValueSource(booleans = {false, true})
  void aSlowFillOlderThanAnInvalidationIsInstalledNowhere(boolean hintLost) throws Exception {
    MeterRegistry readerMeters = new SimpleMeterRegistry();
    FakeSource source = new FakeSource();
    source.write("k", "v1");
    NearCache<String, String> reader = runtimes.start("reader", b -> b.meterRegistry(readerMeters)
        .hintFilter(hint -> !hintLost)).namespace("race", Codecs.string());
    NearCache<String, String> writer = runtimes.start("writer").namespace("race", Codecs.string());

    CountDownLatch loading = new CountDownLatch(1);
    CountDownLatch proceed = new CountDownLatch(1);
    VersionedLoader<String, String> slow = key -> {
      Versioned<String> read = source.load(key); // reads v1 ...
      loading.countDown();
      proceed.await(10, TimeUnit.SECONDS); // ... and is descheduled here
      return read;
    };
    CompletableFuture<String> slowRead = CompletableFuture.supplyAsync(() -> reader.get("k", slow));
    assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();

    long v2 = source.write("k", "v2");
    writer.invalidate("k", v2);
    if (!hintLost) {
      await().atMost(Duration.ofSeconds(5)).until(() ->
          Meters.count(readerMeters, "coherent.hints.applied", "namespace", "race") >= 1);
    }
    proceed.countDown();
    // The reader asked before v2 was committed: v1 is a correct answer for that call.
    assertThat(slowRead.get(10, TimeUnit.SECONDS)).isEqualTo("v1");

    // ... but v1 is in neither tier. L2 never took it: a third instance misses L2 (it holds the
    // v2 tombstone) and loads v2 from the source.
    int loadsBefore = source.loads.get();
    NearCache<String, String> third = runtimes.start("third").namespace("race", Codecs.string());
    assertThat(third.get("k", source)).isEqualTo("v2");
    assertThat(source.loads.get()).isEqualTo(loadsBefore + 1);
    // The reader's L1 never took it either: its next read is v2.
    assertThat(reader.get("k", source)).isEqualTo("v2");
    if (hintLost) {
      // Only L2's version check stood between v1 and the reader's L1.
      assertThat(Meters.count(readerMeters, "coherent.fill.races.prevented", "namespace", "race"))
          .isGreaterThanOrEqualTo(1);
    }
  }
}
