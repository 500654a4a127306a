package dev.coherent.core.internal.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.coherent.core.Hint;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hint wire format (schema v1): templates filled the way write.lua and epoch.lua fill them
 * ({@code head + epoch + middle + seq + tail}), parsed back field by field, and every malformed
 * payload mapped to its metric reason.
 */
class HintCodecUnitTests {
  private static final long TS = 1_732_000_000_123L;
  private static final long EPOCH = 1_731_999_000_000L;
  private static final long SEQ = 1093;

  private final HintCodec codec = new HintCodec();
  private final ObjectMapper json = new ObjectMapper();

  /** What the scripts do: {@code ARGV head .. e .. middle .. string.format('%d', s) .. tail}. */
  private static String fill(HintCodec.Template t, long epoch, long seq) {
    return t.head() + epoch + t.middle() + seq + t.tail();
  }

  /** A valid v1 KEYS hint (as a foreign publisher might write it) with {@code extraFields} appended. */
  private static String keysHint(String extraFields) {
    return "{\"v\":1,\"id\":\"6f1c\",\"type\":\"KEYS\",\"ns\":\"catalog:product\",\"tenant\":\"t1\","
        + "\"origin\":\"catalog-1\",\"ts\":1,\"keys\":[{\"k\":\"42\",\"ver\":7}],\"epoch\":3,"
        + "\"seq\":1093" + extraFields + "}";
  }

  private MalformedHintException malformed(String payload) {
    MalformedHintException e =
        catchThrowableOfType(MalformedHintException.class, () -> codec.parse(payload));
    assertThat(e).as("parse(%s) must fail", abbreviate(payload)).isNotNull();
    return e;
  }

  private static String abbreviate(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "...(" + s.length() + " chars)" : s;
  }

  // ------------------------------------------------------------------------ round trips

  @Test
  void keysTemplateFilledLikeTheWriteScriptParsesBackToEveryField() throws Exception {
    List<Hint.KeyVersion> keys = List.of(
        new Hint.KeyVersion("42", 7),
        new Hint.KeyVersion("quote\"back\\slash/ü€ and space", 0),
        new Hint.KeyVersion("k".repeat(1024), Long.MAX_VALUE));
    HintCodec.Template template = codec.keys("catalog:product", "t1", "catalog-1", TS, keys);

    Hint hint = codec.parse(fill(template, EPOCH, SEQ));

    assertThat(hint.type()).isEqualTo(Hint.Type.KEYS);
    assertThat(hint.namespace()).isEqualTo("catalog:product");
    assertThat(hint.tenant()).isEqualTo("t1");
    assertThat(hint.origin()).isEqualTo("catalog-1");
    assertThat(hint.timestamp()).isEqualTo(TS);
    assertThat(hint.epoch()).isEqualTo(EPOCH);
    assertThat(hint.sequence()).isEqualTo(SEQ);
    assertThat(hint.keys()).containsExactlyElementsOf(keys);
    assertThat(hint.trace()).isNull();
    assertThat(UUID.fromString(hint.id()).toString()).isEqualTo(hint.id());
  }

  @Test
  void epochTemplateFilledLikeTheEpochScriptParsesBackWithNoKeys() throws Exception {
    HintCodec.Template template = codec.epoch("catalog:product", "tenant-2", "catalog-2", TS);

    Hint hint = codec.parse(fill(template, EPOCH + 1, 1));

    assertThat(hint.type()).isEqualTo(Hint.Type.EPOCH);
    assertThat(hint.namespace()).isEqualTo("catalog:product");
    assertThat(hint.tenant()).isEqualTo("tenant-2");
    assertThat(hint.origin()).isEqualTo("catalog-2");
    assertThat(hint.timestamp()).isEqualTo(TS);
    assertThat(hint.epoch()).isEqualTo(EPOCH + 1);
    assertThat(hint.sequence()).isEqualTo(1);
    assertThat(hint.keys()).isEmpty();
    assertThat(hint.trace()).isNull();
    assertThat(UUID.fromString(hint.id())).isNotNull();
  }

  @Test
  void templatePartsLeaveEpochAndSequenceAsTheLastTwoFields() {
    HintCodec.Template template =
        codec.keys("ns", "t", "o", TS, List.of(new Hint.KeyVersion("a", 1)));

    assertThat(template.head()).startsWith("{\"v\":1,\"id\":\"").endsWith(",\"epoch\":");
    assertThat(template.middle()).isEqualTo(",\"seq\":");
    assertThat(template.tail()).isEqualTo("}");
    assertThat(fill(template, 3, 1093)).endsWith(",\"epoch\":3,\"seq\":1093}");
  }

  @Test
  void filledHintIsCompactJsonWithExactlyTheSchemaFieldsAndNoValue() throws Exception {
    String keysPayload = fill(
        codec.keys("catalog:product", "t1", "catalog-1", TS,
            List.of(new Hint.KeyVersion("42", 7), new Hint.KeyVersion("43", 8))),
        EPOCH, SEQ);
    String epochPayload = fill(codec.epoch("catalog:product", "t1", "catalog-1", TS), EPOCH, SEQ);

    for (String payload : List.of(keysPayload, epochPayload)) {
      // Compact: re-serialising the parsed tree gives back the same characters.
      assertThat(json.writeValueAsString(json.readTree(payload))).isEqualTo(payload);
      assertThat(payload).doesNotContain(" ").doesNotContain("\n");
      assertThat(fieldNames(json.readTree(payload)))
          .isSubsetOf("v", "id", "type", "ns", "tenant", "origin", "ts", "keys", "epoch", "seq")
          .contains("v", "id", "type", "ns", "tenant", "origin", "ts", "epoch", "seq")
          .doesNotContain("value", "trace");
    }
    JsonNode key = json.readTree(keysPayload).get("keys").get(0);
    assertThat(fieldNames(key)).containsExactly("k", "ver");
    assertThat(keysPayload).contains("\"keys\":[{\"k\":\"42\",\"ver\":7},{\"k\":\"43\",\"ver\":8}]");
    assertThat(fieldNames(json.readTree(epochPayload))).doesNotContain("keys");
  }

  @Test
  void everyTemplateGetsItsOwnId() throws Exception {
    Set<String> ids = new TreeSet<>();
    for (int i = 0; i < 100; i++) {
      ids.add(codec.parse(fill(codec.epoch("ns", "t", "o", TS), 1, i)).id());
    }
    assertThat(ids).hasSize(100);
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }

  // ------------------------------------------------------------------- tolerated input

  @Test
  void unknownExtraFieldsAreTolerated() throws Exception {
    Hint hint = codec.parse(keysHint(
        ",\"future\":\"x\",\"nested\":{\"a\":[1,2,{\"b\":null}]},\"priority\":3.5"));
    assertThat(hint.keys()).containsExactly(new Hint.KeyVersion("42", 7));
    assertThat(hint.sequence()).isEqualTo(1093);
  }

  @Test
  void unknownFieldsInsideAKeyEntryAreTolerated() throws Exception {
    Hint hint = codec.parse(keysHint("").replace("\"ver\":7}", "\"ver\":7,\"why\":\"update\"}"));
    assertThat(hint.keys()).containsExactly(new Hint.KeyVersion("42", 7));
  }

  @Test
  void traceIsOptionalAndOnlyTakenWhenItIsText() throws Exception {
    assertThat(codec.parse(keysHint("")).trace()).isNull();
    assertThat(codec.parse(keysHint(",\"trace\":\"00-4bf92f3577b34da6-01\"")).trace())
        .isEqualTo("00-4bf92f3577b34da6-01");
    assertThat(codec.parse(keysHint(",\"trace\":42")).trace()).isNull();
    assertThat(codec.parse(keysHint(",\"trace\":null")).trace()).isNull();
  }

  @Test
  void fieldOrderDoesNotMatter() throws Exception {
    Hint hint = codec.parse("{\"seq\":5,\"epoch\":2,\"keys\":[{\"ver\":9,\"k\":\"x\"}],\"ts\":1,"
        + "\"origin\":\"o\",\"tenant\":\"t\",\"ns\":\"n\",\"type\":\"KEYS\",\"id\":\"i\",\"v\":1}");
    assertThat(hint.keys()).containsExactly(new Hint.KeyVersion("x", 9));
    assertThat(hint.epoch()).isEqualTo(2);
    assertThat(hint.sequence()).isEqualTo(5);
  }

  @Test
  void anEpochHintIgnoresAKeysField() throws Exception {
    Hint hint = codec.parse(keysHint("").replace("\"KEYS\"", "\"EPOCH\""));
    assertThat(hint.type()).isEqualTo(Hint.Type.EPOCH);
    assertThat(hint.keys()).isEmpty();
  }

  @Test
  void versionZeroAndTheLargestLongAreValidKeyVersions() throws Exception {
    assertThat(codec.parse(keysHint("").replace("\"ver\":7", "\"ver\":0")).keys())
        .containsExactly(new Hint.KeyVersion("42", 0));
    assertThat(codec.parse(keysHint("").replace("\"ver\":7", "\"ver\":" + Long.MAX_VALUE)).keys())
        .containsExactly(new Hint.KeyVersion("42", Long.MAX_VALUE));
  }

  @Test
  void aPayloadOfExactlyTheMaximumSizeIsParsed() {
    String base = keysHint(",\"trace\":\"\"");
    String padded = base.replace("\"trace\":\"\"",
        "\"trace\":\"" + "x".repeat(HintCodec.MAX_PAYLOAD_CHARS - base.length()) + "\"");
    assertThat(padded).hasSize(HintCodec.MAX_PAYLOAD_CHARS);
    assertThatCode(() -> codec.parse(padded)).doesNotThrowAnyException();
  }

  // ---------------------------------------------------------------------- malformed input

  static Stream<Arguments> malformedPayloads() {
    return Stream.of(
        // not_json: the tokenizer fails
        Arguments.of("this is not json", "not_json"),
        Arguments.of("{", "not_json"),
        Arguments.of("{\"v\":1,", "not_json"),
        Arguments.of("{'v':1}", "not_json"),
        // not_object: JSON, but not an object
        Arguments.of("", "not_object"),
        Arguments.of("[1,2,3]", "not_object"),
        Arguments.of("42", "not_object"),
        Arguments.of("\"KEYS\"", "not_object"),
        Arguments.of("null", "not_object"),
        // v: missing or not an integer
        Arguments.of("{}", "missing_field"),
        Arguments.of(keysHint("").replace("\"v\":1,", ""), "missing_field"),
        Arguments.of(keysHint("").replace("\"v\":1", "\"v\":\"1\""), "missing_field"),
        Arguments.of(keysHint("").replace("\"v\":1", "\"v\":true"), "missing_field"),
        Arguments.of(keysHint("").replace("\"v\":1", "\"v\":4294967297"), "missing_field"),
        // v: an integer other than 1 (checked before anything else: a v2 hint may look different)
        Arguments.of("{\"v\":2}", "unknown_version"),
        Arguments.of(keysHint("").replace("\"v\":1", "\"v\":2"), "unknown_version"),
        Arguments.of(keysHint("").replace("\"v\":1", "\"v\":0"), "unknown_version"),
        Arguments.of(keysHint("").replace("\"v\":1", "\"v\":-1"), "unknown_version"),
        // type: missing or not text, then not a known type
        Arguments.of(keysHint("").replace("\"type\":\"KEYS\",", ""), "missing_field"),
        Arguments.of(keysHint("").replace("\"KEYS\"", "7"), "missing_field"),
        Arguments.of(keysHint("").replace("\"KEYS\"", "\"SHOUT\""), "unknown_type"),
        Arguments.of(keysHint("").replace("\"KEYS\"", "\"keys\""), "unknown_type"),
        Arguments.of("{\"v\":1,\"type\":\"SHOUT\"}", "unknown_type"),
        // keys of a KEYS hint: missing, not an array, or empty
        Arguments.of(keysHint("").replace("\"keys\":[{\"k\":\"42\",\"ver\":7}],", ""),
            "missing_field"),
        Arguments.of(keysHint("").replace("[{\"k\":\"42\",\"ver\":7}]", "[]"), "missing_field"),
        Arguments.of(keysHint("").replace("[{\"k\":\"42\",\"ver\":7}]", "{\"k\":\"42\"}"),
            "missing_field"),
        // one bad key entry spoils the hint
        Arguments.of(keysHint("").replace("{\"k\":\"42\",\"ver\":7}", "{\"k\":42,\"ver\":7}"),
            "bad_key"),
        Arguments.of(keysHint("").replace("{\"k\":\"42\",\"ver\":7}", "{\"ver\":7}"), "bad_key"),
        Arguments.of(keysHint("").replace("{\"k\":\"42\",\"ver\":7}", "{\"k\":\"42\"}"),
            "bad_key"),
        Arguments.of(keysHint("").replace("\"ver\":7", "\"ver\":-1"), "bad_key"),
        Arguments.of(keysHint("").replace("\"ver\":7", "\"ver\":" + Long.MIN_VALUE), "bad_key"),
        Arguments.of(keysHint("").replace("\"ver\":7", "\"ver\":\"7\""), "bad_key"),
        Arguments.of(keysHint("").replace("\"ver\":7", "\"ver\":null"), "bad_key"),
        Arguments.of(keysHint("").replace("\"ver\":7", "\"ver\":9223372036854775808"), "bad_key"),
        Arguments.of(keysHint("").replace("{\"k\":\"42\",\"ver\":7}", "\"42\""), "bad_key"),
        Arguments.of(keysHint("").replace("{\"k\":\"42\",\"ver\":7}",
            "{\"k\":\"42\",\"ver\":7},{\"k\":\"43\",\"ver\":-8}"), "bad_key"),
        // the other required fields
        Arguments.of(keysHint("").replace("\"id\":\"6f1c\",", ""), "missing_field"),
        Arguments.of(keysHint("").replace("\"id\":\"6f1c\"", "\"id\":6"), "missing_field"),
        Arguments.of(keysHint("").replace("\"ns\":\"catalog:product\",", ""), "missing_field"),
        Arguments.of(keysHint("").replace("\"tenant\":\"t1\",", ""), "missing_field"),
        Arguments.of(keysHint("").replace("\"origin\":\"catalog-1\",", ""), "missing_field"),
        Arguments.of(keysHint("").replace("\"ts\":1,", ""), "missing_field"),
        Arguments.of(keysHint("").replace("\"ts\":1", "\"ts\":\"1\""), "missing_field"),
        Arguments.of(keysHint("").replace("\"epoch\":3,", ""), "missing_field"),
        Arguments.of(keysHint("").replace("\"epoch\":3", "\"epoch\":3.5"), "missing_field"),
        Arguments.of(keysHint("").replace("\"epoch\":3", "\"epoch\":\"3\""), "missing_field"),
        Arguments.of(keysHint("").replace(",\"seq\":1093", ""), "missing_field"),
        Arguments.of(keysHint("").replace("\"seq\":1093", "\"seq\":1e3"), "missing_field"),
        Arguments.of(keysHint("").replace("\"seq\":1093", "\"seq\":99999999999999999999"),
            "missing_field"),
        // the size bound is checked before any parsing
        Arguments.of("x".repeat(HintCodec.MAX_PAYLOAD_CHARS + 1), "too_large"),
        Arguments.of(keysHint(",\"trace\":\"" + "x".repeat(HintCodec.MAX_PAYLOAD_CHARS) + "\""),
            "too_large"));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("malformedPayloads")
  void malformedPayloadMapsToItsReason(String payload, String reason) {
    MalformedHintException e = malformed(payload);
    assertThat(e.reason).isEqualTo(reason);
    assertThat(e.getMessage()).isNotBlank();
  }

  @Test
  void reasonMessagesSayWhatWasWrong() {
    assertThat(malformed("x".repeat(HintCodec.MAX_PAYLOAD_CHARS + 1)).getMessage())
        .isEqualTo("hint of 262145 chars exceeds 262144");
    assertThat(malformed("[1]").getMessage()).isEqualTo("hint is not a JSON object");
    assertThat(malformed("{\"v\":3}").getMessage()).isEqualTo("hint schema version 3");
    assertThat(malformed("{\"v\":1,\"type\":\"SHOUT\"}").getMessage()).isEqualTo("hint type SHOUT");
    assertThat(malformed(keysHint("").replace("\"ns\":\"catalog:product\",", "")).getMessage())
        .isEqualTo("hint has no text field ns");
    assertThat(malformed(keysHint("").replace(",\"seq\":1093", "")).getMessage())
        .isEqualTo("hint has no integer field seq");
    assertThat(malformed(keysHint("").replace("\"ver\":7", "\"ver\":-1")).getMessage())
        .isEqualTo("hint key entry {\"k\":\"42\",\"ver\":-1}");
  }

  @Test
  void malformedHintExceptionsAreCheapAndCarryNoCause() {
    MalformedHintException e = malformed("not json");
    assertThat(e.getStackTrace()).isEmpty();
    assertThat(e.getCause()).isNull();
  }

  // ------------------------------------------------------------------------- fixed bugs

  @Test
  void aFractionalKeyVersionIsMalformed() throws Exception {
    assertThat(malformed(keysHint("").replace("\"ver\":7", "\"ver\":7.9")).reason)
        .isEqualTo("bad_key");
  }

  @Test
  void aFractionalSchemaVersionIsMalformed() throws Exception {
    assertThat(malformed(keysHint("").replace("\"v\":1", "\"v\":1.5")).reason)
        .isIn("missing_field", "unknown_version");
  }
}
