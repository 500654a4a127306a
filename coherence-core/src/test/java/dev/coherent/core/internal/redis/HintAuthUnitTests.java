package dev.coherent.core.internal.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coherent.core.Hint;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Signed hints: templates built by a signing {@link HintCodec} and completed the way write.lua
 * and epoch.lua complete them ({@code head + epoch + middle + seq + tail}) verify on a receiver
 * with an accepted key; changing any signed field, a missing signature, or a foreign key is
 * rejected with its metric reason; epoch and sequence are deliberately not signed.
 */
class HintAuthUnitTests {
  private static final long TS = 1_732_000_000_123L;
  private static final long EPOCH = 1_731_999_000_000L;
  private static final long SEQ = 1093;
  private static final byte[] KEY = bytes("0123456789abcdef0123456789abcdef");
  private static final byte[] OLD_KEY = bytes("old-key-old-key-old-key-old-key!");
  private static final byte[] OTHER_KEY = bytes("someone else's key, 32 bytes....");
  private static final List<Hint.KeyVersion> KEYS = List.of(
      new Hint.KeyVersion("42", 7),
      new Hint.KeyVersion("a:b\nc", 0),
      new Hint.KeyVersion("ü€😀 \"quoted\" \\ /", Long.MAX_VALUE));

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HintCodec signer = new HintCodec(HintAuth.of(KEY, List.of()));

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** What the scripts do: {@code ARGV head .. e .. middle .. string.format('%d', s) .. tail}. */
  private static String fill(HintCodec.Template t, long epoch, long seq) {
    return t.head() + epoch + t.middle() + seq + t.tail();
  }

  private String signedKeys() {
    return fill(signer.keys("catalog:product", "t1", "catalog-1", TS, KEYS), EPOCH, SEQ);
  }

  private String signedEpoch() {
    return fill(signer.epoch("catalog:product", "t1", "catalog-1", TS), EPOCH + 1, SEQ + 1);
  }

  private static String reason(HintCodec codec, String payload) {
    MalformedHintException e =
        catchThrowableOfType(MalformedHintException.class, () -> codec.parse(payload));
    assertThat(e).as("parse must fail").isNotNull();
    assertThat(e.getMessage()).isNotBlank();
    return e.reason;
  }

  private static String edit(String payload, Consumer<ObjectNode> change) throws Exception {
    ObjectNode node = (ObjectNode) JSON.readTree(payload);
    change.accept(node);
    return JSON.writeValueAsString(node);
  }

  // ------------------------------------------------------------------------ round trips

  @Test
  void aSignedKeysTemplateFilledLikeTheWriteScriptVerifiesAndParsesBack() throws Exception {
    HintCodec.Template template = signer.keys("catalog:product", "t1", "catalog-1", TS, KEYS);

    Hint hint = signer.parse(fill(template, EPOCH, SEQ));

    assertThat(hint.type()).isEqualTo(Hint.Type.KEYS);
    assertThat(hint.namespace()).isEqualTo("catalog:product");
    assertThat(hint.tenant()).isEqualTo("t1");
    assertThat(hint.origin()).isEqualTo("catalog-1");
    assertThat(hint.timestamp()).isEqualTo(TS);
    assertThat(hint.keys()).containsExactlyElementsOf(KEYS);
    assertThat(hint.epoch()).isEqualTo(EPOCH);
    assertThat(hint.sequence()).isEqualTo(SEQ);
    assertThat(hint.trace()).isNull();
  }

  @Test
  void aSignedEpochTemplateFilledLikeTheEpochScriptVerifies() throws Exception {
    Hint hint = signer.parse(signedEpoch());

    assertThat(hint.type()).isEqualTo(Hint.Type.EPOCH);
    assertThat(hint.keys()).isEmpty();
    assertThat(hint.epoch()).isEqualTo(EPOCH + 1);
    assertThat(hint.sequence()).isEqualTo(SEQ + 1);
  }

  @Test
  void theSignatureIsTheLastFieldOfTheHeadAndEpochAndSequenceStayTheLastTwoFields()
      throws Exception {
    for (HintCodec.Template t : List.of(
        signer.keys("ns", "t", "o", TS, List.of(new Hint.KeyVersion("a", 1))),
        signer.epoch("ns", "t", "o", TS))) {
      assertThat(t.head()).matches("\\{\"v\":1,\"id\":\".*,\"sig\":\"[A-Za-z0-9_-]{43}\",\"epoch\":");
      assertThat(t.middle()).isEqualTo(",\"seq\":");
      assertThat(t.tail()).isEqualTo("}");
      String payload = fill(t, 3, 1093);
      assertThat(payload).endsWith(",\"epoch\":3,\"seq\":1093}");
      // Still compact JSON: re-serialising the parsed tree gives back the same characters.
      assertThat(JSON.writeValueAsString(JSON.readTree(payload))).isEqualTo(payload);
    }
  }

  @Test
  void anUnsignedCodecPublishesNoSignature() {
    HintCodec plain = new HintCodec();
    assertThat(plain.keys("ns", "t", "o", TS, KEYS).head()).doesNotContain("\"sig\"");
    assertThat(plain.epoch("ns", "t", "o", TS).head()).doesNotContain("\"sig\"");
    assertThat(new HintCodec(HintAuth.none()).epoch("ns", "t", "o", TS).head())
        .doesNotContain("\"sig\"");
  }

  @Test
  void jsonFormattingAndFieldOrderDoNotMatter() throws Exception {
    ObjectNode node = (ObjectNode) JSON.readTree(signedKeys());
    // Reverse the field order and pretty-print: the receiver verifies the parsed fields.
    ObjectNode reversed = JSON.createObjectNode();
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    for (int i = names.size() - 1; i >= 0; i--) {
      reversed.set(names.get(i), node.get(names.get(i)));
    }
    String pretty = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(reversed);
    // And escape every non-ASCII character: \\u20ac instead of the raw character.
    String escaped = JSON.writer()
        .with(com.fasterxml.jackson.core.json.JsonWriteFeature.ESCAPE_NON_ASCII)
        .writeValueAsString(node);

    assertThat(signer.parse(pretty).keys()).containsExactlyElementsOf(KEYS);
    assertThat(escaped).contains("\\u20AC").doesNotContain("€");
    assertThat(signer.parse(escaped).keys()).containsExactlyElementsOf(KEYS);
  }

  @Test
  void unknownExtraFieldsNeitherBreakNorNeedTheSignature() throws Exception {
    String payload = edit(signedKeys(), n -> {
      n.put("future", "x");
      ((ObjectNode) n.get("keys").get(0)).put("why", "update");
    });
    assertThat(signer.parse(payload).keys()).containsExactlyElementsOf(KEYS);
    // An EPOCH hint ignores a keys field; so does its signature.
    String epochWithKeys = edit(signedEpoch(), n -> n.putArray("keys").addObject()
        .put("k", "42").put("ver", 7));
    assertThat(signer.parse(epochWithKeys).keys()).isEmpty();
  }

  // ---------------------------------------------------------------------- tampering

  static Stream<Arguments> tamperedKeysHints() {
    return Stream.<Arguments>of(
        Arguments.of("a key", (Consumer<ObjectNode>) n -> key(n, 0).put("k", "43")),
        Arguments.of("a key with ':'", (Consumer<ObjectNode>) n -> key(n, 1).put("k", "a:b\nd")),
        Arguments.of("a unicode key", (Consumer<ObjectNode>) n -> key(n, 2).put("k", "ü€😁 ")),
        Arguments.of("a version", (Consumer<ObjectNode>) n -> key(n, 0).put("ver", 8)),
        Arguments.of("the top version",
            (Consumer<ObjectNode>) n -> key(n, 2).put("ver", Long.MAX_VALUE - 1)),
        Arguments.of("a key added", (Consumer<ObjectNode>) n -> ((ArrayNode) n.get("keys"))
            .addObject().put("k", "44").put("ver", 1)),
        Arguments.of("a key removed",
            (Consumer<ObjectNode>) n -> ((ArrayNode) n.get("keys")).remove(1)),
        Arguments.of("keys reordered", (Consumer<ObjectNode>) n -> {
          ArrayNode keys = (ArrayNode) n.get("keys");
          JsonNode first = keys.remove(0);
          keys.add(first);
        }),
        Arguments.of("ns", (Consumer<ObjectNode>) n -> n.put("ns", "catalog:price")),
        Arguments.of("tenant", (Consumer<ObjectNode>) n -> n.put("tenant", "t2")),
        Arguments.of("origin", (Consumer<ObjectNode>) n -> n.put("origin", "catalog-2")),
        Arguments.of("ts", (Consumer<ObjectNode>) n -> n.put("ts", TS + 1)),
        Arguments.of("id", (Consumer<ObjectNode>) n -> n.put("id", "1b4e28ba")),
        Arguments.of("type", (Consumer<ObjectNode>) n -> n.put("type", "EPOCH")),
        Arguments.of("a trace added", (Consumer<ObjectNode>) n -> n.put("trace", "00-4bf9-01")),
        Arguments.of("a signature bit",
            (Consumer<ObjectNode>) n -> n.put("sig", flipLast(n.get("sig").textValue()))));
  }

  private static ObjectNode key(ObjectNode hint, int i) {
    return (ObjectNode) hint.get("keys").get(i);
  }

  private static String flipLast(String sig) {
    char last = sig.charAt(sig.length() - 1);
    return sig.substring(0, sig.length() - 1) + (last == 'A' ? 'Q' : 'A');
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("tamperedKeysHints")
  void changingAnySignedFieldOfAKeysHintIsABadSignature(String what, Consumer<ObjectNode> change)
      throws Exception {
    String payload = signedKeys();
    assertThatCode(() -> signer.parse(payload)).doesNotThrowAnyException();
    assertThat(reason(signer, edit(payload, change))).isEqualTo("bad_signature");
  }

  @Test
  void changingAnySignedFieldOfAnEpochHintIsABadSignature() throws Exception {
    String payload = signedEpoch();
    List<Consumer<ObjectNode>> changes = List.of(
        n -> n.put("ns", "catalog:price"),
        n -> n.put("tenant", "t2"),
        n -> n.put("origin", "catalog-2"),
        n -> n.put("ts", TS - 1),
        n -> n.put("id", "6a0f5c2e"),
        n -> n.put("type", "KEYS").putArray("keys").addObject().put("k", "42").put("ver", 7));
    for (Consumer<ObjectNode> change : changes) {
      assertThat(reason(signer, edit(payload, change))).isEqualTo("bad_signature");
    }
  }

  /**
   * Epoch and sequence are inserted by the Redis script after signing, so they cannot be signed.
   * A copy of a signed hint with another epoch or sequence does what a forged epoch or a
   * duplicated, late or skipped sequence number already does: a newer epoch is adopted
   * rate-limited and undone by the next L2 round trip or reconcile tick (which read Redis's
   * epoch), an old one is ignored, a gap costs a reconcile, a duplicate is reapplied harmlessly.
   * The keys and versions it invalidates stay the signer's.
   */
  @Test
  void epochAndSequenceAreNotSignedSoChangingThemStillVerifies() throws Exception {
    HintCodec.Template template = signer.keys("catalog:product", "t1", "catalog-1", TS, KEYS);
    for (long[] es : new long[][] {{EPOCH, SEQ}, {EPOCH + 1, SEQ}, {EPOCH, SEQ + 5}, {0, 0},
        {Long.MAX_VALUE, Long.MAX_VALUE}, {-1, -1}}) {
      Hint hint = signer.parse(fill(template, es[0], es[1]));
      assertThat(hint.epoch()).isEqualTo(es[0]);
      assertThat(hint.sequence()).isEqualTo(es[1]);
    }
    HintCodec.Template bump = signer.epoch("catalog:product", "t1", "catalog-1", TS);
    assertThat(signer.parse(fill(bump, EPOCH + 7, 1)).epoch()).isEqualTo(EPOCH + 7);
  }

  @Test
  void aLoneSurrogateEscapedIntoASignedFieldDoesNotVerify() throws Exception {
    // "\ud800" and "?" have the same lossy UTF-8 encoding; the verifier refuses the former.
    HintCodec.Template t = signer.keys("ns", "t", "o", TS, List.of(new Hint.KeyVersion("a?b", 1)));
    String payload = fill(t, 1, 1);
    assertThat(signer.parse(payload).keys()).containsExactly(new Hint.KeyVersion("a?b", 1));
    assertThat(reason(signer, payload.replace("a?b", "a\\ud800b"))).isEqualTo("bad_signature");
    assertThat(reason(signer, payload.replace("a?b", "a\\udc00b"))).isEqualTo("bad_signature");
  }

  @Test
  void aKeyWithALoneSurrogateVerifiesAsItArrivesAfterTheWiresUtf8Encoding() throws Exception {
    // RedisL2 sends the template as UTF-8 (String.getBytes): a lone surrogate arrives as '?'.
    HintCodec.Template t =
        signer.keys("ns", "t", "o", TS, List.of(new Hint.KeyVersion("a\ud800b", 1)));
    String wire = new String(bytes(fill(t, 1, 1)), StandardCharsets.UTF_8);
    assertThat(signer.parse(wire).keys()).containsExactly(new Hint.KeyVersion("a?b", 1));
  }

  // ---------------------------------------------------------------- keys and signatures

  @Test
  void anUnsignedHintIsRejectedAsUnsigned() throws Exception {
    HintCodec plain = new HintCodec();
    assertThat(reason(signer, fill(plain.keys("ns", "t", "o", TS, KEYS), 1, 1)))
        .isEqualTo("unsigned");
    assertThat(reason(signer, fill(plain.epoch("ns", "t", "o", TS), 1, 1))).isEqualTo("unsigned");
    assertThat(reason(signer, edit(signedKeys(), n -> n.remove("sig")))).isEqualTo("unsigned");
    assertThat(reason(signer, edit(signedKeys(), n -> n.put("sig", 42)))).isEqualTo("unsigned");
    assertThat(reason(signer, edit(signedKeys(), n -> n.putNull("sig")))).isEqualTo("unsigned");
  }

  @Test
  void aHintSignedWithAnotherKeyIsABadSignature() {
    HintCodec other = new HintCodec(HintAuth.of(OTHER_KEY, List.of()));
    assertThat(reason(signer, fill(other.keys("catalog:product", "t1", "o", TS, KEYS), 1, 1)))
        .isEqualTo("bad_signature");
    assertThat(reason(signer, fill(other.epoch("catalog:product", "t1", "o", TS), 1, 1)))
        .isEqualTo("bad_signature");
    assertThat(reason(other, signedKeys())).isEqualTo("bad_signature");
  }

  @Test
  void signaturesThatAreNotExactlyWhatASignerWritesAreBadSignatures() throws Exception {
    String payload = signedKeys();
    String sig = JSON.readTree(payload).get("sig").textValue();
    assertThat(sig).hasSize(HintAuth.SIGNATURE_CHARS).matches("[A-Za-z0-9_-]+");
    String standardBase64 = java.util.Base64.getEncoder()
        .encodeToString(java.util.Base64.getUrlDecoder().decode(sig));
    for (String bad : List.of("", "x", sig + "=", sig + "A", sig.substring(1), sig.toUpperCase(),
        standardBase64, "!".repeat(43), "x".repeat(100_000))) {
      if (bad.equals(sig)) {
        continue;
      }
      assertThat(reason(signer, edit(payload, n -> n.put("sig", bad))))
          .as("sig %s", bad.length() > 60 ? bad.length() + " chars" : bad)
          .isEqualTo("bad_signature");
    }
  }

  @Test
  void rotationAReceiverAcceptingNewAndOldVerifiesHintsSignedWithEither() throws Exception {
    HintCodec oldSigner = new HintCodec(HintAuth.of(OLD_KEY, List.of()));
    HintCodec phase1 = new HintCodec(HintAuth.of(OLD_KEY, List.of(KEY))); // signs old
    HintCodec phase2 = new HintCodec(HintAuth.of(KEY, List.of(OLD_KEY))); // signs new
    HintCodec phase3 = new HintCodec(HintAuth.of(KEY, List.of()));

    String byOld = fill(oldSigner.keys("ns", "t", "o", TS, KEYS), 1, 1);
    String byPhase1 = fill(phase1.epoch("ns", "t", "o", TS), 1, 2);
    String byPhase2 = fill(phase2.keys("ns", "t", "o", TS, KEYS), 1, 3);

    for (HintCodec receiver : List.of(phase1, phase2)) {
      assertThat(receiver.parse(byOld).keys()).containsExactlyElementsOf(KEYS);
      assertThat(receiver.parse(byPhase1).type()).isEqualTo(Hint.Type.EPOCH);
      assertThat(receiver.parse(byPhase2).keys()).containsExactlyElementsOf(KEYS);
    }
    // Once every instance signs with the new key, the old one can be dropped.
    assertThat(phase3.parse(byPhase2).keys()).containsExactlyElementsOf(KEYS);
    assertThat(reason(phase3, byOld)).isEqualTo("bad_signature");
    assertThat(reason(phase3, byPhase1)).isEqualTo("bad_signature");
    assertThat(reason(oldSigner, byPhase2)).isEqualTo("bad_signature");
  }

  @Test
  void aReceiverWithoutAuthenticationParsesSignedHints() throws Exception {
    HintCodec plain = new HintCodec();
    assertThat(plain.parse(signedKeys()).keys()).containsExactlyElementsOf(KEYS);
    assertThat(plain.parse(signedEpoch()).type()).isEqualTo(Hint.Type.EPOCH);
    // It does not look at the signature at all.
    assertThat(plain.parse(edit(signedKeys(), n -> n.put("sig", "garbage"))).keys())
        .containsExactlyElementsOf(KEYS);
    assertThat(plain.parse(edit(signedKeys(), n -> n.put("sig", 42))).keys())
        .containsExactlyElementsOf(KEYS);
  }

  @Test
  void structuralProblemsAreReportedBeforeTheSignature() throws Exception {
    String payload = signedKeys();
    assertThat(reason(signer, edit(payload, n -> key(n, 0).put("ver", -1)))).isEqualTo("bad_key");
    assertThat(reason(signer, edit(payload, n -> n.remove("ns")))).isEqualTo("missing_field");
    assertThat(reason(signer, edit(payload, n -> n.remove("seq")))).isEqualTo("missing_field");
    assertThat(reason(signer, edit(payload, n -> n.put("v", 2)))).isEqualTo("unknown_version");
    assertThat(reason(signer, edit(payload, n -> n.put("type", "SHOUT"))))
        .isEqualTo("unknown_type");
    assertThat(reason(signer, "{\"v\":1,")).isEqualTo("not_json");
    // Also without a signature: malformed stays malformed, it is not "unsigned".
    assertThat(reason(signer, edit(payload, n -> n.remove("sig"))
        .replace("\"ver\":7", "\"ver\":\"7\""))).isEqualTo("bad_key");
  }

  // -------------------------------------------------------------------------- size bound

  @Test
  void aSignedHintOfExactlyTheMaximumSizeVerifies() throws Exception {
    List<Hint.KeyVersion> keys = new ArrayList<>();
    for (int i = 0; i < 250; i++) {
      keys.add(new Hint.KeyVersion(i + ":" + "€".repeat(1000), i));
    }
    String base = fill(signer.keys("catalog:product", "t1", "catalog-1", TS, keys), EPOCH, SEQ);
    int missing = HintCodec.MAX_PAYLOAD_CHARS - base.length();
    assertThat(missing).isPositive();
    keys.set(0, new Hint.KeyVersion(keys.get(0).key() + "€".repeat(missing), 0));
    String payload = fill(signer.keys("catalog:product", "t1", "catalog-1", TS, keys), EPOCH, SEQ);
    assertThat(payload).hasSize(HintCodec.MAX_PAYLOAD_CHARS);

    Hint hint = signer.parse(payload);

    assertThat(hint.keys()).containsExactlyElementsOf(keys);
    // Bounded work: the signed bytes are at most 3 UTF-8 bytes per payload character.
    assertThat(HintAuth.canonical(hint).length).isLessThanOrEqualTo(3 * payload.length());
    // One more character and the hint is refused before it is parsed or verified.
    keys.set(0, new Hint.KeyVersion(keys.get(0).key() + "€", 0));
    assertThat(reason(signer,
        fill(signer.keys("catalog:product", "t1", "catalog-1", TS, keys), EPOCH, SEQ)))
        .isEqualTo("too_large");
  }

  // ---------------------------------------------------------------- canonical encoding

  @Test
  void theSignedBytesAreTheDocumentedCanonicalEncoding() {
    List<Hint.KeyVersion> keys = List.of(new Hint.KeyVersion("42", 7),
        new Hint.KeyVersion("a:b\nü€😀", 0));
    byte[] canonical = HintAuth.canonical(
        "6f1c", Hint.Type.KEYS, "catalog:product", "t1", "catalog-1", TS, null, keys);

    assertThat(new String(canonical, StandardCharsets.UTF_8)).isEqualTo("coherent-hint-v1\n"
        + "1:1\n4:6f1c\n4:KEYS\n15:catalog:product\n2:t1\n9:catalog-1\n13:1732000000123\n0:\n"
        + "2\n2:42\n7\n13:a:b\nü€😀\n0\n");
    // Known answer, computed independently (Python hmac/hashlib), for other implementations.
    assertThat(HintAuth.of(KEY, List.of()).sign(
        "6f1c", Hint.Type.KEYS, "catalog:product", "t1", "catalog-1", TS, null, keys))
        .isEqualTo("7du9XqoUjQ3dUIIQNT86TE41MOYtKHRkhDcXMwpiQLE");
  }

  @Test
  void theCanonicalEncodingIsInjectiveAcrossFieldBoundaries() {
    List<byte[]> encodings = List.of(
        HintAuth.canonical("i", Hint.Type.KEYS, "ab", "c", "o", 1, null, List.of()),
        HintAuth.canonical("i", Hint.Type.KEYS, "a", "bc", "o", 1, null, List.of()),
        HintAuth.canonical("i", Hint.Type.KEYS, "a\n1:b", "c", "o", 1, null, List.of()),
        HintAuth.canonical("i", Hint.Type.KEYS, "n", "t", "o", 1, null,
            List.of(new Hint.KeyVersion("x", 1), new Hint.KeyVersion("y", 2))),
        HintAuth.canonical("i", Hint.Type.KEYS, "n", "t", "o", 1, null,
            List.of(new Hint.KeyVersion("x\n1\n1:y", 2))),
        HintAuth.canonical("i", Hint.Type.KEYS, "n", "t", "o", 1, null,
            List.of(new Hint.KeyVersion("x", 12))),
        HintAuth.canonical("i", Hint.Type.KEYS, "n", "t", "o", 11, null,
            List.of(new Hint.KeyVersion("x", 2))),
        HintAuth.canonical("i", Hint.Type.EPOCH, "n", "t", "o", 1, null, List.of()),
        HintAuth.canonical("i", Hint.Type.EPOCH, "n", "t", "o", 1, "x", List.of()));
    for (int i = 0; i < encodings.size(); i++) {
      for (int j = i + 1; j < encodings.size(); j++) {
        assertThat(encodings.get(i)).as("%d vs %d", i, j).isNotEqualTo(encodings.get(j));
      }
    }
  }

  // --------------------------------------------------------------------- HintAuth itself

  @Test
  void noneIsDisabledAndCannotSign() {
    HintAuth none = HintAuth.none();
    assertThat(none.enabled()).isFalse();
    assertThat(none.toString()).isEqualTo("HintAuth[none]");
    assertThatThrownBy(() -> none.sign("i", Hint.Type.EPOCH, "n", "t", "o", 1, null, List.of()))
        .isInstanceOf(IllegalStateException.class);
    assertThat(none.verify(new Hint("i", Hint.Type.EPOCH, "n", "t", List.of(), 1, 1, "o", 1, null),
        "A".repeat(43))).isFalse();
  }

  @Test
  void keysAreCopiedValidatedAndNeverShown() throws Exception {
    byte[] key = KEY.clone();
    List<byte[]> accepted = new ArrayList<>(List.of(OLD_KEY.clone()));
    HintAuth auth = HintAuth.of(key, accepted);
    java.util.Arrays.fill(key, (byte) 0);
    accepted.get(0)[0] ^= 1;
    accepted.clear();

    HintCodec receiver = new HintCodec(auth);
    assertThat(receiver.parse(signedKeys()).keys()).containsExactlyElementsOf(KEYS);
    assertThat(receiver.parse(fill(new HintCodec(HintAuth.of(OLD_KEY, List.of()))
        .epoch("ns", "t", "o", TS), 1, 1)).type()).isEqualTo(Hint.Type.EPOCH);
    assertThat(auth.enabled()).isTrue();
    assertThat(auth.toString()).isEqualTo("HintAuth[HmacSHA256, 2 accepted keys]");
    // The signing key repeated among the accepted ones counts once.
    assertThat(HintAuth.of(KEY, List.of(KEY.clone(), KEY)).toString()).contains("1 accepted");

    assertThatThrownBy(() -> HintAuth.of(new byte[15], List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 16");
    assertThatThrownBy(() -> HintAuth.of(KEY, List.of(new byte[0])))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HintAuth.of(null, List.of())).isInstanceOf(NullPointerException.class);
    List<byte[]> withNull = new ArrayList<>();
    withNull.add(null);
    assertThatThrownBy(() -> HintAuth.of(KEY, withNull)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new HintCodec(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void oneCodecSignsAndVerifiesFromManyThreadsAtOnce() throws Exception {
    HintCodec codec = new HintCodec(HintAuth.of(KEY, List.of(OLD_KEY)));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          for (int i = 0; i < 250; i++) {
            List<Hint.KeyVersion> keys = List.of(new Hint.KeyVersion("k" + thread + ":" + i, i));
            String payload = fill(codec.keys("ns", "t", "o", TS + i, keys), 1, i);
            Hint hint = codec.parse(payload);
            assertThat(hint.keys()).isEqualTo(keys);
            assertThat(reason(codec, payload.replace("\"ver\":" + i, "\"ver\":" + (i + 1))))
                .isEqualTo("bad_signature");
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
