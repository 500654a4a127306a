package dev.coherent.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What a namespace owes L2: floors, bounds, and epoch bumps that never cover later requests. */
class PendingL2UnitTests {

  @Test
  void theHighestVersionOfEitherKindIsTheFloor() {
    PendingL2 pending = new PendingL2(10, 10);
    assertThat(pending.floor("k")).isEqualTo(-1);
    pending.write("k", 4);
    pending.change("k", 6);
    pending.change("k", 5);
    assertThat(pending.floor("k")).isEqualTo(6);
    pending.changed("k", 5); // not the pending version: stays
    assertThat(pending.floor("k")).isEqualTo(6);
    pending.changed("k", 6);
    assertThat(pending.floor("k")).isEqualTo(4);
    pending.wrote("k", 4);
    assertThat(pending.isEmpty()).isTrue();
  }

  @Test
  void aWriteUnderWayIsAFloorButNeverReplayed() {
    PendingL2 pending = new PendingL2(10, 10);
    pending.hold("k", 7);
    assertThat(pending.floor("k")).isEqualTo(7);
    assertThat(pending.isEmpty()).as("nothing to replay").isTrue();
    assertThat(pending.snapshot().writes()).isEmpty();
    pending.release("k", 7);
    assertThat(pending.floor("k")).isEqualTo(-1);
  }

  @Test
  void eachKindHasItsOwnBoundAndOverflowBecomesAnEpochBump() {
    PendingL2 pending = new PendingL2(1, 3);
    pending.write("w", 1);
    pending.change("a", 1);
    pending.change("b", 1);
    pending.change("c", 1);
    assertThat(pending.epochBumpPending()).isFalse();
    pending.change("a", 2); // a key already pending: no new room needed
    assertThat(pending.epochBumpPending()).isFalse();
    pending.change("d", 1);
    assertThat(pending.epochBumpPending()).isTrue();
    assertThat(pending.size()).isZero();
    assertThat(pending.isEmpty()).isFalse();
  }

  @Test
  void aBumpThatLandsDoesNotCoverAnOverflowAfterItWasTaken() {
    PendingL2 pending = new PendingL2(2, 2);
    pending.requestEpochBump();
    long requests = pending.bumpRequests();
    PendingL2.Snapshot covered = pending.snapshot();
    // While the bump is on its way to Redis, a poll overflows again.
    pending.change("x", 1);
    pending.change("y", 1);
    pending.change("z", 1);
    pending.epochBumped(requests, covered);
    assertThat(pending.epochBumpPending()).as("the later overflow still needs its bump").isTrue();
    long again = pending.bumpRequests();
    pending.epochBumped(again, pending.snapshot());
    assertThat(pending.epochBumpPending()).isFalse();
  }

  @Test
  void keysAddedWhileABumpIsOnItsWayStayPendingAfterIt() {
    PendingL2 pending = new PendingL2(10, 10);
    pending.change("old", 1);
    pending.requestEpochBump();
    long requests = pending.bumpRequests();
    PendingL2.Snapshot covered = pending.snapshot();
    pending.change("new", 2);
    pending.change("old", 3); // a newer version of a covered key
    pending.epochBumped(requests, covered);
    assertThat(pending.floor("new")).isEqualTo(2);
    assertThat(pending.floor("old")).isEqualTo(3);
    assertThat(pending.epochBumpPending()).isFalse();
  }
}
