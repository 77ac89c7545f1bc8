package io.signalhub.delivery;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.signalhub.monitoring.DestinationStats;
import io.signalhub.eventstreams.OneSignalEvent;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Camel-facing side of one vendor: picks the events enabled for it, has them translated and
 * batched, prepares each HTTP request and acts on the vendor's answer. The routes decide when to call
 * what; throttling, retries and the HTTP call itself are Camel's.
 */
public final class Destination implements DestinationControlMXBean {

    /** Exchange property: the {@link EventBatch} being delivered. */
    public static final String BATCH = "signalhubBatch";
    /** Exchange property: the {@link OutboundRequest} (still) to send. */
    public static final String REQUEST = "signalhubRequest";
    /** Exchange property: the earliest time (epoch ms) the request may go again. */
    public static final String NOT_BEFORE = "signalhubNotBefore";
    /** Exchange property: the destination's name, for the retry counter. */
    public static final String NAME = "signalhubDestination";

    private static final Logger LOG = LoggerFactory.getLogger(Destination.class);

    private final Vendor vendor;
    private final EventNames names;
    private final boolean enabled;
    private final DestinationStats stats;
    private final DeadLetters deadLetters;
    private final DeadLetters parking;
    private volatile boolean paused;

    public Destination(Vendor vendor, EventNames names, boolean enabled, DestinationStats stats, DeadLetters deadLetters,
                       DeadLetters parking) {
        this.vendor = vendor;
        this.names = names;
        this.enabled = enabled;
        this.stats = stats;
        this.deadLetters = deadLetters;
        this.parking = parking;
    }

    @Override
    public boolean isPaused() {
        return paused;
    }

    @Override
    public void pause() {
        paused = true;
        LOG.info("{} paused: its events go to {} until it resumes", name(), parking.topic());
    }

    @Override
    public synchronized int resume() {
        paused = false;
        int replayed = parking.replay(name());
        LOG.info("{} resumed: {} parked events put back on the events topic for it", name(), replayed);
        return replayed;
    }

    public String name() {
        return vendor.name();
    }

    /** The requests that carry this batch's events for this vendor; none when the destination is disabled. */
    public List<OutboundRequest> requests(@ExchangeProperty(BATCH) EventBatch batch) {
        if (!enabled) {
            return List.of();
        }
        List<OneSignalEvent> events = new ArrayList<>();
        int skipped = 0;
        for (EventBatch.Entry entry : batch.entries()) {
            if (entry.onlyFor() != null && !entry.onlyFor().equals(name())) {
                continue;
            }
            if (names.isEnabled(entry.event().kind())) {
                events.add(entry.event());
            } else {
                skipped++;
            }
        }
        stats.skipped(skipped);
        if (paused) {
            // durably aside in Kafka, so the batch commits and the other destinations go on
            parking.send(name(), DeadLetters.rejections(events, "paused", 0, null));
            stats.parked(events.size());
            return List.of();
        }
        RequestBuilder.Built built = RequestBuilder.build(vendor, names, events);
        deadLetter(built.rejections());
        return built.requests();
    }

    /** Every request of a Data Out vendor shares one throttle. */
    public String throttleKey() {
        return name();
    }

    /** Turns the exchange into the HTTP request: only the vendor's headers go out, never the Kafka ones. */
    public void prepare(Exchange exchange) {
        OutboundRequest request = exchange.getProperty(REQUEST, OutboundRequest.class);
        exchange.setProperty(NAME, name());
        Message message = exchange.getMessage();
        RetryGate.clearHeaders(message);
        message.setHeader(Exchange.HTTP_METHOD, "POST");
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        vendor.headers().forEach(message::setHeader);
        message.setBody(request.body());
    }

    /** Acts on the vendor's answer; throws so Camel sends again what must go again. */
    public void onResponse(Exchange exchange) {
        Message message = exchange.getMessage();
        OutboundRequest request = exchange.getProperty(REQUEST, OutboundRequest.class);
        int status = message.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        String retryAfter = message.getHeader("Retry-After", String.class);
        Outcome outcome = vendor.interpret(request, status, message.getBody(String.class), retryAfter);
        RetryGate.clearHeaders(message);
        message.setBody(null);

        stats.delivered(outcome.delivered());
        if (outcome.throttled()) {
            stats.throttled();
        }
        deadLetter(outcome.rejected());
        if (outcome.error() != null) {
            stats.error(Instant.now() + " " + outcome.error());
            LOG.warn("{}: {} ({} events in the request)", name(), outcome.error(), request.events().size());
        }
        if (outcome.retry() != null) {
            exchange.setProperty(REQUEST, outcome.retry());
            exchange.setProperty(NOT_BEFORE, System.currentTimeMillis() + outcome.retryAfterMillis());
            throw new RetryableDeliveryException(name() + ": " + outcome.retry().events().size()
                    + " events go again" + (outcome.error() == null ? "" : " after: " + outcome.error()));
        }
    }

    private void deadLetter(List<Rejection> rejections) {
        if (!rejections.isEmpty()) {
            deadLetters.send(name(), rejections);
            stats.deadLettered(rejections.size());
            LOG.warn("{}: {} events dead-lettered to {}: {}", name(), rejections.size(), deadLetters.topic(),
                    rejections.get(0).reason());
        }
    }
}
