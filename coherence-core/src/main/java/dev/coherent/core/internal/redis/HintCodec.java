package dev.coherent.core.internal.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coherent.core.Hint;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Builds and parses hint payloads (schema version 1, see docs/protocol.md). Building produces a
 * template whose epoch and sequence are filled in by the write script, because only Redis knows
 * the sequence at publish time. With a {@link HintAuth} that is enabled, templates carry a {@code
 * sig} field and parsing requires a valid one. Thread-safe (Jackson's ObjectMapper and HintAuth
 * are).
 */
public final class HintCodec {
  public static final int SCHEMA_VERSION = 1;
  /** Hints larger than this are dropped unread: bounded work per message on the event loop. */
  public static final int MAX_PAYLOAD_CHARS = 256 * 1024;

  private final ObjectMapper mapper = new ObjectMapper();
  private final HintAuth auth;

  /** A codec without authentication ({@link HintAuth#none()}). */
  public HintCodec() {
    this(HintAuth.none());
  }

  /** A codec that signs and verifies hints with {@code auth} when it is enabled. */
  public HintCodec(HintAuth auth) {
    this.auth = Objects.requireNonNull(auth, "auth");
  }

  /** The three parts around epoch and sequence: {@code head + epoch + middle + seq + tail}. */
  public record Template(String head, String middle, String tail) {}

  public Template keys(
      String namespace, String tenant, String origin, long timestamp, List<Hint.KeyVersion> keys) {
    String id = UUID.randomUUID().toString();
    ObjectNode node = base(id, Hint.Type.KEYS, namespace, tenant, origin, timestamp);
    ArrayNode array = node.putArray("keys");
    for (Hint.KeyVersion kv : keys) {
      array.addObject().put("k", kv.key()).put("ver", kv.version());
    }
    if (auth.enabled()) {
      node.put("sig",
          auth.sign(id, Hint.Type.KEYS, namespace, tenant, origin, timestamp, null, keys));
    }
    return template(node);
  }

  public Template epoch(String namespace, String tenant, String origin, long timestamp) {
    String id = UUID.randomUUID().toString();
    ObjectNode node = base(id, Hint.Type.EPOCH, namespace, tenant, origin, timestamp);
    if (auth.enabled()) {
      node.put("sig", auth.sign(
          id, Hint.Type.EPOCH, namespace, tenant, origin, timestamp, null, List.of()));
    }
    return template(node);
  }

  private ObjectNode base(String id,
      Hint.Type type, String namespace, String tenant, String origin, long timestamp) {
    ObjectNode node = mapper.createObjectNode();
    node.put("v", SCHEMA_VERSION);
    node.put("id", id);
    node.put("type", type.name());
    node.put("ns", namespace);
    node.put("tenant", tenant);
    node.put("origin", origin);
    node.put("ts", timestamp);
    return node;
  }

  private Template template(ObjectNode node) {
    String json;
    try {
      json = mapper.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write hint JSON", e);
    }
    // json ends with '}': open the tail so the script appends epoch and sequence as the last fields.
    return new Template(json.substring(0, json.length() - 1) + ",\"epoch\":", ",\"seq\":", "}");
  }

  /**
   * Parses and validates a payload; every problem becomes a {@link MalformedHintException}. With
   * authentication enabled, a structurally valid hint must also carry a text {@code sig} (else
   * reason {@code unsigned}) that one of the accepted keys produced (else {@code bad_signature});
   * without it, a {@code sig} field is ignored like any unknown field.
   */
  public Hint parse(String payload) throws MalformedHintException {
    if (payload.length() > MAX_PAYLOAD_CHARS) {
      throw new MalformedHintException(
          "too_large", "hint of " + payload.length() + " chars exceeds " + MAX_PAYLOAD_CHARS);
    }
    JsonNode root;
    try {
      root = mapper.readTree(payload);
    } catch (JsonProcessingException e) {
      throw new MalformedHintException("not_json", "hint is not JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new MalformedHintException("not_object", "hint is not a JSON object");
    }
    JsonNode v = root.get("v");
    if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new MalformedHintException("missing_field", "hint has no integer field v");
    }
    if (v.intValue() != SCHEMA_VERSION) {
      throw new MalformedHintException("unknown_version", "hint schema version " + v.intValue());
    }
    String typeName = text(root, "type");
    Hint.Type type;
    try {
      type = Hint.Type.valueOf(typeName);
    } catch (IllegalArgumentException e) {
      throw new MalformedHintException("unknown_type", "hint type " + typeName);
    }
    List<Hint.KeyVersion> keys = new ArrayList<>();
    if (type == Hint.Type.KEYS) {
      JsonNode array = root.get("keys");
      if (array == null || !array.isArray() || array.isEmpty()) {
        throw new MalformedHintException("missing_field", "KEYS hint without keys");
      }
      for (JsonNode item : array) {
        JsonNode k = item.get("k");
        JsonNode ver = item.get("ver");
        if (k == null || !k.isTextual() || ver == null || !ver.isIntegralNumber()
            || !ver.canConvertToLong() || ver.longValue() < 0) {
          throw new MalformedHintException("bad_key", "hint key entry " + item);
        }
        keys.add(new Hint.KeyVersion(k.textValue(), ver.longValue()));
      }
    }
    Hint hint = new Hint(
        text(root, "id"),
        type,
        text(root, "ns"),
        text(root, "tenant"),
        List.copyOf(keys),
        number(root, "epoch"),
        number(root, "seq"),
        text(root, "origin"),
        number(root, "ts"),
        optionalText(root, "trace"));
    if (auth.enabled()) {
      // After every structural check: a malformed hint stays "malformed", and the MAC runs over
      // at most a few times the (already bounded) payload size.
      JsonNode sig = root.get("sig");
      if (sig == null || !sig.isTextual()) {
        throw new MalformedHintException("unsigned", "hint has no text field sig");
      }
      if (!auth.verify(hint, sig.textValue())) {
        throw new MalformedHintException("bad_signature", "hint signature does not verify");
      }
    }
    return hint;
  }

  private static String text(JsonNode root, String field) throws MalformedHintException {
    JsonNode node = root.get(field);
    if (node == null || !node.isTextual()) {
      throw new MalformedHintException("missing_field", "hint has no text field " + field);
    }
    return node.textValue();
  }

  private static @Nullable String optionalText(JsonNode root, String field) {
    JsonNode node = root.get(field);
    return node != null && node.isTextual() ? node.textValue() : null;
  }

  private static long number(JsonNode root, String field) throws MalformedHintException {
    JsonNode node = root.get(field);
    if (node == null || !node.canConvertToLong() || !node.isIntegralNumber()) {
      throw new MalformedHintException("missing_field", "hint has no integer field " + field);
    }
    return node.longValue();
  }

  /**
   * Splits keys into [from, to) ranges of at most {@code maxKeysPerHint} keys whose hint stays well
   * below the receivers' payload limit (a key may cost up to 6 characters a character when
   * escaped): one write script and one hint each.
   */
  public static List<int[]> chunks(List<Hint.KeyVersion> keys, int maxKeysPerHint) {
    List<int[]> ranges = new ArrayList<>();
    int budget = MAX_PAYLOAD_CHARS / 2;
    int from = 0;
    int size = 0;
    for (int i = 0; i < keys.size(); i++) {
      int cost = 40 + 6 * keys.get(i).key().length();
      if (i > from && (i - from >= maxKeysPerHint || size + cost > budget)) {
        ranges.add(new int[] {from, i});
        from = i;
        size = 0;
      }
      size += cost;
    }
    if (from < keys.size()) {
      ranges.add(new int[] {from, keys.size()});
    }
    return ranges;
  }
}
