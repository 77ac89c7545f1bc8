package io.signalhub;

import java.io.IOException;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The hub's one JSON mapper and the few helpers every translator uses. */
public final class Json {

    public static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    public static void putIfPresent(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    private static final Map<String, SerializableString> FIELD_NAMES = new ConcurrentHashMap<>();

    /**
     * A field name encoded once: the vendors' items repeat the same names for every event, and encoding
     * them anew each time was the largest part of writing an item.
     */
    public static SerializableString name(String field) {
        // get first: computeIfAbsent may lock the bin even when the name is there, and every field of every item asks
        SerializableString name = FIELD_NAMES.get(field);
        return name != null ? name : FIELD_NAMES.computeIfAbsent(field, SerializedString::new);
    }

    public static void writeField(JsonGenerator out, String field, String value) throws IOException {
        out.writeFieldName(name(field));
        out.writeString(value);
    }

    public static void writeIfPresent(JsonGenerator out, String field, String value) throws IOException {
        if (value != null) {
            writeField(out, field, value);
        }
    }

    /** Parses a vendor's answer; anything that is not a JSON object reads as an empty object. */
    public static JsonNode readObject(String text) {
        if (text == null || text.isBlank()) {
            return MAPPER.createObjectNode();
        }
        try {
            JsonNode node = MAPPER.readTree(text);
            return node != null && node.isObject() ? node : MAPPER.createObjectNode();
        } catch (JsonProcessingException e) {
            return MAPPER.createObjectNode();
        }
    }

    /** Parses an answer that should be a JSON array; anything else reads as an empty array. */
    public static JsonNode readArray(String text) {
        try {
            JsonNode node = text == null ? null : MAPPER.readTree(text);
            return node != null && node.isArray() ? node : MAPPER.createArrayNode();
        } catch (JsonProcessingException e) {
            return MAPPER.createArrayNode();
        }
    }

    /** Text for logs and dead letters, cut to a readable length. */
    public static String abbreviate(String text, int max) {
        if (text == null) {
            return null;
        }
        return text.length() <= max ? text : text.substring(0, max) + "…";
    }
}
