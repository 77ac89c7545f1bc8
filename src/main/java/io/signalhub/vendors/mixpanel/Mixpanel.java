package io.signalhub.vendors.mixpanel;

import io.signalhub.delivery.DeadLetters;
import io.signalhub.delivery.DetailNames;
import io.signalhub.delivery.HttpStatus;
import io.signalhub.delivery.OutboundRequest;
import io.signalhub.delivery.Outcome;
import io.signalhub.delivery.Rejection;
import io.signalhub.delivery.RequestBuilder;
import io.signalhub.delivery.Vendor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.signalhub.Json;
import io.signalhub.eventstreams.OneSignalEvent;

import static io.signalhub.Json.writeField;
import static io.signalhub.Json.writeIfPresent;

/**
 * Mixpanel's {@code /import} API (https://docs.mixpanel.com/reference/import-events), always with {@code strict=1} so a
 * refused record is named instead of silently lost.
 */
public final class Mixpanel implements Vendor {

    /** ≤ 2,000 events and ≤ 10 MB uncompressed per request; under 1 MB per event. */
    public static final Limits LIMITS = new Limits(2000, 10 * 1024 * 1024, 1024 * 1024 - 1);

    private final String authorization;

    /** Authenticates with a service account when one is given, else with the project token. */
    public Mixpanel(String projectToken, String serviceAccountUser, String serviceAccountSecret) {
        String credentials = serviceAccountUser != null && !serviceAccountUser.isBlank()
                ? serviceAccountUser + ":" + serviceAccountSecret
                : projectToken + ":";
        this.authorization = "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }

    /** The documented ingestion host of a Mixpanel data residency region (us, eu, in). */
    public static String host(String region) {
        return byRegion(region, "https://api.mixpanel.com", "https://api-eu.mixpanel.com", "https://api-in.mixpanel.com");
    }

    /** The documented Query API base (cohort list, Engage query) of a data residency region. */
    public static String queryHost(String region) {
        return byRegion(region, "https://mixpanel.com/api/query", "https://eu.mixpanel.com/api/query", "https://in.mixpanel.com/api/query");
    }

    private static String byRegion(String region, String us, String eu, String in) {
        return switch (region) {
            case "us" -> us;
            case "eu" -> eu;
            case "in" -> in;
            default -> throw new IllegalArgumentException("hub.mixpanel.region must be us, eu or in, not '" + region + "'");
        };
    }

    @Override
    public String name() {
        return "mixpanel";
    }

    @Override
    public void writeItem(OneSignalEvent event, String eventName, DetailNames details, JsonGenerator item) throws IOException {
        String distinctId = event.externalId() != null ? event.externalId() : event.subscriptionId();
        if (distinctId == null) {
            throw new IllegalArgumentException("the event has neither an external_id nor a subscription_id; Mixpanel needs a distinct_id");
        }
        item.writeStartObject();
        writeField(item, "event", eventName);
        item.writeFieldName(Json.name("properties"));
        item.writeStartObject();
        item.writeFieldName(Json.name("time"));
        item.writeNumber(event.timestampMillis());
        writeField(item, "distinct_id", distinctId);
        writeField(item, "$insert_id", insertId(event.id()));
        writeField(item, "$source", "onesignal");
        writeField(item, "source", "onesignal");
        writeIfPresent(item, "message_id", event.messageId());
        writeIfPresent(item, "message_name", event.messageName());
        writeIfPresent(item, "message_title", event.messageTitle());
        writeIfPresent(item, "message_contents", event.messageContents());
        writeField(item, "message_type", event.messageType());
        writeIfPresent(item, "template_id", event.templateId());
        writeIfPresent(item, "subscription_id", event.subscriptionId());
        writeIfPresent(item, "device_type", event.deviceType());
        writeIfPresent(item, "language", event.language());
        details.write(event, item);
        item.writeEndObject();
        item.writeEndObject();
    }

    /** Mixpanel's $insert_id takes at most 36 letters, digits and '-': a UUID event id as it is, else a UUID of it. */
    public static String insertId(String eventId) {
        return isInsertId(eventId) ? eventId : UUID.nameUUIDFromBytes(eventId.getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static boolean isInsertId(String id) {
        if (id.isEmpty() || id.length() > 36) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    @Override
    public byte[] envelope(List<byte[]> items) {
        return RequestBuilder.join("[", items, "]");
    }

    @Override
    public Limits limits() {
        return LIMITS;
    }

    @Override
    public Map<String, String> headers() {
        return Map.of("Authorization", authorization);
    }

    @Override
    public Outcome interpret(OutboundRequest request, int status, String responseBody, String retryAfterHeader) {
        if (HttpStatus.isSuccess(status)) {
            return Outcome.delivered(request);
        }
        String error = HttpStatus.describe("Mixpanel", status, responseBody);
        JsonNode answer = Json.readObject(responseBody);
        if (status == 400 && answer.path("failed_records").isArray() && !answer.path("failed_records").isEmpty()) {
            // partial success: Mixpanel imported every record it did not list
            Set<Integer> failed = new HashSet<>();
            answer.path("failed_records").forEach(r -> failed.add(r.path("index").asInt(-1)));
            failed.removeIf(i -> i < 0 || i >= request.events().size());
            List<OneSignalEvent> refused = failed.stream().sorted().map(request.events()::get).toList();
            List<Rejection> rejections = refused.stream()
                    .map(e -> DeadLetters.rejection(e, "Mixpanel refused the record: " + failureOf(answer, request.events().indexOf(e)), status, responseBody))
                    .toList();
            return new Outcome(request.events().size() - refused.size(), rejections, null, 0, false, error);
        }
        if (status == 413) {
            return Outcome.tooLarge(this, request, responseBody, error);
        }
        if (HttpStatus.isTransient(status)) {
            // Mixpanel sends no Retry-After; for 429 its docs ask for backoff from 2 s
            // (https://docs.mixpanel.com/reference/rate-limits)
            long wait = HttpStatus.retryAfterMillis(retryAfterHeader);
            return Outcome.transientFailure(request, status == 429 ? Math.max(2000, wait) : wait, status == 429, error);
        }
        return new Outcome(0, DeadLetters.rejections(request.events(), "Mixpanel refused the request", status, responseBody),
                null, 0, false, error);
    }

    private static String failureOf(JsonNode answer, int index) {
        for (JsonNode record : answer.path("failed_records")) {
            if (record.path("index").asInt(-1) == index) {
                return record.path("field").asText("") + " " + record.path("message").asText("");
            }
        }
        return "";
    }
}
