package io.signalhub.sandbox;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalhub.Json;

/**
 * Segment's HTTP Tracking API (https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/): 200 {@code {"success": true}} for nearly
 * everything, 400 only for bad JSON and size limits, silent drops of what Segment drops silently.
 */
public final class SegmentFake extends FakeApi {

    private static final Set<String> TYPES = Set.of("identify", "track", "page", "screen", "group", "alias");
    private static final int MAX_EVENT_BYTES = 32 * 1024;
    private static final int MAX_BATCH_BYTES = 500 * 1024;
    private static final int MAX_BATCH_EVENTS = 2500;

    private final Set<String> seenMessageIds = new HashSet<>();
    private int silentlyDropped;

    public SegmentFake() {
        super("segment");
    }

    public synchronized int silentlyDropped() {
        return silentlyDropped;
    }

    @Override
    protected synchronized void resetState() {
        seenMessageIds.clear();
        silentlyDropped = 0;
    }

    @Override
    protected Reply handle(String method, String path, String query, Map<String, List<String>> headers, byte[] body) {
        String call = path.replaceAll("/+$", "");
        if (!method.equals("POST") || !call.startsWith("/v1/")) {
            return Reply.json(404, "{\"code\":\"not_found\",\"message\":\"Not Found\"}");
        }
        String kind = call.substring(4);
        boolean batch = kind.equals("batch") || kind.equals("import");
        if (!batch && !TYPES.contains(kind)) {
            return Reply.json(404, "{\"code\":\"not_found\",\"message\":\"Not Found\"}");
        }
        if (body.length > (batch ? MAX_BATCH_BYTES : MAX_EVENT_BYTES)) {
            return badRequest("request is too large");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(new String(body, StandardCharsets.UTF_8));
        } catch (Exception e) {
            return badRequest("Invalid JSON");
        }
        if (root == null || !root.isObject()) {
            return badRequest("Invalid JSON");
        }
        if (!batch) {
            ((ObjectNode) root).put("type", kind);
            accept(root, root, 1);
            return success();
        }
        JsonNode items = root.path("batch");
        for (JsonNode item : items) {
            if (Json.MAPPER.valueToTree(item).toString().getBytes(StandardCharsets.UTF_8).length > MAX_EVENT_BYTES) {
                return badRequest("event is too large");
            }
        }
        recordSent(items.size());
        if (items.size() > MAX_BATCH_EVENTS) {
            synchronized (this) {
                silentlyDropped += items.size();
            }
            return success();
        }
        for (JsonNode item : items) {
            accept(root, item, 0);
        }
        return success();
    }

    private void accept(JsonNode request, JsonNode item, int countAsSent) {
        recordSent(countAsSent);
        boolean hasId = item.hasNonNull("userId") || item.hasNonNull("anonymousId");
        boolean valid = hasId && TYPES.contains(item.path("type").asText())
                && (!item.path("type").asText().equals("track") || item.hasNonNull("event"));
        String messageId = item.path("messageId").asText(null);
        synchronized (this) {
            if (!valid || (messageId != null && !seenMessageIds.add(messageId))) {
                silentlyDropped++;
                return;
            }
        }
        ObjectNode stored = item.deepCopy();
        Instant receivedAt = Instant.now();
        stored.put("receivedAt", receivedAt.toString());
        correctTimestamp(stored, request.path("sentAt").asText(item.path("sentAt").asText(null)), receivedAt);
        stored.put("writeKeyPresent", request.hasNonNull("writeKey"));
        recordAccepted(stored);
    }

    /**
     * Segment corrects a message's timestamp for the sender's clock: timestamp = receivedAt − (sentAt −
     * originalTimestamp) (https://segment.com/docs/connections/spec/common/#timestamps). A sentAt that is
     * not the time of sending shifts the stored timestamp by as much.
     */
    private static void correctTimestamp(ObjectNode stored, String sentAt, Instant receivedAt) {
        String original = stored.path("timestamp").asText(null);
        if (original == null || sentAt == null) {
            return;
        }
        try {
            Instant sent = Instant.parse(sentAt);
            Instant originalTimestamp = Instant.parse(original);
            stored.put("originalTimestamp", original);
            stored.put("sentAt", sentAt);
            stored.put("timestamp", receivedAt.minus(java.time.Duration.between(originalTimestamp, sent)).toString());
        } catch (java.time.format.DateTimeParseException e) {
            // Segment keeps what it cannot read as it is
        }
    }

    private static Reply success() {
        return Reply.json(200, "{\"success\":true}");
    }

    private static Reply badRequest(String message) {
        return Reply.json(400, "{\"code\":\"bad_request\",\"message\":\"" + message + "\"}");
    }

    @Override
    protected String faultBody(int status) {
        return status == 429 ? "{\"code\":\"too_many_requests\",\"message\":\"Too Many Requests\"}"
                : "{\"code\":\"internal\",\"message\":\"Internal Server Error\"}";
    }
}
