package io.signalhub.vendors.segment;

import io.signalhub.delivery.DeadLetters;
import io.signalhub.delivery.DetailNames;
import io.signalhub.delivery.HttpStatus;
import io.signalhub.delivery.OutboundRequest;
import io.signalhub.delivery.Outcome;
import io.signalhub.delivery.RequestBuilder;
import io.signalhub.delivery.Vendor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalhub.Json;
import io.signalhub.eventstreams.OneSignalEvent;

import static io.signalhub.Json.writeField;
import static io.signalhub.Json.writeIfPresent;

/**
 * Segment's HTTP Tracking API (https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/): each message event becomes a {@code track}
 * call on the customer's OneSignal source, batched to {@code /v1/batch}.
 */
public final class Segment implements Vendor {

    /**
     * Segment takes 32 KB per event, 500 KB and 2,500 events per batch (it drops the events past 2,500 and still
     * answers 200); the hub keeps headroom below the 500 KB, which OneSignal's items reach first.
     */
    public static final Limits LIMITS = new Limits(2500, 450 * 1024, 32 * 1024);
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
    public void writeItem(OneSignalEvent event, String eventName, DetailNames details, JsonGenerator call) throws IOException {
        if (event.externalId() == null && event.subscriptionId() == null) {
            throw new IllegalArgumentException("the event has neither an external_id nor a subscription_id; Segment needs one");
        }
        call.writeStartObject();
        writeField(call, "type", "track");
        writeField(call, "event", eventName);
        if (event.externalId() != null) {
            writeField(call, "userId", event.externalId());
        } else {
            writeField(call, "anonymousId", event.subscriptionId());
        }
        writeField(call, "messageId", messageId(event.id()));
        writeField(call, "timestamp", Instant.ofEpochMilli(event.timestampMillis()).toString());
        call.writeFieldName(Json.name("properties"));
        call.writeStartObject();
        writeIfPresent(call, "messageId", event.messageId());
        writeIfPresent(call, "campaign_id", event.messageId());
        writeIfPresent(call, "message_name", event.messageName());
        writeIfPresent(call, "message_title", event.messageTitle());
        writeIfPresent(call, "message_contents", event.messageContents());
        writeField(call, "message_type", event.messageType());
        writeIfPresent(call, "subscription_type", event.deviceType());
        writeIfPresent(call, "template_id", event.templateId());
        writeIfPresent(call, "subscription_id", event.subscriptionId());
        writeIfPresent(call, "device_type", event.deviceType());
        writeIfPresent(call, "language", event.language());
        writeIfPresent(call, "onesignal_id", event.onesignalId());
        details.write(event, call);
        call.writeEndObject();
        call.writeFieldName(Json.name("context"));
        call.writeStartObject();
        call.writeFieldName(Json.name("integration"));
        call.writeStartObject();
        writeField(call, "name", "onesignal");
        writeField(call, "version", "1.0.0");
        call.writeEndObject();
        call.writeEndObject();
        call.writeEndObject();
    }

    /** Segment dedupes on messageId (under 100 characters); the event id is unique per event. */
    public static String messageId(String eventId) {
        return eventId.length() <= MAX_MESSAGE_ID_LENGTH ? eventId
                : UUID.nameUUIDFromBytes(eventId.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /**
     * sentAt is the time of this attempt (the envelope is built for each one): Segment corrects each
     * event's timestamp by receivedAt − sentAt (https://segment.com/docs/connections/spec/common/#timestamps),
     * so a sentAt from an earlier attempt would shift every event of a retried batch.
     */
    @Override
    public byte[] envelope(List<byte[]> items) {
        ObjectNode head = Json.MAPPER.createObjectNode();
        head.put("writeKey", writeKey);
        head.put("sentAt", clock.get().toString());
        String prefix = head.toString();
        return RequestBuilder.join(prefix.substring(0, prefix.length() - 1) + ",\"batch\":[", items, "]}");
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
