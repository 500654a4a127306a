package dev.coherent.core.internal.redis;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.coherent.core.internal.EntryKind;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The L2 entry encoding {@code <version>|<kind>|<payload>} and the key layout, without Redis: the
 * static codec methods, and the key names of a {@link RedisL2Store} whose command interface is never
 * called.
 */
class RedisL2StoreUnitTests {

  private static byte[] ascii(String s) {
    return s.getBytes(ISO_8859_1);
  }

  // ------------------------------------------------------------------------ encoding

  @Test
  void encodesVersionKindAndPayloadWithBars() {
    assertThat(L2Entry.encode(EntryKind.VALUE, 42, "hammer".getBytes(UTF_8)))
        .isEqualTo(ascii("42|V|hammer"));
    assertThat(L2Entry.encode(EntryKind.ABSENT, 7, null)).isEqualTo(ascii("7|N|"));
    assertThat(L2Entry.encode(EntryKind.TOMBSTONE, 0, null)).isEqualTo(ascii("0|T|"));
    assertThat(L2Entry.encode(EntryKind.VALUE, 1, new byte[0])).isEqualTo(ascii("1|V|"));
  }

  @Test
  void versionsAreWrittenWithoutLeadingZerosSoLuaCanCompareThemByLengthThenText() {
    // prelude.lua's cmp() orders "9" < "10" by length first: that is exact only without padding.
    assertThat(L2Entry.encode(EntryKind.TOMBSTONE, 9, null)).isEqualTo(ascii("9|T|"));
    assertThat(L2Entry.encode(EntryKind.TOMBSTONE, 10, null)).isEqualTo(ascii("10|T|"));
    assertThat(L2Entry.encode(EntryKind.TOMBSTONE, Long.MAX_VALUE, null))
        .isEqualTo(ascii("9223372036854775807|T|"));
  }

  @ParameterizedTest
  @EnumSource(value = EntryKind.class, names = "LOADING", mode = EnumSource.Mode.EXCLUDE)
  void everyStoredKindRoundTrips(EntryKind kind) {
    byte[] payload = kind == EntryKind.VALUE ? "v".getBytes(UTF_8) : null;
    L2Entry stored = L2Entry.decode(L2Entry.encode(kind, 123_456, payload));

    assertThat(stored).isNotNull();
    assertThat(stored.kind()).isEqualTo(kind);
    assertThat(stored.version()).isEqualTo(123_456);
    assertThat(stored.payload()).isEqualTo(payload == null ? new byte[0] : payload);
  }

  @Test
  void aLoadInFlightIsNeverEncoded() {
    assertThatThrownBy(() -> L2Entry.encode(EntryKind.LOADING, 1, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("VALUE, ABSENT and TOMBSTONE");
    assertThat(EntryKind.of(EntryKind.LOADING.code)).isNull();
  }

  @Test
  void anEmptyValuePayloadRoundTripsAsEmpty() {
    L2Entry stored = L2Entry.decode(L2Entry.encode(EntryKind.VALUE, 5, new byte[0]));
    assertThat(stored).isNotNull();
    assertThat(stored.kind()).isEqualTo(EntryKind.VALUE);
    assertThat(stored.payload()).isEmpty();
  }

  @Test
  void binaryPayloadsWithBarsAndEveryByteValueRoundTrip() {
    byte[] payload = new byte[512];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) i; // 0x00..0xFF twice, '|' (0x7C) included
    }
    payload[0] = '|';
    payload[1] = '|';
    payload[payload.length - 1] = '|';

    L2Entry stored = L2Entry.decode(L2Entry.encode(EntryKind.VALUE, 99, payload));

    assertThat(stored).isNotNull();
    assertThat(stored.version()).isEqualTo(99);
    assertThat(stored.payload()).isEqualTo(payload);
  }

  @Test
  void aPayloadThatLooksLikeAHeaderIsOnlyPayload() {
    byte[] payload = ascii("8|T|7|V|x");
    L2Entry stored = L2Entry.decode(L2Entry.encode(EntryKind.VALUE, 3, payload));
    assertThat(stored.kind()).isEqualTo(EntryKind.VALUE);
    assertThat(stored.version()).isEqualTo(3);
    assertThat(stored.payload()).isEqualTo(payload);
  }

  @Test
  void randomPayloadsAndVersionsRoundTrip() {
    SplittableRandom random = new SplittableRandom(20_240_601);
    for (int i = 0; i < 2_000; i++) {
      long version = random.nextLong(Long.MAX_VALUE);
      byte[] payload = new byte[random.nextInt(64)];
      for (int j = 0; j < payload.length; j++) {
        payload[j] = (byte) random.nextInt(256);
      }
      L2Entry stored = L2Entry.decode(L2Entry.encode(EntryKind.VALUE, version, payload));
      assertThat(stored.version()).isEqualTo(version);
      assertThat(stored.payload()).isEqualTo(payload);
    }
  }

  @Test
  void theLargestAndSmallestVersionsRoundTrip() {
    assertThat(L2Entry.decode(L2Entry.encode(EntryKind.TOMBSTONE, Long.MAX_VALUE, null))
        .version()).isEqualTo(Long.MAX_VALUE);
    assertThat(L2Entry.decode(L2Entry.encode(EntryKind.VALUE, 0, ascii("x"))).version())
        .isZero();
  }

  @Test
  void decodeCopiesThePayload() {
    byte[] bytes = ascii("1|V|abc");
    L2Entry stored = L2Entry.decode(bytes);
    bytes[4] = 'z';
    assertThat(stored.payload()).isEqualTo(ascii("abc"));
  }

  // ------------------------------------------------------------------------ rejection

  @Test
  void nullAndEmptyAreNotEntries() {
    assertThat(L2Entry.decode(null)).isNull();
    assertThat(L2Entry.decode(new byte[0])).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "hammer",                     // no bar at all
      "42",                         // digits, no bar
      "|V|x",                       // empty version
      "4a|V|x",                     // non-digit in the version
      "-1|V|x",                     // a sign is not a digit
      "+1|V|x",
      " 1|V|x",
      "42|X|x",                     // unknown kind
      "42|v|x",                     // kinds are upper case
      "42||x",                      // no kind
      "42|VV|x",                    // the kind is one character
      "42|V",                       // truncated: no second bar
      "42|",                        // truncated after the first bar
      "42|Vx",                      // wrong separator after the kind
      "123456789012345678901|V|x",  // 21-digit version
      "12345678901234567890|V|x",   // 20 digits: more than any long has
      "9999999999999999999|V|x",    // 19 digits above Long.MAX_VALUE
      "9223372036854775808|V|x",    // Long.MAX_VALUE + 1
  })
  void garbageIsNotAnEntry(String garbage) {
    assertThat(L2Entry.decode(ascii(garbage))).isNull();
  }

  @Test
  void aVersionThatStartsWithZerosIsReadAsItsValue() {
    // Never written by encode (see above), but harmless to read.
    assertThat(L2Entry.decode(ascii("007|T|")).version()).isEqualTo(7);
  }

  // ------------------------------------------------------------------------ parseLong

  @Test
  void parseLongAcceptsTheTwoShapesLuaNumbersComeBackIn() {
    assertThat(RedisL2Store.parseLong(1093L)).isEqualTo(1093L);
    assertThat(RedisL2Store.parseLong("1731999000000".getBytes(US_ASCII))).isEqualTo(1_731_999_000_000L);
    assertThat(RedisL2Store.parseLong("-5".getBytes(US_ASCII))).isEqualTo(-5L);
    assertThat(RedisL2Store.parseLong(Long.toString(Long.MAX_VALUE).getBytes(US_ASCII)))
        .isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void parseLongRejectsAnythingElse() {
    assertThatThrownBy(() -> RedisL2Store.parseLong("12"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("unexpected script result element 12");
    assertThatThrownBy(() -> RedisL2Store.parseLong(null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("unexpected script result element null");
    assertThatThrownBy(() -> RedisL2Store.parseLong(12))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> RedisL2Store.parseLong("x".getBytes(US_ASCII)))
        .isInstanceOf(NumberFormatException.class);
  }

  // ------------------------------------------------------------------------ key layout

  @Test
  void everyKeyOfANamespaceSharesOneHashTag() {
    RedisL2Store l2 = new RedisL2Store(null, "coherent", "pubsub", "t1", "catalog:product");

    assertThat(l2.epochKey()).isEqualTo("coherent:{t1:catalog:product}:epoch");
    assertThat(l2.entryKey(1_731_999_000_000L, "42"))
        .isEqualTo("coherent:{t1:catalog:product}:e1731999000000:42");
    assertThat(l2.leaseKey("42")).isEqualTo("coherent:{t1:catalog:product}:lease:42");
    assertThat(l2.channel()).isEqualTo("pubsub:v1:cache-invalidate:catalog:product:t1");
  }

  @Test
  void theEpochIsPartOfEveryEntryKey() {
    RedisL2Store l2 = new RedisL2Store(null, "p", "c", "t", "n");
    assertThat(l2.entryKey(3, "k")).isNotEqualTo(l2.entryKey(4, "k"));
  }

}
