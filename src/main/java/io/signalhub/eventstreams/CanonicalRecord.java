package io.signalhub.eventstreams;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/**
 * Reads the record form the hub itself writes to Kafka ({@link OneSignalEvent#toJson}) in one streaming
 * pass, without a tree: every destination reads every record, so this is the hot path of Data Out.
 * Anything else — another shape, a number where text is written, a kind in an old spelling, a blank
 * value — is not read here ({@code null}) and goes through the parser's general path, which accepts
 * every form a customer may produce and names the problems.
 */
final class CanonicalRecord {

    /** The text fields {@link OneSignalEvent#toJson} writes, by dotted key. */
    private static final Set<String> TEXT_FIELDS = Set.of("event.kind", "event.id", "event.app_id",
            "event.subscription_device_type", "event.subscription_id", "event.onesignal_id", "event.external_id",
            "message.id", "message.name", "message.title", "message.contents", "message.template_id", "user.language");

    private final JsonFactory json;
    private final int maxIdLength;

    CanonicalRecord(JsonFactory json, int maxIdLength) {
        this.json = json;
        this.maxIdLength = maxIdLength;
    }

    OneSignalEvent read(String value) {
        try (JsonParser parser = json.createParser(value)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            Map<String, String> fields = new HashMap<>(16);
            long timestamp = Long.MIN_VALUE;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String section = parser.currentName();
                if (!section.equals("event") && !section.equals("message") && !section.equals("user")
                        || parser.nextToken() != JsonToken.START_OBJECT) {
                    return null;
                }
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String key = section + "." + parser.currentName();
                    JsonToken token = parser.nextToken();
                    if (key.equals("event.timestamp_ms") && token == JsonToken.VALUE_NUMBER_INT) {
                        timestamp = parser.getLongValue();
                    } else if (key.equals("event.data") && token == JsonToken.START_OBJECT) {
                        if (parser.nextToken() != JsonToken.FIELD_NAME || !parser.currentName().equals("failure_reason")
                                || !text(parser, fields, "event.data.failure_reason") || parser.nextToken() != JsonToken.END_OBJECT) {
                            return null;
                        }
                    } else if (token != JsonToken.VALUE_STRING || !TEXT_FIELDS.contains(key) || !text(parser, fields, key)) {
                        return null;
                    }
                }
            }
            if (parser.nextToken() != null || timestamp == Long.MIN_VALUE) {
                return null;
            }
            String kind = fields.get("event.kind");
            String id = fields.get("event.id");
            if (kind == null || id == null || id.length() > maxIdLength || !EventKinds.normalize(kind).filter(kind::equals).isPresent()) {
                return null;
            }
            return new OneSignalEvent(kind, id, timestamp, fields.get("event.app_id"), fields.get("event.subscription_device_type"),
                    fields.get("event.subscription_id"), fields.get("event.onesignal_id"), fields.get("event.external_id"),
                    fields.get("event.data.failure_reason"), fields.get("message.id"), fields.get("message.name"),
                    fields.get("message.title"), fields.get("message.contents"), fields.get("message.template_id"),
                    fields.get("user.language"));
        } catch (IOException e) {
            return null;
        }
    }

    /** Keeps a non-blank text value under its dotted key; false for a blank or repeated one (the general path decides). */
    private static boolean text(JsonParser parser, Map<String, String> fields, String key) throws IOException {
        if (parser.currentToken() != JsonToken.VALUE_STRING && parser.nextToken() != JsonToken.VALUE_STRING) {
            return false;
        }
        String value = parser.getText();
        return !value.isBlank() && fields.putIfAbsent(key, value) == null;
    }
}
