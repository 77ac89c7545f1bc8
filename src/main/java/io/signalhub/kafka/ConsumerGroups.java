package io.signalhub.kafka;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;

import org.apache.camel.CamelContext;
import org.apache.camel.Service;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the hub asks of Kafka about its consumer groups, through one admin client: each group's lag
 * (refreshed every few seconds for the metrics) and moving a group's offsets to a point in time
 * (Kafka's offsets-for-times), which only an empty group allows.
 */
public final class ConsumerGroups implements Service {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerGroups.class);
    private static final long TIMEOUT_SECONDS = 30;

    private record Watched(String group, String topic, LongConsumer lag) {
    }

    private final CamelContext camel;
    private final KafkaClients clients;
    private final long refreshSeconds;
    private final List<Watched> watched = new CopyOnWriteArrayList<>();
    private Admin admin;
    private ScheduledExecutorService refresher;

    public ConsumerGroups(CamelContext camel, KafkaClients clients, long refreshSeconds) {
        this.camel = camel;
        this.clients = clients;
        this.refreshSeconds = refreshSeconds;
    }

    /** Reports the group's lag on the topic (records not yet committed) to {@code lag} every few seconds. */
    public void watch(String group, String topic, LongConsumer lag) {
        watched.add(new Watched(group, topic, lag));
    }

    @Override
    public synchronized void start() {
        admin = Admin.create(clients.config(Map.of(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                (int) TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS))));
        refresher = camel.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "consumer-lag");
        refresher.scheduleWithFixedDelay(this::refresh, refreshSeconds, refreshSeconds, TimeUnit.SECONDS);
    }

    @Override
    public synchronized void stop() {
        if (refresher != null) {
            camel.getExecutorServiceManager().shutdownNow(refresher);
            refresher = null;
        }
        if (admin != null) {
            admin.close();
            admin = null;
        }
    }

    private void refresh() {
        for (Watched each : watched) {
            try {
                each.lag().accept(lag(each.group(), each.topic()));
            } catch (RuntimeException e) {
                LOG.warn("could not read the lag of {}: {}", each.group(), e.toString());
            }
        }
    }

    /** Records of the topic the group has not committed yet (a partition it never committed counts whole). */
    public long lag(String group, String topic) {
        Map<TopicPartition, OffsetAndMetadata> committed = get(admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata());
        Map<TopicPartition, Long> earliest = offsets(topic, OffsetSpec.earliest());
        Map<TopicPartition, Long> latest = offsets(topic, OffsetSpec.latest());
        long lag = 0;
        for (Map.Entry<TopicPartition, Long> end : latest.entrySet()) {
            OffsetAndMetadata done = committed.get(end.getKey());
            lag += end.getValue() - (done == null ? earliest.get(end.getKey()) : done.offset());
        }
        return lag;
    }

    /**
     * Moves the group's committed offsets on the topic to the first record at or after {@code since}
     * (the end where there is none), so the group's consumer delivers everything since then again.
     *
     * @return how many records the group will read again
     * @throws IllegalStateException when the group still has members (another instance consumes)
     */
    public long rewind(String group, String topic, Instant since) {
        Set<String> members = get(admin.describeConsumerGroups(List.of(group)).all()).get(group).members().stream()
                .map(m -> m.host() + "/" + m.clientId()).collect(Collectors.toSet());
        if (!members.isEmpty()) {
            throw new IllegalStateException("the consumer group " + group + " still has members " + members
                    + ": pause this destination on every other instance first");
        }
        Map<TopicPartition, Long> from = offsets(topic, OffsetSpec.forTimestamp(since.toEpochMilli()));
        Map<TopicPartition, Long> latest = offsets(topic, OffsetSpec.latest());
        Map<TopicPartition, OffsetAndMetadata> moved = new HashMap<>();
        long again = 0;
        for (Map.Entry<TopicPartition, Long> end : latest.entrySet()) {
            Long offset = from.get(end.getKey());
            long start = offset == null || offset < 0 ? end.getValue() : offset;
            moved.put(end.getKey(), new OffsetAndMetadata(start));
            again += end.getValue() - start;
        }
        get(admin.alterConsumerGroupOffsets(group, moved).all());
        return again;
    }

    private Map<TopicPartition, Long> offsets(String topic, OffsetSpec spec) {
        List<TopicPartition> partitions = get(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic)
                .partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> found =
                get(admin.listOffsets(partitions.stream().collect(Collectors.toMap(p -> p, p -> spec))).all());
        Map<TopicPartition, Long> offsets = new HashMap<>();
        found.forEach((partition, info) -> offsets.put(partition, info.offset()));
        return offsets;
    }

    private static <T> T get(org.apache.kafka.common.KafkaFuture<T> future) {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking Kafka", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Kafka refused: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer within " + TIMEOUT_SECONDS + " s", e);
        }
    }
}
