package io.signalhub.datain;

import io.signalhub.vendors.onesignal.OneSignalApps;
import io.signalhub.vendors.onesignal.OneSignalPlan;
import io.signalhub.vendors.segment.SegmentMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalhub.Json;
import io.signalhub.delivery.DeadLetters;
import io.signalhub.vendors.onesignal.OneSignalDelivery;
import io.signalhub.delivery.Destination;
import io.signalhub.delivery.Rejection;
import io.signalhub.kafka.PartitionCommits;
import io.signalhub.kafka.RecordHeaders;
import io.signalhub.monitoring.DataInStats;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two ends of a Data In batch: reading one poll's records into Segment messages (unreadable
 * records and unknown apps are dead-lettered by the Data In consumer; records replayed to another
 * consumer of the topic are passed over), and, once OneSignal took the plan, committing the offsets and
 * counting what the batch dropped and saved.
 */
public final class DataInBatches {

    private static final Logger LOG = LoggerFactory.getLogger(DataInBatches.class);

    private final OneSignalApps apps;
    private final DeadLetters deadLetters;
    private final DataInStats stats;
    private final String consumer;

    /**
     * @param consumer the consumer of the Segment topic reading with this: {@link OneSignalDelivery#NAME} (Data In,
     *                 which dead-letters what it cannot read) or {@link OneSignalDelivery#TRIGGERS} (which only passes it over)
     */
    public DataInBatches(OneSignalApps apps, DeadLetters deadLetters, DataInStats stats, String consumer) {
        this.apps = apps;
        this.deadLetters = deadLetters;
        this.stats = stats;
        this.consumer = consumer;
    }

    /** The polled records (Camel's Kafka batching: a list of exchanges) as Segment messages, for the splitter. */
    public List<SegmentMessage> decode(Exchange batch) {
        List<?> records = batch.getMessage().getBody(List.class);
        batch.setProperty(PartitionCommits.PROPERTY, PartitionCommits.of(records));
        List<SegmentMessage> messages = new ArrayList<>();
        List<Rejection> unreadable = new ArrayList<>();
        List<String> unreadableApps = new ArrayList<>();
        for (Object item : records) {
            Exchange record = (Exchange) item;
            String onlyFor = RecordHeaders.text(record, DeadLetters.REPLAY_TO_HEADER);
            if (onlyFor != null && !onlyFor.equals(consumer)) {
                continue;
            }
            String value = record.getMessage().getBody(String.class);
            String key = record.getMessage().getHeader(KafkaConstants.KEY, String.class);
            String app = RecordHeaders.text(record, SegmentIngress.APP_HEADER);
            app = app == null ? OneSignalApps.DEFAULT : app;
            JsonNode message = value == null ? null : Json.readObject(value);
            if (message == null || message.isEmpty()) {
                unreadable.add(new Rejection(key, value, "unreadable record: not a Segment message (a JSON object)", 0, null));
                unreadableApps.add(app);
            } else if (!apps.has(app)) {
                unreadable.add(new Rejection(key, value, "no OneSignal app named '" + app + "' is configured", 0, null,
                        Map.of(SegmentIngress.APP_HEADER, app)));
                unreadableApps.add(app);
            } else {
                messages.add(new SegmentMessage(app, (ObjectNode) message, value));
            }
        }
        if (consumer.equals(OneSignalDelivery.NAME)) {
            deadLetters.send(DeadLetters.UNREADABLE, unreadable);
            unreadableApps.forEach(app -> stats.dropped(app, "unreadable_record", 1));
        }
        return messages;
    }

    /** A message the translator failed on (the same way on every attempt): dead-lettered with the reason, the rest goes on. */
    public Translation untranslatable(Exchange item) {
        SegmentMessage message = item.getMessage().getBody(SegmentMessage.class);
        Throwable cause = item.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        LOG.warn("a Segment message could not be translated, dead-lettered: {}", String.valueOf(cause));
        deadLetters.send(OneSignalDelivery.NAME, List.of(new Rejection(message.userId(), message.record(), "the message could not be translated: " + cause, 0, null,
                message.app().equals(OneSignalApps.DEFAULT) ? Map.of() : Map.of(SegmentIngress.APP_HEADER, message.app()))));
        return Translation.dropped(message.app(), "untranslatable");
    }

    /** The plan the splitter gathered (none for an empty poll) becomes the batch OneSignal delivers. */
    public void planned(Exchange batch) {
        OneSignalPlan plan = batch.getMessage().getBody() instanceof OneSignalPlan gathered ? gathered : new OneSignalPlan();
        if (!plan.nestedKeys().isEmpty()) {
            LOG.info("dropped {} object or array values OneSignal cannot store as tags, keys: {}", plan.nestedKeys().size(),
                    Json.abbreviate(String.join(", ", plan.nestedKeys().stream().distinct().toList()), 500));
        }
        batch.setProperty(Destination.BATCH, plan);
    }

    /** OneSignal took the batch: commit each partition and count. */
    public void complete(Exchange batch) {
        batch.getProperty(PartitionCommits.PROPERTY, PartitionCommits.class).commit();
        OneSignalPlan plan = batch.getProperty(Destination.BATCH, OneSignalPlan.class);
        plan.counts().forEach((app, counts) -> {
            stats.messages(app, counts.messages());
            stats.coalesced(app, counts.coalesced());
            counts.dropped().forEach((reason, dropped) -> stats.dropped(app, reason, dropped));
        });
    }
}
