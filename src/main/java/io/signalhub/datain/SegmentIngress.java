package io.signalhub.datain;

import io.signalhub.vendors.onesignal.OneSignalApps;
import io.signalhub.vendors.segment.SegmentMessages;
import io.signalhub.vendors.segment.WebhookSignature;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalhub.Json;
import io.signalhub.ingress.BasicCredentials;
import io.signalhub.ingress.BearerToken;
import io.signalhub.ingress.InvalidInputException;
import io.signalhub.monitoring.IngressStats;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultMessage;

/**
 * Segment's two ways into the hub, both ending as one Kafka record per message on the Segment topic,
 * keyed by the user and carrying the OneSignal app it is for:
 * {@code POST /segment/webhook[/<app>]} (Segment's Webhooks destination, signed with X-Signature) and
 * {@code POST /v1/<call>} (Segment's Tracking API, for Segment's own SDKs, authenticated by write key).
 */
public final class SegmentIngress {

    /** Kafka header: the name of the OneSignal app the message is for (absent = the default app). */
    public static final String APP_HEADER = "signalhub-onesignal-app";
    private static final String ANSWER = "signalhubSegmentAnswer";
    private static final String UNKNOWN_WRITE_KEY = "the write key is not one of hub.ingress.segment.write-keys";
    private static final String TRACKING_CLOSED = "the Tracking API is closed until hub.ingress.segment.write-keys is configured";

    private final OneSignalApps apps;
    private final WebhookDoor defaultDoor;
    private final Map<String, WebhookDoor> appDoors;
    private final int maxWebhookBytes;
    private final IngressStats webhookStats;
    private final IngressStats trackingStats;
    private final Supplier<Instant> clock;

    /**
     * What opens a webhook door: the shared secret's signature where one is set, else the bearer token.
     *
     * @param signature     the shared-secret check, or null: then webhooks need the token
     * @param secretSetting the setting holding the shared secret, for the error message
     * @param token         the token of unsigned webhooks and of the unsigned messages of a signed batch
     */
    public record WebhookDoor(WebhookSignature signature, String secretSetting, BearerToken token) {
    }

    /**
     * @param defaultDoor {@code /segment/webhook}, and the apps without a door of their own
     * @param appDoors    {@code /segment/webhook/<app>} of the apps given credentials of their own
     */
    public SegmentIngress(OneSignalApps apps, WebhookDoor defaultDoor, Map<String, WebhookDoor> appDoors, int maxWebhookBytes,
                          IngressStats webhookStats, IngressStats trackingStats, Supplier<Instant> clock) {
        this.apps = apps;
        this.defaultDoor = defaultDoor;
        this.appDoors = Map.copyOf(appDoors);
        this.maxWebhookBytes = maxWebhookBytes;
        this.webhookStats = webhookStats;
        this.trackingStats = trackingStats;
        this.clock = clock;
    }

    /** {@code POST /segment/webhook[/<app>]}: checks the signature (or token), then the messages. */
    public void webhook(Exchange exchange) {
        Message message = exchange.getMessage();
        byte[] body = bodyOf(message);
        if (body.length > maxWebhookBytes) {
            throw new InvalidInputException(413, "too_large", List.of("the body is " + body.length + " bytes; at most "
                    + maxWebhookBytes + " are accepted per request (hub.ingress.segment.max-webhook-bytes)"));
        }
        String app = pathAfter(message, "/segment/webhook");
        // an app given credentials of its own opens with them only; an unknown app is named only to those who may ask
        WebhookDoor door = appDoors.getOrDefault(app, defaultDoor);
        WebhookSignature signature = door.signature();
        if (signature != null) {
            if (!signature.verify(body, message.getHeader("X-Signature", String.class))) {
                throw new InvalidInputException(401, "unauthorized",
                        List.of("X-Signature is missing or is not the HMAC-SHA1 of the body with " + door.secretSetting()));
            }
        } else {
            door.token().check(exchange);
        }
        if (!app.isEmpty() && !apps.has(app)) {
            throw new InvalidInputException(404, "not_found", List.of("no OneSignal app named '" + Json.abbreviate(app, 40)
                    + "' is configured (hub.onesignal.apps)"));
        }
        List<ObjectNode> messages = SegmentMessages.webhook(body, clock.get());
        if (signature != null && messages.size() > 1) {
            // Segment Actions signs a batch's first message only: the others need the door's token as well
            try {
                door.token().check(exchange);
            } catch (InvalidInputException unsigned) {
                throw new InvalidInputException(401, "unauthorized", List.of("X-Signature covers the first message of a batch"
                        + " only: for batches, add 'Authorization: Bearer <" + door.token().setting() + ">' to the destination's headers"));
            }
        }
        toRecords(exchange, messages, app.isEmpty() ? OneSignalApps.DEFAULT : app, webhookStats, false);
    }

    /**
     * Why a webhook's headers cannot open its door, before its body is read: a signed door needs
     * {@code X-Signature} (checked against the body later), any other its token. Null when they may.
     */
    public String webhookCredentialProblem(String path, Function<String, String> header) {
        WebhookDoor door = appDoors.getOrDefault(pathAfter(path, "/segment/webhook"), defaultDoor);
        if (door.signature() != null) {
            String signature = header.apply("X-Signature");
            return signature == null || signature.isBlank() ? "X-Signature is missing (HMAC-SHA1 of the body with "
                    + door.secretSetting() + ")" : null;
        }
        return door.token().problemWith(header.apply("Authorization"));
    }

    /** Why Tracking API headers cannot open it: Basic credentials of no write key (one in the body is read later). */
    public String trackingCredentialProblem(String path, Function<String, String> header) {
        BasicCredentials basic = BasicCredentials.of(header.apply("Authorization"));
        if (basic == null || basic.user().isBlank()) {
            return apps.hasWriteKeys() ? null : TRACKING_CLOSED;
        }
        return apps.appForWriteKey(basic.user().trim()) == null ? UNKNOWN_WRITE_KEY : null;
    }

    /** {@code POST /v1/<call>[/]}: Segment's Tracking API; the write key decides the OneSignal app. */
    public void trackingApi(Exchange exchange) {
        Message message = exchange.getMessage();
        byte[] body = bodyOf(message);
        String call = pathAfter(message, "/v1");
        SegmentMessages.TrackingCall parsed = SegmentMessages.trackingCall(call, body);
        BasicCredentials basic = BasicCredentials.of(message.getHeader("Authorization", String.class));
        String writeKey = basic == null || basic.user().isBlank() ? null : basic.user().trim();
        if (writeKey == null) {
            writeKey = parsed.writeKey();
        }
        if (writeKey == null) {
            throw new InvalidInputException(401, "unauthorized",
                    List.of("send the Segment write key as HTTP Basic user or as 'writeKey' in the body"));
        }
        String app = apps.appForWriteKey(writeKey);
        if (app == null) {
            throw new InvalidInputException(401, "unauthorized", List.of(apps.hasWriteKeys() ? UNKNOWN_WRITE_KEY : TRACKING_CLOSED));
        }
        toRecords(exchange, parsed.validated(clock.get()), app, trackingStats, true);
    }

    /** Kafka has every record: answer as Segment does, or with the counts for webhooks. */
    public void accepted(Exchange exchange) {
        int records = exchange.getMessage().getBody(List.class).size();
        boolean tracking = exchange.getProperty(ANSWER, false, Boolean.class);
        (tracking ? trackingStats : webhookStats).accepted(records);
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setBody(tracking ? "{\"success\":true}" : "{\"success\":true,\"accepted\":" + records + "}");
    }

    private void toRecords(Exchange exchange, List<ObjectNode> messages, String app, IngressStats stats, boolean tracking) {
        List<Message> records = new ArrayList<>();
        for (ObjectNode segment : messages) {
            Message record = new DefaultMessage(exchange.getContext());
            String userId = segment.path("userId").asText("");
            record.setHeader(KafkaConstants.KEY, userId.isBlank() ? segment.path("anonymousId").asText("") : userId);
            if (!app.equals(OneSignalApps.DEFAULT)) {
                record.setHeader(APP_HEADER, app);
            }
            record.setBody(segment.toString());
            records.add(record);
        }
        exchange.setProperty(ANSWER, tracking);
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setBody(records);
    }

    private static byte[] bodyOf(Message message) {
        byte[] body = message.getBody(byte[].class);
        return body == null ? new byte[0] : body;
    }

    /** The path below a prefix, without slashes at either end ("" when none). */
    private static String pathAfter(Message message, String prefix) {
        String path = message.getHeader(Exchange.HTTP_PATH, String.class);
        if (path == null || path.isEmpty()) {
            path = message.getHeader(Exchange.HTTP_URI, String.class);
        }
        return pathAfter(path, prefix);
    }

    private static String pathAfter(String path, String prefix) {
        path = path == null ? "" : path.replaceFirst("\\?.*$", "");
        int at = path.indexOf(prefix);
        String rest = at < 0 ? path : path.substring(at + prefix.length());
        return rest.replaceAll("^/+|/+$", "");
    }
}
