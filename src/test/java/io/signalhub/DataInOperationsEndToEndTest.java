package io.signalhub;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.signalhub.vendors.segment.WebhookSignature;
import io.signalhub.monitoring.DataInStats;
import io.signalhub.monitoring.DestinationStats;
import io.signalhub.sandbox.OneSignalFake;
import io.signalhub.sandbox.Sandbox;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.signalhub.TestHub.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Data In when OneSignal misbehaves or refuses, several apps in one deployment, webhooks without a
 * shared secret, and segments remembered across a restart.
 */
class DataInOperationsEndToEndTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String APP = Sandbox.ONESIGNAL_APP_ID;
    private static final String SHOP_APP = "8c1d9e55-0000-4000-8000-000000005409";
    @RegisterExtension
    static final FakeVendors VENDORS = new FakeVendors();
    private static final Sandbox FAKES = VENDORS.sandbox;

    @BeforeAll
    static void addShopApp() {
        FAKES.onesignal().addApp(SHOP_APP, "shop-api-key");
    }

    private static OneSignalFake onesignal() {
        return FAKES.onesignal();
    }

    private static String newUser(String app) {
        String user = "user-" + UUID.randomUUID().toString().substring(0, 8);
        onesignal().createUser(app, user);
        return user;
    }

    private static HttpResponse<String> signedWebhook(TestHub hub, String body) throws Exception {
        String signature = HexFormat.of().formatHex(new WebhookSignature(Sandbox.SEGMENT_SHARED_SECRET)
                .sign(body.getBytes(StandardCharsets.UTF_8)));
        return hub.post("/segment/webhook", body, Map.of("X-Signature", signature));
    }

    private static String identify(String user, String traits) {
        return "{\"type\":\"identify\",\"userId\":\"" + user + "\",\"traits\":" + traits + "}";
    }

    @Test
    void transientFailuresAreRetriedRefusalsDeadLetteredAndReplayed() throws Exception {
        try (TestHub hub = TestHub.start(TestHub.settings(FAKES, TestHub.newTopic()))) {
            DestinationStats destination = hub.metrics().destination("onesignal");
            String user = newUser(APP);
            onesignal().failNext(2, 503, null);
            onesignal().failNext(1, 429, 1);
            assertEquals(200, signedWebhook(hub, identify(user, "{\"plan\":\"pro\"}")).statusCode());
            await("the tag after 503, 503, 429", WAIT, () -> "pro".equals(onesignal().tags(APP, user).get("plan")));
            assertTrue(destination.getRetried() >= 3, "retries: " + destination.getRetried());
            assertTrue(destination.getThrottled() >= 1);

            // the app's plan allows 2 tags: OneSignal refuses the whole update; it goes to the dead letters
            onesignal().plan(APP, OneSignalFake.Plan.FREE);
            String refused = newUser(APP);
            assertEquals(200, signedWebhook(hub, identify(refused, "{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\"}")).statusCode());
            await("the refusal dead-lettered", WAIT, () -> destination.getDeadLettered() == 1);
            assertEquals(Map.of(), onesignal().tags(APP, refused));
            assertTrue(destination.getLastError().contains("maximum of 2 tags"), destination.getLastError());

            // the customer upgrades; the dead letters go back and apply
            onesignal().plan(APP, OneSignalFake.Plan.PROFESSIONAL);
            HttpResponse<String> replay = hub.post("/admin/data-in/dead-letters/replay", TestHub.ADMIN_TOKEN, "");
            assertEquals(200, replay.statusCode(), replay.body());
            assertEquals("{\"replayed\":1}", replay.body());
            await("the replayed tags", WAIT, () -> onesignal().tags(APP, refused).size() == 3);
        }
    }

    @Test
    void aRefusedSegmentDoesNotStopTheAudienceTags() throws Exception {
        try (TestHub hub = TestHub.start(TestHub.settings(FAKES, TestHub.newTopic()))) {
            DataInStats stats = hub.metrics().dataIn("onesignal");
            onesignal().plan(APP, new OneSignalFake.Plan(10, 0, true));
            String user = newUser(APP);
            String enter = "{\"type\":\"track\",\"userId\":\"" + user + "\",\"event\":\"Audience Entered\","
                    + "\"properties\":{\"audience_key\":\"vip\",\"vip\":true}}";
            assertEquals(200, signedWebhook(hub, enter).statusCode());
            await("the audience tag", WAIT, () -> "true".equals(onesignal().tags(APP, user).get("vip")));
            assertEquals(1, stats.getSegmentsRefused());
            assertTrue(onesignal().segments(APP).isEmpty());
            assertTrue(hub.metrics().destination("onesignal").getLastError().contains("maximum number of segments"));
        }
    }

    @Test
    void severalAppsByWriteKeyAndWebhookPathAndBearerWebhooksWithoutSecret() throws Exception {
        Map<String, String> settings = TestHub.settings(FAKES, TestHub.newTopic());
        settings.remove("hub.ingress.segment.shared-secret");
        settings.put("hub.onesignal.apps", "shop");
        settings.put("hub.onesignal.apps.shop.app-id", SHOP_APP);
        settings.put("hub.onesignal.apps.shop.api-key", "shop-api-key");
        settings.put("hub.ingress.segment.write-keys", TestHub.SEGMENT_WRITE_KEY + ", shop-write-key:shop");
        try (TestHub hub = TestHub.start(settings)) {
            String user = newUser(APP);
            onesignal().createUser(SHOP_APP, user);
            // without a shared secret, webhooks need the hub's ingress token
            assertEquals(401, hub.post("/segment/webhook", identify(user, "{\"x\":\"1\"}"), Map.of()).statusCode());
            assertEquals(200, hub.post("/segment/webhook", TestHub.INGRESS_TOKEN, identify(user, "{\"via\":\"webhook\"}")).statusCode());
            assertEquals(200, hub.post("/segment/webhook/shop", TestHub.INGRESS_TOKEN, identify(user, "{\"via\":\"shop-webhook\"}"))
                    .statusCode());
            assertEquals(404, hub.post("/segment/webhook/blog", TestHub.INGRESS_TOKEN, identify(user, "{}")).statusCode());
            String track = "{\"writeKey\":\"shop-write-key\",\"userId\":\"" + user + "\",\"event\":\"Bought\",\"properties\":{\"sku\":\"42\"}}";
            assertEquals(200, hub.post("/v1/track", track, Map.of()).statusCode());

            await("the default app's tag", WAIT, () -> "webhook".equals(onesignal().tags(APP, user).get("via")));
            await("the shop app's tags", WAIT, () -> "42".equals(onesignal().tags(SHOP_APP, user).get("sku"))
                    && "shop-webhook".equals(onesignal().tags(SHOP_APP, user).get("via")));
            assertNull(onesignal().tags(APP, user).get("sku"));
            // each app's counts are its own (the status page shows them per app)
            assertEquals(404, hub.post("/segment/webhook/blog", TestHub.INGRESS_TOKEN, identify(user, "{}")).statusCode());
            assertEquals(200, hub.post("/v1/track", "{\"writeKey\":\"shop-write-key\",\"anonymousId\":\"a1\",\"event\":\"Seen\"}",
                    Map.of()).statusCode());
            await("the shop's anonymous message counted", WAIT, () -> hub.metrics().dataIn("onesignal").byApp()
                    .getOrDefault("shop", Map.of()).getOrDefault("dropped.no_user_id", 0L) == 1);
            Map<String, Map<String, Long>> byApp = hub.metrics().dataIn("onesignal").byApp();
            assertEquals(1L, byApp.get("default").get("messages"), byApp.toString());
            assertEquals(1L, byApp.get("default").get("tagUpdates"), byApp.toString());
            assertTrue(byApp.get("shop").get("tagUpdates") >= 1, "two messages, one PATCH or two (coalesced in one poll): " + byApp);
            assertEquals(3L, byApp.get("shop").get("messages"), byApp.toString());
            assertNull(byApp.get("default").get("dropped.no_user_id"), byApp.toString());
        }
    }

    @Test
    void knownSegmentsAreRememberedAcrossARestart() throws Exception {
        Map<String, String> settings = TestHub.settings(FAKES, TestHub.newTopic());
        String user = newUser(APP);
        String enter = "{\"type\":\"track\",\"userId\":\"" + user + "\",\"event\":\"Audience Entered\","
                + "\"properties\":{\"audience_key\":\"loyal\",\"loyal\":true}}";
        try (TestHub hub = TestHub.start(settings)) {
            assertEquals(200, signedWebhook(hub, enter).statusCode());
            await("the segment", WAIT, () -> onesignal().members(APP, "loyal").equals(List.of(user)));
        }
        // someone deletes the segment in the dashboard: the hub, knowing it created it once, does not recreate it
        onesignal().reset();
        onesignal().createUser(APP, user);
        try (TestHub hub = TestHub.start(settings)) {
            assertEquals(200, signedWebhook(hub, enter.replace("Audience Entered\"", "Audience Entered\",\"messageId\":\"again\""))
                    .statusCode());
            await("the tag again", WAIT, () -> "true".equals(onesignal().tags(APP, user).get("loyal")));
            assertTrue(onesignal().segments(APP).isEmpty(), "created once, remembered in the store");
        }
    }
}
