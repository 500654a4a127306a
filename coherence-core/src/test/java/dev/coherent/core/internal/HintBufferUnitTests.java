package dev.coherent.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HintBufferUnitTests {

  /** Every (key, version) handed to apply, in order. */
  private static final class Recorder {
    final List<String> calls = new ArrayList<>();
    final Map<String, Long> last = new HashMap<>();

    void apply(String key, long version) {
      calls.add(key + "@" + version);
      last.put(key, version);
    }
  }

  @Test
  void aNewKeyIsAddedAndARepeatedKeyCoalesces() {
    HintBuffer buffer = new HintBuffer(10);
    assertThat(buffer.isEmpty()).isTrue();
    assertThat(buffer.offer("a", 5)).isEqualTo(HintBuffer.Offer.ADDED);
    assertThat(buffer.offer("a", 5)).isEqualTo(HintBuffer.Offer.COALESCED);
    assertThat(buffer.offer("a", 9)).isEqualTo(HintBuffer.Offer.COALESCED);
    assertThat(buffer.offer("a", 2)).isEqualTo(HintBuffer.Offer.COALESCED);
    assertThat(buffer.size()).isEqualTo(1);
    assertThat(buffer.isEmpty()).isFalse();
  }

  @Test
  void coalescingKeepsTheHighestVersionWhateverTheOrder() {
    HintBuffer buffer = new HintBuffer(10);
    buffer.offer("a", 5);
    buffer.offer("a", 9);
    buffer.offer("a", 2);
    buffer.offer("b", 0);
    buffer.offer("b", Long.MAX_VALUE);
    buffer.offer("b", 1);

    Recorder recorder = new Recorder();
    assertThat(buffer.drain(recorder::apply)).isEqualTo(2);

    assertThat(recorder.last).containsExactlyInAnyOrderEntriesOf(Map.of("a", 9L, "b", Long.MAX_VALUE));
    assertThat(recorder.calls).hasSize(2);
  }

  @Test
  void aNewKeyIsRefusedAtCapacityButAKnownKeyStillCoalesces() {
    HintBuffer buffer = new HintBuffer(2);
    assertThat(buffer.offer("a", 1)).isEqualTo(HintBuffer.Offer.ADDED);
    assertThat(buffer.offer("b", 1)).isEqualTo(HintBuffer.Offer.ADDED);

    assertThat(buffer.offer("c", 1)).isEqualTo(HintBuffer.Offer.FULL);
    assertThat(buffer.size()).isEqualTo(2);

    assertThat(buffer.offer("a", 7)).isEqualTo(HintBuffer.Offer.COALESCED);
    assertThat(buffer.size()).isEqualTo(2);

    Recorder recorder = new Recorder();
    buffer.drain(recorder::apply);
    assertThat(recorder.last).containsExactlyInAnyOrderEntriesOf(Map.of("a", 7L, "b", 1L));
  }

  @Test
  void aCapacityOfOneHoldsOneKey() {
    HintBuffer buffer = new HintBuffer(1);
    assertThat(buffer.offer("a", 1)).isEqualTo(HintBuffer.Offer.ADDED);
    assertThat(buffer.offer("b", 1)).isEqualTo(HintBuffer.Offer.FULL);
    assertThat(buffer.offer("a", 2)).isEqualTo(HintBuffer.Offer.COALESCED);
  }

  @Test
  void drainAppliesEveryKeyOnceAndEmptiesTheBuffer() {
    HintBuffer buffer = new HintBuffer(100);
    for (int i = 0; i < 50; i++) {
      buffer.offer("k" + i, i);
      buffer.offer("k" + i, i + 100);
    }
    Recorder recorder = new Recorder();

    assertThat(buffer.drain(recorder::apply)).isEqualTo(50);

    assertThat(recorder.calls).hasSize(50).doesNotHaveDuplicates();
    for (int i = 0; i < 50; i++) {
      assertThat(recorder.last).containsEntry("k" + i, (long) i + 100);
    }
    assertThat(buffer.isEmpty()).isTrue();
    assertThat(buffer.drain(recorder::apply)).isZero();
    assertThat(recorder.calls).hasSize(50);
  }

  @Test
  void drainingFreesCapacity() {
    HintBuffer buffer = new HintBuffer(1);
    buffer.offer("a", 1);
    assertThat(buffer.offer("b", 1)).isEqualTo(HintBuffer.Offer.FULL);
    buffer.drain((k, v) -> {});
    assertThat(buffer.offer("b", 1)).isEqualTo(HintBuffer.Offer.ADDED);
  }

  @Test
  void aKeyRaisedWhileItIsAppliedStaysForTheNextDrain() {
    HintBuffer buffer = new HintBuffer(10);
    buffer.offer("a", 1);
    buffer.offer("b", 1);
    Recorder recorder = new Recorder();

    int applied = buffer.drain((key, version) -> {
      recorder.apply(key, version);
      if (key.equals("a")) {
        // A newer hint for the same key arrives on the event loop while the drain applies it.
        assertThat(buffer.offer("a", 2)).isEqualTo(HintBuffer.Offer.COALESCED);
      }
    });

    assertThat(applied).isEqualTo(2);
    assertThat(recorder.calls).containsExactlyInAnyOrder("a@1", "b@1");
    assertThat(buffer.size()).isEqualTo(1);

    Recorder next = new Recorder();
    assertThat(buffer.drain(next::apply)).isEqualTo(1);
    assertThat(next.calls).containsExactly("a@2");
    assertThat(buffer.isEmpty()).isTrue();
  }

  @Test
  void aKeyOfferedAgainAtTheSameOrALowerVersionDuringApplyIsDone() {
    HintBuffer buffer = new HintBuffer(10);
    buffer.offer("a", 5);
    buffer.offer("b", 5);
    buffer.drain((key, version) -> buffer.offer(key, key.equals("a") ? 5 : 3));
    assertThat(buffer.isEmpty()).isTrue();
  }

  @Test
  void clearReturnsHowManyKeysItDropped() {
    HintBuffer buffer = new HintBuffer(10);
    assertThat(buffer.clear()).isZero();
    buffer.offer("a", 1);
    buffer.offer("a", 2);
    buffer.offer("b", 1);
    buffer.offer("c", 1);

    assertThat(buffer.clear()).isEqualTo(3);

    assertThat(buffer.isEmpty()).isTrue();
    assertThat(buffer.size()).isZero();
    Recorder recorder = new Recorder();
    assertThat(buffer.drain(recorder::apply)).isZero();
    assertThat(recorder.calls).isEmpty();
    assertThat(buffer.offer("a", 1)).isEqualTo(HintBuffer.Offer.ADDED);
  }

  @Test
  void withOneProducerAndOneDrainerEveryKeyEndsAtItsHighestVersion() throws Exception {
    int keys = 500;
    // One spare slot: ConcurrentHashMap.size() may still count a key the drainer is removing.
    HintBuffer buffer = new HintBuffer(keys + 1);
    Map<String, Long> offeredMax = new ConcurrentHashMap<>();
    Map<String, Long> appliedMax = new ConcurrentHashMap<>();
    AtomicBoolean producing = new AtomicBoolean(true);
    AtomicInteger fullOffers = new AtomicInteger();

    Thread producer = new Thread(() -> {
      try {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 200_000; i++) {
          String key = "k" + random.nextInt(keys);
          long version = random.nextLong(1_000_000);
          if (buffer.offer(key, version) == HintBuffer.Offer.FULL) {
            fullOffers.incrementAndGet();
          }
          offeredMax.merge(key, version, Math::max);
        }
      } finally {
        producing.set(false);
      }
    }, "event-loop");
    Thread drainer = new Thread(() -> {
      while (producing.get() || !buffer.isEmpty()) {
        buffer.drain((key, version) -> appliedMax.merge(key, version, Math::max));
      }
    }, "maintenance");
    producer.setDaemon(true);
    drainer.setDaemon(true);
    producer.start();
    drainer.start();
    producer.join(30_000);
    drainer.join(30_000);

    assertThat(producer.isAlive()).isFalse();
    assertThat(drainer.isAlive()).isFalse();
    assertThat(fullOffers).as("500 distinct keys never fill a capacity of 501").hasValue(0);
    assertThat(buffer.isEmpty()).isTrue();
    assertThat(appliedMax).isEqualTo(offeredMax);
  }
}
