package io.signalhub;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.signalhub.kafka.EmbeddedKafkaBroker;
import io.signalhub.kafka.KafkaClients;
import io.signalhub.sandbox.Sandbox;
import io.signalhub.vendors.segment.WebhookSignature;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.ConfigResource;

import static io.signalhub.TestHub.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A managed-style cluster: an in-process broker whose client listener takes only SASL_SSL (PLAIN over TLS, a
 * certificate made by keytool for this run). The hub's settings hub.kafka.client.* reach every client: the
 * routes' consumers and producers, the topic and lag AdminClients and the dead-letter replay.
 */
class SecuredKafkaTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String STORE_PASSWORD = "store-secret";
    @RegisterExtension
    static final FakeVendors VENDORS = new FakeVendors();
    private static final Sandbox FAKES = VENDORS.sandbox;
    private static EmbeddedKafkaBroker broker;
    private static Path truststore;

    @BeforeAll
    static void startSecuredBroker() throws Exception {
        TestCertificates certificates = TestCertificates.create();
        truststore = certificates.truststore();
        broker = new EmbeddedKafkaBroker(Files.createTempDirectory("signalhub-secured-kafka"), 0).withSecuredListener(Map.of(
                "ssl.keystore.location", certificates.keystore().toString(),
                "ssl.keystore.password", STORE_PASSWORD,
                "ssl.keystore.type", "PKCS12",
                "sasl.enabled.mechanisms", "PLAIN",
                "plain.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required user_hub=\"hub-secret\";"));
        broker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.stop();
    }

    private static Map<String, String> settings(String password) throws Exception {
        Map<String, String> settings = TestHub.settings(FAKES, TestHub.newTopic());
        settings.put("hub.kafka.brokers", broker.securedBootstrapServers());
        settings.put("hub.kafka.client.security.protocol", "SASL_SSL");
        settings.put("hub.kafka.client.sasl.mechanism", "PLAIN");
        settings.put("hub.kafka.client.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"hub\" password=\"" + password + "\";");
        settings.put("hub.kafka.client.ssl.truststore.location", truststore.toString());
        settings.put("hub.kafka.client.ssl.truststore.password", STORE_PASSWORD);
        settings.put("hub.kafka.client.ssl.truststore.type", "PKCS12");
        return settings;
    }

    @Test
    void allThreeChainsRunOnASaslSslCluster() throws Exception {
        FAKES.onesignal().createUser(Sandbox.ONESIGNAL_APP_ID, "u-secure");
        FAKES.mixpanel().cohorts().cohort(91, "Secure Cohort", Map.of("d1", Map.of("$onesignal_user_id", "u-secure")));
        try (TestHub hub = TestHub.start(settings("hub-secret"))) {
            java.time.Instant since = java.time.Instant.now().minusSeconds(60);
            // Data Out
            assertEquals(202, hub.postEvents("[" + DataOutEndToEndTest.flatEvent("secure-1", "message.push.sent", "u-secure") + "]")
                    .statusCode());
            await("Segment", WAIT, () -> FAKES.segment().accepted().size() == 1);
            await("Amplitude", WAIT, () -> FAKES.amplitude().accepted().size() == 1);
            await("Mixpanel", WAIT, () -> FAKES.mixpanel().accepted().size() == 1);
            // Data In, through a signed Segment webhook
            String identify = "{\"type\":\"identify\",\"userId\":\"u-secure\",\"messageId\":\"m-s\",\"traits\":{\"plan\":\"pro\"}}";
            String signature = HexFormat.of().formatHex(new WebhookSignature(Sandbox.SEGMENT_SHARED_SECRET).sign(identify.getBytes()));
            assertEquals(200, hub.post("/segment/webhook", identify, Map.of("X-Signature", signature)).statusCode());
            await("the tag", WAIT, () -> "pro".equals(FAKES.onesignal().tags(Sandbox.ONESIGNAL_APP_ID, "u-secure").get("plan")));
            // cohort sync (a Mixpanel push goes through the cohort-updates topic)
            String push = "{\"action\":\"add_members\",\"parameters\":{\"mixpanel_cohort_id\":\"91\",\"mixpanel_cohort_name\":"
                    + "\"Secure Cohort\",\"members\":[{\"mixpanel_distinct_id\":\"u-secure\"}]}}";
            assertEquals(200, hub.post("/mixpanel/cohorts", TestHub.INGRESS_TOKEN, push).statusCode());
            await("the cohort's segment", WAIT, () -> FAKES.onesignal().members(Sandbox.ONESIGNAL_APP_ID, "Secure Cohort")
                    .equals(List.of("u-secure")));
            // the AdminClient of rewind and lag, and the dead-letter replay's own consumer and producer
            HttpResponse<String> rewound = hub.post("/admin/destinations/amplitude/rewind?since=" + since, TestHub.ADMIN_TOKEN, "");
            assertEquals(200, rewound.statusCode(), rewound.body());
            assertEquals(1, Json.MAPPER.readTree(rewound.body()).path("records").asInt(), rewound.body());
            await("the event sent to Amplitude again", WAIT, () -> FAKES.amplitude().eventsSent() == 2);
            HttpResponse<String> replayed = hub.post("/admin/dead-letters/replay", TestHub.ADMIN_TOKEN, "");
            assertEquals("{\"replayed\":0}", replayed.body());
        }
    }

    @Test
    void wrongCredentialsStopTheStartWithTheReason() throws Exception {
        long started = System.nanoTime();
        String reasons = TestHub.refusedStart(settings("wrong-password-4711"));
        assertTrue(reasons.contains("Authentication failed"), reasons);
        assertTrue(System.nanoTime() - started < Duration.ofSeconds(40).toNanos(), "no hang");
        assertTrue(!reasons.contains("4711"), "the password is in no error: " + reasons);
    }

    @Test
    void topicsGetTheConfiguredRetentionAndAChangeReachesTheExistingTopic() throws Exception {
        Map<String, String> settings = settings("hub-secret");
        settings.put("hub.topics.segment-events.retention-hours", "1");
        String topic = settings.get("hub.topics.segment-events");
        Map<String, Object> admin = new KafkaClients(broker.securedBootstrapServers(),
                KafkaClients.clientProperties(settings, Map.of())).config(Map.of());
        try (TestHub hub = TestHub.start(settings); Admin client = Admin.create(admin)) {
            assertEquals("3600000", retention(client, topic));
            assertEquals(String.valueOf(336 * 3_600_000L), retention(client, topic + ".dlq"), "the documented default for dead letters");
        }
        settings.put("hub.topics.segment-events.retention-hours", "2");
        try (TestHub hub = TestHub.start(settings); Admin client = Admin.create(admin)) {
            assertEquals("7200000", retention(client, topic));
        }
    }

    private static String retention(Admin admin, String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource).get("retention.ms").value();
    }
}
