package io.signalhub.vendors.amplitude;

import io.signalhub.delivery.DeadLetters;
import io.signalhub.delivery.HttpStatus;
import io.signalhub.delivery.OutboundRequest;
import io.signalhub.delivery.Outcome;
import io.signalhub.delivery.Vendor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalhub.Json;
import io.signalhub.eventstreams.OneSignalEvent;

import static io.signalhub.Json.putIfPresent;

/** Amplitude's HTTP V2 API (https://amplitude.com/docs/apis/analytics/http-v2): {@code POST /2/httpapi}, the key in the body. */
public final class Amplitude implements Vendor {

    /** ≤ 2,000 events and under 1 MB per request; strings are cut by Amplitude at 1,024 characters. */
    public static final Limits LIMITS = new Limits(2000, 1_000_000 - 1, 1_000_000 - 1);

    private final String apiKey;
    private final int minIdLength;
    private final long throttleWaitMillis;

    /**
     * @param minIdLength        sent as {@code options.min_id_length}: OneSignal External IDs may be shorter
     *                           than Amplitude's default of 5, which would silently drop them
     * @param throttleWaitMillis how long throttled users and devices rest before their events go again
     */
    public Amplitude(String apiKey, int minIdLength, long throttleWaitMillis) {
        this.apiKey = apiKey;
        this.minIdLength = minIdLength;
        this.throttleWaitMillis = throttleWaitMillis;
    }

    /** The documented HTTP V2 host of an Amplitude region (us, eu). */
    public static String host(String region) {
        return switch (region) {
            case "us" -> "https://api2.amplitude.com";
            case "eu" -> "https://api.eu.amplitude.com";
            default -> throw new IllegalArgumentException("hub.amplitude.region must be us or eu, not '" + region + "'");
        };
    }

    /** The documented Behavioral Cohorts API host of a region. */
    public static String cohortHost(String region) {
        return switch (region) {
            case "us" -> "https://amplitude.com";
            case "eu" -> "https://analytics.eu.amplitude.com";
            default -> throw new IllegalArgumentException("hub.amplitude.region must be us or eu, not '" + region + "'");
        };
    }

    @Override
    public String name() {
        return "amplitude";
    }

    @Override
    public ObjectNode translate(OneSignalEvent event, String eventName) {
        if (event.externalId() == null && event.subscriptionId() == null) {
            throw new IllegalArgumentException("the event has neither an external_id nor a subscription_id; Amplitude needs one");
        }
        ObjectNode item = Json.MAPPER.createObjectNode();
        putIfPresent(item, "user_id", event.externalId());
        putIfPresent(item, "device_id", event.subscriptionId());
        item.put("event_type", eventName);
        item.put("time", event.timestampMillis());
        item.put("insert_id", event.id());
        ObjectNode properties = item.putObject("event_properties");
        putIfPresent(properties, "Message ID", event.messageId());
        putIfPresent(properties, "Message Name", event.messageName());
        putIfPresent(properties, "Message Title", event.messageTitle());
        putIfPresent(properties, "Message Contents", event.messageContents());
        properties.put("message_type", event.messageType());
        putIfPresent(properties, "template_id", event.templateId());
        putIfPresent(properties, "subscription_id", event.subscriptionId());
        putIfPresent(properties, "device_type", event.deviceType());
        putIfPresent(properties, "language", event.language());
        properties.put("source", "onesignal");
        return item;
    }

    @Override
    public String envelope(List<String> items) {
        ObjectNode head = Json.MAPPER.createObjectNode();
        head.put("api_key", apiKey);
        head.putObject("options").put("min_id_length", minIdLength);
        String prefix = head.toString();
        return prefix.substring(0, prefix.length() - 1) + ",\"events\":[" + String.join(",", items) + "]}";
    }

    @Override
    public Limits limits() {
        return LIMITS;
    }

    @Override
    public Map<String, String> headers() {
        return Map.of();
    }

    @Override
    public Outcome interpret(OutboundRequest request, int status, String responseBody, String retryAfterHeader) {
        if (HttpStatus.isSuccess(status)) {
            return Outcome.delivered(request);
        }
        String error = HttpStatus.describe("Amplitude", status, responseBody);
        JsonNode answer = Json.readObject(responseBody);
        if (status == 429) {
            // a 429 stores none of the request's events, those of the IDs it did not throttle included;
            // the insert_id makes sending them all again safe
            // (https://amplitude.com/docs/apis/analytics/http-api-batching-retries)
            return Outcome.transientFailure(request, Math.max(throttleWaitMillis, HttpStatus.retryAfterMillis(retryAfterHeader)),
                    true, error);
        }
        if (status == 400) {
            Set<Integer> invalid = new TreeSet<>();
            invalid.addAll(positionsOfFields(answer.path("events_with_invalid_fields")));
            invalid.addAll(positionsOfFields(answer.path("events_with_missing_fields")));
            invalid.addAll(positions(answer.path("silenced_events")));
            invalid.removeIf(i -> i < 0 || i >= request.events().size());
            if (!invalid.isEmpty()) {
                // a 400 stores nothing: the valid rest goes again at once, the invalid events are dead letters
                List<OneSignalEvent> refused = invalid.stream().map(request.events()::get).toList();
                List<Integer> rest = new ArrayList<>();
                for (int i = 0; i < request.events().size(); i++) {
                    if (!invalid.contains(i)) {
                        rest.add(i);
                    }
                }
                return new Outcome(0, DeadLetters.rejections(refused, "Amplitude refused the event", status, responseBody),
                        rest.isEmpty() ? null : subset(request, rest), 0, false, error);
            }
        }
        if (HttpStatus.isTransient(status)) {
            return Outcome.transientFailure(request, HttpStatus.retryAfterMillis(retryAfterHeader), false, error);
        }
        return new Outcome(0, DeadLetters.rejections(request.events(), "Amplitude refused the request", status, responseBody),
                null, 0, false, error);
    }

    private static Set<Integer> positions(JsonNode array) {
        Set<Integer> positions = new TreeSet<>();
        array.forEach(n -> positions.add(n.asInt()));
        return positions;
    }

    /** Amplitude reports invalid and missing fields as field → positions of the events concerned. */
    private static Set<Integer> positionsOfFields(JsonNode byField) {
        Set<Integer> positions = new TreeSet<>();
        for (Iterator<JsonNode> it = byField.elements(); it.hasNext(); ) {
            positions.addAll(positions(it.next()));
        }
        return positions;
    }
}
