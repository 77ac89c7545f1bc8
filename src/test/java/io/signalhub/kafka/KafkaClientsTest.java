package io.signalhub.kafka;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KafkaClientsTest {

    @Test
    void clientPropertiesComeFromTheSettingsAndTheEnvironmentWhichWins() {
        Map<String, Object> properties = KafkaClients.clientProperties(Map.of(
                "hub.kafka.client.security.protocol", "SSL", "hub.kafka.client.sasl.mechanism", "PLAIN", "hub.kafka.brokers", "x:1",
                "hub.kafka.client.ssl.truststore.type", " "),
                Map.of("HUB_KAFKA_CLIENT_SECURITY_PROTOCOL", "SASL_SSL", "HUB_KAFKA_CLIENT_SASL_JAAS_CONFIG", "secret", "PATH", "/bin"));
        assertEquals(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN", "sasl.jaas.config", "secret"), properties);
        KafkaClients clients = new KafkaClients("b:9092", properties);
        assertEquals("b:9092", clients.config(Map.of("acks", "all")).get("bootstrap.servers"));
        assertEquals("all", clients.config(Map.of("acks", "all")).get("acks"));
        assertTrue(!clients.toString().contains("secret"), clients.toString());
        assertThrows(IllegalArgumentException.class, () -> KafkaClients.clientProperties(
                Map.of("hub.kafka.client.bootstrap.servers", "x:1"), Map.of()));
    }
}
