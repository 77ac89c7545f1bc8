package io.signalhub.eventstreams;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

    /** Objects below these paths are flattened into dotted keys; any other object value is kept as JSON text. */
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

    /** Parses a whole body; any problem rejects the whole body, every problem listed. */
    public Parsed parseBody(byte[] body) {
        JsonNode root = readJson(body);
        List<JsonNode> items = new ArrayList<>();
        if (root.isArray()) {
            if (root.isEmpty()) {
                throw new InvalidInputException("the body is an empty array; send at least one event");
            }
            if (root.size() > maxEvents) {
                throw new InvalidInputException(
                        "the body holds " + root.size() + " events; at most " + maxEvents + " per request");
            }
            root.forEach(items::add);
        } else if (root.isObject()) {
            items.add(root);
        } else {
            throw new InvalidInputException("the body must be a JSON object or an array of objects");
        }
        List<OneSignalEvent> events = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<String> ignoredKinds = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String where = root.isArray() ? "events[" + i + "]: " : "";
            List<String> found = new ArrayList<>();
            OneSignalEvent event = read(items.get(i), found);
            found.forEach(p -> problems.add(where + p));
            if (event != null) {
                events.add(event);
            } else if (found.isEmpty()) {
                ignoredKinds.add(Json.abbreviate(flattened(items.get(i)).get("event.kind").asText(), 64));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(400, "invalid_events", problems);
        }
        return new Parsed(events, ignoredKinds);
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
        Map<String, JsonNode> fields = flattened(node);

        String kind = identifier(fields, "event.kind", problems);
        String id = identifier(fields, "event.id", problems);
        if (kind == null && !isContainer(fields.get("event.kind"))) {
            problems.add("missing event.kind");
        }
        if (id == null && !isContainer(fields.get("event.id"))) {
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

    /** Reads one Kafka record value; the problems say why it cannot be delivered. */
    public OneSignalEvent readRecord(String value, List<String> problems) {
        OneSignalEvent event = canonical.read(value);
        if (event != null) {
            return event;
        }
        try {
            return read(mapper.readTree(value), problems);
        } catch (JsonProcessingException e) {
            problems.add("the record is not valid JSON: " + e.getOriginalMessage());
            return null;
        }
    }

    private JsonNode readJson(byte[] body) {
        try {
            // nothing but whitespace reads as a missing node
            JsonNode root = body == null ? null : mapper.readTree(body);
            if (root == null || root.isMissingNode()) {
                throw new InvalidInputException("the body is empty; send a JSON event or an array of events with Content-Type: application/json");
            }
            return root;
        } catch (JsonProcessingException e) {
            // limits such as nesting depth carry no location
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new InvalidInputException("the body is not valid JSON: " + Json.abbreviate(e.getOriginalMessage(), 200) + where);
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

    private static boolean isContainer(JsonNode value) {
        return value != null && value.isContainerNode();
    }

    /** The event's fields by dotted key, whichever form the template gave it. */
    private static Map<String, JsonNode> flattened(JsonNode event) {
        Map<String, JsonNode> fields = new HashMap<>();
        flatten("", event, fields);
        return fields;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, JsonNode> into) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String key = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
            if (field.getValue().isObject() && SECTIONS.contains(key)) {
                flatten(key, field.getValue(), into);
            } else if (prefix.isEmpty() && isGroupOfDottedKeys(field.getValue())) {
                // the docs' example body: {"Event Data": {"event.kind": …}, "Message Data": {…}}
                flatten("", field.getValue(), into);
            } else {
                into.putIfAbsent(key, field.getValue());
            }
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
