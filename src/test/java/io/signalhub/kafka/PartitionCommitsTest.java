package io.signalhub.kafka;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.CommitManager;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualSyncCommit;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.camel.component.kafka.consumer.KafkaManualCommitFactory.CamelExchangePayload;
import org.apache.camel.component.kafka.consumer.KafkaManualCommitFactory.KafkaRecordPayload;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /** Camel's own manual commits of a real poll, from a real broker: one request for all partitions, each at its last record + 1. */
    @Test
    void camelsCommitsOfAPollGoToTheBrokerInOneRequest() throws Exception {
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(Files.createTempDirectory("signalhub-commits"), 0);
        broker.start();
        String topic = "commits";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 4, (short) 1))).all().get();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 40; i++) {
                    producer.send(new ProducerRecord<>(topic, i % 4, null, "record " + i));
                }
            }
            AtomicInteger commitRequests = new AtomicInteger();
            Map<TopicPartition, Long> lastOffsets = new HashMap<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(), ConsumerConfig.GROUP_ID_CONFIG, "batch",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                    new StringDeserializer(), new StringDeserializer()) {
                @Override
                public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
                    commitRequests.incrementAndGet();
                    super.commitSync(offsets, timeout);
                }
            }) {
                consumer.subscribe(List.of(topic));
                List<Exchange> poll = new ArrayList<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (poll.size() < 40 && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> polled : consumer.poll(Duration.ofMillis(200))) {
                        TopicPartition partition = new TopicPartition(polled.topic(), polled.partition());
                        Exchange record = new DefaultExchange(camel);
                        record.getMessage().setHeader(KafkaConstants.PARTITION, polled.partition());
                        record.getMessage().setHeader(KafkaConstants.MANUAL_COMMIT, new DefaultKafkaManualSyncCommit(
                                new CamelExchangePayload(record, consumer, "test", null),
                                new KafkaRecordPayload(partition, polled.offset(), 5_000), unusedCommitManager()));
                        poll.add(record);
                        lastOffsets.put(partition, polled.offset());
                    }
                }
                assertEquals(40, poll.size());
                PartitionCommits.of(poll).commit();
            }
            assertEquals(1, commitRequests.get(), "the four partitions in one commit");
            Map<TopicPartition, Long> committed = new HashMap<>();
            admin.listConsumerGroupOffsets("batch").partitionsToOffsetAndMetadata().get()
                    .forEach((partition, offset) -> committed.put(partition, offset.offset()));
            lastOffsets.replaceAll((partition, last) -> last + 1);
            assertEquals(lastOffsets, committed);
            assertTrue(committed.size() == 4 && committed.values().stream().allMatch(offset -> offset == 10));
        } finally {
            broker.stop();
        }
    }

    /** Camel's manual commit would commit its one partition through its commit manager; the batch does not ask it. */
    private static CommitManager unusedCommitManager() {
        return (CommitManager) Proxy.newProxyInstance(PartitionCommitsTest.class.getClassLoader(),
                new Class<?>[] {CommitManager.class}, (proxy, method, args) -> {
                    throw new AssertionError("committed one partition at a time: " + method.getName());
                });
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
