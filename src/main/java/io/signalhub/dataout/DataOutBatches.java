package io.signalhub.dataout;

import io.signalhub.delivery.DeadLetters;
import io.signalhub.delivery.Destination;
import io.signalhub.delivery.EventBatch;
import io.signalhub.delivery.Rejection;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.signalhub.kafka.PartitionCommits;
import io.signalhub.kafka.RecordHeaders;
import io.signalhub.monitoring.IngressStats;
import io.signalhub.eventstreams.OneSignalEvent;
import io.signalhub.eventstreams.OneSignalEventParser;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.spi.IdempotentRepository;

/**
 * The two ends of a Data Out batch: reading the polled records into events (refusing unreadable ones,
 * dropping event ids already delivered) and, once every destination took the batch, remembering the
 * delivered ids and committing the offsets.
 */
public final class DataOutBatches {

    private final OneSignalEventParser parser;
    private final IdempotentRepository delivered;
    private final DeadLetters deadLetters;
    private final IngressStats stats;

    public DataOutBatches(OneSignalEventParser parser, IdempotentRepository delivered, DeadLetters deadLetters, IngressStats stats) {
        this.parser = parser;
        this.delivered = delivered;
        this.deadLetters = deadLetters;
        this.stats = stats;
    }

    /** Reads the records of one poll (a list of exchanges, Camel's Kafka batching) into an {@link EventBatch}. */
    public void decode(Exchange batch) {
        List<?> records = batch.getMessage().getBody(List.class);
        List<EventBatch.Entry> entries = new ArrayList<>();
        List<Rejection> unreadable = new ArrayList<>();
        Set<String> inThisBatch = new HashSet<>();
        PartitionCommits commits = PartitionCommits.of(records);
        int duplicates = 0;
        int ignored = 0;
        for (Object item : records) {
            Exchange record = (Exchange) item;
            String value = record.getMessage().getBody(String.class);
            List<String> problems = new ArrayList<>();
            OneSignalEvent event = value == null ? null : parser.readRecord(value, problems);
            if (event == null) {
                if (problems.isEmpty() && value != null) {
                    ignored++;
                } else {
                    String key = record.getMessage().getHeader(KafkaConstants.KEY, String.class);
                    unreadable.add(new Rejection(key, value, "unreadable record: " + String.join("; ", problems), 0, null));
                }
                continue;
            }
            String onlyFor = RecordHeaders.text(record, DeadLetters.REPLAY_TO_HEADER);
            if (onlyFor == null && (delivered.contains(event.id()) || !inThisBatch.add(event.id()))) {
                duplicates++;
                continue;
            }
            entries.add(new EventBatch.Entry(event, onlyFor));
        }
        deadLetters.send(DeadLetters.UNREADABLE, unreadable);
        stats.invalidRecords(unreadable.size());
        stats.duplicates(duplicates);
        stats.ignored(ignored);
        batch.setProperty(Destination.BATCH, new EventBatch(entries));
        batch.setProperty(PartitionCommits.PROPERTY, commits);
    }

    /** Every destination took the batch: remember its ids and commit each partition's last offset. */
    public void complete(Exchange batch) {
        EventBatch events = batch.getProperty(Destination.BATCH, EventBatch.class);
        for (EventBatch.Entry entry : events.entries()) {
            if (entry.onlyFor() == null) {
                delivered.add(entry.event().id());
            }
        }
        batch.getProperty(PartitionCommits.PROPERTY, PartitionCommits.class).commit();
    }
}
