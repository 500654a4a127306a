package dev.coherent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.coherent.devservices.Services;
import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class EpochIntegrationTests {
  @RegisterExtension final Runtimes runtimes = new Runtimes();

  /** A loader that serves generation-stamped values for any key and counts its keys. */
  static final class Generations implements VersionedLoader<String, String> {
    final AtomicInteger keysLoaded = new AtomicInteger();
    volatile int generation = 1;

    @Override
    public Versioned<String> load(String key) {
      keysLoaded.incrementAndGet();
      return Versioned.of(key + "@" + generation, generation);
    }
  }

  @Test
  void invalidateAllOfOneHundredThousandEntriesIsOneMessage() throws Exception {
    int size = 100_000;
    NamespaceOptions big = NamespaceOptions.builder().l1MaximumSize(2 * size).build();
    Generations source = new Generations();
    NearCache<String, String> a = runtimes.start("a").namespace("bulk", Codecs.string(), big, source);
    NearCache<String, String> b = runtimes.start("b").namespace("bulk", Codecs.string(), big, source);
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      keys.add("k" + i);
    }
    for (int from = 0; from < size; from += 5_000) {
      b.getAll(keys.subList(from, from + 5_000));
    }
    assertThat(b.get("k99999")).isEqualTo("k99999@1");

    List<String> messages = new java.util.concurrent.CopyOnWriteArrayList<>();
    RedisClient client = RedisClient.create(Services.redis().uri());
    try (StatefulRedisPubSubConnection<String, String> pubsub = client.connectPubSub()) {
      pubsub.addListener(new RedisPubSubAdapter<>() {
        @Override
        public void message(String channel, String message) {
          messages.add(message);
        }
      });
      pubsub.sync().subscribe("pubsub:v1:cache-invalidate:bulk:" + runtimes.tenant());
      source.generation = 2;
      long epochBefore = b.status().epoch();
      a.invalidateAll();
      await().atMost(Duration.ofSeconds(5)).until(() -> b.status().epoch() != epochBefore);
      assertThat(messages).hasSize(1);
      assertThat(messages.get(0)).contains("\"type\":\"EPOCH\"");
    } finally {
      client.shutdown();
    }
    // Every entry of B is now a miss; sample across the range.
    for (int i = 0; i < size; i += 997) {
      assertThat(b.get("k" + i)).isEqualTo("k" + i + "@2");
    }
  }

  @Test
  void aLostEpochHintIsCaughtByTheEpochCheckOnTheNextL2Read() {
    Generations source = new Generations();
    NearCache<String, String> a = runtimes.start("a").namespace("epoch", Codecs.string(),
        NamespaceOptions.create(), source);
    NearCache<String, String> b = runtimes.start("b", x -> x.hintFilter(h -> h.type() != Hint.Type.EPOCH))
        .namespace("epoch", Codecs.string(), NamespaceOptions.create(), source);
    assertThat(b.get("old")).isEqualTo("old@1");
    source.generation = 2;
    a.invalidateAll();
    // B never saw the EPOCH hint. Any read that reaches L2 learns the new epoch from the read
    // script, and from then on B's older entries are misses.
    assertThat(b.get("other")).isEqualTo("other@2");
    assertThat(b.get("old")).isEqualTo("old@2");
  }
}
