package dev.coherent.core.internal.redis;

import dev.coherent.core.Hint;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Optional authentication of hints with HMAC-SHA256 and shared keys (see docs/protocol.md, "Signed
 * hints"). Immutable and thread-safe: the keys are copied on construction and never change, and
 * every thread computes MACs with its own {@link Mac} instances ({@code Mac} is not thread-safe).
 *
 * <p>The signature covers a canonical encoding of every field of a hint except {@code epoch} and
 * {@code seq}, which the Redis script inserts after the hint was signed (see {@link #canonical}).
 * A receiver recomputes that encoding from the parsed {@link Hint}, so JSON formatting, field order
 * and escaping do not matter, and what is verified is exactly what the receiver acts on.
 *
 * <p>{@link #none()} signs nothing and verifies nothing. {@link #of} signs with one key and accepts
 * signatures by that key or any of the others (key rotation).
 */
public final class HintAuth {
  /** Algorithm name for {@link Mac#getInstance}. */
  static final String ALGORITHM = "HmacSHA256";
  /** The shortest key accepted: 128 bits. 32 random bytes (the MAC's size) are recommended. */
  public static final int MIN_KEY_BYTES = 16;
  /** Length of a signature as published: 32 bytes, base64url without padding. */
  static final int SIGNATURE_CHARS = 43;
  /** Domain separation: the first line of the signed bytes, also the canonical encoding's version. */
  private static final byte[] DOMAIN = "coherent-hint-v1\n".getBytes(StandardCharsets.US_ASCII);

  private static final HintAuth NONE = new HintAuth(List.of());

  /** The signing key first, then the other accepted keys; empty when disabled. */
  private final List<SecretKeySpec> keys;
  /** One initialised Mac per key, per thread (a Mac resets itself after {@code doFinal}). */
  private final ThreadLocal<Mac[]> macs;

  private HintAuth(List<SecretKeySpec> keys) {
    this.keys = keys;
    this.macs = ThreadLocal.withInitial(this::newMacs);
  }

  /** No authentication: templates carry no {@code sig}, and a {@code sig} in a hint is ignored. */
  public static HintAuth none() {
    return NONE;
  }

  /**
   * Signs every hint with {@code signingKey} and accepts only hints signed with {@code signingKey}
   * or one of {@code alsoAccepted}. To rotate keys, first give every instance
   * {@code of(old, [new])}, then {@code of(new, [old])}, then {@code of(new, [])}. The arrays are
   * copied.
   *
   * @throws IllegalArgumentException if a key is shorter than {@link #MIN_KEY_BYTES}
   */
  public static HintAuth of(byte[] signingKey, List<byte[]> alsoAccepted) {
    Objects.requireNonNull(signingKey, "signingKey");
    Objects.requireNonNull(alsoAccepted, "alsoAccepted");
    List<byte[]> distinct = new ArrayList<>();
    distinct.add(signingKey.clone());
    for (byte[] key : alsoAccepted) {
      Objects.requireNonNull(key, "alsoAccepted contains null");
      if (distinct.stream().noneMatch(k -> Arrays.equals(k, key))) {
        distinct.add(key.clone());
      }
    }
    List<SecretKeySpec> specs = new ArrayList<>(distinct.size());
    for (byte[] key : distinct) {
      if (key.length < MIN_KEY_BYTES) {
        throw new IllegalArgumentException(
            "a hint authentication key must be at least " + MIN_KEY_BYTES
                + " bytes (32 random bytes recommended) but was " + key.length + " bytes");
      }
      specs.add(new SecretKeySpec(key, ALGORITHM)); // copies the array
      Arrays.fill(key, (byte) 0);
    }
    HintAuth auth = new HintAuth(List.copyOf(specs));
    auth.macs.get(); // fail now, not on the first hint, if the JRE lacks HmacSHA256
    return auth;
  }

  /** Whether hints are signed and required to carry a valid signature. */
  public boolean enabled() {
    return !keys.isEmpty();
  }

  /**
   * The signature of a hint with these fields (base64url, no padding, {@value #SIGNATURE_CHARS}
   * characters), by the signing key.
   *
   * @param keys empty for an EPOCH hint
   * @throws IllegalStateException if authentication is not {@linkplain #enabled() enabled}
   */
  String sign(String id, Hint.Type type, String namespace, String tenant, String origin,
      long timestamp, @Nullable String trace, List<Hint.KeyVersion> keys) {
    if (!enabled()) {
      throw new IllegalStateException("hint authentication is disabled");
    }
    byte[] mac = macs.get()[0].doFinal(
        canonical(id, type, namespace, tenant, origin, timestamp, trace, keys));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(mac);
  }

  /**
   * Whether {@code signature} is the signature of {@code hint} (its epoch and sequence aside) by
   * one of the accepted keys. Work is linear in the hint's size times the number of keys. Always
   * false when authentication is disabled, for a signature that is not exactly the encoding
   * {@link #sign} produces, and for a hint whose text fields are not well-formed UTF-16 (a lone
   * surrogate would encode like {@code ?} and make the signed bytes ambiguous).
   */
  boolean verify(Hint hint, String signature) {
    if (!enabled() || signature.length() != SIGNATURE_CHARS || !wellFormed(hint)) {
      return false;
    }
    byte[] given = signature.getBytes(StandardCharsets.US_ASCII);
    byte[] message = canonical(hint);
    Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();
    boolean valid = false;
    for (Mac mac : macs.get()) {
      // Comparing the encodings (not decoded bytes) also rejects non-canonical base64.
      byte[] expected = encoder.encode(mac.doFinal(message));
      valid |= MessageDigest.isEqual(expected, given);
    }
    return valid;
  }

  /** The signed bytes of a parsed hint: {@link #canonical(String, Hint.Type, ...)} of its fields. */
  static byte[] canonical(Hint hint) {
    return canonical(hint.id(), hint.type(), hint.namespace(), hint.tenant(), hint.origin(),
        hint.timestamp(), hint.trace(), hint.type() == Hint.Type.KEYS ? hint.keys() : List.of());
  }

  /**
   * The signed bytes: {@code coherent-hint-v1\n}, then each of v, id, type, ns, tenant, origin,
   * ts and trace (empty when absent) as {@code <UTF-8 byte length>:<value>\n}, then
   * {@code <key count>\n}, then per key {@code <byte length>:<key>\n<version>\n}. Numbers are
   * decimal ASCII ({@link Long#toString}). Every variable part is length-prefixed or a number
   * ended by a newline, so the encoding is injective (trace absent and trace empty aside).
   */
  static byte[] canonical(String id, Hint.Type type, String namespace, String tenant,
      String origin, long timestamp, @Nullable String trace, List<Hint.KeyVersion> keys) {
    Bytes out = new Bytes(256 + 32 * keys.size());
    out.append(DOMAIN);
    out.field(Integer.toString(HintCodec.SCHEMA_VERSION));
    out.field(id);
    out.field(type.name());
    out.field(namespace);
    out.field(tenant);
    out.field(origin);
    out.field(Long.toString(timestamp));
    out.field(trace == null ? "" : trace);
    out.number(keys.size());
    for (Hint.KeyVersion kv : keys) {
      out.field(kv.key());
      out.number(kv.version());
    }
    return out.toByteArray();
  }

  private static boolean wellFormed(Hint hint) {
    if (!wellFormed(hint.id()) || !wellFormed(hint.namespace()) || !wellFormed(hint.tenant())
        || !wellFormed(hint.origin()) || (hint.trace() != null && !wellFormed(hint.trace()))) {
      return false;
    }
    for (Hint.KeyVersion kv : hint.keys()) {
      if (!wellFormed(kv.key())) {
        return false;
      }
    }
    return true;
  }

  /** No unpaired surrogate: the string has exactly one UTF-8 encoding. */
  private static boolean wellFormed(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 == s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  private Mac[] newMacs() {
    Mac[] out = new Mac[keys.size()];
    try {
      for (int i = 0; i < out.length; i++) {
        out[i] = Mac.getInstance(ALGORITHM);
        out[i].init(keys.get(i));
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot initialise " + ALGORITHM, e);
    }
    return out;
  }

  /** Never shows key material. */
  @Override
  public String toString() {
    return enabled() ? "HintAuth[" + ALGORITHM + ", " + keys.size() + " accepted keys]"
        : "HintAuth[none]";
  }

  /** A growable byte buffer without ByteArrayOutputStream's synchronisation. */
  private static final class Bytes {
    private byte[] buf;
    private int size;

    Bytes(int capacity) {
      buf = new byte[capacity];
    }

    void append(byte[] b) {
      if (size + b.length > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + b.length));
      }
      System.arraycopy(b, 0, buf, size, b.length);
      size += b.length;
    }

    /** {@code <UTF-8 byte length>:<value>\n} */
    void field(String value) {
      byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
      append((utf8.length + ":").getBytes(StandardCharsets.US_ASCII));
      append(utf8);
      append(NEWLINE);
    }

    /** {@code <decimal>\n} */
    void number(long value) {
      append((value + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buf, size);
    }

    private static final byte[] NEWLINE = {'\n'};
  }
}
