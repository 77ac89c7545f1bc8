package io.signalhub.eventstreams;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.signalhub.Json;
import io.signalhub.ingress.InvalidInputException;

/**
 * Reads OneSignal Event Streams bodies (https://documentation.onesignal.com/docs/en/event-streams). The
 * body is written by the customer in Liquid, so every form OneSignal's docs show is accepted, alone or
 * as a JSON array, in any mix: the flat dotted keys ({@code {"event.kind": …}}), the nested form
 * ({@code {"event": {"kind": …}}}) and the docs' example body, which groups the dotted keys in
 * top-level objects ({@code {"Event Data": {"event.kind": …}, "Message Data": {…}}}).
 */
public final class OneSignalEventParser {

    /** Objects below these paths are read as dotted keys; any other object value is kept as JSON text. */
    private static final Set<String> SECTIONS = Set.of("event", "event.data", "message", "user");
    private static final int MAX_ID_LENGTH = 256;

    private final ObjectMapper mapper;
    private final int maxEvents;
    private final Supplier<Instant> clock;
    private final CanonicalRecord canonical;

    public OneSignalEventParser(ObjectMapper mapper, int maxEvents, Supplier<Instant> clock) {
        this.mapper = mapper;
        this.maxEvents = maxEvents;
        this.clock = clock;
        this.canonical = new CanonicalRecord(mapper.getFactory(), MAX_ID_LENGTH);
    }

    /**
     * The result of reading one body: the events to forward, and the kind of each event accepted but
     * forwarded nowhere (Live Activities, and kinds OneSignal added after this hub was built).
     */
    public record Parsed(List<OneSignalEvent> events, List<String> ignoredKinds) {
    }

    /**
     * Parses a whole body; any problem rejects the whole body, every problem listed. The body is read as
     * a stream straight into each event's dotted keys, with no JSON tree built first: this is every
     * event's path into the hub.
     */
    public Parsed parseBody(byte[] body) {
        List<OneSignalEvent> events = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<String> ignoredKinds = new ArrayList<>();
        try (JsonParser in = mapper.getFactory().createParser(body == null ? new byte[0] : body)) {
            JsonToken root = in.nextToken();
            if (root == null) {
                throw new InvalidInputException("the body is empty; send a JSON event or an array of events with Content-Type: application/json");
            }
            if (root == JsonToken.START_OBJECT) {
                readEvent(in, "", events, problems, ignoredKinds);
            } else if (root == JsonToken.START_ARRAY) {
                int count = 0;
                for (JsonToken item = in.nextToken(); item != JsonToken.END_ARRAY; item = in.nextToken()) {
                    if (++count > maxEvents) {
                        in.skipChildren();
                    } else if (item == JsonToken.START_OBJECT) {
                        readEvent(in, "events[" + (count - 1) + "]: ", events, problems, ignoredKinds);
                    } else {
                        in.skipChildren();
                        problems.add("events[" + (count - 1) + "]: an event must be a JSON object");
                    }
                }
                if (count == 0) {
                    throw new InvalidInputException("the body is an empty array; send at least one event");
                }
                if (count > maxEvents) {
                    throw new InvalidInputException("the body holds " + count + " events; at most " + maxEvents + " per request");
                }
            } else {
                throw new InvalidInputException("the body must be a JSON object or an array of objects");
            }
        } catch (JsonProcessingException e) {
            // limits such as nesting depth carry no location
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new InvalidInputException("the body is not valid JSON: " + Json.abbreviate(e.getOriginalMessage(), 200) + where);
        } catch (IOException e) {
            throw new UncheckedIOException("reading bytes in memory cannot fail", e);
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(400, "invalid_events", problems);
        }
        return new Parsed(events, ignoredKinds);
    }

    /** Reads the event whose object the parser has just opened; its problems are listed under {@code where}. */
    private void readEvent(JsonParser in, String where, List<OneSignalEvent> events, List<String> problems,
                           List<String> ignoredKinds) throws IOException {
        Map<String, JsonNode> fields = new HashMap<>();
        readFields(in, "", fields);
        List<String> found = new ArrayList<>();
        OneSignalEvent event = read(fields, found);
        found.forEach(p -> problems.add(where + p));
        if (event != null) {
            events.add(event);
        } else if (found.isEmpty()) {
            ignoredKinds.add(Json.abbreviate(fields.get("event.kind").asText(), 64));
        }
    }

    /**
     * Reads an object's fields by dotted key: the sections' objects open into dotted keys, a top-level
     * group of dotted keys (the docs' example body: {"Event Data": {"event.kind": …}, "Message Data": {…}})
     * is read as a tree and then as its fields, and the first form to give a key wins.
     */
    private void readFields(JsonParser in, String prefix, Map<String, JsonNode> into) throws IOException {
        for (String name = in.nextFieldName(); name != null; name = in.nextFieldName()) {
            String key = prefix.isEmpty() ? name : prefix + "." + name;
            JsonToken value = in.nextToken();
            if (value == JsonToken.START_OBJECT && SECTIONS.contains(key)) {
                readFields(in, key, into);
            } else if (value.isScalarValue()) {
                into.putIfAbsent(key, scalar(in, value));
            } else {
                JsonNode tree = in.readValueAsTree();
                if (prefix.isEmpty() && isGroupOfDottedKeys(tree)) {
                    readTree(tree, into);
                } else {
                    into.putIfAbsent(key, tree);
                }
            }
        }
    }

    /** A value as the tree would hold it, made here: {@code readValueAsTree} sets up a deserialization per value. */
    private static JsonNode scalar(JsonParser in, JsonToken value) throws IOException {
        return switch (value) {
            case VALUE_STRING -> TextNode.valueOf(in.getText());
            case VALUE_NUMBER_INT -> switch (in.getNumberType()) {
                case INT -> IntNode.valueOf(in.getIntValue());
                case LONG -> LongNode.valueOf(in.getLongValue());
                default -> BigIntegerNode.valueOf(in.getBigIntegerValue());
            };
            case VALUE_NUMBER_FLOAT -> DoubleNode.valueOf(in.getDoubleValue());
            case VALUE_TRUE -> BooleanNode.TRUE;
            case VALUE_FALSE -> BooleanNode.FALSE;
            default -> NullNode.getInstance();
        };
    }

    /**
     * Reads one event. Returns null with problems added when it is invalid, or null with no problem
     * when its kind is not a message kind (a Live Activity, a kind OneSignal added later): accepted, not
     * forwarded, so OneSignal never disables the stream over it.
     */
    public OneSignalEvent read(JsonNode node, List<String> problems) {
        if (!node.isObject()) {
            problems.add("an event must be a JSON object");
            return null;
        }
        return read(flattened(node), problems);
    }

    private OneSignalEvent read(Map<String, JsonNode> fields, List<String> problems) {
        String kind = identifier(fields, "event.kind", problems);
        String id = identifier(fields, "event.id", problems);
        if (kind == null && isAbsent(fields.get("event.kind"))) {
            problems.add("missing event.kind");
        }
        if (id == null && isAbsent(fields.get("event.id"))) {
            problems.add("missing event.id");
        } else if (id != null && id.length() > MAX_ID_LENGTH) {
            problems.add("event.id is longer than " + MAX_ID_LENGTH + " characters");
        }
        String currentKind = kind == null ? null : EventKinds.normalize(kind).orElse(null);
        long timestamp = timestamp(fields, problems);
        if (!problems.isEmpty() || currentKind == null) {
            return null;
        }
        String language = text(fields, "user.language", problems);
        return new OneSignalEvent(currentKind, id, timestamp,
                text(fields, "event.app_id", problems),
                text(fields, "event.subscription_device_type", problems),
                text(fields, "event.subscription_id", problems),
                firstText(fields, problems, "event.onesignal_id", "user.onesignal_id"),
                firstText(fields, problems, "event.external_id", "user.external_id"),
                details(fields, problems),
                text(fields, "message.id", problems),
                text(fields, "message.name", problems),
                localized(fields, "message.title", language),
                localized(fields, "message.contents", language),
                text(fields, "message.template_id", problems),
                language);
    }

    /** event.data.* and the message URLs, as text by dotted key. */
    private static Map<String, String> details(Map<String, JsonNode> fields, List<String> problems) {
        Map<String, String> details = new HashMap<>();
        for (String key : fields.keySet()) {
            if (key.startsWith(OneSignalEvent.DATA_PREFIX) || OneSignalEvent.MESSAGE_URLS.contains(key)) {
                String value = text(fields, key, problems);
                if (value != null) {
                    details.put(key, value);
                }
            }
        }
        return details;
    }

    /** A push title or contents: the text in the user's language, however the template rendered it. */
    private static String localized(Map<String, JsonNode> fields, String key, String language) {
        JsonNode value = fields.get(key);
        if (value == null || value.isNull() || value.isArray()) {
            return null;
        }
        String text = LocalizedText.of(value, language);
        return text == null || text.isBlank() ? null : text;
    }

    /** event.kind and event.id: text or a number; an object or an array names no event (and no dedup id). */
    private static String identifier(Map<String, JsonNode> fields, String key, List<String> problems) {
        JsonNode value = fields.get(key);
        if (isContainer(value)) {
            problems.add(key + " must be a string, not " + (value.isArray() ? "an array" : "an object"));
            return null;
        }
        return text(fields, key, problems);
    }

    /**
     * Reads one Kafka record value (its UTF-8 bytes, as the consumer hands them over: a view into the fetched
     * data, not a copy); the problems say why it cannot be delivered.
     */
    public OneSignalEvent readRecord(ByteBuffer value, List<String> problems) {
        ByteBuffer heap = value;
        if (!heap.hasArray()) {
            // a direct or read-only buffer, which Kafka's consumer does not hand over: read from a copy
            byte[] copy = new byte[value.remaining()];
            value.duplicate().get(copy);
            heap = ByteBuffer.wrap(copy);
        }
        byte[] array = heap.array();
        int offset = heap.arrayOffset() + heap.position();
        int length = heap.remaining();
        OneSignalEvent event = canonical.read(array, offset, length);
        if (event != null) {
            return event;
        }
        try {
            return read(mapper.readTree(array, offset, length), problems);
        } catch (JsonProcessingException e) {
            problems.add("the record is not valid JSON: " + e.getOriginalMessage());
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("reading bytes in memory cannot fail", e);
        }
    }

    private long timestamp(Map<String, JsonNode> fields, List<String> problems) {
        JsonNode millis = fields.get("event.timestamp_ms");
        if (millis != null && millis.canConvertToLong()) {
            return millis.asLong();
        }
        JsonNode datetime = fields.get("event.datetime");
        if (datetime != null && datetime.isTextual() && !datetime.asText().isBlank()) {
            try {
                return Instant.parse(datetime.asText()).toEpochMilli();
            } catch (DateTimeParseException e) {
                problems.add("event.datetime '" + abbreviate(datetime.asText()) + "' is not an ISO-8601 instant");
                return 0;
            }
        }
        JsonNode seconds = fields.get("event.timestamp");
        if (seconds != null && !(seconds.isTextual() && seconds.asText().isBlank())) {
            if (seconds.isNumber()) {
                return Math.round(seconds.asDouble() * 1000);
            }
            try {
                return Math.round(Double.parseDouble(seconds.asText()) * 1000);
            } catch (NumberFormatException e) {
                problems.add("event.timestamp must be Unix seconds, a number or a numeric string");
                return 0;
            }
        }
        // the customer's template rendered no time: the moment the hub received the event
        return clock.get().toEpochMilli();
    }

    private static String firstText(Map<String, JsonNode> fields, List<String> problems, String... keys) {
        for (String key : keys) {
            String value = text(fields, key, problems);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    /** A field as text; blank and null are absent; numbers are their text; arrays are a type problem. */
    private static String text(Map<String, JsonNode> fields, String key, List<String> problems) {
        JsonNode value = fields.get(key);
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isArray() || value.isBoolean()) {
            problems.add(key + " must be a string");
            return null;
        }
        String text = value.isValueNode() ? value.asText() : value.toString();
        return text.isBlank() ? null : text;
    }

    /** Not given, null or blank; a value of the wrong type is a problem of its own, not a missing one. */
    private static boolean isAbsent(JsonNode value) {
        return value == null || value.isNull() || value.isValueNode() && value.asText().isBlank();
    }

    private static boolean isContainer(JsonNode value) {
        return value != null && value.isContainerNode();
    }

    /** The event's fields by dotted key, whichever form the template gave it: the tree read as a stream. */
    private Map<String, JsonNode> flattened(JsonNode event) {
        Map<String, JsonNode> fields = new HashMap<>();
        readTree(event, fields);
        return fields;
    }

    private void readTree(JsonNode object, Map<String, JsonNode> into) {
        try (JsonParser in = object.traverse(mapper)) {
            in.nextToken();
            readFields(in, "", into);
        } catch (IOException e) {
            throw new UncheckedIOException("reading a tree in memory cannot fail", e);
        }
    }

    private static boolean isGroupOfDottedKeys(JsonNode value) {
        if (!value.isObject()) {
            return false;
        }
        for (Iterator<String> names = value.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (name.startsWith("event.") || name.startsWith("message.") || name.startsWith("user.")) {
                return true;
            }
        }
        return false;
    }

    private static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "…";
    }
}
