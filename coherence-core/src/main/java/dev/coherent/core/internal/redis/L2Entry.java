package dev.coherent.core.internal.redis;

import dev.coherent.core.internal.EntryKind;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * One L2 entry as Redis stores it: {@code <version>|<kind>|<payload>} (kind V, N or T, see
 * prelude.lua); {@code payload} is empty for tombstones and "not found". Immutable (the payload
 * array is never changed after decoding).
 */
public record L2Entry(EntryKind kind, long version, byte[] payload) {

  /** The stored form of an entry. */
  public static byte[] encode(EntryKind kind, long version, byte @Nullable [] payload) {
    if (kind == EntryKind.LOADING) {
      throw new IllegalArgumentException("a load in flight is not an L2 entry; stored kinds are"
          + " VALUE, ABSENT and TOMBSTONE");
    }
    byte[] header = (version + "|" + kind.code + "|").getBytes(StandardCharsets.US_ASCII);
    if (payload == null || payload.length == 0) {
      return header;
    }
    byte[] out = new byte[header.length + payload.length];
    System.arraycopy(header, 0, out, 0, header.length);
    System.arraycopy(payload, 0, out, header.length, payload.length);
    return out;
  }

  /** A tombstone's stored form: every version below {@code version} is invalid. */
  public static byte[] tombstone(long version) {
    return encode(EntryKind.TOMBSTONE, version, null);
  }

  /** Decodes an entry; null for bytes that are not one (treated as a miss, and overwritten). */
  public static @Nullable L2Entry decode(byte @Nullable [] bytes) {
    if (bytes == null) {
      return null;
    }
    int bar = -1;
    long version = 0;
    for (int i = 0; i < bytes.length && i < 20; i++) {
      byte b = bytes[i];
      if (b == '|') {
        bar = i;
        break;
      }
      if (b < '0' || b > '9') {
        return null;
      }
      version = version * 10 + (b - '0');
    }
    if (bar < 1 || bytes.length < bar + 3 || bytes[bar + 2] != '|') {
      return null;
    }
    EntryKind kind = EntryKind.of((char) bytes[bar + 1]);
    if (kind == null || version < 0) {
      return null;
    }
    byte[] payload = new byte[bytes.length - bar - 3];
    System.arraycopy(bytes, bar + 3, payload, 0, payload.length);
    return new L2Entry(kind, version, payload);
  }

  /**
   * What Redis decides when it is given {@code next} over {@code current} (prelude.lua's {@code
   * decide}): a newer version is stored, an older one refused; at an equal version the same kind
   * is {@link L2Store.Decision#EQUAL}, and anything replaces a tombstone ("invalid below v" does
   * not exclude v itself).
   */
  public static L2Store.Decision decide(@Nullable L2Entry current, @Nullable L2Entry next) {
    if (next == null) {
      return L2Store.Decision.REFUSED;
    }
    if (current == null || next.version > current.version) {
      return L2Store.Decision.STORED;
    }
    if (next.version < current.version) {
      return L2Store.Decision.REFUSED;
    }
    if (next.kind == current.kind) {
      return L2Store.Decision.EQUAL;
    }
    return current.kind == EntryKind.TOMBSTONE ? L2Store.Decision.STORED : L2Store.Decision.REFUSED;
  }
}
