package io.signalhub.vendors.amplitude;

import io.signalhub.delivery.DeadLetters;
import io.signalhub.delivery.DetailNames;
import io.signalhub.delivery.HttpStatus;
import io.signalhub.delivery.OutboundRequest;
import io.signalhub.delivery.Outcome;
import io.signalhub.delivery.RequestBuilder;
import io.signalhub.delivery.Vendor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalhub.Json;
import io.signalhub.eventstreams.OneSignalEvent;

import static io.signalhub.Json.writeField;
import static io.signalhub.Json.writeIfPresent;

/** Amplitude's HTTP V2 API (https://amplitude.com/docs/apis/analytics/http-v2): {@code POST /2/httpapi}, the key in the body. */
public final class Amplitude implements Vendor {

    /** ≤ 2,000 events and under 1 MB per request; strings are cut by Amplitude at 1,024 characters. */
    public static final Limits LIMITS = new Limits(2000, 1_000_000 - 1, 1_000_000 - 1);

    private final long throttleWaitMillis;
    /** The body up to the events: the key and options never change. */
    private final String envelopeHead;

    /**
     * @param minIdLength        sent as {@code options.min_id_length}: OneSignal External IDs may be shorter
     *                           than Amplitude's default of 5, which would silently drop them
     * @param throttleWaitMillis how long throttled users and devices rest before their events go again
     */
    public Amplitude(String apiKey, int minIdLength, long throttleWaitMillis) {
        this.throttleWaitMillis = throttleWaitMillis;
        ObjectNode head = Json.MAPPER.createObjectNode();
        head.put("api_key", apiKey);
        head.putObject("options").put("min_id_length", minIdLength);
        String prefix = head.toString();
        this.envelopeHead = prefix.substring(0, prefix.length() - 1) + ",\"events\":[";
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
    public void writeItem(OneSignalEvent event, String eventName, DetailNames details, JsonGenerator item) throws IOException {
        if (event.externalId() == null && event.subscriptionId() == null) {
            throw new IllegalArgumentException("the event has neither an external_id nor a subscription_id; Amplitude needs one");
        }
        item.writeStartObject();
        writeIfPresent(item, "user_id", event.externalId());
        writeIfPresent(item, "device_id", event.subscriptionId());
        writeField(item, "event_type", eventName);
        item.writeFieldName(Json.name("time"));
        item.writeNumber(event.timestampMillis());
        writeField(item, "insert_id", event.id());
        item.writeFieldName(Json.name("event_properties"));
        item.writeStartObject();
        writeIfPresent(item, "Message ID", event.messageId());
        writeIfPresent(item, "Message Name", event.messageName());
        writeIfPresent(item, "Message Title", event.messageTitle());
        writeIfPresent(item, "Message Contents", event.messageContents());
        writeField(item, "message_type", event.messageType());
        writeIfPresent(item, "template_id", event.templateId());
        writeIfPresent(item, "subscription_id", event.subscriptionId());
        writeIfPresent(item, "device_type", event.deviceType());
        writeIfPresent(item, "language", event.language());
        writeField(item, "source", "onesignal");
        details.write(event, item);
        item.writeEndObject();
        item.writeEndObject();
    }

    @Override
    public byte[] envelope(List<byte[]> items) {
        return RequestBuilder.join(envelopeHead, items, "]}");
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
        if (status == 413) {
            return Outcome.tooLarge(this, request, responseBody, error);
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
