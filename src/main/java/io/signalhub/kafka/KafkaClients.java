package io.signalhub.kafka;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The settings every Kafka client the hub creates takes: the brokers, and {@code hub.kafka.client.<any Kafka
 * client property>} (https://kafka.apache.org/documentation/#adminclientconfigs) for a secured or managed
 * cluster: {@code security.protocol}, {@code sasl.mechanism}, {@code sasl.jaas.config}, {@code ssl.*}, …
 * Environment variables {@code HUB_KAFKA_CLIENT_<PROPERTY>} (dots as underscores) override the file. The same
 * properties go to Camel's Kafka endpoints (as additional properties), the topic and lag AdminClients and the
 * dead-letter replay. Values are never logged: {@link #toString()} names the keys only.
 */
public final class KafkaClients {

    public static final String PREFIX = "hub.kafka.client.";
    private static final String ENV_PREFIX = "HUB_KAFKA_CLIENT_";

    private final String brokers;
    private final Map<String, Object> client;

    public KafkaClients(String brokers, Map<String, Object> client) {
        this.brokers = brokers;
        this.client = Map.copyOf(client);
    }

    /**
     * The client properties of the settings and the environment.
     *
     * @throws IllegalArgumentException for bootstrap.servers, which is hub.kafka.brokers
     */
    public static Map<String, Object> clientProperties(Map<String, String> settings, Map<String, String> environment) {
        Map<String, Object> properties = new TreeMap<>();
        settings.forEach((key, value) -> {
            if (key.startsWith(PREFIX) && !value.isBlank()) {
                properties.put(key.substring(PREFIX.length()), value.trim());
            }
        });
        environment.forEach((key, value) -> {
            if (key.startsWith(ENV_PREFIX) && !value.isBlank()) {
                properties.put(key.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'), value.trim());
            }
        });
        if (properties.containsKey("bootstrap.servers")) {
            throw new IllegalArgumentException(PREFIX + "bootstrap.servers: the brokers are hub.kafka.brokers");
        }
        return properties;
    }

    public String brokers() {
        return brokers;
    }

    /** The client properties alone (for Camel's Kafka component). */
    public Map<String, Object> client() {
        return client;
    }

    /** A client's configuration: the brokers, its own properties, then the shared client properties. */
    public Map<String, Object> config(Map<String, Object> own) {
        Map<String, Object> config = new HashMap<>(own);
        config.put("bootstrap.servers", brokers);
        config.putAll(client);
        return config;
    }

    @Override
    public String toString() {
        return brokers + (client.isEmpty() ? "" : " with " + client.keySet());
    }
}
