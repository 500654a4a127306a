package dev.coherent.core.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import dev.coherent.core.Hint;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Builds and parses hint payloads (schema version 1, see docs/protocol.md). Building produces a
 * template whose epoch and sequence are filled in by the write script, because only Redis knows
 * the sequence at publish time. Thread-safe (Jackson's ObjectMapper is).
 */
public final class HintCodec {
  static final int SCHEMA_VERSION = 1;
  /** Hints larger than this are dropped unread: bounded work per message on the event loop. */
  static final int MAX_PAYLOAD_CHARS = 256 * 1024;

  private final ObjectMapper mapper = new ObjectMapper();

  /** The three parts around epoch and sequence: {@code head + epoch + middle + seq + tail}. */
  record Template(String head, String middle, String tail) {}

  Template keys(
      String namespace, String tenant, String origin, long timestamp, List<Hint.KeyVersion> keys) {
    ObjectNode node = base(Hint.Type.KEYS, namespace, tenant, origin, timestamp);
    ArrayNode array = node.putArray("keys");
    for (Hint.KeyVersion kv : keys) {
      array.addObject().put("k", kv.key()).put("ver", kv.version());
    }
    return template(node);
  }

  Template epoch(String namespace, String tenant, String origin, long timestamp) {
    return template(base(Hint.Type.EPOCH, namespace, tenant, origin, timestamp));
  }

  private ObjectNode base(
      Hint.Type type, String namespace, String tenant, String origin, long timestamp) {
    ObjectNode node = mapper.createObjectNode();
    node.put("v", SCHEMA_VERSION);
    node.put("id", UUID.randomUUID().toString());
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

  /** Parses and validates a payload; every problem becomes a {@link MalformedHintException}. */
  Hint parse(String payload) throws MalformedHintException {
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
    return new Hint(
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
}
