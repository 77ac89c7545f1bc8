package io.signalhub.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualCommit;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The offsets to commit once a polled batch (Camel's Kafka batching: a list of exchanges) is done:
 * the last record of each partition, committed only when everything before it was handled. It also
 * dates the batch by the first record of each partition, reading no other record's timestamp: a
 * partition's records are written in order, and where several instances produce into one partition
 * their CreateTimes differ by no more than their clocks do, close enough for the pending-age gauge.
 */
public final class PartitionCommits {

    /** Exchange property of the batch: its {@link PartitionCommits}. */
    public static final String PROPERTY = "signalhubCommits";

    private final List<KafkaManualCommit> lastOfPartition;
    private final long oldestTimestamp;

    private PartitionCommits(List<KafkaManualCommit> lastOfPartition, long oldestTimestamp) {
        this.lastOfPartition = lastOfPartition;
        this.oldestTimestamp = oldestTimestamp;
    }

    /** The commits of the last record of each partition in a poll (a consumer reads one topic). */
    public static PartitionCommits of(List<?> records) {
        Map<Object, Message> last = new HashMap<>();
        long oldest = Long.MAX_VALUE;
        for (Object item : records) {
            Message record = ((Exchange) item).getMessage();
            if (last.put(record.getHeader(KafkaConstants.PARTITION), record) == null
                    && record.getHeader(KafkaConstants.TIMESTAMP) instanceof Long timestamp) {
                oldest = Math.min(oldest, timestamp);
            }
        }
        List<KafkaManualCommit> commits = new ArrayList<>();
        for (Message record : last.values()) {
            KafkaManualCommit commit = record.getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class);
            if (commit != null) {
                commits.add(commit);
            }
        }
        return new PartitionCommits(commits, oldest == Long.MAX_VALUE ? 0 : oldest);
    }

    /** When the oldest record of the batch was written (epoch millis), or 0 when no record says. */
    public long oldestTimestamp() {
        return oldestTimestamp;
    }

    /**
     * Commits every partition of the batch in one synchronous request. Camel's manual commit commits only
     * its own record's partition, so committing them one by one cost a round trip to the group coordinator
     * per partition: 15 % of the embedded broker's request handling with three destinations delivering
     * (docs/benchmarks.md). Commits of another kind are committed one by one.
     */
    public void commit() {
        if (lastOfPartition.isEmpty()) {
            return;
        }
        if (!lastOfPartition.stream().allMatch(DefaultKafkaManualCommit.class::isInstance)) {
            lastOfPartition.forEach(KafkaManualCommit::commit);
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (KafkaManualCommit commit : lastOfPartition) {
            DefaultKafkaManualCommit record = (DefaultKafkaManualCommit) commit;
            offsets.put(record.getPartition(), new OffsetAndMetadata(record.getRecordOffset() + 1));
        }
        DefaultKafkaManualCommit first = (DefaultKafkaManualCommit) lastOfPartition.get(0);
        // one poll's records all come from the same consumer, on whose thread the route runs
        Consumer<?, ?> consumer = first.getConsumer();
        consumer.commitSync(offsets, Duration.ofMillis(first.getCommitTimeout()));
    }
}
