package io.signalhub.datain;

import io.signalhub.vendors.onesignal.IosDevice;
import io.signalhub.vendors.onesignal.UserChange;
import io.signalhub.vendors.segment.SegmentMessage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalhub.Json;

/**
 * Segment messages to OneSignal changes, as OneSignal's own Segment integration does them
 * (https://documentation.onesignal.com/docs/segment-onesignal-integration): identify traits and track properties become data tags, Engage
 * audiences become an audience tag plus a segment, computed traits become tags, and (when enabled) a
 * track also becomes a custom event. Pure: the routes call one method per message type.
 */
public final class SegmentTranslator {

    /** Drop reasons, also the names of the counters. */
    public static final String NO_USER_ID = "no_user_id";
    public static final String IGNORED_TYPE = "ignored_type";

    private static final Set<String> NOT_TAGS = Set.of("email", "phone");
    private static final Map<String, String> RENAMED = Map.of("firstName", "first_name", "lastName", "last_name");

    private final boolean trackTagPrefix;
    private final boolean customEvents;
    private final boolean registerDevices;

    /**
     * @param trackTagPrefix  keep a track's event name in its tags, as {@code <event>_<key>}
     * @param customEvents    also turn each track into a OneSignal custom event
     * @param registerDevices an identify or track from an iOS device with a push token creates or updates
     *                        the user's iOSPush subscription (the legacy guide's device records; users are
     *                        created only in this mode)
     */
    public SegmentTranslator(boolean trackTagPrefix, boolean customEvents, boolean registerDevices) {
        this.trackTagPrefix = trackTagPrefix;
        this.customEvents = customEvents;
        this.registerDevices = registerDevices;
    }

    public Translation identify(SegmentMessage message) {
        String userId = message.userId();
        if (userId == null) {
            return Translation.dropped(message.app(), NO_USER_ID);
        }
        JsonNode traits = message.message().has("traits") ? message.message().path("traits")
                : message.message().path("context").path("traits");
        SegmentMessage.Audience membership = message.identifiedAudience();
        String audience = membership == null ? null : membership.key();
        Tags tags = new Tags();
        if (membership != null) {
            tags.membership(audience, membership.member());
        }
        traits.fields().forEachRemaining(trait -> {
            if (!trait.getKey().equals(audience)) {
                tags.put(trait.getKey(), trait.getValue());
            }
        });
        return Translation.of(new UserChange(message.app(), userId, tags.values, tags.nested, null, audience, message.record(),
                device(message.message())));
    }

    public Translation track(SegmentMessage message) {
        String userId = message.userId();
        if (userId == null) {
            return Translation.dropped(message.app(), NO_USER_ID);
        }
        ObjectNode segment = message.message();
        String event = segment.path("event").asText("");
        JsonNode properties = segment.path("properties");
        JsonNode personas = segment.path("context").path("personas");
        String computationKey = personas.path("computation_key").asText(null);
        String computationClass = personas.path("computation_class").asText("");
        Tags tags = new Tags();

        SegmentMessage.Audience audience = message.trackedAudience();
        if (audience != null) {
            tags.membership(audience.key(), audience.member());
            return Translation.of(new UserChange(message.app(), userId, tags.values, tags.nested, null, audience.key(), message.record()));
        }
        if (computationClass.equals("trait") || event.equals("Trait Computed")) {
            String trait = computationKey != null ? computationKey : properties.path("trait_key").asText(null);
            if (trait != null) {
                tags.put(trait, properties.path(trait));
                return Translation.of(new UserChange(message.app(), userId, tags.values, tags.nested, null, null, message.record()));
            }
        }
        String prefix = trackTagPrefix && !event.isEmpty() ? event.replaceAll("[^A-Za-z0-9]+", "_") + "_" : "";
        properties.fields().forEachRemaining(property -> tags.put(prefix + property.getKey(), property.getValue()));
        ObjectNode custom = customEvents && !event.isEmpty() ? customEvent(segment, userId, event, message.record()) : null;
        return Translation.of(new UserChange(message.app(), userId, tags.values, tags.nested, custom, null, message.record(),
                device(segment)));
    }

    /** The iOS device to register, when that is on and the message carries one. */
    private IosDevice device(JsonNode segment) {
        return registerDevices ? IosDevice.of(segment.path("context")) : null;
    }

    /** page, screen, group, alias (and Segment's delete): accepted, nothing to do in OneSignal. */
    public Translation ignore(SegmentMessage message) {
        return Translation.dropped(message.app(), IGNORED_TYPE);
    }

    private static ObjectNode customEvent(ObjectNode segment, String userId, String event, String record) {
        ObjectNode custom = Json.MAPPER.createObjectNode();
        custom.put("name", event);
        custom.put("external_id", userId);
        String timestamp = segment.path("timestamp").asText(segment.path("receivedAt").asText(""));
        custom.put("timestamp", timestamp.isEmpty() ? Instant.now().toString() : timestamp);
        // OneSignal wants a UUID; one derived from the messageId makes redeliveries of the message duplicates
        String messageId = segment.path("messageId").asText("");
        byte[] seed = (messageId.isEmpty() ? record : "segment:" + messageId).getBytes(StandardCharsets.UTF_8);
        custom.put("idempotency_key", UUID.nameUUIDFromBytes(seed).toString());
        // contact details stay out of custom events as they stay out of tags (the integration never stores them)
        ObjectNode properties = custom.putObject("properties");
        segment.path("properties").fields().forEachRemaining(property -> {
            if (!NOT_TAGS.contains(property.getKey().toLowerCase(java.util.Locale.ROOT))) {
                properties.set(property.getKey(), property.getValue());
            }
        });
        return custom;
    }

    /** Tag values as OneSignal takes them: strings only, "" or null deletes, no objects or arrays. */
    private static final class Tags {
        final Map<String, String> values = new LinkedHashMap<>();
        final List<String> nested = new ArrayList<>();

        void membership(String audience, boolean member) {
            values.put(audience, member ? "true" : null);
        }

        void put(String key, JsonNode value) {
            String tag = RENAMED.getOrDefault(key, key);
            if (NOT_TAGS.contains(tag.toLowerCase(java.util.Locale.ROOT))) {
                return;
            }
            if (value.isContainerNode()) {
                nested.add(key);
            } else if (value.isNull() || value.isMissingNode() || value.asText().isBlank()) {
                values.put(tag, null);
            } else {
                values.put(tag, value.asText());
            }
        }
    }
}
