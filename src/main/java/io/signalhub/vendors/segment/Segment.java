package io.signalhub.vendors.segment;

import io.signalhub.delivery.DeadLetters;
import io.signalhub.delivery.HttpStatus;
import io.signalhub.delivery.OutboundRequest;
import io.signalhub.delivery.Outcome;
import io.signalhub.delivery.Vendor;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalhub.Json;
import io.signalhub.eventstreams.OneSignalEvent;

import static io.signalhub.Json.putIfPresent;

/**
 * Segment's HTTP Tracking API (https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/): each message event becomes a {@code track}
 * call on the customer's OneSignal source, batched to {@code /v1/batch}.
 */
public final class Segment implements Vendor {

    /** Segment takes 32 KB per event and 500 KB per batch; the hub keeps headroom below the latter. */
    public static final Limits LIMITS = new Limits(500, 450 * 1024, 32 * 1024);
    private static final int MAX_MESSAGE_ID_LENGTH = 99;

    private final String writeKey;
    private final Supplier<Instant> clock;

    public Segment(String writeKey, Supplier<Instant> clock) {
        this.writeKey = writeKey;
        this.clock = clock;
    }

    /** The documented ingestion host of a Segment region (us, eu). */
    public static String host(String region) {
        return switch (region) {
            case "us" -> "https://api.segment.io";
            case "eu" -> "https://events.eu1.segmentapis.com";
            default -> throw new IllegalArgumentException("hub.segment.region must be us or eu, not '" + region + "'");
        };
    }

    @Override
    public String name() {
        return "segment";
    }

    @Override
    public ObjectNode translate(OneSignalEvent event, String eventName) {
        ObjectNode call = Json.MAPPER.createObjectNode();
        call.put("type", "track");
        call.put("event", eventName);
        if (event.externalId() != null) {
            call.put("userId", event.externalId());
        } else if (event.subscriptionId() != null) {
            call.put("anonymousId", event.subscriptionId());
        } else {
            throw new IllegalArgumentException("the event has neither an external_id nor a subscription_id; Segment needs one");
        }
        call.put("messageId", messageId(event.id()));
        call.put("timestamp", Instant.ofEpochMilli(event.timestampMillis()).toString());
        ObjectNode properties = call.putObject("properties");
        putIfPresent(properties, "messageId", event.messageId());
        putIfPresent(properties, "campaign_id", event.messageId());
        putIfPresent(properties, "message_name", event.messageName());
        putIfPresent(properties, "message_title", event.messageTitle());
        putIfPresent(properties, "message_contents", event.messageContents());
        properties.put("message_type", event.messageType());
        putIfPresent(properties, "subscription_type", event.deviceType());
        putIfPresent(properties, "template_id", event.templateId());
        putIfPresent(properties, "subscription_id", event.subscriptionId());
        putIfPresent(properties, "device_type", event.deviceType());
        putIfPresent(properties, "language", event.language());
        putIfPresent(properties, "onesignal_id", event.onesignalId());
        ObjectNode integration = call.putObject("context").putObject("integration");
        integration.put("name", "onesignal");
        integration.put("version", "1.0.0");
        return call;
    }

    /** Segment dedupes on messageId (under 100 characters); the event id is unique per event. */
    public static String messageId(String eventId) {
        return eventId.length() <= MAX_MESSAGE_ID_LENGTH ? eventId
                : UUID.nameUUIDFromBytes(eventId.getBytes(StandardCharsets.UTF_8)).toString();
    }

    @Override
    public String envelope(List<String> items) {
        ObjectNode head = Json.MAPPER.createObjectNode();
        head.put("writeKey", writeKey);
        head.put("sentAt", clock.get().toString());
        String prefix = head.toString();
        return prefix.substring(0, prefix.length() - 1) + ",\"batch\":[" + String.join(",", items) + "]}";
    }

    /**
     * sentAt is the time of this attempt: Segment corrects each event's timestamp by receivedAt − sentAt
     * (https://segment.com/docs/connections/spec/common/#timestamps), so a sentAt from an earlier
     * attempt would shift every event of a retried batch.
     */
    @Override
    public String body(OutboundRequest request) {
        return envelope(request.items());
    }

    @Override
    public Limits limits() {
        return LIMITS;
    }

    @Override
    public Map<String, String> headers() {
        String basic = Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8));
        return Map.of("Authorization", "Basic " + basic);
    }

    @Override
    public Outcome interpret(OutboundRequest request, int status, String responseBody, String retryAfterHeader) {
        if (HttpStatus.isSuccess(status)) {
            return Outcome.delivered(request);
        }
        String error = HttpStatus.describe("Segment", status, responseBody);
        // 410 and Segment's own 460 are transient for Segment's clients as well
        if (HttpStatus.isTransient(status) || status == 410 || status == 460) {
            return Outcome.transientFailure(request, HttpStatus.retryAfterMillis(retryAfterHeader), status == 429, error);
        }
        return new Outcome(0, DeadLetters.rejections(request.events(), "Segment refused the batch", status, responseBody),
                null, 0, false, error);
    }
}
