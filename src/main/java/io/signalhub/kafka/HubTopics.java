package io.signalhub.kafka;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Service;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Creates the hub's topics before any route produces or consumes, instead of relying on the broker's
 * auto-creation (often disabled on production clusters; and a first idempotent send racing the
 * creation of its topic has been seen to fail with out-of-order sequence errors). A Camel service:
 * the context starts it after the broker and before the routes.
 */
public final class HubTopics implements Service {

    private final String brokers;
    private final Collection<String> topics;
    private final int partitions;

    public HubTopics(String brokers, Collection<String> topics, int partitions) {
        this.brokers = brokers;
        this.topics = List.copyOf(topics);
        this.partitions = partitions;
    }

    @Override
    public void start() {
        try {
            ensure(brokers, topics, partitions);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the hub's Kafka topics", e);
        }
    }

    @Override
    public void stop() {
    }

    /**
     * Waits until every partition of the new topics has a leader: an idempotent producer's first send to a
     * partition whose leader is still being elected is answered NOT_LEADER_OR_FOLLOWER, and its retry has
     * been seen to stick on out-of-order sequence errors.
     */
    private static void awaitLeaders(Admin admin, List<String> created) throws InterruptedException, ExecutionException,
            java.util.concurrent.TimeoutException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                boolean led = admin.describeTopics(created).allTopicNames().get(30, TimeUnit.SECONDS).values().stream()
                        .allMatch(topic -> topic.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
                if (led) {
                    return;
                }
            } catch (ExecutionException e) {
                // just created: the broker may not know the topic yet
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
            Thread.sleep(50);
        }
    }

    /** Creates those of the topics that do not exist, with the partitions given and the broker's replication. */
    private static void ensure(String brokers, Collection<String> topics, int partitions) throws InterruptedException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = topics.stream().distinct().filter(t -> !existing.contains(t))
                    .map(t -> new NewTopic(t, Optional.of(partitions), Optional.empty())).toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
                awaitLeaders(admin, missing.stream().map(NewTopic::name).toList());
            }
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("could not create the hub's Kafka topics " + topics + ": " + e.getCause(), e);
            }
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Kafka at " + brokers + " did not answer within 30 s", e);
        }
    }
}
