package io.signalhub.delivery;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.signalhub.eventstreams.OneSignalEvent;
import io.signalhub.eventstreams.OneSignalEventParser;
import io.signalhub.kafka.PartitionCommits;
import io.signalhub.kafka.RecordHeaders;
import io.signalhub.kafka.RecordValues;
import io.signalhub.monitoring.DestinationStats;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.http.HttpMethods;
import org.apache.camel.component.kafka.KafkaConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Camel-facing side of one Data Out vendor, called step by step by its route (data-out.camel.yaml):
 * reads a poll of its own consumer group into event groups by kind, translates the kinds it takes,
 * packs requests, prepares each HTTP call and acts on the answer. The routes decide when to call what;
 * throttling, retries, suspension and the HTTP call itself are Camel's.
 */
public final class Destination implements RequestDelivery {

    /** Exchange property: what a Data In batch delivers (its OneSignal plan). */
    public static final String BATCH = "signalhubBatch";
    /** Exchange property: the {@link OutboundRequest} (still) to send. */
    public static final String REQUEST = "signalhubRequest";
    /** Exchange property: the destination a request is for (set by the delivery template), for the retry counter. */
    public static final String NAME = "signalhubDestination";

    private static final Logger LOG = LoggerFactory.getLogger(Destination.class);

    private final Vendor vendor;
    private final EventNames names;
    private final DetailNames details;
    private final OneSignalEventParser parser;
    private final DeliveredIds delivered;
    private final DestinationStats stats;
    private final DeadLetters deadLetters;
    private final Pacing pacing;
    private final RetryGate retryGate;

    public Destination(Vendor vendor, EventNames names, DetailNames details, OneSignalEventParser parser, DeliveredIds delivered,
                       DestinationStats stats, DeadLetters deadLetters, Pacing pacing, RetryGate retryGate) {
        this.vendor = vendor;
        this.names = names;
        this.details = details;
        this.parser = parser;
        this.delivered = delivered;
        this.stats = stats;
        this.deadLetters = deadLetters;
        this.pacing = pacing;
        this.retryGate = retryGate;
    }

    public String name() {
        return vendor.name();
    }

    /** Forgets which events were delivered, so a rewind sends them again. */
    public void forgetDelivered() {
        delivered.clear();
    }

    /**
     * Reads the records of one poll (a list of exchanges, Camel's Kafka batching) into groups by kind.
     * Unreadable records are dead-lettered; events this instance already delivered here (a batch handed
     * again after a failure further on) and replayed dead letters meant for another destination are left out.
     */
    public List<EventGroup> decode(Exchange batch) {
        List<?> records = batch.getMessage().getBody(List.class);
        PartitionCommits commits = PartitionCommits.of(records);
        batch.setProperty(PartitionCommits.PROPERTY, commits);
        Map<String, List<OneSignalEvent>> byKind = new LinkedHashMap<>();
        List<Rejection> unreadable = new ArrayList<>();
        Set<String> inThisBatch = new HashSet<>();
        int duplicates = 0;
        int skipped = 0;
        for (Object item : records) {
            Message record = ((Exchange) item).getMessage();
            String onlyFor = RecordHeaders.text((Exchange) item, DeadLetters.REPLAY_TO_HEADER);
            if (onlyFor != null && !onlyFor.equals(name())) {
                continue;
            }
            ByteBuffer value = record.getBody(ByteBuffer.class);
            List<String> problems = new ArrayList<>(0);
            OneSignalEvent event = value == null ? null : parser.readRecord(value, problems);
            if (event == null) {
                if (problems.isEmpty() && value != null) {
                    skipped++;
                } else {
                    unreadable.add(new Rejection(record.getHeader(KafkaConstants.KEY, String.class), RecordValues.text(record),
                            "unreadable record: " + String.join("; ", problems), 0, null));
                }
            } else if (onlyFor == null && (delivered.contains(event.id()) || !inThisBatch.add(event.id()))) {
                duplicates++;
            } else {
                byKind.computeIfAbsent(event.kind(), k -> new ArrayList<>()).add(event);
            }
        }
        stats.pending(commits.oldestTimestamp());
        deadLetter("unreadable", unreadable);
        stats.skipped(skipped);
        stats.duplicates(duplicates);
        return byKind.entrySet().stream().map(e -> new EventGroup(e.getKey(), e.getValue())).toList();
    }

    /** The content-based router's test: whether this destination takes the kind (its name table and hub.&lt;name&gt;.events). */
    public boolean takes(EventGroup group) {
        return names.isEnabled(group.kind());
    }

    public Translated translate(EventGroup group) {
        return RequestBuilder.translate(vendor, names, details, group.events());
    }

    /** A kind this destination does not take: counted, not sent, not an error. */
    public Translated skip(EventGroup group) {
        stats.skipped(group.events().size());
        return Translated.empty();
    }

    /** Batches the translated events into requests; the events that cannot be sent at all are dead letters. */
    public List<OutboundRequest> requests(Translated translated) {
        deadLetter("untranslatable", translated.rejections());
        return RequestBuilder.pack(vendor, translated);
    }

    /** Every request of a Data Out vendor shares one throttle. */
    public String throttleKey() {
        return name();
    }

    /** Requests per second now: the configured rate, lower for a while after the vendor answered 429. */
    public int rateLimit() {
        return pacing.rate();
    }

    /** Turns the exchange into the HTTP request: only the vendor's headers go out, never the Kafka ones. */
    public void prepare(Exchange exchange) {
        OutboundRequest request = exchange.getProperty(REQUEST, OutboundRequest.class);
        Message message = exchange.getMessage();
        RetryGate.clearHeaders(message);
        // the enum, not its name: camel-http would look up a type converter for the text on every request
        message.setHeader(Exchange.HTTP_METHOD, HttpMethods.POST);
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        vendor.headers().forEach(message::setHeader);
        message.setBody(vendor.body(request));
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
            pacing.throttled();
        }
        // the refused events are on the dead-letter topic before any is taken as settled
        deadLetter("http_" + status, outcome.rejected());
        settled(request, outcome.retry() != null ? List.of(outcome.retry()) : outcome.pieces());
        RequestPieces.sendNext(exchange, outcome.pieces());
        if (outcome.error() != null) {
            stats.error(outcome.error());
            LOG.warn("{}: {} ({} events in the request)", name(), outcome.error(), request.events().size());
        }
        if (outcome.retry() != null) {
            exchange.setProperty(REQUEST, outcome.retry());
            retryGate.waitFor(message, outcome.retryAfterMillis());
            throw new RetryableDeliveryException(name() + ": " + outcome.retry().events().size()
                    + " events go again" + (outcome.error() == null ? "" : " after: " + outcome.error()));
        }
    }

    /** Remembers the events of the request that need not go again (accepted or refused for good). */
    private void settled(OutboundRequest request, List<OutboundRequest> again) {
        Set<String> retried = new HashSet<>();
        again.forEach(piece -> piece.events().forEach(e -> retried.add(e.id())));
        for (OneSignalEvent event : request.events()) {
            if (!retried.contains(event.id())) {
                delivered.add(event.id());
            }
        }
    }

    @Override
    public void deadLetterRequest(Exchange exchange) {
        OutboundRequest request = exchange.getProperty(REQUEST, OutboundRequest.class);
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        deadLetter("poison", DeadLetters.rejections(request.events(), "the request failed: " + cause, 0, null));
        settled(request, List.of());
    }

    /** The batch went through: its offsets are committed, and the destination is caught up to it. */
    public void complete(Exchange batch) {
        batch.getProperty(PartitionCommits.PROPERTY, PartitionCommits.class).commit();
        stats.pending(0);
    }

    private void deadLetter(String reason, List<Rejection> rejections) {
        if (!rejections.isEmpty()) {
            deadLetters.send(name(), rejections);
            stats.deadLettered(reason, rejections.size());
            LOG.warn("{}: {} events dead-lettered to {}: {}", name(), rejections.size(), deadLetters.topic(),
                    rejections.get(0).reason());
        }
    }
}
