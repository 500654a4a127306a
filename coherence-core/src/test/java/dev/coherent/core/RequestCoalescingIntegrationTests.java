package dev.coherent.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RequestCoalescingIntegrationTests {
  @RegisterExtension final Runtimes runtimes = new Runtimes();

  private static final NamespaceOptions WITH_LEASE = NamespaceOptions.builder()
      .lease(Duration.ofSeconds(5), Duration.ofSeconds(5)).build();

  /**
   * A database whose query takes {@code millis} (the loader blocks its thread, as a JDBC call
   * would), so that every reader arrives while the one load is under way; counts its calls.
   */
  private static VersionedLoader<String, String> slowDatabase(AtomicInteger loads, long millis) {
    return key -> {
      loads.incrementAndGet();
      Thread.sleep(millis); // the simulated query itself, not a wait for an outcome
      return Versioned.of("value", 1);
    };
  }

  /** {@code readers} threads, alternating between two instances, released at once on one cold key. */
  private static void coldGets(NearCache<String, String> a, NearCache<String, String> b,
      int readers) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(readers);
    CyclicBarrier start = new CyclicBarrier(readers);
    List<Future<String>> results = new ArrayList<>();
    for (int i = 0; i < readers; i++) {
      NearCache<String, String> cache = i % 2 == 0 ? a : b;
      results.add(pool.submit(() -> {
        start.await();
        return cache.get("hot");
      }));
    }
    try {
      for (Future<String> result : results) {
        assertThat(result.get(20, TimeUnit.SECONDS)).isEqualTo("value");
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void concurrentColdGetsOnTwoInstancesCostOneLoadWithTheLease() throws Exception {
    AtomicInteger loads = new AtomicInteger();
    VersionedLoader<String, String> database = slowDatabase(loads, 300);
    NearCache<String, String> a = runtimes.start("a")
        .namespace("stampede", Codecs.string(), WITH_LEASE, database);
    NearCache<String, String> b = runtimes.start("b")
        .namespace("stampede", Codecs.string(), WITH_LEASE, database);
    coldGets(a, b, 400); // 2 instances x 200 readers
    assertThat(loads).hasValue(1);
  }

  @Test
  void withoutTheLeaseEachInstanceLoadsOnce() throws Exception {
    AtomicInteger loads = new AtomicInteger();
    VersionedLoader<String, String> database = slowDatabase(loads, 200);
    NearCache<String, String> a = runtimes.start("a")
        .namespace("stampede", Codecs.string(), NamespaceOptions.create(), database);
    NearCache<String, String> b = runtimes.start("b")
        .namespace("stampede", Codecs.string(), NamespaceOptions.create(), database);
    coldGets(a, b, 100);
    // Coalescing within an instance always holds; across instances the lease is what saves loads.
    assertThat(loads.get()).isBetween(1, 2);
  }

  @Test
  void aHungLeaseHolderDelaysOthersOnlyForTheLeaseWait() throws Exception {
    NamespaceOptions shortWait = NamespaceOptions.builder()
        .lease(Duration.ofSeconds(30), Duration.ofMillis(300)).build();
    CountDownLatch holderEntered = new CountDownLatch(1);
    CountDownLatch releaseHolder = new CountDownLatch(1);
    NearCache<String, String> holder = runtimes.start("holder").namespace("hung", Codecs.string(),
        shortWait, key -> {
          holderEntered.countDown();
          releaseHolder.await(30, TimeUnit.SECONDS); // hangs while holding the lease
          return Versioned.of("late", 1);
        });
    AtomicInteger waiterLoads = new AtomicInteger();
    NearCache<String, String> waiter = runtimes.start("waiter").namespace("hung", Codecs.string(),
        shortWait, key -> {
          waiterLoads.incrementAndGet();
          return Versioned.of("fresh", 1);
        });
    try {
      var hung = holder.getAsync("k");
      assertThat(holderEntered.await(10, TimeUnit.SECONDS)).isTrue();
      var waited = waiter.getAsync("k");
      // The waiter gives up on the lease after its wait and loads by itself, long before the
      // holder's 30 s lease would expire.
      await().atMost(Duration.ofSeconds(10)).until(waited::isDone);
      assertThat(waited.get()).isEqualTo("fresh");
      assertThat(waiterLoads).hasValue(1);
      assertThat(hung.isDone()).isFalse();
    } finally {
      releaseHolder.countDown();
    }
  }
}
