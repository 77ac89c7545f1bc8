package io.signalhub.vendors.onesignal;

import io.signalhub.datain.SegmentIngress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalhub.Json;
import io.signalhub.delivery.DeadLetters;
import io.signalhub.delivery.DeliveredIds;
import io.signalhub.delivery.Destination;
import io.signalhub.delivery.HttpStatus;
import io.signalhub.delivery.Rejection;
import io.signalhub.delivery.Pacing;
import io.signalhub.delivery.RequestDelivery;
import io.signalhub.delivery.RetryGate;
import io.signalhub.delivery.RetryableDeliveryException;
import io.signalhub.monitoring.DataInStats;
import io.signalhub.monitoring.DestinationStats;
import io.signalhub.store.KnownSegments;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Camel-facing side of OneSignal as a Data In destination, called by the same delivery route
 * templates as the Data Out vendors: turns a plan into requests, prepares each call and acts on the
 * answer. Unknown users are counted and dropped (users are created only by device registration, when
 * that is on); refusals are dead-lettered; 429 and 5xx go again after Retry-After. Device tokens are
 * never logged: answers to device registrations (which echo the subscription) stay out of errors.
 */
public final class OneSignalDelivery implements RequestDelivery {

    public static final String NAME = "onesignal";
    /** The consumer of Segment messages that sends the notifications of config/triggers.yaml. */
    public static final String TRIGGERS = "triggers";
    private static final Logger LOG = LoggerFactory.getLogger(OneSignalDelivery.class);
    private static final long PER_USER_INTERVAL_MILLIS = 1000;
    private static final int RECENT_USERS = 100_000;

    private final OneSignalApps apps;
    private final int tagLimit;
    private final KnownSegments knownSegments;
    private final DeadLetters deadLetters;
    private final DestinationStats stats;
    private final DataInStats dataIn;
    /** Segments OneSignal refused during this run (plan, limit): not asked for again until restart. */
    private final Set<String> refusedSegments = ConcurrentHashMap.newKeySet();
    /** When each recently updated user was last sent, to keep OneSignal's 1 update/second per user. */
    private final Map<String, Long> lastUpdate = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > RECENT_USERS;
        }
    };

    private final Pacing pacing;
    /** Create-message requests a second per app: OneSignal allows 150 on free plans, 6,000 on paid ones. */
    private final int notificationRate;
    private final RetryGate retryGate;
    /** Devices OneSignal took during this run: not registered again with every message of the device. */
    private final DeliveredIds registeredDevices = new DeliveredIds(RECENT_USERS);

    public OneSignalDelivery(OneSignalApps apps, int tagLimit, KnownSegments knownSegments, DeadLetters deadLetters,
                             DestinationStats stats, DataInStats dataIn, Pacing pacing, int notificationRate, RetryGate retryGate) {
        this.apps = apps;
        this.tagLimit = tagLimit;
        this.knownSegments = knownSegments;
        this.deadLetters = deadLetters;
        this.stats = stats;
        this.dataIn = dataIn;
        this.pacing = pacing;
        this.notificationRate = notificationRate;
        this.retryGate = retryGate;
    }

    /** The requests for one poll's plan; users updated less than a second ago go last. */
    public List<OneSignalRequest> requests(@ExchangeProperty(Destination.BATCH) OneSignalPlan plan) {
        OneSignalRequests.Built built = OneSignalRequests.build(plan, apps, tagLimit,
                (appId, name) -> refusedSegments.contains(appId + '\n' + name) || knownSegments.contains(appId, name),
                registeredDevices::contains);
        built.dropped().forEach((app, reasons) -> reasons.forEach((reason, count) -> dataIn.dropped(app, reason, count)));
        deadLetter(NAME, "over_limit", built.refusedEvents().stream().map(e -> new Rejection(e.event().path("external_id").asText(), e.source(),
                "the custom event is over OneSignal's 2,024 bytes or its name over 128 characters", 0, null,
                replayHeaders(e.app()))).toList());
        List<OneSignalRequest> requests = new ArrayList<>(built.requests());
        requests.sort(Comparator.comparingLong(this::lastSent));
        return requests;
    }

    /** Throttling is per OneSignal app (about 1,000 requests a second each); notifications have a bucket of their own. */
    public String throttleKey(@ExchangeProperty(Destination.REQUEST) OneSignalRequest request) {
        return NAME + (request.kind().equals(OneSignalRequest.NOTIFICATION) ? "-notifications:" : ":") + request.app().appId();
    }

    /** Requests per second per app now: the configured rate, lower for a while after OneSignal answered 429. */
    public int rateLimit(@ExchangeProperty(Destination.REQUEST) OneSignalRequest request) {
        return request.kind().equals(OneSignalRequest.NOTIFICATION) ? notificationRate : pacing.rate();
    }

    /** The HTTP call: path, method, the app's key; waits out the per-user second when needed. */
    public void prepare(Exchange exchange) throws InterruptedException {
        OneSignalRequest request = exchange.getProperty(Destination.REQUEST, OneSignalRequest.class);
        if (request.perUser()) {
            long wait = lastSent(request) + PER_USER_INTERVAL_MILLIS - System.currentTimeMillis();
            if (wait > 0) {
                Thread.sleep(wait);
            }
        }
        Message message = exchange.getMessage();
        RetryGate.clearHeaders(message);
        message.setHeader(Exchange.HTTP_METHOD, request.method());
        message.setHeader(Exchange.HTTP_PATH, request.path());
        message.setHeader(Exchange.CONTENT_TYPE, "application/json; charset=utf-8");
        message.setHeader("Authorization", "Key " + request.app().apiKey());
        message.setBody(request.body());
    }

    public void onResponse(Exchange exchange) {
        Message message = exchange.getMessage();
        OneSignalRequest request = exchange.getProperty(Destination.REQUEST, OneSignalRequest.class);
        int status = message.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        String retryAfter = message.getHeader("Retry-After", String.class);
        String body = withoutToken(request, message.getBody(String.class));
        RetryGate.clearHeaders(message);
        message.setBody(null);
        if (request.perUser()) {
            synchronized (lastUpdate) {
                lastUpdate.put(userKey(request), System.currentTimeMillis());
            }
        }
        if (HttpStatus.isTransient(status) || status == 0) {
            if (status == 429) {
                stats.throttled();
            }
            String error = HttpStatus.describe(NAME, status, body);
            stats.error(error);
            if (status == 429) {
                pacing.throttled();
            }
            retryGate.waitFor(message, HttpStatus.retryAfterMillis(retryAfter));
            throw new RetryableDeliveryException(NAME + ": " + request.kind() + " request goes again after: " + error);
        }
        if (request.kind().equals(OneSignalRequest.NOTIFICATION)) {
            onNotification(request, status, body);
            return;
        }
        OneSignalPlan.Outcomes outcomes = exchange.getProperty(Destination.BATCH, OneSignalPlan.class).outcomes();
        switch (request.kind()) {
            case OneSignalRequest.SEGMENT -> onSegment(request, status, body, outcomes);
            case OneSignalRequest.USER -> onUser(request, status, body, outcomes);
            case OneSignalRequest.DEVICE -> onDevice(request, status, body);
            default -> onEvents(request, status, body);
        }
    }

    private void onSegment(OneSignalRequest request, int status, String body, OneSignalPlan.Outcomes outcomes) {
        String appId = request.app().appId();
        JsonNode answer = Json.readObject(body);
        if (HttpStatus.isSuccess(status)) {
            knownSegments.remember(appId, request.subject(), answer.path("id").asText(null));
            dataIn.segmentCreated(request.app().name());
            LOG.info("created the OneSignal segment '{}' in app {}", request.subject(), request.app());
        } else if (status == 409 || body != null && body.contains("already taken")) {
            knownSegments.remember(appId, request.subject(), null);
        } else {
            // the tags still go: the audience is usable as a tag filter even without the segment
            refusedSegments.add(appId + '\n' + request.subject());
            dataIn.segmentRefused(request.app().name());
            String error = HttpStatus.describe(NAME, status, body);
            stats.error("segment '" + request.subject() + "': " + error);
            outcomes.segmentRefused("OneSignal refused to create the segment '" + request.subject() + "': " + error);
            LOG.warn("OneSignal refused to create the segment '{}' in app {}: {}", request.subject(), request.app(), error);
        }
    }

    private void onUser(OneSignalRequest request, int status, String body, OneSignalPlan.Outcomes outcomes) {
        if (HttpStatus.isSuccess(status)) {
            dataIn.tagUpdate(request.app().name());
            stats.delivered(request.items());
            outcomes.applied(request.subject());
        } else if (status == 404) {
            dataIn.unmatched(request.app().name(), 1);
            outcomes.unmatched(request.subject());
            LOG.debug("OneSignal does not know the External ID of a user; {} tags dropped", request.items());
        } else {
            outcomes.failed(request.subject());
            refused(request, status, body);
        }
    }

    private void onDevice(OneSignalRequest request, int status, String body) {
        if (HttpStatus.isSuccess(status)) {
            registeredDevices.add(OneSignalRequests.deviceKey(request.app().appId(), request.subject(), deviceToken(request)));
            dataIn.deviceRegistered(request.app().name());
        } else {
            refused(request, status, body);
        }
    }

    private static String deviceToken(OneSignalRequest request) {
        return Json.readObject(request.body()).path("subscriptions").path(0).path("token").asText();
    }

    /** An answer to a device registration may echo the device's token: it never reaches an error, a log or a dead letter. */
    private static String withoutToken(OneSignalRequest request, String body) {
        if (body == null || !request.kind().equals(OneSignalRequest.DEVICE)) {
            return body;
        }
        String token = deviceToken(request);
        return token.isEmpty() ? body : body.replace(token, "<device token>");
    }

    /**
     * Create message answers 200 whenever the request is well-formed: an empty id when nobody could be sent to,
     * else the users it skipped under errors.invalid_aliases (https://documentation.onesignal.com/reference/create-message).
     */
    private void onNotification(OneSignalRequest request, int status, String body) {
        if (!HttpStatus.isSuccess(status)) {
            refused(request, status, body);
            return;
        }
        JsonNode answer = Json.readObject(body);
        if (answer.path("id").asText("").isEmpty()) {
            dataIn.notified(request.app().name(), request.items(), 0);
            LOG.debug("trigger '{}': none of its {} users is subscribed to the channel", request.subject(), request.items());
            return;
        }
        int invalid = answer.path("errors").path("invalid_aliases").path("external_id").size();
        dataIn.notified(request.app().name(), 0, invalid);
        stats.delivered(request.items() - invalid);
    }

    private void onEvents(OneSignalRequest request, int status, String body) {
        if (HttpStatus.isSuccess(status)) {
            int unmatched = Json.readObject(body).path("errors").size();
            dataIn.unmatched(request.app().name(), unmatched);
            dataIn.customEvents(request.app().name(), request.items() - unmatched);
            stats.delivered(request.items() - unmatched);
        } else {
            refused(request, status, body);
        }
    }

    /** A final refusal (400, 401, 403, …): the records go to the dead-letter topic, named with the answer. */
    private void refused(OneSignalRequest request, int status, String body) {
        String error = HttpStatus.describe(NAME, status, body);
        stats.error(error);
        String key = request.subject() == null ? "" : request.subject();
        deadLetter(consumer(request), "http_" + status, request.sources().stream().map(source -> new Rejection(key, source,
                "OneSignal refused the " + request.kind() + " request", status, Json.abbreviate(body, 2000),
                replayHeaders(request.app().name()))).toList());
    }

    @Override
    public void deadLetterRequest(Exchange exchange) {
        OneSignalRequest request = exchange.getProperty(Destination.REQUEST, OneSignalRequest.class);
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String key = request.subject() == null ? "" : request.subject();
        deadLetter(consumer(request), "poison", request.sources().stream().map(source -> new Rejection(key, source,
                "the " + request.kind() + " request failed: " + cause, 0, null, replayHeaders(request.app().name()))).toList());
    }

    /** A replayed record must reach the same app again. */
    private static Map<String, String> replayHeaders(String app) {
        return app.equals(OneSignalApps.DEFAULT) ? Map.of() : Map.of(SegmentIngress.APP_HEADER, app);
    }

    /** The consumer whose records a request carries, so a replay of its dead letters goes back to that consumer. */
    private static String consumer(OneSignalRequest request) {
        return request.kind().equals(OneSignalRequest.NOTIFICATION) ? TRIGGERS : NAME;
    }

    private void deadLetter(String consumer, String reason, List<Rejection> rejections) {
        if (!rejections.isEmpty()) {
            deadLetters.send(consumer, rejections);
            stats.deadLettered(reason, rejections.size());
            LOG.warn("{}: {} records dead-lettered to {}: {}", NAME, rejections.size(), deadLetters.topic(), rejections.get(0).reason());
        }
    }

    private long lastSent(OneSignalRequest request) {
        if (!request.perUser()) {
            return 0;
        }
        synchronized (lastUpdate) {
            return lastUpdate.getOrDefault(userKey(request), 0L);
        }
    }

    private static String userKey(OneSignalRequest request) {
        return request.app().appId() + '\n' + request.subject();
    }
}
