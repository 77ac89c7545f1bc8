package io.signalhub.kafka;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;

/**
 * The offsets to commit once a polled batch (Camel's Kafka batching: a list of exchanges) is done:
 * the last record of each partition, committed only when everything before it was handled.
 */
public final class PartitionCommits {

    /** Exchange property of the batch: its {@link PartitionCommits}. */
    public static final String PROPERTY = "signalhubCommits";

    private final List<KafkaManualCommit> lastOfPartition;

    private PartitionCommits(List<KafkaManualCommit> lastOfPartition) {
        this.lastOfPartition = lastOfPartition;
    }

    /** The commits of the last record of each partition in a poll (a consumer reads one topic). */
    public static PartitionCommits of(List<?> records) {
        List<KafkaManualCommit> commits = new ArrayList<>();
        Set<Object> partitions = new HashSet<>();
        for (int i = records.size() - 1; i >= 0; i--) {
            Message record = ((Exchange) records.get(i)).getMessage();
            if (partitions.add(record.getHeader(KafkaConstants.PARTITION))) {
                KafkaManualCommit commit = record.getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class);
                if (commit != null) {
                    commits.add(commit);
                }
            }
        }
        return new PartitionCommits(commits);
    }

    public void commit() {
        lastOfPartition.forEach(KafkaManualCommit::commit);
    }
}
