package io.signalhub.kafka;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;

/**
 * The offsets to commit once a polled batch (Camel's Kafka batching: a list of exchanges) is done:
 * the last record of each partition, committed only when everything before it was handled.
 */
public final class PartitionCommits {

    /** Exchange property of the batch: its {@link PartitionCommits}. */
    public static final String PROPERTY = "signalhubCommits";

    private final Map<String, KafkaManualCommit> lastOfPartition = new LinkedHashMap<>();

    /** Notes a record of the batch, in poll order. */
    public void add(Exchange record) {
        KafkaManualCommit commit = record.getMessage().getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class);
        if (commit != null) {
            lastOfPartition.put(record.getMessage().getHeader(KafkaConstants.TOPIC) + "-"
                    + record.getMessage().getHeader(KafkaConstants.PARTITION), commit);
        }
    }

    public static PartitionCommits of(List<?> records) {
        PartitionCommits commits = new PartitionCommits();
        records.forEach(record -> commits.add((Exchange) record));
        return commits;
    }

    public void commit() {
        lastOfPartition.values().forEach(KafkaManualCommit::commit);
    }
}
