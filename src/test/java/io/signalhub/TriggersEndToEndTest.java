package io.signalhub;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalhub.monitoring.DataInStats;
import io.signalhub.sandbox.OneSignalFake;
import io.signalhub.sandbox.Sandbox;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.signalhub.TestHub.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** config/triggers.yaml: Segment messages → real Kafka → the triggers' consumer → Create message at OneSignal's fake. */
class TriggersEndToEndTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String APP = Sandbox.ONESIGNAL_APP_ID;
    private static final String TRIGGERS = """
            triggers:
              - name: welcome-vip
                when: {audience: vip_buyers, entered: true}
                send:
                  headings: {en: "Welcome"}
                  contents: {en: "You are a VIP now", de: "Du bist jetzt VIP"}
              - name: order-thanks
                when: {event: "Order Completed"}
                channel: push
                send: {template_id: "7f1c2a9e-0000-4000-8000-000000000001"}
            """;
    @RegisterExtension
    static final FakeVendors VENDORS = new FakeVendors();
    private static final Sandbox FAKES = VENDORS.sandbox;

    @BeforeEach
    void seedUsers() {
        for (String user : List.of("vip-1", "vip-2", "vip-3", "buyer")) {
            FAKES.onesignal().addSubscription(APP, user, "iOSPush", "0a".repeat(32) + user.hashCode());
        }
        FAKES.onesignal().createUser(APP, "no-device");
    }

    private static Map<String, String> settings(boolean dryRun) throws Exception {
        Map<String, String> settings = TestHub.settings(FAKES, TestHub.newTopic());
        Path file = Files.createTempFile("triggers", ".yaml");
        Files.writeString(file, TRIGGERS);
        settings.put("hub.triggers.file", file.toString());
        settings.put("hub.triggers.dry-run", String.valueOf(dryRun));
        return settings;
    }

    private static String batch(String... messages) {
        return "{\"writeKey\":\"" + TestHub.SEGMENT_WRITE_KEY + "\",\"batch\":[" + String.join(",", messages) + "]}";
    }

    private static String entered(String user, String audience) {
        return "{\"type\":\"identify\",\"userId\":\"" + user + "\",\"messageId\":\"" + UUID.randomUUID() + "\",\"traits\":{\""
                + audience + "\":true},\"context\":{\"personas\":{\"computation_class\":\"audience\",\"computation_key\":\"" + audience + "\"}}}";
    }

    private static String ordered(String user) {
        return "{\"type\":\"track\",\"userId\":\"" + user + "\",\"messageId\":\"" + UUID.randomUUID()
                + "\",\"event\":\"Order Completed\",\"properties\":{\"total\":20}}";
    }

    @Test
    void usersEnteringAnAudienceTogetherGetOneNotificationAndOnlyTheTriggersMatchesGo() throws Exception {
        try (TestHub hub = TestHub.start(settings(false))) {
            String exited = entered("vip-3", "vip_buyers").replace("\"vip_buyers\":true", "\"vip_buyers\":false");
            assertEquals(200, hub.post("/v1/batch", batch(entered("vip-1", "vip_buyers"), entered("vip-2", "vip_buyers"),
                    entered("vip-1", "vip_buyers"), exited, entered("buyer", "other_audience")), Map.of()).statusCode());
            await("the notification", WAIT, () -> !FAKES.onesignal().notifications(APP).isEmpty());
            Thread.sleep(1500);
            List<OneSignalFake.Notification> sent = FAKES.onesignal().notifications(APP);
            // the users one poll holds go in one request; a poll may close between the two partitions' records
            assertTrue(sent.size() <= 2, "a request per poll at most: " + sent);
            assertEquals(List.of("vip-1", "vip-2"), sent.stream().flatMap(n -> n.recipients().stream()).sorted().toList(),
                    "each once; the exit and the other audience match nothing");
            JsonNode request = sent.get(0).request();
            assertEquals("push", request.path("target_channel").asText());
            assertEquals("You are a VIP now", request.path("contents").path("en").asText());
            assertEquals("Welcome", request.path("headings").path("en").asText());
            assertEquals(36, request.path("idempotency_key").asText().length());
            DataInStats stats = hub.metrics().dataIn("onesignal");
            assertEquals(Map.of("welcome-vip", 2L), stats.getTriggeredUsersByTrigger());
            // Data In went on as ever: the audience tag is on the users
            await("the audience tag", WAIT, () -> "true".equals(FAKES.onesignal().tags(APP, "vip-2").get("vip_buyers")));
        }
    }

    @Test
    void usersOneSignalCannotReachAreCountedAndARefusedNotificationIsDeadLettered() throws Exception {
        try (TestHub hub = TestHub.start(settings(false))) {
            DataInStats stats = hub.metrics().dataIn("onesignal");
            assertEquals(200, hub.post("/v1/batch", batch(ordered("buyer"), ordered("no-device"), ordered("stranger")), Map.of()).statusCode());
            // the three go in one request when one poll takes them all, else the ones without a subscription
            // come back as "not subscribed" from a request of their own instead of as invalid aliases
            await("the notification", WAIT, () -> FAKES.onesignal().notifications(APP).size() == 1
                    && stats.getNotificationsInvalidAliases() + stats.getNotificationsNotSubscribed() == 2);
            assertEquals(List.of("buyer"), FAKES.onesignal().notifications(APP).get(0).recipients());
            assertEquals("7f1c2a9e-0000-4000-8000-000000000001", FAKES.onesignal().notifications(APP).get(0).request().path("template_id").asText());

            long notSubscribed = stats.getNotificationsNotSubscribed();
            assertEquals(200, hub.post("/v1/batch", batch(ordered("no-device")), Map.of()).statusCode());
            await("nobody to send to", WAIT, () -> stats.getNotificationsNotSubscribed() == notSubscribed + 1);
            assertEquals(1, FAKES.onesignal().notifications(APP).size());

            long deadLettered = hub.metrics().destination("onesignal").getDeadLettered();
            // a track without properties changes no tag: the notification is the only call OneSignal gets
            FAKES.onesignal().failNext(1, 400, null);
            assertEquals(200, hub.post("/v1/batch", batch(ordered("buyer").replace(",\"properties\":{\"total\":20}", "")), Map.of()).statusCode());
            await("the refused notification dead-lettered", WAIT, () -> hub.metrics().destination("onesignal").getDeadLettered() > deadLettered);
        }
    }

    @Test
    void aDryRunLogsWhatWouldBeSentAndSendsNothing() throws Exception {
        try (TestHub hub = TestHub.start(settings(true))) {
            DataInStats stats = hub.metrics().dataIn("onesignal");
            assertEquals(200, hub.post("/v1/batch", batch(ordered("buyer"), entered("vip-1", "vip_buyers")), Map.of()).statusCode());
            await("both dry runs counted", WAIT, () -> stats.getNotificationsDryRun() == 2);
            await("the tags still applied", WAIT, () -> "true".equals(FAKES.onesignal().tags(APP, "vip-1").get("vip_buyers")));
            assertTrue(FAKES.onesignal().notifications(APP).isEmpty());
        }
    }
}
