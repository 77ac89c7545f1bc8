package io.signalhub.eventstreams;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

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
 * @param details          what else the event says that destinations carry as properties, by dotted key:
 *                         {@code event.data.*} (IAM page and target, failure reasons) and the message URLs
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
        Map<String, String> details,
        String messageId,
        String messageName,
        String messageTitle,
        String messageContents,
        String templateId,
        String language) {

    /** The message fields carried as details beside {@code event.data.*}. */
    public static final Set<String> MESSAGE_URLS = Set.of("message.url", "message.app_url", "message.web_url");
    public static final String DATA_PREFIX = "event.data.";

    public OneSignalEvent {
        details = details == null ? Map.of() : Map.copyOf(details);
    }

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

    private static Map<String, String> sorted(Map<String, String> details) {
        return details.isEmpty() ? details : new TreeMap<>(details);
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
        ObjectNode data = null;
        for (Map.Entry<String, String> detail : sorted(details).entrySet()) {
            if (detail.getKey().startsWith(DATA_PREFIX)) {
                data = data == null ? event.putObject("data") : data;
                data.put(detail.getKey().substring(DATA_PREFIX.length()), detail.getValue());
            }
        }
        ObjectNode message = root.putObject("message");
        putIfPresent(message, "id", messageId);
        putIfPresent(message, "name", messageName);
        putIfPresent(message, "title", messageTitle);
        putIfPresent(message, "contents", messageContents);
        putIfPresent(message, "template_id", templateId);
        for (String url : new TreeSet<>(MESSAGE_URLS)) {
            putIfPresent(message, url.substring("message.".length()), details.get(url));
        }
        if (language != null) {
            root.putObject("user").put("language", language);
        }
        return root;
    }
}
