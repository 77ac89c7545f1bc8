package io.signalhub.vendors.segment;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalhub.Json;
import io.signalhub.ingress.InvalidInputException;

/**
 * Reads Segment messages the way Segment's Tracking API takes them (https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/):
 * single calls whose type is the path, batches whose items carry their type, batch-level
 * {@code context}/{@code integrations} merged into each item. A body is taken whole or refused whole,
 * with every problem named.
 */
public final class SegmentMessages {

    public static final int MAX_MESSAGE_BYTES = 32 * 1024;
    public static final int MAX_BATCH_BYTES = 500 * 1024;
    public static final Set<String> TYPES = Set.of("identify", "track", "page", "screen", "group", "alias");
    /** Segment's Webhooks destination also sends deletion requests. */
    private static final Set<String> WEBHOOK_TYPES = Set.of("identify", "track", "page", "screen", "group", "alias", "delete");

    private SegmentMessages() {
    }

    /** A Tracking API call as read, before its messages are checked: they are checked once the write key is. */
    public record TrackingCall(List<ObjectNode> messages, String writeKey) {
        /** The messages, checked and stamped with the time the hub received them. */
        public List<ObjectNode> validated(Instant receivedAt) {
            return SegmentMessages.validated(messages, TYPES, receivedAt);
        }
    }

    /** A Tracking API call: {@code call} is the path's ({@code identify} … or {@code batch}/{@code import}). */
    public static TrackingCall trackingCall(String call, byte[] body) {
        boolean batch = call.equals("batch") || call.equals("import");
        if (!batch && !TYPES.contains(call)) {
            throw new InvalidInputException(404, "not_found", List.of("unknown call '/v1/" + Json.abbreviate(call, 40)
                    + "'; one of /v1/identify, track, page, screen, group, alias, batch, import"));
        }
        int limit = batch ? MAX_BATCH_BYTES : MAX_MESSAGE_BYTES;
        if (body.length > limit) {
            throw new InvalidInputException(400, "too_large", List.of("the body is " + body.length + " bytes; Segment takes at most "
                    + limit + " bytes per " + (batch ? "batch" : "message")));
        }
        JsonNode root = parse(body);
        if (!root.isObject()) {
            throw new InvalidInputException("the body must be a JSON object");
        }
        if (!batch) {
            ObjectNode message = (ObjectNode) root;
            message.put("type", call);
            return new TrackingCall(List.of(message), writeKey(message));
        }
        JsonNode items = root.path("batch");
        if (!items.isArray()) {
            throw new InvalidInputException("a batch needs a 'batch' array of messages");
        }
        List<ObjectNode> messages = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            if (!item.isObject()) {
                problems.add("batch[" + i + "]: must be a JSON object");
                continue;
            }
            int size = item.toString().getBytes(StandardCharsets.UTF_8).length;
            if (size > MAX_MESSAGE_BYTES) {
                problems.add("batch[" + i + "]: " + size + " bytes; at most " + MAX_MESSAGE_BYTES + " per message");
            }
            ObjectNode message = (ObjectNode) item;
            mergeDefaults(message, root, "context");
            mergeDefaults(message, root, "integrations");
            messages.add(message);
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(400, "invalid_batch", problems);
        }
        return new TrackingCall(messages, writeKey(root));
    }

    /** A Webhooks destination delivery: one message, or a JSON array of them (Actions batching). */
    public static List<ObjectNode> webhook(byte[] body, Instant receivedAt) {
        JsonNode root = parse(body);
        List<ObjectNode> messages = new ArrayList<>();
        if (root.isObject()) {
            messages.add((ObjectNode) root);
        } else if (root.isArray()) {
            if (root.isEmpty()) {
                throw new InvalidInputException("the body is an empty array: send a Segment message or an array of them");
            }
            List<String> problems = new ArrayList<>();
            for (int i = 0; i < root.size(); i++) {
                if (root.get(i).isObject()) {
                    messages.add((ObjectNode) root.get(i));
                } else {
                    problems.add("[" + i + "]: must be a JSON object");
                }
            }
            if (!problems.isEmpty()) {
                throw new InvalidInputException(400, "invalid_batch", problems);
            }
        } else {
            throw new InvalidInputException("the body must be a Segment message or a JSON array of them");
        }
        return validated(messages, WEBHOOK_TYPES, receivedAt);
    }

    /** The write key a Tracking API body carries at its top level, as Segment's SDKs send it, or null. */
    private static String writeKey(JsonNode message) {
        String key = message.path("writeKey").asText("").trim();
        return key.isEmpty() ? null : key;
    }

    private static List<ObjectNode> validated(List<ObjectNode> messages, Set<String> types, Instant receivedAt) {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            ObjectNode message = messages.get(i);
            String where = messages.size() == 1 ? "" : "[" + i + "] ";
            String type = message.path("type").asText("");
            if (!types.contains(type)) {
                problems.add(where + "'type' must be one of " + types.stream().sorted().toList()
                        + (type.isEmpty() ? "" : ", not '" + Json.abbreviate(type, 40) + "'"));
            }
            if (blank(message, "userId") && blank(message, "anonymousId")) {
                problems.add(where + "needs a userId or an anonymousId");
            }
            if (type.equals("track") && blank(message, "event")) {
                problems.add(where + "a track needs an 'event' name");
            }
            if (message.path("messageId").asText("").length() >= 100) {
                problems.add(where + "'messageId' must be shorter than 100 characters");
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(400, "invalid_message", problems);
        }
        for (ObjectNode message : messages) {
            message.remove("writeKey");
            if (!message.has("receivedAt")) {
                message.put("receivedAt", receivedAt.toString());
            }
        }
        return messages;
    }

    private static boolean blank(ObjectNode message, String field) {
        JsonNode value = message.path(field);
        return !value.isValueNode() || value.isNull() || value.asText().isBlank();
    }

    /** Batch-level context and integrations apply to each item; the item's own values win. */
    private static void mergeDefaults(ObjectNode message, JsonNode batch, String field) {
        JsonNode defaults = batch.path(field);
        if (!defaults.isObject()) {
            return;
        }
        ObjectNode target = message.path(field).isObject() ? (ObjectNode) message.path(field) : message.putObject(field);
        for (Iterator<Map.Entry<String, JsonNode>> it = defaults.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (!target.has(entry.getKey())) {
                target.set(entry.getKey(), entry.getValue().deepCopy());
            }
        }
    }

    private static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            throw new InvalidInputException("the body is empty; send Segment messages as JSON (Content-Type: application/json)");
        }
        try {
            JsonNode root = Json.MAPPER.readTree(body);
            if (root == null) {
                throw new InvalidInputException("the body is empty");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new InvalidInputException("the body is not valid JSON: " + Json.abbreviate(e.getOriginalMessage(), 200));
        } catch (java.io.IOException e) {
            throw new InvalidInputException("the body could not be read");
        }
    }
}
