package io.signalhub.delivery;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.signalhub.kafka.PartitionCommits;
import io.signalhub.kafka.RecordValues;
import io.signalhub.monitoring.DestinationStats;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a batch that failed the same way on every attempt (a bug, a value the store refuses): its
 * records go to the consumer's dead-letter topic with the failure as the reason and their offsets are
 * committed, so the partition never stops for good on them (Kafka Connect's errors.tolerance=all).
 * The records come as the consumer polled them: a batch (a list of exchanges) or a single record.
 */
public final class PoisonBatches {

    private static final Logger LOG = LoggerFactory.getLogger(PoisonBatches.class);

    /** Exchange property set by each consumer route: whose dead-letter topic its poison goes to. */
    public static final String CONSUMER = "signalhubConsumer";
    /** Exchange property: the polled message as it came, which a poison batch's records are read from. */
    private static final String POLLED = "signalhubPolled";

    /** Where a consumer's poison goes, by the consumer's destination name. */
    public record Sink(DeadLetters deadLetters, DestinationStats stats) {
    }

    private final Map<String, Sink> sinks;

    public PoisonBatches(Map<String, Sink> sinks) {
        this.sinks = Map.copyOf(sinks);
    }

    /** A request of a delivery template failed other than transiently: its destination dead-letters it. */
    public void deadLetterRequest(Exchange exchange) {
        String destination = exchange.getProperty(Destination.NAME, String.class);
        RequestDelivery delivery = exchange.getContext().getRegistry().lookupByNameAndType(destination, RequestDelivery.class);
        if (delivery == null) {
            throw new IllegalStateException("no destination named '" + destination + "' delivers requests");
        }
        delivery.deadLetterRequest(exchange);
    }

    /**
     * Keeps the polled message as it came. onException's {@code useOriginalMessage} would do the same,
     * but it has Camel copy the message of every exchange of every route, each HTTP request's included.
     */
    public void remember(Exchange polled) {
        polled.setProperty(POLLED, polled.getMessage().copy());
    }

    /** A batch (or record) failed on every attempt: its records, as polled, go to the consumer's dead-letter topic. */
    public void deadLetter(Exchange batch) {
        Message asPolled = batch.getProperty(POLLED, Message.class);
        if (asPolled == null) {
            throw new IllegalStateException("the consumer's route did not keep its polled message (routeConfigurationId: consumer-batch)");
        }
        batch.setMessage(asPolled);
        String destination = batch.getProperty(CONSUMER, String.class);
        Sink sink = sinks.get(destination);
        if (sink == null) {
            throw new IllegalStateException("no dead-letter topic for the consumer of '" + destination + "'");
        }
        Throwable cause = batch.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String reason = "failed on every attempt: " + cause;
        List<Exchange> records = new ArrayList<>();
        if (batch.getMessage().getBody() instanceof List<?> polled) {
            polled.forEach(record -> records.add((Exchange) record));
        } else {
            records.add(batch);
        }
        List<Rejection> rejections = new ArrayList<>();
        for (Exchange record : records) {
            Message message = record.getMessage();
            rejections.add(new Rejection(message.getHeader(KafkaConstants.KEY, String.class), RecordValues.text(message),
                    reason, 0, null));
        }
        sink.deadLetters().send(destination, rejections);
        sink.stats().deadLettered("poison", rejections.size());
        LOG.warn("{}: {} records dead-lettered to {} after failing on every attempt: {}", destination, rejections.size(),
                sink.deadLetters().topic(), cause == null ? "" : cause.toString());
        PartitionCommits.of(records).commit();
        sink.stats().pending(0);
    }
}
