package io.signalhub.vendors.segment;

import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One Segment message read from the Segment topic.
 *
 * @param app     the OneSignal app it is for (the name from {@code hub.onesignal.apps}, or "default")
 * @param message the Segment message (identify, track, …)
 * @param record  the Kafka record as it was read, for dead letters
 */
public record SegmentMessage(String app, ObjectNode message, String record) {

    /** An Engage audience's membership a message reports: the audience key, and whether the user is in it. */
    public record Audience(String key, boolean member) {
    }

    private static final Set<String> AUDIENCE_CLASSES = Set.of("audience", "journey_step");

    /** The message type, for the content-based router. */
    public String getType() {
        return message.path("type").asText("");
    }

    /**
     * The Engage audience membership this message reports, or null (actions-core's rule: an identify or track
     * whose {@code context.personas} names an audience computation, or an {@code Audience Entered/Exited} track;
     * https://segment.com/docs/engage/using-engage-data/#engage-destination-event-and-trait-formats).
     */
    public Audience audience() {
        return switch (getType()) {
            case "identify" -> identifiedAudience();
            case "track" -> trackedAudience();
            default -> null;
        };
    }

    /** The audience membership of an identify: the audience's trait. */
    public Audience identifiedAudience() {
        String key = computedAudience();
        JsonNode traits = message.has("traits") ? message.path("traits") : message.path("context").path("traits");
        return key == null ? null : new Audience(key, isMember(traits.path(key)));
    }

    /** The audience membership of a track: the audience's property, else the event's name. */
    public Audience trackedAudience() {
        String key = computedAudience();
        String event = message.path("event").asText("");
        JsonNode properties = message.path("properties");
        if (key == null && (event.equals("Audience Entered") || event.equals("Audience Exited"))) {
            key = properties.path("audience_key").asText(null);
        }
        if (key == null) {
            return null;
        }
        JsonNode membership = properties.path(key);
        return new Audience(key, membership.isMissingNode() ? event.equals("Audience Entered") : isMember(membership));
    }

    private String computedAudience() {
        JsonNode personas = message.path("context").path("personas");
        String computed = personas.path("computation_key").asText("");
        return AUDIENCE_CLASSES.contains(personas.path("computation_class").asText("")) && !computed.isBlank() ? computed : null;
    }

    private static boolean isMember(JsonNode value) {
        return value.isBoolean() ? value.booleanValue() : value.asText("").equalsIgnoreCase("true");
    }

    public String userId() {
        String userId = message.path("userId").asText("").trim();
        return userId.isEmpty() ? null : userId;
    }
}
