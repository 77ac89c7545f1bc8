package io.signalhub.eventstreams;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.core.JsonGenerator;
import io.signalhub.Json;

import static io.signalhub.Json.writeField;
import static io.signalhub.Json.writeIfPresent;

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
    public static final SortedSet<String> MESSAGE_URLS =
            Collections.unmodifiableSortedSet(new TreeSet<>(List.of("message.url", "message.app_url", "message.web_url")));
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

    /**
     * The canonical nested form written to Kafka, straight to text (the ingress writes one per event it
     * takes); {@link OneSignalEventParser} reads it back.
     */
    public String canonicalJson() {
        StringWriter text = new StringWriter(256);
        try (JsonGenerator out = Json.MAPPER.getFactory().createGenerator(text)) {
            out.writeStartObject();
            out.writeFieldName(Json.name("event"));
            out.writeStartObject();
            writeField(out, "kind", kind);
            writeField(out, "id", id);
            out.writeFieldName(Json.name("timestamp_ms"));
            out.writeNumber(timestampMillis);
            writeIfPresent(out, "app_id", appId);
            writeIfPresent(out, "subscription_device_type", deviceType);
            writeIfPresent(out, "subscription_id", subscriptionId);
            writeIfPresent(out, "onesignal_id", onesignalId);
            writeIfPresent(out, "external_id", externalId);
            boolean data = false;
            for (Map.Entry<String, String> detail : sorted(details).entrySet()) {
                if (detail.getKey().startsWith(DATA_PREFIX)) {
                    if (!data) {
                        out.writeFieldName(Json.name("data"));
                        out.writeStartObject();
                        data = true;
                    }
                    out.writeStringField(detail.getKey().substring(DATA_PREFIX.length()), detail.getValue());
                }
            }
            if (data) {
                out.writeEndObject();
            }
            out.writeEndObject();
            out.writeFieldName(Json.name("message"));
            out.writeStartObject();
            writeIfPresent(out, "id", messageId);
            writeIfPresent(out, "name", messageName);
            writeIfPresent(out, "title", messageTitle);
            writeIfPresent(out, "contents", messageContents);
            writeIfPresent(out, "template_id", templateId);
            for (String url : MESSAGE_URLS) {
                writeIfPresent(out, url.substring("message.".length()), details.get(url));
            }
            out.writeEndObject();
            if (language != null) {
                out.writeFieldName(Json.name("user"));
                out.writeStartObject();
                writeField(out, "language", language);
                out.writeEndObject();
            }
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to a string cannot fail", e);
        }
        return text.toString();
    }
}
