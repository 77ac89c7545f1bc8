package io.signalhub.vendors.segment;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One Segment message read from the Segment topic.
 *
 * @param app     the OneSignal app it is for (the name from {@code hub.onesignal.apps}, or "default")
 * @param message the Segment message (identify, track, …)
 * @param record  the Kafka record as it was read, for dead letters
 */
public record SegmentMessage(String app, ObjectNode message, String record) {

    /** The message type, for the content-based router. */
    public String getType() {
        return message.path("type").asText("");
    }

    public String userId() {
        String userId = message.path("userId").asText("").trim();
        return userId.isEmpty() ? null : userId;
    }
}
