package io.signalhub.sandbox;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalhub.Json;

/**
 * Amplitude's HTTP V2 API (https://amplitude.com/docs/apis/analytics/http-v2): validates key, events, ids and time; a 400
 * stores nothing; per-user/device throttling answers 429 naming the throttled events and stores none of the request.
 */
public final class AmplitudeFake extends FakeApi {

    private static final Set<String> INVALID_IDS = Set.of("anonymous", "nil", "none", "null", "n/a", "na", "undefined",
            "unknown", "", "00000000-0000-0000-0000-000000000000", "{}", "lmy47d", "0", "-1");
    private static final int MAX_EVENTS = 2000;
    private static final int MAX_BYTES = 1_000_000;
    private static final int DEFAULT_MIN_ID_LENGTH = 5;

    private final String apiKey;
    private final CohortDownloads cohorts;
    private final Set<String> seenInsertIds = new HashSet<>();
    private final Map<String, Deque<Long>> recentByUser = new HashMap<>();
    private static final int EPS_THRESHOLD = 30;
    private static final long WINDOW_MILLIS = 30_000;
    private volatile int epsThreshold = EPS_THRESHOLD;
    private volatile long windowMillis = WINDOW_MILLIS;

    public AmplitudeFake(String apiKey) {
        super("amplitude");
        this.apiKey = apiKey;
        this.cohorts = new CohortDownloads(apiKey);
    }

    /** The Behavioral Cohorts API (https://amplitude.com/docs/apis/analytics/behavioral-cohorts), for the cohort sync. */
    public CohortDownloads cohorts() {
        return cohorts;
    }

    /** Throttle a user or device past {@code eventsPerSecond} averaged over the window (30 eps over 30 s by default). */
    public void throttleAbove(int eventsPerSecond, long windowMillis) {
        this.epsThreshold = eventsPerSecond;
        this.windowMillis = windowMillis;
    }

    @Override
    protected synchronized void resetState() {
        seenInsertIds.clear();
        recentByUser.clear();
        epsThreshold = EPS_THRESHOLD;
        windowMillis = WINDOW_MILLIS;
        cohorts.reset();
    }

    @Override
    protected Reply handle(String method, String path, String query, Map<String, List<String>> headers, byte[] body) {
        if (path.startsWith("/api/") || path.startsWith("/files/")) {
            Reply reply = cohorts.handle(method, path, basicCredentials(headers), baseUrl());
            return reply == null ? error(404, "Invalid request path") : reply;
        }
        if (!method.equals("POST") || !path.equals("/2/httpapi")) {
            return error(404, "Invalid request path");
        }
        if (body.length == 0) {
            return error(400, "Missing request body");
        }
        if (body.length > MAX_BYTES) {
            return error(413, "Payload too large");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(new String(body, StandardCharsets.UTF_8));
        } catch (Exception e) {
            return error(400, "Invalid JSON request body");
        }
        if (root == null || !root.isObject()) {
            return error(400, "Invalid JSON request body");
        }
        if (!root.path("api_key").isTextual()) {
            return Reply.json(400, "{\"code\":400,\"error\":\"Request missing required field\",\"missing_field\":\"api_key\"}");
        }
        if (!root.path("api_key").asText().equals(apiKey)) {
            // Amplitude names the key it refused; the sandbox names only that it was refused
            return error(400, "Invalid API key: the key is invalid");
        }
        JsonNode events = root.path("events");
        if (!events.isArray()) {
            return Reply.json(400, "{\"code\":400,\"error\":\"Request missing required field\",\"missing_field\":\"events\"}");
        }
        recordSent(events.size());
        if (events.size() > MAX_EVENTS) {
            return error(413, "Payload too large");
        }
        int minIdLength = root.path("options").path("min_id_length").asInt(DEFAULT_MIN_ID_LENGTH);
        Map<String, List<Integer>> invalid = new HashMap<>();
        Map<String, List<Integer>> missing = new HashMap<>();
        List<ObjectNode> cleaned = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            ObjectNode event = events.get(i).deepCopy();
            if (!event.path("event_type").isTextual()) {
                missing.computeIfAbsent("event_type", k -> new ArrayList<>()).add(i);
            }
            if (event.has("time") && !event.get("time").isIntegralNumber()) {
                invalid.computeIfAbsent("time", k -> new ArrayList<>()).add(i);
            }
            for (String idField : List.of("user_id", "device_id")) {
                JsonNode id = event.get(idField);
                if (id == null || id.isNull()) {
                    continue;
                }
                if (!id.isTextual() || INVALID_IDS.contains(id.asText().toLowerCase(Locale.ROOT))) {
                    invalid.computeIfAbsent(idField, k -> new ArrayList<>()).add(i);
                } else if (id.asText().length() < minIdLength) {
                    event.remove(idField);
                }
            }
            if (!event.hasNonNull("user_id") && !event.hasNonNull("device_id")) {
                missing.computeIfAbsent("user_id", k -> new ArrayList<>()).add(i);
            }
            cleaned.add(event);
        }
        if (!invalid.isEmpty() || !missing.isEmpty()) {
            ObjectNode answer = Json.MAPPER.createObjectNode();
            answer.put("code", 400);
            answer.put("error", "Invalid field values on some events");
            answer.set("events_with_invalid_fields", Json.MAPPER.valueToTree(invalid));
            answer.set("events_with_missing_fields", Json.MAPPER.valueToTree(missing));
            return Reply.json(400, answer.toString());
        }
        return ingest(cleaned, body.length);
    }

    private synchronized Reply ingest(List<ObjectNode> events, int bytes) {
        long now = System.currentTimeMillis();
        long limit = (long) epsThreshold * windowMillis / 1000;
        ArrayNode throttledEvents = Json.MAPPER.createArrayNode();
        ObjectNode throttledUsers = Json.MAPPER.createObjectNode();
        ObjectNode throttledDevices = Json.MAPPER.createObjectNode();
        List<Deque<Long>> windows = new ArrayList<>();
        Map<String, Integer> inThisRequest = new HashMap<>();
        for (int i = 0; i < events.size(); i++) {
            ObjectNode event = events.get(i);
            boolean byUser = event.hasNonNull("user_id");
            String id = byUser ? event.get("user_id").asText() : event.get("device_id").asText();
            Deque<Long> recent = recentByUser.computeIfAbsent(id, k -> new ArrayDeque<>());
            while (!recent.isEmpty() && recent.peekFirst() < now - windowMillis) {
                recent.pollFirst();
            }
            int count = recent.size() + inThisRequest.merge(id, 1, Integer::sum) - 1;
            if (count >= limit) {
                throttledEvents.add(i);
                (byUser ? throttledUsers : throttledDevices).put(id, count + 1);
            }
            windows.add(recent);
        }
        // a throttled request is not ingested at all, the events of the IDs under the limit included
        if (throttledEvents.isEmpty()) {
            for (int i = 0; i < events.size(); i++) {
                ObjectNode event = events.get(i);
                windows.get(i).addLast(now);
                String dedupKey = event.path("device_id").asText("") + "|" + event.path("insert_id").asText(String.valueOf(i) + now);
                if (seenInsertIds.add(dedupKey)) {
                    recordAccepted(event);
                }
            }
        }
        if (!throttledEvents.isEmpty()) {
            ObjectNode answer = Json.MAPPER.createObjectNode();
            answer.put("code", 429);
            answer.put("error", "Too many requests for some devices and users");
            answer.put("eps_threshold", epsThreshold);
            answer.set("throttled_devices", throttledDevices);
            answer.set("throttled_users", throttledUsers);
            answer.set("throttled_events", throttledEvents);
            return Reply.json(429, answer.toString());
        }
        return Reply.json(200, "{\"code\":200,\"events_ingested\":" + events.size() + ",\"payload_size_bytes\":" + bytes
                + ",\"server_upload_time\":" + now + "}");
    }

    private static Reply error(int status, String error) {
        return Reply.json(status, "{\"code\":" + status + ",\"error\":\"" + error + "\"}");
    }

    @Override
    protected String faultBody(int status) {
        return status == 429 ? "{\"code\":429,\"error\":\"Too many requests for some devices and users\",\"eps_threshold\":30}"
                : "{\"code\":" + status + ",\"error\":\"Internal Server Error\"}";
    }
}
