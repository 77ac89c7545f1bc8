package io.signalhub.eventstreams;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import static io.signalhub.Json.putIfPresent;

/**
 * One OneSignal message event, as the hub keeps it on Kafka. Optional fields are null when the
 * customer's Event Streams body template did not render them.
 *
 * @param kind             the current spelling of {@code event.kind}
 * @param id               {@code event.id}, unique per event: the dedup key of every destination
 * @param timestampMillis  when the event happened
 */
public record OneSignalEvent(
        String kind,
        String id,
        long timestampMillis,
        String appId,
        String deviceType,
        String subscriptionId,
        String onesignalId,
        String externalId,
        String failureReason,
        String messageId,
        String messageName,
        String messageTitle,
        String messageContents,
        String templateId,
        String language) {

    /** The Kafka record key: one user's events share a partition and stay in order. */
    public String userKey() {
        if (externalId != null) {
            return externalId;
        }
        return subscriptionId != null ? subscriptionId : id;
    }

    public String messageType() {
        return EventKinds.messageType(kind);
    }

    /** The canonical nested form written to Kafka; {@link OneSignalEventParser} reads it back. */
    public ObjectNode toJson(ObjectMapper mapper) {
        ObjectNode root = mapper.createObjectNode();
        ObjectNode event = root.putObject("event");
        event.put("kind", kind);
        event.put("id", id);
        event.put("timestamp_ms", timestampMillis);
        putIfPresent(event, "app_id", appId);
        putIfPresent(event, "subscription_device_type", deviceType);
        putIfPresent(event, "subscription_id", subscriptionId);
        putIfPresent(event, "onesignal_id", onesignalId);
        putIfPresent(event, "external_id", externalId);
        if (failureReason != null) {
            event.putObject("data").put("failure_reason", failureReason);
        }
        ObjectNode message = root.putObject("message");
        putIfPresent(message, "id", messageId);
        putIfPresent(message, "name", messageName);
        putIfPresent(message, "title", messageTitle);
        putIfPresent(message, "contents", messageContents);
        putIfPresent(message, "template_id", templateId);
        if (language != null) {
            root.putObject("user").put("language", language);
        }
        return root;
    }
}
