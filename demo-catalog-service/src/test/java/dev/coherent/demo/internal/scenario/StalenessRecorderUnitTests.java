package dev.coherent.demo.internal.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How reads are judged against writes, on a made-up timeline (nanoseconds as milliseconds). */
class StalenessRecorderUnitTests {
  private static final long MS = 1_000_000;

  @Test
  void aReadIsStaleFromTheCommitOfTheOldestNewerVersion() {
    StalenessRecorder r = new StalenessRecorder(1_000 * MS, 10);
    r.baseline(1, 5);
    r.read(1, 10 * MS, 5);                 // nothing newer yet: fresh
    r.committed(1, 6, 100 * MS);
    r.committed(1, 7, 300 * MS);
    r.read(1, 50 * MS, 5);                 // before the commit of 6: fresh
    r.read(1, 400 * MS, 5);                // 6 committed at 100: stale for 300 ms
    r.read(1, 450 * MS, 6);                // 7 committed at 300: stale for 150 ms
    r.read(1, 500 * MS, 7);                // fresh
    StalenessRecorder.Summary s = r.summary();
    assertThat(s.reads()).isEqualTo(5);
    assertThat(s.staleReads()).isEqualTo(2);
    assertThat(s.maxStalenessMs()).isEqualTo(300.0);
    assertThat(s.staleReadsBeyondBound()).isZero();
    assertThat(s.writes()).isEqualTo(2);
    // Per write: 6 was outstanding 300 ms (the read at 400), 7 for 150 ms (the read at 450).
    assertThat(s.p50StalenessMs()).isEqualTo(150.0);
    assertThat(s.p99StalenessMs()).isEqualTo(300.0);
  }

  @Test
  void aDeleteIsNewerThanEveryVersionAndA404IsFreshForIt() {
    StalenessRecorder r = new StalenessRecorder(100 * MS, 10);
    r.baseline(2, 3);
    r.committed(2, CatalogClient.DELETED, 1_000 * MS);
    r.read(2, 1_250 * MS, 3);               // still served after the delete: 250 ms stale
    r.read(2, 1_300 * MS, CatalogClient.DELETED); // 404: fresh
    StalenessRecorder.Summary s = r.summary();
    assertThat(s.staleReads()).isEqualTo(1);
    assertThat(s.staleReadsBeyondBound()).isEqualTo(1);
    assertThat(s.maxStalenessMs()).isEqualTo(250.0);
  }

  @Test
  void writesNeverServedStaleCountAsZero() {
    StalenessRecorder r = new StalenessRecorder(100 * MS, 10);
    r.committed(3, 2, 0);
    r.committed(4, 2, 0);
    r.read(3, 10 * MS, 2);
    r.read(4, 10 * MS, 1);
    StalenessRecorder.Summary s = r.summary();
    assertThat(s.p50StalenessMs()).isZero();
    assertThat(s.p99StalenessMs()).isEqualTo(10.0);
  }

  @Test
  void percentilesAreNearestRank() {
    long[] sorted = new long[100];
    for (int i = 0; i < 100; i++) {
      sorted[i] = i + 1;
    }
    assertThat(StalenessRecorder.percentile(sorted, 0.50)).isEqualTo(50);
    assertThat(StalenessRecorder.percentile(sorted, 0.99)).isEqualTo(99);
    assertThat(StalenessRecorder.percentile(new long[0], 0.99)).isZero();
    assertThat(StalenessRecorder.millis(1_234_567)).isEqualTo(1.23);
  }
}
