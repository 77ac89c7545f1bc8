package io.signalhub.kafka;

import java.util.ArrayList;
import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PartitionCommitsTest {

    private final CamelContext camel = new DefaultCamelContext();
    private final List<String> committed = new ArrayList<>();

    @Test
    void commitsTheLastRecordOfEachPartitionAndDatesTheBatchByTheFirstOfEach() {
        // two partitions interleaved as polls hand them over, each in offset order
        List<Exchange> records = List.of(record(0, 0, 5_000), record(1, 0, 3_000), record(0, 1, 6_000),
                record(1, 1, 1_000), record(0, 2, 7_000));
        PartitionCommits commits = PartitionCommits.of(records);
        commits.commit();
        assertEquals(List.of("0@2", "1@1"), committed.stream().sorted().toList());
        assertEquals(3_000, commits.oldestTimestamp(), "the first record of each partition; a later one is not read");
    }

    @Test
    void aBatchWithoutTimestampsOrCommitsCommitsNothing() {
        Exchange bare = new DefaultExchange(camel);
        bare.getMessage().setHeader(KafkaConstants.PARTITION, 0);
        PartitionCommits commits = PartitionCommits.of(List.of(bare));
        commits.commit();
        assertEquals(List.of(), committed);
        assertEquals(0, commits.oldestTimestamp());
    }

    private Exchange record(int partition, long offset, long timestamp) {
        Exchange record = new DefaultExchange(camel);
        record.getMessage().setHeader(KafkaConstants.PARTITION, partition);
        record.getMessage().setHeader(KafkaConstants.TIMESTAMP, timestamp);
        KafkaManualCommit commit = () -> committed.add(partition + "@" + offset);
        record.getMessage().setHeader(KafkaConstants.MANUAL_COMMIT, commit);
        return record;
    }
}
