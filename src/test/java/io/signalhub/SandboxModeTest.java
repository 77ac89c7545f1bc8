package io.signalhub;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import io.signalhub.sandbox.Sandbox;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --sandbox as a newcomer runs it (a process of its own, embedded defaults), and where it must not run. */
class SandboxModeTest {

    @RegisterExtension
    static final FakeVendors VENDORS = new FakeVendors();
    private static final Sandbox FAKES = VENDORS.sandbox;

    @Test
    void onTheEmbeddedDefaultsItStartsAndItsTokenFileIsTheOwnersAlone() throws Exception {
        Path data = Files.createTempDirectory("signalhub-sandbox");
        int brokerPort = TestHub.freePort();
        try (HubProcess hub = HubProcess.start("sandbox", Map.of("hub.sandbox", "true",
                "hub.kafka.embedded-port", String.valueOf(brokerPort), "hub.data-dir", data.toString()))) {
            Path tokens = data.resolve("sandbox-tokens.properties");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tokens)));
            Properties generated = new Properties();
            try (var in = Files.newInputStream(tokens)) {
                generated.load(in);
            }
            assertEquals(401, hub.post("/onesignal/events", null, "{}").statusCode());
            assertEquals(202, hub.post("/onesignal/events", generated.getProperty("hub.ingress.token"),
                    DataOutEndToEndTest.flatEvent("sandbox-1", "message.push.clicked", "user_12345")).statusCode());
            // only this instance reads the embedded broker: its topics have one partition (hub.kafka.embedded-partitions)
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + brokerPort))) {
                Map<String, TopicDescription> topics = admin.describeTopics(List.of("onesignal.events", "onesignal.events.dlq"))
                        .allTopicNames().get(30, TimeUnit.SECONDS);
                topics.values().forEach(topic -> assertEquals(1, topic.partitions().size(), topic.name()));
            }
        }
    }

    @Test
    void itIsRefusedWhereItWouldTakeARealDeploymentsPlace() throws Exception {
        Map<String, String> production = TestHub.settings(FAKES, TestHub.newTopic());
        production.put("hub.sandbox", "true");
        String reasons = TestHub.refusedStart(production);
        assertTrue(reasons.contains("sandbox mode") && reasons.contains("hub.kafka.brokers")
                && reasons.contains("hub.segment.write-key"), reasons);
    }
}
