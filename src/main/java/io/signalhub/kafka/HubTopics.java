package io.signalhub.kafka;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Service;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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

    private static final Logger LOG = LoggerFactory.getLogger(HubTopics.class);

    private final KafkaClients clients;
    private final Map<String, Long> retentionMillis;
    private final int partitions;

    /** @param retentionMillis each topic and how long Kafka keeps its records (retention.ms) */
    public HubTopics(KafkaClients clients, Map<String, Long> retentionMillis, int partitions) {
        this.clients = clients;
        this.retentionMillis = Map.copyOf(retentionMillis);
        this.partitions = partitions;
    }

    @Override
    public void start() {
        try {
            ensure();
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

    /**
     * Creates those of the topics that do not exist, with the partitions given, the broker's replication and
     * their retention; gives the existing ones their retention where it differs.
     */
    private void ensure() throws InterruptedException {
        try (Admin admin = Admin.create(clients.config(Map.of(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000)))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = retentionMillis.keySet().stream().filter(t -> !existing.contains(t))
                    .map(t -> new NewTopic(t, Optional.of(partitions), Optional.empty())
                            .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(retentionMillis.get(t)))))
                    .toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
                awaitLeaders(admin, missing.stream().map(NewTopic::name).toList());
            }
            retain(admin, retentionMillis.keySet().stream().filter(existing::contains).toList());
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("could not create the hub's Kafka topics " + retentionMillis.keySet() + ": " + e.getCause(), e);
            }
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Kafka at " + clients.brokers() + " did not answer within 30 s", e);
        }
    }

    /** The configured retention on topics that already exist; a cluster that does not allow it is logged, not fatal. */
    private void retain(Admin admin, List<String> topics) throws InterruptedException, java.util.concurrent.TimeoutException {
        Map<ConfigResource, Collection<AlterConfigOp>> changes = new HashMap<>();
        try {
            List<ConfigResource> resources = topics.stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
            admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS).forEach((resource, config) -> {
                String wanted = String.valueOf(retentionMillis.get(resource.name()));
                ConfigEntry current = config.get(TopicConfig.RETENTION_MS_CONFIG);
                if (current == null || !wanted.equals(current.value())) {
                    changes.put(resource, List.of(new AlterConfigOp(new ConfigEntry(TopicConfig.RETENTION_MS_CONFIG, wanted),
                            AlterConfigOp.OpType.SET)));
                }
            });
            if (!changes.isEmpty()) {
                admin.incrementalAlterConfigs(changes).all().get(30, TimeUnit.SECONDS);
                LOG.info("retention set on {}", changes.keySet().stream().map(ConfigResource::name).toList());
            }
        } catch (ExecutionException e) {
            LOG.warn("could not set the retention of the existing topics {}: {}", topics, e.getCause().toString());
        }
    }
}
