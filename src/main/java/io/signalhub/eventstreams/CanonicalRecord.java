package io.signalhub.eventstreams;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/**
 * Reads the record form the hub itself writes to Kafka ({@link OneSignalEvent#canonicalJson}) in one streaming
 * pass, without a tree: every destination reads every record, so this is the hot path of Data Out.
 * Anything else — another shape, a number where text is written, a kind in an old spelling, a blank
 * value — is not read here ({@code null}) and goes through the parser's general path, which accepts
 * every form a customer may produce and names the problems.
 */
final class CanonicalRecord {

    // the text fields OneSignalEvent#canonicalJson writes, each at its index in a record's values (details aside)
    private static final int KIND = 0, ID = 1, APP_ID = 2, DEVICE_TYPE = 3, SUBSCRIPTION_ID = 4, ONESIGNAL_ID = 5,
            EXTERNAL_ID = 6, MESSAGE_ID = 7, MESSAGE_NAME = 8, MESSAGE_TITLE = 9, MESSAGE_CONTENTS = 10,
            TEMPLATE_ID = 11, LANGUAGE = 12, FIELDS = 13;
    private static final int NOT_TEXT = -1;

    private final JsonFactory json;
    private final int maxIdLength;

    CanonicalRecord(JsonFactory json, int maxIdLength) {
        this.json = json;
        this.maxIdLength = maxIdLength;
    }

    OneSignalEvent read(byte[] value, int offset, int length) {
        try (JsonParser parser = json.createParser(value, offset, length)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String[] values = new String[FIELDS];
            Map<String, String> details = Map.of();
            long timestamp = Long.MIN_VALUE;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String section = parser.currentName();
                if (!section.equals("event") && !section.equals("message") && !section.equals("user")
                        || parser.nextToken() != JsonToken.START_OBJECT) {
                    return null;
                }
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    JsonToken token = parser.nextToken();
                    if (section.equals("event") && name.equals("timestamp_ms") && token == JsonToken.VALUE_NUMBER_INT) {
                        timestamp = parser.getLongValue();
                    } else if (section.equals("event") && name.equals("data") && token == JsonToken.START_OBJECT) {
                        details = details.isEmpty() ? new HashMap<>() : details;
                        while (parser.nextToken() == JsonToken.FIELD_NAME) {
                            String key = OneSignalEvent.DATA_PREFIX + parser.currentName();
                            if (parser.nextToken() != JsonToken.VALUE_STRING || !detail(parser, details, key)) {
                                return null;
                            }
                        }
                    } else if (section.equals("message") && token == JsonToken.VALUE_STRING
                            && OneSignalEvent.MESSAGE_URLS.contains("message." + name)) {
                        details = details.isEmpty() ? new HashMap<>() : details;
                        if (!detail(parser, details, "message." + name)) {
                            return null;
                        }
                    } else if (token != JsonToken.VALUE_STRING || !text(parser, values, field(section, name))) {
                        return null;
                    }
                }
            }
            if (parser.nextToken() != null || timestamp == Long.MIN_VALUE) {
                return null;
            }
            String kind = values[KIND];
            String id = values[ID];
            if (kind == null || id == null || id.length() > maxIdLength || !EventKinds.isCurrentMessageKind(kind)) {
                return null;
            }
            return new OneSignalEvent(kind, id, timestamp, values[APP_ID], values[DEVICE_TYPE], values[SUBSCRIPTION_ID],
                    values[ONESIGNAL_ID], values[EXTERNAL_ID], details, values[MESSAGE_ID],
                    values[MESSAGE_NAME], values[MESSAGE_TITLE], values[MESSAGE_CONTENTS], values[TEMPLATE_ID],
                    values[LANGUAGE]);
        } catch (IOException e) {
            return null;
        }
    }

    private static int field(String section, String name) {
        return switch (section) {
            case "event" -> switch (name) {
                case "kind" -> KIND;
                case "id" -> ID;
                case "app_id" -> APP_ID;
                case "subscription_device_type" -> DEVICE_TYPE;
                case "subscription_id" -> SUBSCRIPTION_ID;
                case "onesignal_id" -> ONESIGNAL_ID;
                case "external_id" -> EXTERNAL_ID;
                default -> NOT_TEXT;
            };
            case "message" -> switch (name) {
                case "id" -> MESSAGE_ID;
                case "name" -> MESSAGE_NAME;
                case "title" -> MESSAGE_TITLE;
                case "contents" -> MESSAGE_CONTENTS;
                case "template_id" -> TEMPLATE_ID;
                default -> NOT_TEXT;
            };
            case "user" -> name.equals("language") ? LANGUAGE : NOT_TEXT;
            default -> NOT_TEXT;
        };
    }

    private static boolean detail(JsonParser parser, Map<String, String> details, String key) throws IOException {
        String value = parser.getText();
        return !value.isBlank() && details.putIfAbsent(key, value) == null;
    }

    /** Keeps a non-blank text value of a known field; false for anything else (the general path decides). */
    private static boolean text(JsonParser parser, String[] values, int field) throws IOException {
        if (field == NOT_TEXT || values[field] != null) {
            return false;
        }
        String value = parser.getText();
        values[field] = value;
        return !value.isBlank();
    }
}
