package io.signalhub;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docker-compose.yml as a compose implementation reads it (Debian's docker-compose checks a file without a
 * daemon; .ci/run installs it): valid, the required secrets enforced, Kafka's data on its volume.
 */
class ComposeFileTest {

    private static Process compose(Map<String, String> environment) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("docker-compose", "-f", Path.of("docker-compose.yml").toAbsolutePath().toString(), "config")
                .redirectErrorStream(true);
        builder.environment().keySet().removeIf(key -> key.startsWith("HUB_") || key.equals("POSTGRES_PASSWORD"));
        builder.environment().putAll(environment);
        return builder.start();
    }

    @Test
    @SuppressWarnings("unchecked")
    void theFileIsValidKeepsKafkasTopicsOnItsVolumeAndNeedsItsSecrets() throws Exception {
        Process valid = compose(Map.of("POSTGRES_PASSWORD", "pg", "HUB_INGRESS_TOKEN", "in", "HUB_ADMIN_TOKEN", "ad"));
        String config = new String(valid.getInputStream().readAllBytes());
        assertTrue(valid.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, valid.exitValue(), config);
        Map<String, Object> services = (Map<String, Object>) ((Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(config)).get("services");
        Map<String, Object> kafka = (Map<String, Object>) services.get("kafka");
        String logDirs = String.valueOf(((Map<String, Object>) kafka.get("environment")).get("KAFKA_LOG_DIRS"));
        assertTrue(kafka.get("volumes").toString().contains(logDirs), "Kafka writes to " + logDirs + ", its volume is " + kafka.get("volumes"));
        for (String hub : List.of("signalhub-1", "signalhub-2")) {
            Map<String, Object> environment = (Map<String, Object>) ((Map<String, Object>) services.get(hub)).get("environment");
            assertEquals("8080", String.valueOf(environment.get("HUB_HTTP_PORT")), hub);
            assertEquals("kafka:9092", environment.get("HUB_KAFKA_BROKERS"), hub);
        }

        // the monitoring profile: Prometheus loads the hub's rules and scrapes both instances' management port
        Map<String, Object> prometheus = (Map<String, Object>) services.get("prometheus");
        assertTrue(prometheus.get("volumes").toString().contains("signalhub-alerts.yml"), String.valueOf(prometheus.get("volumes")));
        String scrape = Files.readString(Path.of("monitoring", "prometheus", "prometheus.yml"));
        for (String hub : List.of("signalhub-1", "signalhub-2")) {
            assertTrue(scrape.contains(hub + ":9876"), hub + " is not scraped");
        }
        assertTrue(services.get("grafana").toString().contains("/etc/grafana/provisioning"));

        Process withoutSecrets = compose(Map.of("POSTGRES_PASSWORD", "pg"));
        String refusal = new String(withoutSecrets.getInputStream().readAllBytes());
        assertTrue(withoutSecrets.waitFor(60, TimeUnit.SECONDS));
        assertTrue(withoutSecrets.exitValue() != 0 && refusal.contains("ingress token"), refusal);
    }
}
